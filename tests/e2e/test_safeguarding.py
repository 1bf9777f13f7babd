"""A woman's safeguarding record in the browser: an officer sets her risk level on a
360 px phone (a refusal shown at the field first), the page passes axe; the agency working
with her sees the shared part on its referral page, also at 360 px."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from referrals import services

from ..factories import PersonFactory, consented_referral
from .conftest import check_accessibility, check_phone_layout, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def person(area, pc, agency_a):
    person = PersonFactory(area=area, working_name="Testname Rae", created_by=pc)
    services.add_marker(person, pc, kind="violent_client", reason="Synthetic reason")
    services.add_marker(person, pc, kind="trafficking", reason="Synthetic", nrm_reference="")
    services.add_route(person, pc, service="GP registration (synthetic)")
    consented_referral(agency=agency_a, by=pc, person=person)
    return person


def test_an_officer_sets_her_risk_level_on_a_phone(page: Page, sergeant, person):
    sign_in(page, sergeant)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(reverse("referrals:person", args=[person.uuid]))
    page.get_by_text("Set the risk level").click()
    page.get_by_label("High").check()
    page.get_by_label("Review by").fill(timezone.localdate().isoformat())
    page.get_by_label("Why this level").fill("Synthetic reason")
    page.get_by_role("button", name="Save risk level").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("after today")
    check_phone_layout(page, "safeguarding-error")
    later = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    page.get_by_label("Review by").fill(later)
    page.get_by_role("button", name="Save risk level").click()
    expect(page.get_by_text("Risk level recorded.")).to_be_visible()
    expect(page.get_by_role("heading", name="Risk level set: high")).to_be_visible()
    check_accessibility(page, "safeguarding-person")
    check_phone_layout(page, "safeguarding-person")


def test_the_agency_sees_the_shared_part_on_a_phone(page: Page, partner_a, person):
    sign_in(page, partner_a)
    referral = person.referrals.get()
    page.goto(reverse("referrals:partner_detail", args=[referral.uuid]))
    section = page.locator("#safeguarding + dl")
    expect(section).to_contain_text("Violent client reported")
    expect(section).to_contain_text("GP registration (synthetic)")
    expect(page.locator("main")).not_to_contain_text("rafficking")
    check_accessibility(page, "safeguarding-portal")
    check_phone_layout(page, "safeguarding-portal")
