"""The lock files match pyproject.toml, pin every package exactly and carry hashes.

pyproject.toml is the dependency list; `make lock` writes requirements/*.lock from it.
An edit to pyproject.toml without `make lock` fails here, offline.
"""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
EXTRAS = PROJECT["optional-dependencies"]
LOCKS = {
    "run.lock": PROJECT["dependencies"],
    "dev.lock": PROJECT["dependencies"] + EXTRAS["dev"],
    "bench.lock": PROJECT["dependencies"] + EXTRAS["dev"] + EXTRAS["bench"],
}
ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^ ;\\]+)(.*)$")


def _entries(lock: str) -> dict[str, tuple[str, str]]:
    """name -> (version, the entry's text up to the next entry)."""
    text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
    entries: dict[str, tuple[str, str]] = {}
    current = None
    for line in text.splitlines():
        match = ENTRY.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            entries[current] = (match.group(3), line)
        elif current and line.startswith(" "):
            entries[current] = (entries[current][0], entries[current][1] + "\n" + line)
        elif line and not line.startswith("#"):
            pytest.fail(f"{lock}: not an exact pin: {line!r}")
    return entries


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_each_lock_holds_every_declared_dependency_at_its_pinned_version(lock):
    entries = _entries(lock)
    for spec in LOCKS[lock]:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in entries, f"{requirement.name} is missing from {lock}: run make lock"
        version = entries[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} has {requirement.name}=={version}, pyproject.toml asks {spec}: make lock"
        )


@pytest.mark.parametrize("lock", [*sorted(LOCKS), "tools.lock", "audit.lock"])
def test_every_locked_package_has_hashes(lock):
    entries = _entries(lock)
    assert entries
    for name, (_version, text) in entries.items():
        assert "--hash=sha256:" in text, f"{name} in {lock} has no hash"


def test_the_smaller_locks_agree_with_the_largest():
    """One version of a package everywhere: dev and run are constrained by bench."""
    bench = _entries("bench.lock")
    for lock in ("run.lock", "dev.lock"):
        for name, (version, _text) in _entries(lock).items():
            assert bench[name][0] == version, f"{name}: {lock} {version}, bench {bench[name][0]}"
