"""Single sign-on in a real browser: the sign-in page offers the force account (clean under
axe-core, at phone width), and a police officer goes through the provider on loopback
(tests/accounts/oidc_provider.py) to the home page without a password."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.accounts.oidc_provider import Provider, switch_on

from .conftest import check_accessibility, check_phone_layout

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def provider():
    running = Provider().start()
    yield running
    running.stop()


def test_police_officer_signs_in_with_the_force_account(page: Page, pc, settings, provider):
    switch_on(settings, provider)
    pc.email = "pc.browser@force.example"
    pc.save(update_fields=["email"])
    provider.person = {"email": pc.email, "amr": ["pwd", "mfa"]}

    page.goto("/sign-in/")
    force_account = page.get_by_role("button", name="Sign in with your force account")
    expect(force_account).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()  # partners still sign in here
    check_accessibility(page, "sign-in-sso")
    check_phone_layout(page, "sign-in-sso")

    # The provider is the one other address this test lets the browser reach.
    page.route(f"{provider.url}/**", lambda route: route.continue_())
    force_account.click()

    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))  # home, not sign-in
    expect(page.get_by_role("navigation").first).to_be_visible()  # signed in, verified
