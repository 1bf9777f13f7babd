"""Shared fixtures: one user per role, an outsider agency, fast passwords, Celery modes."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from accounts.models import Role
from ephedra.celery import app as celery_app

from .factories import (
    AgencyFactory,
    AreaFactory,
    OfficerFactory,
    PartnerUserFactory,
    UserFactory,
    confirmed_app,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Django 6.1's PBKDF2 costs ~0.65 s a check; tests need speed, not strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # The manifest storage needs collectstatic first; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """The API rate limits count per user in the cache, and user ids come round again
    once a test's rows are rolled back: every test starts with an empty cache, or a
    suite's worth of requests by "user 3" would be refused within the minute."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _force_login_passes_second_factor(monkeypatch):
    """``client.force_login(user)`` stands for a complete sign-in: password and second
    factor. It gives the user a confirmed TOTP device (unless they have one) and marks the
    session verified, as accounts.middleware.RequireSecondFactorMiddleware expects."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.middleware import stamp_sign_in

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        device = confirmed_app(user)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        stamp_sign_in(session)  # as a sign-in does, so the first request saves nothing
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Tasks run inline, except in tests marked celery_worker, which use the real worker."""
    eager = request.node.get_closest_marker("celery_worker") is None
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = before


# --- make mutants: one SQLite test database per mutant, copied, not migrated. ---------

_MUTMUT_TEMPLATE: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix):
    """Under mutmut (scripts/mutants.py) each mutant's tests run in a forked process, two at a
    time: they must not share the SQLite test file, and migrating a fresh one costs ~6 s a
    mutant. mutmut's own runs keep a migrated database; each mutant copies it and deletes
    its copy afterwards. Ordinary runs (no MUTANT_UNDER_TEST) are untouched."""
    from django.conf import settings

    mutant = os.environ.get("MUTANT_UNDER_TEST")
    test = settings.DATABASES["default"].get("TEST", {})
    if mutant is None or not test.get("NAME") or test["NAME"] == ":memory:":
        yield
        return
    template = _MUTMUT_TEMPLATE.setdefault("name", f"{test['NAME']}-mutmut")
    request.config.option.reuse_db = True
    if "__mutmut_" not in mutant:  # stats, clean and forced-fail runs in mutmut's process
        for left in Path(template).parent.glob(f"{Path(template).name}-*"):
            left.unlink()  # copies of mutants killed on timeout, which tear nothing down
        test["NAME"] = template
        yield
        return
    test["NAME"] = f"{template}-{os.getpid()}"
    for suffix in ("", "-wal", "-shm"):
        if Path(template + suffix).exists():
            shutil.copyfile(template + suffix, test["NAME"] + suffix)
    yield
    for suffix in ("", "-wal", "-shm"):
        Path(test["NAME"] + suffix).unlink(missing_ok=True)


@pytest.fixture
def area():
    return AreaFactory(name="Lambeth", code="E09000022")


@pytest.fixture
def other_area():
    return AreaFactory(name="Southwark", code="E09000028")


@pytest.fixture
def project_lead(area):
    return OfficerFactory(role=Role.PROJECT_LEAD, areas=[area])


@pytest.fixture
def sergeant(area):
    return OfficerFactory(role=Role.SERGEANT, areas=[area])


@pytest.fixture
def pc(area):
    return OfficerFactory(role=Role.PC, areas=[area])


@pytest.fixture
def admin_user():
    return UserFactory(role=Role.ADMIN, is_superuser=True, areas=[])


@pytest.fixture
def agency_a():
    return AgencyFactory(name="Agency A (test)")


@pytest.fixture
def agency_b():
    return AgencyFactory(name="Agency B (test)")


@pytest.fixture
def partner_a(agency_a):
    return PartnerUserFactory(agency=agency_a)


@pytest.fixture
def partner_b(agency_b):
    return PartnerUserFactory(agency=agency_b)


# --- A real Celery worker on Redis, for tests marked celery_worker. ------------------


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """Start `celery worker` as its own process against the test database and Redis."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: a real Celery worker runs on Redis (CI sets it)")
    worker = start_worker(tmp_path_factory.mktemp("celery") / "worker.pid")
    yield worker
    stop_worker(worker)


def start_worker(pidfile: Path, queues: str = "celery") -> subprocess.Popen:
    """A `celery worker` process on the test database and Redis, answering pings."""
    from django.db import connection

    env = dict(os.environ)
    db = connection.settings_dict
    if db["ENGINE"].endswith("postgresql"):
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:  # the SQLite test database is a file (settings): the worker opens the same one
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    worker = subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ephedra",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            f"--pidfile={pidfile}",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            f"--queues={queues}",
        ],
        cwd=ROOT,
        env=env,
    )
    _wait_for_worker(worker)
    return worker


def stop_worker(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


def _wait_for_worker(worker: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"the Celery worker exited at start with code {worker.returncode}")
        if celery_app.control.ping(timeout=0.5):
            return
    worker.kill()
    pytest.fail(f"the Celery worker did not answer a ping within {timeout} s")
