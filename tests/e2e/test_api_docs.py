"""The API as a partner's developer first meets it: make a token on the tokens page, read
the docs (Swagger UI and ReDoc, from our own static files, under the docs' CSP with no
refusal), and call the API with the token."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import ARTIFACTS, check_accessibility, sign_in
from .test_csp import violations  # noqa: F401 - the fixture, shared

pytestmark = pytest.mark.e2e


def accessible(page: Page, name: str, violations: list[str]) -> None:  # noqa: F811
    """axe-core's check. Its script is injected inline, which the policy refuses (a
    refusal of the test's own doing): the page is checked for refusals before, and the
    injection's are dropped after."""
    assert not violations, "\n".join(violations)
    check_accessibility(page, name)
    violations.clear()


def test_a_partner_makes_a_token_reads_the_docs_and_calls_the_api(
    page: Page,
    partner_a,
    violations,  # noqa: F811
):
    sign_in(page, partner_a)
    page.get_by_role("link", name="Your account").click()
    page.get_by_role("link", name="Make and manage your API tokens").click()
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()
    accessible(page, "api-tokens-empty", violations)

    page.get_by_label("Name").fill("Case system")
    page.get_by_role("button", name="Make a token").click()
    expect(page.get_by_role("heading", name="Token “Case system” made")).to_be_visible()
    token = page.get_by_label("Your new token").input_value()
    assert re.fullmatch(r"eph_[0-9a-f]{10}_[\w-]{40,}", token)
    accessible(page, "api-tokens-made", violations)

    answer = page.request.get("/api/v1/referrals/", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 200
    assert answer.json()["results"] == []  # nothing shared with agency A yet
    refused = page.request.get("/api/v1/patrols/", headers={"Authorization": f"Bearer {token}"})
    assert refused.status == 404  # police-only: as if it were not there

    page.get_by_role("link", name="Read the API documentation").click()
    expect(page).to_have_url(re.compile(r"/api/docs/$"))
    # The first schema of a fresh server takes a few seconds to make (imports, warm-up).
    swagger_title = page.locator(".swagger-ui .info .title")
    expect(swagger_title).to_contain_text("Ephedra API", timeout=30_000)
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 10

    page.screenshot(path=str(ARTIFACTS / "api-docs-swagger.png"))

    page.goto("/api/docs/redoc/")
    title = page.get_by_role("heading", name=re.compile("Ephedra API")).first
    expect(title).to_be_visible(timeout=30_000)  # ReDoc reads the whole schema first
    expect(page.get_by_text("crime data").first).to_be_attached()
    page.screenshot(path=str(ARTIFACTS / "api-docs-redoc.png"))

    # ReDoc's footer shows Redocly's logo from their site: the policy refuses it, as it
    # should (nothing leaves the machine). Anything else refused is a failure.
    refused = [v for v in violations if "cdn.redoc.ly" not in v]
    assert not refused, "\n".join(refused)
    elsewhere = [url for url in page.requests_elsewhere if "cdn.redoc.ly" not in url]
    assert not elsewhere, elsewhere
    assert not page.static_failures, page.static_failures
