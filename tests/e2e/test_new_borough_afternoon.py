"""Issue 20's "done when", in one browser session: the administrator adds Lewisham with
its wards from the example CSV and invites its team from the other example (a sergeant,
an Ephedra-trained PC and a local PC of Brockley); each opens the e-mailed link, sets a
password, signs in and sets up the second factor; the sergeant plans a Brockley patrol."""

import re
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from patrols.models import OfficerRole, Patrol

from .conftest import sign_in
from .test_second_factor import code_for

pytestmark = pytest.mark.e2e
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
LINK = re.compile(r"https?://\S+?(/set-password/[^/\s]+/[^/\s]+/)")
PASSWORD = "quartz-lantern-harbour-58"


def first_sign_in(page: Page, email: str, link_path: str) -> None:
    """Open the invitation link, set a password, sign in and set up the second factor."""
    page.goto(link_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome — set your password")
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.get_by_label("Username").fill(User.objects.get(email=email).username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/account/second-factor/set-up/"))
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(code_for(secret))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="I have saved my codes").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_attached()


def test_lewisham_in_an_afternoon(page: Page, admin_user):
    sign_in(page, admin_user)
    menu = page.get_by_role("navigation", name="Menu")
    menu.get_by_role("link", name="Add a borough").click()
    page.get_by_label("Borough name").fill("Lewisham")
    page.get_by_label("ONS local authority code").fill("E09000023")
    page.get_by_label("Or upload the wards as a CSV file").set_input_files(
        EXAMPLES / "lewisham-wards.csv"
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Create borough").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("with 19 wards")

    page.locator("#main-content").get_by_role("link", name="Invite people").click()
    page.get_by_role("link", name="Upload a CSV file of officers").click()
    page.get_by_label("Upload a CSV file of officers").set_input_files(
        EXAMPLES / "invite-officers.csv"
    )
    page.get_by_role("button", name="Check the file").click()
    mail.outbox.clear()
    page.get_by_role("button", name="Invite these 3 people").click()
    expect(page.get_by_text("3 people are invited")).to_be_visible()
    links = {message.to[0]: LINK.search(message.body).group(1) for message in mail.outbox}
    assert len(links) == 3
    page.get_by_role("button", name="Sign out").click()

    for email in ("chris.fictional@example.org", "bea.sampleford@example.org"):  # the PCs
        first_sign_in(page, email, links[email])
        page.get_by_role("button", name="Sign out").click()
    first_sign_in(page, "alex.exampleton@example.org", links["alex.exampleton@example.org"])

    page.get_by_role("link", name="Plan a patrol").first.click()
    page.get_by_label("Ward", exact=True).select_option(label="Brockley")
    page.get_by_label("Date").fill(timezone.localdate().isoformat())
    page.get_by_label("Start time").fill("20:00")
    page.get_by_label("End time").fill("04:00")
    page.get_by_label("Chris Fictional", exact=False).check()
    page.get_by_label("Bea Sampleford", exact=False).check()
    page.get_by_role("button", name="Plan the patrol").click()
    expect(page.get_by_text("Patrol planned.")).to_be_visible()

    patrol = Patrol.objects.get(ward__name="Brockley")
    crew = {(duty.officer.email, duty.role) for duty in patrol.officers.select_related("officer")}
    assert crew == {
        ("chris.fictional@example.org", OfficerRole.EPHEDRA_PC),
        ("bea.sampleford@example.org", OfficerRole.LOCAL_PC),
    }
