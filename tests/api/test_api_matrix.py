"""The permission matrix for the REST API: every route of ``build_router()`` × every method
it allows must have an expected status for every role, in some module's ``API_MATRIX``.

The shape, for each ``tests/api/test_api_*.py`` module that owns resources::

    API_MATRIX = [
        # (URL name, HTTP method, {role: expected status})
        ("api:referral-list", "GET", {"anonymous": 401, "partner_a": 200, ...}),
        ("api:referral-detail", "DELETE", {...}),
    ]

- URL name: ``"api:<basename>-<suffix>"`` as the router names it (``api:report-download``).
- Method: upper case, one of the methods the route allows (HEAD and OPTIONS aside).
- Statuses: one per role in ``ROLES`` (the users of tests/conftest.py; ``partner_a``'s
  agency holds the shared records, ``partner_b`` is the outsider agency).
- The module runs its own rows, for every role, on its own data, with a test parametrised
  directly by ``API_MATRIX`` (``@pytest.mark.parametrize(..., API_MATRIX)``): the module
  knows which record a detail URL names and what body a write needs.

This module checks that those lists together cover the whole API (a new route or method
without a row fails ``test_every_route_and_method_has_a_row``), that every row names a real
route and method and every role, and that every module runs its rows. It also runs the
platform's own rows (API root, schema, docs, unknown addresses) with API tokens.
"""

import importlib
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ephedra.api_urls import build_router

from .conftest import bearer

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "partner_a", "partner_b", "pc", "sergeant", "project_lead", "admin_user"]
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def row(anonymous, partner_a, partner_b, pc, sergeant, lead, admin) -> dict:
    return dict(
        zip(ROLES, [anonymous, partner_a, partner_b, pc, sergeant, lead, admin], strict=True)
    )


EVERYONE = row(401, 200, 200, 200, 200, 200, 200)
# A browser with no credentials is sent to sign in; a token holder reads the docs.
DOCS = row(302, 200, 200, 200, 200, 200, 200)
API_MATRIX = [
    ("api:api-root", "GET", EVERYONE),
    ("api:schema", "GET", EVERYONE),
    ("api:docs", "GET", DOCS),
    ("api:redoc", "GET", DOCS),
    ("api:not_found", "GET", row(404, 404, 404, 404, 404, 404, 404)),
]
PLATFORM_NAMES = {"api:api-root", "api:schema", "api:docs", "api:redoc", "api:not_found"}


def matrix_modules() -> dict:
    here = Path(__file__).parent
    return {
        path.stem: importlib.import_module(f"tests.api.{path.stem}")
        for path in sorted(here.glob("test_api_*.py"))
    }


def all_rows() -> list[tuple[str, str, str, dict]]:
    return [
        (stem, name, method, expected)
        for stem, module in matrix_modules().items()
        for name, method, expected in getattr(module, "API_MATRIX", [])
    ]


def router_routes() -> set[tuple[str, str]]:
    """(URL name, method) for every route of the router, HEAD and OPTIONS aside."""
    routes = set()
    for url in build_router().urls:
        actions = getattr(url.callback, "actions", None)
        methods = {m.upper() for m in actions} if actions else {"GET"}  # the API root
        routes |= {(f"api:{url.name}", method) for method in methods & METHODS}
    return routes


def api_url_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= api_url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name and namespace.startswith("api:"):
            names.add(f"{namespace}{entry.name}")
    return names


# --- The lists, together ---------------------------------------------------------------


def test_every_route_and_method_has_a_row():
    covered = {(name, method) for _, name, method, _ in all_rows()}
    missing = sorted(router_routes() - covered)
    assert not missing, f"add these to a tests/api/test_api_*.py API_MATRIX: {missing}"


def test_every_api_address_has_a_row():
    covered = {name for _, name, _, _ in all_rows()}
    assert api_url_names() <= covered, sorted(api_url_names() - covered)


def test_every_row_names_a_real_route_method_and_every_role():
    routes = router_routes()
    for stem, name, method, expected in all_rows():
        assert method in METHODS, (stem, name, method)
        assert set(expected) == set(ROLES), (stem, name, method)
        if name not in PLATFORM_NAMES:
            # A method the route does not allow has a row only to prove the 405.
            allowed = (name, method) in routes
            assert allowed or set(expected.values()) <= {401, 404, 405}, (stem, name, method)
            assert any(route == name for route, _ in routes), (stem, name)


def test_no_row_is_listed_twice():
    keys = [(name, method) for _, name, method, _ in all_rows()]
    assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})


def test_every_module_runs_its_rows():
    for stem, module in matrix_modules().items():
        matrix = getattr(module, "API_MATRIX", None)
        if matrix is None:
            continue
        marks = [
            mark
            for name in dir(module)
            if name.startswith("test_")
            for mark in getattr(getattr(module, name), "pytestmark", [])
            if mark.name == "parametrize"
        ]
        assert any(mark.args[1] is matrix for mark in marks), (
            f"{stem}: parametrize a test with API_MATRIX itself, for every role"
        )


# --- The platform's own rows, with API tokens --------------------------------------------


def url_for(name: str) -> str:
    if name == "api:not_found":
        return "/api/v1/no-such-resource/"
    return reverse(name)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "expected"), API_MATRIX, ids=[f"{n} {m}" for n, m, _ in API_MATRIX]
)
def test_status_for_each_role(client, request, make_token, name, method, expected, role):
    headers = {} if role == "anonymous" else bearer(make_token(request.getfixturevalue(role)))
    response = client.generic(method, url_for(name), **headers)
    assert response.status_code == expected[role], response.content[:300]
