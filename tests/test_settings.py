"""Settings come from the environment and fail loudly on nonsense."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ephedra import env

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("value", "expected"), [("true", True), ("0", False), ("Yes", True), ("off", False)]
)
def test_boolean_reads_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("EPHEDRA_FLAG", value)
    assert env.boolean("EPHEDRA_FLAG", default=not expected) is expected


def test_boolean_refuses_maybe(monkeypatch):
    monkeypatch.setenv("EPHEDRA_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="EPHEDRA_FLAG"):
        env.boolean("EPHEDRA_FLAG", default=False)


def test_integer_refuses_words_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("EPHEDRA_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env.integer("EPHEDRA_N", default=1)
    monkeypatch.setenv("EPHEDRA_N", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env.integer("EPHEDRA_N", default=1, minimum=0)


def test_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.delenv("EPHEDRA_SECRET", raising=False)
    monkeypatch.setenv("EPHEDRA_SECRET_FILE", str(secret))
    assert env.string("EPHEDRA_SECRET") == "from-a-file"


def test_unreadable_secret_file_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("EPHEDRA_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env.string("EPHEDRA_SECRET")


def test_list_ignores_blanks(monkeypatch):
    monkeypatch.setenv("EPHEDRA_HOSTS", " a.example , ,b.example")
    assert env.strings("EPHEDRA_HOSTS", default=[]) == ["a.example", "b.example"]


def load_settings(**overrides: str) -> subprocess.CompletedProcess:
    environment = {
        key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY"}
    }
    environment.update(overrides)
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed argv
        [sys.executable, "-c", "import ephedra.settings"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_debug_is_refused_with_a_public_host():
    result = load_settings(DEBUG="true", ALLOWED_HOSTS="ephedra.example.org", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_production_host_requires_a_secret_key():
    result = load_settings(ALLOWED_HOSTS="ephedra.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_bad_debug_value_stops_start_up():
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_half_configured_single_sign_on_stops_start_up():
    result = load_settings(OIDC_RP_CLIENT_ID="ephedra", OIDC_ISSUER="https://login.force.example")
    assert result.returncode != 0
    assert "Single sign-on is half configured: also set OIDC_RP_CLIENT_SECRET" in result.stderr


def test_embedded_default_is_sqlite_and_inline_tasks():
    code = (
        "from django.conf import settings as s; import django; django.setup();"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"
    )
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    environment["DJANGO_SETTINGS_MODULE"] = "ephedra.settings"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]
