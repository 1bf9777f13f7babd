"""The second factor in a real browser: enrolment with the QR code or the typed secret,
and the account page, each clean under axe-core (WCAG 2.2 AA) and with no inline script."""

import base64
import re

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from .conftest import PASSWORD, check_accessibility, check_phone_layout, sign_in

pytestmark = pytest.mark.e2e


def code_for(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key).token():06d}"


def test_new_user_enrols_on_first_sign_in(page: Page, pc):
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(pc.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/account/second-factor/set-up/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your second factor")
    expect(page.locator(".app-qr-code svg")).to_be_visible()
    check_accessibility(page, "second-factor-set-up")
    check_phone_layout(page, "second-factor-set-up")

    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(code_for(secret))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your backup codes")
    expect(page.locator("#backup-codes li")).to_have_count(10)
    check_accessibility(page, "backup-codes")
    page.get_by_role("link", name="I have saved my codes").click()
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))


def test_account_page(page: Page, sergeant):
    sign_in(page, sergeant)
    page.goto("/account/")
    expect(page.get_by_role("button", name="Sign out everywhere")).to_be_visible()
    check_accessibility(page, "account")
    check_phone_layout(page, "account")
    page.goto("/users/")
    check_accessibility(page, "users")


def test_partner_changes_their_password(page: Page, partner_a):
    sign_in(page, partner_a)
    page.goto("/account/")
    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    check_accessibility(page, "password-change")
    check_phone_layout(page, "password-change")

    page.get_by_label("Old password").fill("not-my-password")
    page.get_by_label("New password", exact=True).fill("violet-kettle-moorland-41")
    page.get_by_label("New password confirmation").fill("violet-kettle-moorland-41")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-message")).to_contain_text(
        "Your current password is not right"
    )
    check_accessibility(page, "password-change-error")

    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("violet-kettle-moorland-41")
    page.get_by_label("New password confirmation").fill("violet-kettle-moorland-41")
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_text("Your password has been changed")).to_be_visible()


def test_set_password_link_then_enrolment(page: Page, pc):
    from accounts import set_password

    pc.set_unusable_password()
    pc.save()
    path = set_password.link(pc).split("://", 1)[1].split("/", 1)[1]
    page.goto("/" + path)
    # The factory's PC has never signed in: the page greets a first-time user.
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome — set your password")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password confirmation").fill("short")
    page.get_by_role("button", name="Set password").click()
    expect(page.locator(".govuk-error-message").first).to_contain_text("too short")
    check_accessibility(page, "set-password-error")

    page.get_by_label("New password", exact=True).fill("violet-kettle-moorland-41")
    page.get_by_label("New password confirmation").fill("violet-kettle-moorland-41")
    page.get_by_role("button", name="Set password").click()
    expect(page).to_have_url(re.compile(r"/sign-in/$"))
    page.get_by_label("Username").fill(pc.username)
    page.get_by_label("Password").fill("violet-kettle-moorland-41")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/account/second-factor/set-up/"))

    page.goto("/" + path)  # used: the link no longer works
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
