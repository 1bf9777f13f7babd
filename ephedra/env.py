"""Typed readers for settings that come from the environment.

Every reader fails loudly on a value it cannot understand (``DEBUG=maybe`` is an
error, not False), and every one also accepts ``NAME_FILE`` pointing at a file that
holds the value, so secrets can come from Docker or systemd credentials.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def raw(name: str) -> str | None:
    """The value of NAME, or the contents of the file named by NAME_FILE, or None."""
    if name in os.environ:
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    if path is None:
        return None
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc.strerror}") from exc


def string(name: str, default: str | None = None) -> str | None:
    value = raw(name)
    return default if value is None or value == "" else value


def boolean(name: str, default: bool) -> bool:
    value = raw(name)
    if value is None or value == "":
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, not {value!r}")


def integer(name: str, default: int, minimum: int | None = None) -> int:
    value = raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


def strings(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blanks around items are ignored."""
    value = raw(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def redis_neighbour(url: str) -> str:
    """The same Redis server's next database (``redis://host:6379/0`` → ``.../1``), for a
    second use (the cache) that must not share the broker's keys."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    path = parts.path.strip("/")
    if path and not path.isdigit():
        raise ImproperlyConfigured(f"REDIS_URL must end in a database number, not {path!r}")
    if path and int(path) >= 15:
        raise ImproperlyConfigured("REDIS_URL's database must be below 15 (the cache takes +1)")
    return urlunsplit(parts._replace(path=f"/{int(path or 0) + 1}"))


def tile_url(name: str) -> str:
    """A map tile URL template (https, with {z}, {x} and {y}); empty when not set."""
    value = string(name, default="") or ""
    if value and not (
        value.startswith("https://") and all(part in value for part in ("{z}", "{x}", "{y}"))
    ):
        raise ImproperlyConfigured(f"{name} must be an https:// URL with {{z}}, {{x}} and {{y}}.")
    return value


def tile_origin(url: str) -> str:
    """The origin a Content Security Policy must allow for these tiles ({s} is any)."""
    if not url:
        return ""
    host = url.removeprefix("https://").split("/", 1)[0]
    return "https://" + host.replace("{s}", "*")


def http_url(name: str) -> str:
    """A base URL (http:// or https://, no trailing slash); empty when not set."""
    value = (string(name, default="") or "").rstrip("/")
    if value and not value.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"{name} must start with https:// or http://, not {value!r}")
    return value


# Single sign-on (OpenID Connect): all of these, or none.
OIDC_REQUIRED = (
    "OIDC_ISSUER",
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)
_LOOPBACK = ("http://127.0.0.1", "http://localhost", "http://[::1]")


def oidc() -> dict[str, str] | None:
    """The identity provider's settings, or None when single sign-on is off (none set).

    Some set and others not is an error naming the missing ones, so a half-configured
    provider never starts. Addresses must be https:// (http:// only on loopback, for a
    provider run by the tests or on a laptop)."""
    values = {name: string(name) for name in OIDC_REQUIRED}
    missing = [name for name, value in values.items() if value is None]
    if len(missing) == len(OIDC_REQUIRED):
        return None
    if missing:
        raise ImproperlyConfigured(
            "Single sign-on is half configured: also set " + ", ".join(missing) + "."
        )
    for name, value in values.items():
        if (name == "OIDC_ISSUER" or "ENDPOINT" in name) and not _secure_url(value):
            raise ImproperlyConfigured(f"{name} must be an https:// address, not {value!r}")
    return values


def _secure_url(url: str) -> bool:
    return url.startswith("https://") or any(
        url == host or url.startswith((host + "/", host + ":")) for host in _LOOPBACK
    )
