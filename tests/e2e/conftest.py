"""Browser tests: Playwright (sync API) drives Debian's Chromium against `live_server`.

Run them as their own pytest invocation (`make test` does):

    DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest tests/e2e

- The browser is /usr/bin/chromium (apt `chromium`; `playwright install` cannot download
  browsers here). Without it these tests skip, except in CI (CI=true), where they fail.
- Playwright's sync API keeps an asyncio loop running in the test thread, so Django's ORM
  there needs DJANGO_ALLOW_ASYNC_UNSAFE (set below for this folder too).
- Data: every test gets `transactional_db`, so records made by the factories are committed
  and visible to the live server's thread; the tables are flushed after each test.
- Static files: the live server serves them from the finders (django.contrib.staticfiles),
  and tests/conftest.py's `_plain_static_files` makes `{% static %}` give plain URLs, so
  `make static/build/.built` is all that is needed (no collectstatic).
- `check_accessibility(page, name)` runs axe-core (static/build/axe/axe.min.js, never a CDN)
  for WCAG 2.0/2.1/2.2 A and AA and saves test-artifacts/<name>.png (and <name>.axe.json,
  all violations of any impact, plus any requests the page made to other hosts);
  `check_phone_layout(page, name)` does the same at 360x740 and forbids sideways scrolling.
"""

import base64
import contextlib
import json
import os
import re
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Request, Response, Route, expect

from accounts.models import User

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "static" / "build" / "axe" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "correct-horse-battery-staple"  # tests/factories.py UserFactory

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
BLANK_PNG = base64.b64decode(  # 1x1 transparent
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# --- Browser, server and database ------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _chromium_present():
    """Skip the whole folder without Debian's Chromium; CI installs it, so fail there."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    reason = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must install it (.ci/run does)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright_loop():
    """Playwright's sync API runs an asyncio loop in this thread; without this the ORM
    raises SynchronousOnlyOperation in tests, factories and the database flush."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time_on_sqlite():
    """SQLite's shared in-memory test database refuses overlapping writes ("database table
    is locked"), and pages save drafts while the browser loads others: on SQLite the live
    server answers one request at a time (Django then closes each connection after its
    response, so nothing waits on a kept-alive socket). PostgreSQL keeps the threaded one."""
    if connection.vendor != "sqlite":
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LiveServerThread, "server_class", WSGIServer)
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": DESKTOP, "locale": "en-GB"}


@pytest.fixture(scope="session")
def base_url(django_db_setup, live_server):
    """page.goto("/sign-in/") goes to the live server (the test database exists first)."""
    return live_server.url


@pytest.fixture(autouse=True)
def _e2e_db(transactional_db):
    """Committed data, so the live server's thread sees what the test creates."""


@pytest.fixture
def page(page: Page, live_server) -> Page:
    """Playwright's page, recording static files that fail to load (checked by
    check_accessibility): a page without its CSS or JavaScript is not the page we test.
    Requests to other hosts never leave the machine (see _offline) and are recorded."""
    failures: list[str] = []
    elsewhere: list[str] = []

    def on_response(response: Response) -> None:
        if "/static/" in response.url and response.status >= 400:
            failures.append(f"{response.status} {response.url}")

    def on_request(request: Request) -> None:
        if not request.url.startswith((live_server.url, "data:", "blob:", "about:")):
            elsewhere.append(request.url)

    def on_request_failed(request: Request) -> None:
        # ERR_ABORTED: the page was left before the file arrived (benign); a missing file
        # is a 4xx/5xx response, recorded above.
        if "ERR_ABORTED" in (request.failure or ""):
            return
        already = any(failure.endswith(f" {request.url}") for failure in failures)
        if request.url.startswith(f"{live_server.url}/static/") and not already:
            failures.append(f"failed {request.url} ({request.failure})")

    page.on("response", on_response)
    page.on("request", on_request)
    # Nothing leaves the machine: requests to other hosts are listed in <name>.axe.json.
    # Images (map tiles) get a blank tile, so a map draws and axe checks it; the rest fail.
    page.route(
        lambda url: url.startswith("http") and not url.startswith(live_server.url),
        _offline,
    )
    page.on("requestfailed", on_request_failed)
    page.static_failures = failures
    page.requests_elsewhere = elsewhere  # saved in <name>.axe.json: nothing should be there
    return page


def _offline(route: Route) -> None:
    if route.request.resource_type == "image":
        route.fulfill(status=200, content_type="image/png", body=BLANK_PNG)
    else:
        route.abort("blockedbyclient")


# --- Helpers ---------------------------------------------------------------------------


def sign_in(page: Page, user: User, password: str = PASSWORD) -> None:
    """Sign in through the /sign-in/ form, as a person would, then enter the code from
    the user's authenticator (a confirmed TOTP device, made here if they have none)."""
    page.goto("/sign-in/")
    # Only now, with no request in flight: on SQLite the live server shares this thread's
    # database connection, and a query here during a request breaks its transaction.
    device = _authenticator(user)
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/account/second-factor/"))
    page.wait_for_load_state("load")
    page.get_by_label("Code from your authenticator app").fill(totp_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page).not_to_have_url(re.compile(r"/sign-in/|/account/second-factor/"))
    expect(page.get_by_role("button", name="Sign out")).to_be_attached()
    page.wait_for_load_state("load")


def _authenticator(user: User):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)


def totp_code(device) -> str:
    """The code the device's app shows now. A code is accepted once: a second sign-in by
    the same user within 30 seconds waits for the next one."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    device.refresh_from_db()
    if device.last_t is not None and totp.t() <= device.last_t:
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.5)
    return f"{totp.token():0{device.digits}d}"


def assert_css_loaded(page: Page) -> None:
    """The GOV.UK stylesheet arrived and applies (not just an unstyled page)."""
    loaded = page.evaluate(
        """() => [...document.styleSheets].some(
            (sheet) => sheet.href && sheet.href.includes("/static/build/css/app.css")
                && sheet.cssRules.length > 100)"""
    )
    assert loaded, "static/build/css/app.css did not load (run `make static/build/.built`)"
    margin = page.evaluate("() => getComputedStyle(document.body).marginTop")
    assert margin == "0px", f"GOV.UK styles not applied: body margin-top is {margin}"


def check_accessibility(page: Page, name: str) -> dict:
    """Run axe-core on the page as it is now; fail on serious or critical WCAG 2.x A/AA
    violations. Saves test-artifacts/<name>.png (full page) and <name>.axe.json."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    failures = getattr(page, "static_failures", [])
    assert not failures, f"{name}: static files failed to load:\n  " + "\n  ".join(failures)

    _inject_axe(page)
    results = page.evaluate(
        """(tags) => axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        WCAG_TAGS,
    )
    violations = results["violations"]
    (ARTIFACTS / f"{name}.axe.json").write_text(
        json.dumps(
            {
                "url": page.url,
                "violations": violations,
                "requests_elsewhere": getattr(page, "requests_elsewhere", []),
            },
            indent=2,
        )
    )
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, (
        f"{name} ({page.url}): {len(blocking)} serious/critical accessibility "
        f"violation(s), screenshot {ARTIFACTS / name}.png\n" + format_violations(blocking)
    )
    return results


def check_phone_layout(page: Page, name: str) -> None:
    """At 360x740 (a small phone) the page must not scroll sideways, and must still pass
    axe. The viewport goes back to desktop size afterwards."""
    page.set_viewport_size(PHONE)
    try:
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        wide = page.evaluate(
            """(limit) => {
                const past = (el) => el.getBoundingClientRect().right > limit + 1;
                const clipped = (el) => {  // inside a box that hides or scrolls its overflow
                    for (let up = el.parentElement; up && up !== document.body;
                         up = up.parentElement) {
                        if (getComputedStyle(up).overflowX !== "visible") return true;
                    }
                    return false;
                };
                return [...document.querySelectorAll("body *")]
                    .filter((el) => past(el) && !past(el.parentElement) && !clipped(el))
                    .slice(0, 8)
                .map((el) => `${el.tagName.toLowerCase()}`
                    + (el.className && typeof el.className === "string"
                        ? "." + el.className.trim().split(/\\s+/).join(".") : "")
                    + ` (right edge ${Math.round(el.getBoundingClientRect().right)}px)`);
            }""",
            PHONE["width"],
        )
        assert scroll_width <= PHONE["width"], (
            f"{name} ({page.url}) scrolls sideways at {PHONE['width']}px: scrollWidth is "
            f"{scroll_width}. Outermost elements past the edge:\n  " + "\n  ".join(wide)
        )
        check_accessibility(page, f"{name}-360")
    finally:
        page.set_viewport_size(DESKTOP)


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            if summary:
                lines.append(f"       {summary[:300]}")
    return "\n".join(lines)


def _inject_axe(page: Page) -> None:
    if page.evaluate("() => typeof window.axe") == "object":
        return
    assert AXE.is_file(), f"{AXE} is missing: run `make static/build/.built`"
    with contextlib.suppress(PlaywrightError):  # a strict CSP may refuse an inline <script>
        page.add_script_tag(path=AXE)
    if page.evaluate("() => typeof window.axe") != "object":
        # Evaluated over the DevTools protocol, which a Content Security Policy does not
        # govern; the page's own scripts stay under the policy.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate("() => typeof window.axe") == "object", "axe-core did not load"
