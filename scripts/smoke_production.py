"""Production smoke: sign in to a running Ephedra as each role (password and second
factor), fetch that role's pages and a static file, and fail on any server error.

Run by ``scripts/production-smoke`` against gunicorn with ``DEBUG=false``. Standard
library only, plus Django's and django-otp's TOTP arithmetic to compute the code.

    python scripts/smoke_production.py http://127.0.0.1:8765 TOTP-KEY-HEX PASSWORD

(the key and password are random, set by the shell script on its throwaway database)
"""

import http.cookiejar
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from binascii import unhexlify

from django_otp.oath import TOTP

# Pages each role opens; each must answer below 500 (403/404 where the role may not).
PAGES = {
    "demo-lead": ["/", "/patrols/week/", "/hotspots/", "/referrals/", "/reports/", "/evidence/"],
    "demo-sergeant": ["/", "/patrols/", "/referrals/", "/deployment/", "/wellbeing/"],
    "demo-pc": ["/", "/patrols/week/", "/hotspot-ranking/", "/account/"],
    "demo-partner": ["/", "/partner/", "/partner/patrols/", "/patrols/week/"],
    "demo-admin": ["/", "/admin/", "/admin/patrols/patrol/", "/audit-log/", "/review/"],
}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _opener():
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    return opener, jar


def _fetch(opener, url: str, data: dict | None = None, referer: str = ""):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    # Only the loopback http:// base URL this script was given, never a file: or custom URL.
    if not url.startswith(("http://127.0.0.1:", "http://localhost:")):
        raise SystemExit(f"smoke: refusing to fetch {url}")
    request = urllib.request.Request(url, data=body, headers={"Referer": referer or url})  # noqa: S310
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8", "replace")


def _csrf(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match:
        raise SystemExit("smoke: no CSRF token on the form")
    return match[1]


def _check(status: int, what: str) -> None:
    if status >= 500:
        raise SystemExit(f"smoke: {what} answered {status}")
    print(f"  {status} {what}")


def sign_in(base: str, username: str, key: str, password: str):
    opener, _ = _opener()
    status, _, page = _fetch(opener, f"{base}/sign-in/")
    _check(status, "GET /sign-in/")
    form = {"username": username, "password": password, "csrfmiddlewaretoken": _csrf(page)}
    status, headers, _ = _fetch(opener, f"{base}/sign-in/", form)
    if status != 302:
        raise SystemExit(f"smoke: {username} could not sign in ({status})")
    status, _, page = _fetch(opener, f"{base}/account/second-factor/")
    _check(status, "GET /account/second-factor/")
    totp = TOTP(unhexlify(key), step=30, t0=0, digits=6)
    code = f"{totp.token():06d}"
    form = {"code": code, "csrfmiddlewaretoken": _csrf(page)}
    status, _, _ = _fetch(opener, f"{base}/account/second-factor/", form)
    if status != 302:
        raise SystemExit(f"smoke: {username}'s second factor was refused ({status})")
    return opener


def static_file(base: str, opener, home: str) -> None:
    match = re.search(r'href="(/static/[^"]+\.css)"', home)
    if not match:
        raise SystemExit("smoke: the home page links no stylesheet")
    if not re.search(r"\.[0-9a-f]{12}\.css$", match[1]):
        raise SystemExit(f"smoke: {match[1]} is not a manifest (hashed) name")
    status, headers, _ = _fetch(opener, base + match[1])
    if status != 200:
        raise SystemExit(f"smoke: static file {match[1]} answered {status}")
    print(f"  {status} {match[1]}")


def main(base: str, key: str, password: str) -> None:
    for username, pages in PAGES.items():
        print(f"as {username}")
        opener = sign_in(base, username, key, password)
        for path in pages:
            status, _, page = _fetch(opener, base + path)
            _check(status, f"GET {path}")
            if path == "/":
                if status != 200:
                    raise SystemExit(f"smoke: {username}'s home answered {status}")
                static_file(base, opener, page)
    print("smoke: every page answered without a server error")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3])
