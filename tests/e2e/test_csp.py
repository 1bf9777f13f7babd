"""Every page works under the Content Security Policy (script-src and style-src 'self'):
no inline script, event handler or style attribute is refused anywhere a police user, a
partner or an administrator goes.

The browser reports a refusal twice: a console message ("Refused to execute inline
script because it violates the following Content Security Policy directive ...") and a
`securitypolicyviolation` event, which an init script (run over the DevTools protocol, so
outside the policy) turns into a console message too. Either fails the test.

Pages are found the way a person finds them: the menu, then the links on each menu page
and on the pages those lead to (two clicks deep), one page per URL shape (UUIDs folded).
"""

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from patrols.models import PatrolStatus

from . import test_pages_accessible
from .conftest import sign_in
from .test_pages_accessible import menu_links

pytestmark = pytest.mark.e2e
# The menu pages' data (a hotspot, patrols, a referral, a duplicate), as that test has it.
sergeant_with_data = test_pages_accessible.sergeant_with_data

# The policy's refusals, and a Permissions-Policy the browser cannot read (an unknown
# feature name there is a console error, and a sign the header is not what we think).
CSP_WORDS = ("Content Security Policy", "Refused to", "Permissions-Policy")
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Content Security Policy violation: ${event.violatedDirective} refused `
    + `${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`);
});
"""
# Links not to follow: leaving, changing state through GET, files and other sites' pages.
NOT_FOLLOWED = re.compile(r"/sign-out/|/logout/|download|export|\.(pdf|csv|json|zip)$|/api/")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
QUERY_VALUE = re.compile(r"=[^&]*")
MAX_PAGES = 60


@pytest.fixture
def violations(page: Page) -> list[str]:
    """Console messages about the policy, from the page's first byte onwards."""
    found: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if any(word in message.text for word in CSP_WORDS):
            found.append(f"{page.url}: {message.text}")

    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", on_console)
    return found


@pytest.fixture
def patrol_deployed_tonight(sergeant_with_data):
    """Tonight's patrol deployed, so its page offers the work return (return-draft.js)."""
    patrol = sergeant_with_data.patrols_planned.order_by("-starts_at").first()
    patrol.status = PatrolStatus.DEPLOYED
    patrol.save(update_fields=["status"])
    return patrol


def shape(path: str) -> str:
    """/patrols/<uuid>/ for every patrol; /patrols/week/?week= for every week."""
    return QUERY_VALUE.sub("=", UUID.sub("<uuid>", path))


def links_on(page: Page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "main a[href], nav a[href]", "(links) => links.map((link) => link.href)"
    )
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or NOT_FOLLOWED.search(parts.path):
            continue
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def visit_everything(page: Page, user, origin: str, first: tuple[str, ...] = ()) -> list[str]:
    """Breadth-first from the menu, two clicks deep; returns the paths visited. `first`:
    pages (one click deep) that stand for their URL shape, visited before the menu."""
    sign_in(page, user)
    queue = deque([(path, 1) for path in first] + [(path, 0) for path in menu_links(page).values()])
    seen_shapes: set[str] = set()
    visited: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        path, depth = queue.popleft()
        if shape(path) in seen_shapes:
            continue
        seen_shapes.add(shape(path))
        response = page.goto(path)
        assert response is not None
        assert response.status < 400, f"{path}: {response.status}"
        landed = urlsplit(page.url).path
        assert landed == urlsplit(path).path, f"{path} led to {landed}, not the page itself"
        page.wait_for_load_state("load")
        visited.append(path)
        if depth < 2:
            queue.extend((link, depth + 1) for link in links_on(page, origin))
    return visited


def test_police_pages_keep_to_the_policy(
    page: Page, live_server, patrol_deployed_tonight, violations
):
    tonight = f"/patrols/{patrol_deployed_tonight.uuid}/"
    visited = visit_everything(
        page, patrol_deployed_tonight.planned_by, live_server.url, first=(tonight,)
    )
    assert "/hotspots/" in visited  # the map (Leaflet)
    assert any(shape(path) == "/patrols/<uuid>/return/" for path in visited)
    assert not violations, "\n".join(violations)


def test_the_hotspot_map_draws_its_markers(page: Page, sergeant_with_data, violations):
    """Leaflet places markers through the CSSOM (allowed); its marker images come from
    /static/, and so do the LSOA boundaries it draws: no map tiles, nothing asked of any
    other host (issue 15: no third party learns where the operation patrols)."""
    sign_in(page, sergeant_with_data)
    page.goto("/hotspots/")
    expect(page.locator("#hotspot-map-section")).to_be_visible()
    marker = page.locator("#hotspot-map img.leaflet-marker-icon").first
    expect(marker).to_be_visible()
    assert "/static/build/leaflet/images/marker-icon" in marker.get_attribute("src")
    expect(page.locator("#hotspot-map svg path").first).to_be_attached()  # the boundaries
    page.wait_for_load_state("networkidle")
    assert page.locator("#hotspot-map .leaflet-tile").count() == 0
    assert page.requests_elsewhere == []
    assert not violations, "\n".join(violations)


def test_govuk_frontend_and_htmx_start_without_inline_code(
    page: Page, patrol_deployed_tonight, violations
):
    """initAll runs from static/js/app.js; htmx injects no <style>; the return form's
    draft is saved through htmx, and the swapped-in status keeps to the policy too."""
    sign_in(page, patrol_deployed_tonight.planned_by)
    page.goto(f"/patrols/{patrol_deployed_tonight.uuid}/return/")
    assert page.evaluate("() => document.body.classList.contains('govuk-frontend-supported')")
    assert page.evaluate("() => document.querySelectorAll('head style').length") == 0
    assert page.evaluate("() => htmx.config.includeIndicatorStyles") is False
    field = page.locator("#work-return-form input[type=number]").first
    with page.expect_response(lambda response: "/return/draft/" in response.url):
        field.fill("3")
        field.blur()
    page.wait_for_timeout(300)  # let the swap settle
    assert not violations, "\n".join(violations)


def test_partner_pages_keep_to_the_policy(
    page: Page,
    live_server,
    sergeant_with_data,
    partner_a,
    violations,
):
    visited = visit_everything(page, partner_a, live_server.url)
    assert any(shape(path).startswith("/partner/referrals/<uuid>") for path in visited), visited
    assert not violations, "\n".join(violations)


def test_admin_keeps_to_the_policy(page: Page, admin_user, sergeant_with_data, violations):
    sign_in(page, admin_user)
    for path in ("/admin/", "/admin/accounts/user/", "/admin/accounts/user/add/"):
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, path
        page.wait_for_load_state("load")
    user_link = page.goto("/admin/accounts/user/")
    assert user_link is not None
    page.locator("#result_list tbody a").first.click()
    page.wait_for_load_state("load")
    assert not violations, "\n".join(violations)
