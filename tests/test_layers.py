"""The layers hold (ARCHITECTURE.md, the README's map, pyproject's import-linter contracts).

Two checks the suite runs on every change: the import-linter contracts, and a rule
import-linter cannot express — only a urls module may import a views module (a helper a
second module needs belongs in the app's selectors, services or forms, not in a view).
"""

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = (
    "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"
)
PACKAGES = (
    "core", "governance", "accounts", "partners", "referrals", "patrols", "reporting",
    "dataprotection", "demo", "pages", "ephedra",
)  # fmt: skip


def is_views(module: str) -> bool:
    return "views" in module.split(".")


def is_urls(module: str) -> bool:
    return module.split(".")[-1].endswith("urls")  # urls, api_urls, token_urls


def views_imported_outside_urls(graph) -> list[str]:
    """Every direct import of a views module by a module other than a urls module (a
    views package's own submodules, imported by its __init__, excepted)."""
    found = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if is_views(imported) and not is_urls(importer):
                if imported.startswith(f"{importer}."):
                    continue
                found.append(f"{importer} -> {imported}")
    return found


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PACKAGES, include_external_packages=False, cache_dir=None)


def test_only_urls_modules_import_views(graph):
    assert views_imported_outside_urls(graph) == []


def test_the_views_check_finds_a_helper_imported_from_a_view():
    graph = grimp.ImportGraph()
    graph.add_import(importer="shop.urls", imported="shop.views.orders")
    graph.add_import(importer="shop.api", imported="shop.views.orders")
    graph.add_import(importer="shop.views.orders", imported="shop.views.basket")
    graph.add_import(importer="shop.views", imported="shop.views.basket")
    assert views_imported_outside_urls(graph) == [
        "shop.api -> shop.views.orders",
        "shop.views.orders -> shop.views.basket",
    ]


def test_the_import_contracts_are_kept():
    # In its own process: lint-imports reads pyproject.toml from the working directory,
    # and its logging set-up would silence this process's loggers.
    run = [sys.executable, "-c", LINT_IMPORTS]
    result = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr
