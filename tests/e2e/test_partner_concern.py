"""An outreach worker tells the police about a controller from a 360 px phone; the
sergeant of the borough finds it on the intelligence list and grades it; she then sees
it received, and nothing the police added (issue 16, item 5)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from .conftest import check_accessibility, check_phone_layout, sign_in

pytestmark = pytest.mark.e2e


def test_a_partner_sends_a_concern_on_a_phone(page: Page, partner_a, sergeant, area):
    sign_in(page, partner_a)
    page.goto("/partner/concerns/")
    page.get_by_role("button", name="Tell the police about a concern").click()
    check_accessibility(page, "partner-concern-form")
    check_phone_layout(page, "partner-concern-form")
    page.set_viewport_size({"width": 360, "height": 740})  # filled in on the phone

    page.get_by_label("Borough where it happened").select_option(label=area.name)
    page.get_by_label("Date it happened").fill(timezone.localdate().isoformat())
    page.get_by_label("A suspected controller or pimp").check()
    page.get_by_label("Describe him, them or the vehicle").fill("Tall man, grey coat (synthetic)")
    page.get_by_label("What happened").fill("Took money from two women (synthetic)")
    page.get_by_role("button", name="Send to the police").click()
    # Neither consent nor anonymised: the error is at the field.
    expect(page.get_by_role("alert")).to_contain_text("Say whether she agreed")
    page.get_by_label("Send it anonymised").check()
    page.get_by_role("button", name="Send to the police").click()

    expect(page.get_by_text("Your concern has been sent to the police.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Sent")
    check_phone_layout(page, "partner-concern-sent")

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, sergeant)
    page.goto("/intelligence/")
    page.get_by_role("link", name="A suspected controller or pimp").click()
    page.get_by_label("Source evaluation").select_option("2")
    page.get_by_label("Intelligence assessment").select_option("B")
    page.get_by_label("P – Lawful sharing permitted", exact=True).check()
    page.get_by_role("button", name="Grade").click()
    expect(page.get_by_role("table", name=re.compile("Graded"))).to_contain_text("2BP")

    page.context.clear_cookies()
    sign_in(page, partner_a)
    page.goto("/partner/concerns/")
    main = page.locator("main")
    expect(main).to_contain_text("Received by police on")
    expect(main).not_to_contain_text("2BP")
