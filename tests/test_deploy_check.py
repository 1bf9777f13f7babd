"""`manage.py check --deploy` passes with a production environment, and nothing else is
needed for it: HTTPS redirect, HSTS and Secure cookies are the defaults on a public host.
A production environment that would be unsafe (DEBUG on, no SMTP server) stops start-up
with a message naming the variable; secrets can come from `NAME_FILE`."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from ephedra.env import OIDC_REQUIRED

ROOT = Path(__file__).resolve().parent.parent
# Only names that could change what settings.py reads are dropped from the inherited
# environment; PATH and the like stay.
SETTINGS_VARIABLES = (
    "DEBUG",
    "ALLOWED_HOSTS",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_COOKIES",
    "BEHIND_TLS_PROXY",
    "STATIC_MANIFEST",
    "CSRF_TRUSTED_ORIGINS",
    *OIDC_REQUIRED,
    "OIDC_MATCH_CLAIM",
    "OIDC_TRUST_PROVIDER_MFA",
)


def production_env(**overrides: str) -> dict[str, str]:
    """What docker-compose.yml gives the app, with secrets inline (nothing connects:
    the check does not open the database, Redis or the SMTP server)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key.removesuffix("_FILE") not in SETTINGS_VARIABLES
    }
    environment.update(
        ALLOWED_HOSTS="ephedra.example.org",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL="postgres://ephedra:not-a-real-password@db.invalid:5432/ephedra",
        REDIS_URL="redis://redis.invalid:6379/0",
        EMAIL_URL="smtp+tls://ephedra:not-a-real-password@mail.invalid:587",
        BEHIND_TLS_PROXY="true",
        DJANGO_SETTINGS_MODULE="ephedra.settings",
    )
    environment.update(overrides)
    return {key: value for key, value in environment.items() if value is not None}


def run(args: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed argv
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def settings_values(environment: dict[str, str], *names: str) -> list[str]:
    code = "from django.conf import settings as s; import django; django.setup();" + "".join(
        f"print(repr(s.{name}));" for name in names
    )
    result = run(["-c", code], environment)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_check_deploy_passes_with_production_environment():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_passes_with_single_sign_on():
    provider = "https://login.force.example"
    environment = production_env(
        OIDC_ISSUER=provider,
        OIDC_RP_CLIENT_ID="ephedra",
        OIDC_RP_CLIENT_SECRET="not-a-real-secret",
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{provider}/authorize",
        OIDC_OP_TOKEN_ENDPOINT=f"{provider}/token",
        OIDC_OP_USER_ENDPOINT=f"{provider}/userinfo",
        OIDC_OP_JWKS_ENDPOINT=f"{provider}/jwks",
    )
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], environment)
    assert result.returncode == 0, result.stdout + result.stderr

    enabled, backends = settings_values(environment, "OIDC_ENABLED", "AUTHENTICATION_BACKENDS")
    assert enabled == "True"
    assert "'accounts.oidc.PoliceOIDCBackend'" in backends


def test_production_defaults_are_https_only():
    values = settings_values(
        production_env(),
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "DEBUG",
        "MAILERS['default']['BACKEND']",
    )
    assert values == [
        "True",
        "31536000",
        "True",
        "True",
        "True",
        "False",
        "'django.core.mail.backends.smtp.EmailBackend'",
    ]


def test_production_cookies_are_host_only():
    """__Host-: Secure, Path=/ and no Domain, or the browser refuses the cookie; so no
    other host (a subdomain included) can plant or overwrite the session or CSRF cookie."""
    names = ("SESSION_COOKIE", "CSRF_COOKIE")
    attributes = [f"{name}_{part}" for name in names for part in ("NAME", "PATH", "DOMAIN")]

    values = settings_values(production_env(), *attributes)

    assert values == ["'__Host-sessionid'", "'/'", "None", "'__Host-csrftoken'", "'/'", "None"]


@pytest.mark.parametrize("environment", [{"DEBUG": "true"}, {"SECURE_COOKIES": "false"}])
def test_plain_http_keeps_plain_cookie_names(environment):
    """A browser drops a __Host- cookie that is not Secure: on http://127.0.0.1 (DEBUG,
    or secure cookies turned off) the names stay Django's own."""
    local = production_env(ALLOWED_HOSTS="localhost,127.0.0.1", EMAIL_URL="", **environment)

    values = settings_values(local, "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME")

    assert values == ["'sessionid'", "'csrftoken'"]


def test_a_local_checkout_keeps_plain_http():
    """`make run` and the tests serve http://127.0.0.1: no redirect, no HSTS."""
    environment = production_env(ALLOWED_HOSTS="localhost,127.0.0.1", EMAIL_URL="")
    values = settings_values(environment, "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS")
    assert values == ["False", "0"]


@pytest.mark.parametrize("host", ["ephedra.example.org", "localhost,ephedra.example.org"])
def test_debug_with_a_public_host_is_refused(host):
    result = run(["manage.py", "check"], production_env(DEBUG="true", ALLOWED_HOSTS=host))
    assert result.returncode != 0
    assert "DEBUG must be off when ALLOWED_HOSTS names a non-local host" in result.stderr


def test_production_without_an_smtp_server_is_refused():
    result = run(["manage.py", "check"], production_env(EMAIL_URL=""))
    assert result.returncode != 0
    assert "EMAIL_URL (or EMAIL_URL_FILE) is required in production" in result.stderr


def test_production_secrets_can_come_from_files(tmp_path):
    """docker-compose.yml's way: SECRET_KEY_FILE, DATABASE_URL_FILE, EMAIL_URL_FILE."""
    secret_key = secrets.token_urlsafe(50)
    files = {
        "SECRET_KEY": secret_key,
        "DATABASE_URL": "postgres://ephedra:from-a-file@db.invalid:5432/ephedra",
        "EMAIL_URL": "smtp+tls://ephedra:from-a-file@mail.invalid:587",
    }
    environment = production_env(SECRET_KEY=None, DATABASE_URL=None, EMAIL_URL=None)
    for name, value in files.items():
        (tmp_path / name.lower()).write_text(value + "\n", encoding="utf-8")
        environment[f"{name}_FILE"] = str(tmp_path / name.lower())

    values = settings_values(
        environment,
        "SECRET_KEY",
        "DATABASES['default']['PASSWORD']",
        "MAILERS['default']['OPTIONS']['password']",
    )
    assert values == [repr(secret_key), "'from-a-file'", "'from-a-file'"]
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], environment)
    assert result.returncode == 0, result.stdout + result.stderr
