"""Sign-in in a real browser: it looks right, it works from the keyboard alone, and a
wrong password says so, each page clean under axe-core (WCAG 2.2 AA)."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from .conftest import (
    PASSWORD,
    assert_css_loaded,
    check_accessibility,
    check_phone_layout,
    sign_in,
    totp_code,
)

pytestmark = pytest.mark.e2e


def test_anonymous_user_sees_the_sign_in_page(page: Page):
    response = page.goto("/")  # home needs sign-in: the browser is sent to the form
    assert response is not None
    assert response.status < 400
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/$"))
    expect(page).to_have_title(re.compile("Sign in"))
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()
    expect(page.get_by_role("navigation")).to_have_count(0)  # no menu before sign-in
    assert_css_loaded(page)
    check_accessibility(page, "sign-in")
    check_phone_layout(page, "sign-in")


def test_pc_signs_in_with_the_keyboard_only(page: Page, pc):
    device = TOTPDevice.objects.create(user=pc, name="phone", confirmed=True)
    page.goto("/sign-in/")
    username = page.get_by_label("Username")
    for _ in range(10):  # skip link, header link, ... then the first field
        page.keyboard.press("Tab")
        if username.evaluate("(field) => field === document.activeElement"):
            break
    expect(username).to_be_focused()
    page.keyboard.type(pc.username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    # The second factor: the code field, reached from the keyboard too.
    expect(page).to_have_url(re.compile(r"/account/second-factor/"))
    page.wait_for_load_state("load")
    check_accessibility(page, "second-factor")
    code = page.get_by_label("Code from your authenticator app")
    for _ in range(15):
        page.keyboard.press("Tab")
        if code.evaluate("(field) => field === document.activeElement"):
            break
    expect(code).to_be_focused()
    page.keyboard.type(totp_code(device))
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
    # Home differs by role and is still changing: check where we are, not the wording.
    nav = page.get_by_role("navigation", name="Menu")
    expect(nav.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_accessibility(page, "home-pc")


def test_wrong_password_shows_the_error(page: Page, pc):
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(pc.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/sign-in/$"))
    expect(page.get_by_role("alert")).to_contain_text(
        "Please enter a correct username and password"
    )
    expect(page.get_by_label("Username")).to_have_value(pc.username)
    expect(page.get_by_label("Password")).to_have_value("")
    check_accessibility(page, "sign-in-error")
    check_phone_layout(page, "sign-in-error")


def test_sign_in_helper_lets_a_sergeant_in(page: Page, sergeant):
    sign_in(page, sergeant)
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
    expect(page.get_by_role("navigation", name="Menu")).to_contain_text("Hotspots")
