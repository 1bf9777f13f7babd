"""The partner caseload on a 360 px phone: Streetlight sees what is overdue and what is
new, searches by a working name, filters, and the page passes axe-core at both sizes."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ..factories import PersonFactory, consented_referral
from .conftest import check_accessibility, check_phone_layout, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def caseload(area, pc, agency_a):
    old = consented_referral(
        agency=agency_a, by=pc, person=PersonFactory(area=area, working_name="Tia Testname")
    )
    weeks_ago = timezone.now() - dt.timedelta(days=21)  # never moved: it arrived when made
    type(old).objects.filter(pk=old.pk).update(made_at=weeks_ago, arrived_at=weeks_ago)
    consented_referral(
        agency=agency_a, by=pc, person=PersonFactory(area=area, working_name="Kay Testname")
    )


def test_the_caseload_on_a_phone(page: Page, caseload, partner_a):
    sign_in(page, partner_a)
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals")
    expect(page.get_by_text("1 referral overdue")).to_be_visible()
    expect(page.get_by_text("Mark as received: overdue")).to_be_visible()
    check_accessibility(page, "partner-caseload")
    check_phone_layout(page, "partner-caseload")

    page.set_viewport_size({"width": 360, "height": 740})
    page.get_by_role("textbox", name="Search").fill("tia")
    page.get_by_role("button", name="Show").click()
    table = page.get_by_role("table", name=re.compile("Referrals found"))
    expect(table).to_contain_text("Tia Testname")
    expect(table).not_to_contain_text("Kay Testname")
    page.get_by_label("Deadlines").select_option("green")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No referrals match.")).to_be_visible()
    check_phone_layout(page, "partner-caseload-searched")
