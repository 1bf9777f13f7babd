"""Every response carries the security headers: a page, a redirect, a 404, a static file
and an API response alike (the middleware sets them; WhiteNoise answers static files from
inside that middleware, so they get them too)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

HSTS_SECONDS = 31_536_000
PASSWORD = "correct-horse-battery-staple"  # tests/factories.py
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; "  # no map tiles from elsewhere by default
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
EXPECTED = {
    "Content-Security-Policy": CSP,
    "Strict-Transport-Security": f"max-age={HSTS_SECONDS}; includeSubDomains; preload",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Powerful browser features the application never uses, switched off for every origin.
DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics")


@pytest.fixture
def production_like(settings):
    """HSTS as production has it (settings.py's default on a public host); static files
    served by WhiteNoise straight from static/ (no collectstatic in tests)."""
    settings.SECURE_HSTS_SECONDS = HSTS_SECONDS
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture
def signed_in(production_like, sergeant) -> Client:
    client = Client()
    client.force_login(sergeant)
    return client


def assert_security_headers(response, document: bool = True) -> None:
    """`document=False` for files that are not pages: X-Frame-Options is left to the CSP's
    frame-ancestors 'none' there (XFrameOptionsMiddleware runs after WhiteNoise)."""
    for header, value in EXPECTED.items():
        if header == "X-Frame-Options" and not document:
            continue
        assert response.headers.get(header) == value, (header, response.headers.get(header))
    policy = response.headers.get("Permissions-Policy", "")
    for feature in DENIED_FEATURES:
        assert f"{feature}=()" in policy, policy


def test_a_page(signed_in):
    response = signed_in.get("/", secure=True)
    assert response.status_code == 200
    assert_security_headers(response)


def test_the_sign_in_page_for_visitors(production_like):
    response = Client().get("/sign-in/", secure=True)
    assert response.status_code == 200
    assert_security_headers(response)


def test_a_redirect(production_like):
    response = Client().get("/patrols/", secure=True)
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")
    assert_security_headers(response)


def test_a_404(signed_in):
    response = signed_in.get("/no-such-page/", secure=True)
    assert response.status_code == 404
    assert_security_headers(response)


def test_a_static_file(production_like):
    response = Client().get("/static/js/app.js", secure=True)
    assert response.status_code == 200
    assert "javascript" in response.headers["Content-Type"]
    assert_security_headers(response, document=False)


def test_an_api_response(signed_in):
    response = signed_in.get("/api/schema/", secure=True)
    assert response.status_code == 200
    assert_security_headers(response)


def test_an_api_refusal(production_like):
    response = Client().get("/api/v1/", secure=True, headers={"accept": "application/json"})
    assert response.status_code in {401, 403}
    assert_security_headers(response)


def test_plain_http_gets_no_hsts(signed_in):
    """Browsers ignore HSTS over plain HTTP, and Django only sends it over HTTPS."""
    response = signed_in.get("/")
    assert "Strict-Transport-Security" not in response.headers
    assert response.headers["Content-Security-Policy"] == CSP


# --- Map tiles: none by default; a force's own, if configured, and only that origin. ---


def test_a_tile_url_must_be_https_with_its_placeholders():
    from django.core.exceptions import ImproperlyConfigured

    from ephedra import env

    good = "https://{s}.tiles.example.police.uk/{z}/{x}/{y}.png"
    assert env.tile_origin(good) == "https://*.tiles.example.police.uk"
    assert env.tile_origin("") == ""
    for bad in ("http://tiles.example/{z}/{x}/{y}.png", "https://tiles.example/{z}/{x}.png"):
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("MAP_TILE_URL", bad)
            with pytest.raises(ImproperlyConfigured, match="MAP_TILE_URL"):
                env.tile_url("MAP_TILE_URL")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MAP_TILE_URL", good)
        assert env.tile_url("MAP_TILE_URL") == good


def test_cookies_are_host_only_when_secure(production_like, pc):
    """The test settings have secure cookies (DEBUG off), as production: the browser gets
    __Host- cookies that are Secure, for Path=/ and with no Domain, or it would drop them."""
    client = Client()
    client.get("/sign-in/", secure=True)  # the form sets the CSRF cookie
    response = client.post(
        "/sign-in/", {"username": pc.username, "password": PASSWORD}, secure=True
    )

    assert response.status_code == 302
    for name in ("__Host-sessionid", "__Host-csrftoken"):
        cookie = client.cookies[name]
        assert cookie["secure"] is True, name
        assert cookie["path"] == "/", name
        assert not cookie["domain"], name
