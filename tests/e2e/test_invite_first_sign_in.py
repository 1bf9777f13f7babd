"""Issue 20 in a real browser: the administrator invites an officer through the page, the
officer opens the e-mailed link, sets a password, signs in, sets up the second factor and
lands on the home page."""

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.factories import AreaFactory, WardFactory

from .conftest import check_accessibility, check_phone_layout, sign_in
from .test_second_factor import code_for

pytestmark = pytest.mark.e2e
NEW_PASSWORD = "violet-kettle-moorland-41"
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "invite-officers.csv"
LINK = re.compile(r"https?://\S+?(/set-password/[^/\s]+/[^/\s]+/)")


def test_admin_invites_an_officer_who_signs_in_for_the_first_time(page: Page, admin_user, area):
    WardFactory(area=area, name="Coldharbour")
    sign_in(page, admin_user)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Invite people").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite a police officer")
    check_accessibility(page, "invite")
    check_phone_layout(page, "invite")

    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Testperson")
    page.get_by_label("E-mail address").fill("robin.testperson@example.org")
    page.get_by_label("Collar number").fill("4321LX")
    page.get_by_label("Police constable").check()
    page.get_by_label("Lambeth").check()
    page.get_by_label("Home ward (optional)").select_option(label="Coldharbour (Lambeth)")
    page.get_by_role("group", name="Has the officer had the Ephedra training?").get_by_label(
        "No"
    ).check()
    mail.outbox.clear()
    page.get_by_role("button", name="Send the invitation").click()

    expect(page).to_have_url(re.compile(r"/users/$"))
    expect(page.get_by_text("Invited — has not signed in")).to_be_visible()
    check_accessibility(page, "users-invited")
    assert len(mail.outbox) == 1
    path = LINK.search(mail.outbox[0].body).group(1)
    page.get_by_role("button", name="Sign out").click()

    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome — set your password")
    check_accessibility(page, "invite-welcome")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page).to_have_url(re.compile(r"/sign-in/$"))

    username = User.objects.get(email="robin.testperson@example.org").username
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/account/second-factor/set-up/"))
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(code_for(secret))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your backup codes")
    page.get_by_role("link", name="I have saved my codes").click()
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_attached()


def test_sergeant_invites_a_team_from_a_csv(page: Page, sergeant, tmp_path):
    lewisham = AreaFactory(name="Lewisham", code="E09000023")
    WardFactory(area=lewisham, name="Brockley", code="E05013722")  # a PC's home ward
    sergeant.areas.add(lewisham)
    bad = tmp_path / "team.csv"
    bad.write_text(EXAMPLE.read_text().replace(",pc,E09000023", ",pc,E09000028", 1))
    sign_in(page, sergeant)
    page.goto("/users/invite/upload/")
    check_accessibility(page, "invite-upload")
    check_phone_layout(page, "invite-upload")

    page.get_by_label("Upload a CSV file of officers").set_input_files(bad)
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("[data-invite-errors]")).to_contain_text("Line 3:")
    check_accessibility(page, "invite-upload-errors")

    page.get_by_label("Upload a CSV file of officers").set_input_files(EXAMPLE)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite 3 people")
    check_accessibility(page, "invite-preview")
    check_phone_layout(page, "invite-preview")
    page.get_by_role("button", name="Invite these 3 people").click()
    expect(page).to_have_url(re.compile(r"/users/$"))
    expect(page.get_by_text("3 people are invited")).to_be_visible()
    assert User.objects.filter(email__endswith="@example.org").count() == 3
