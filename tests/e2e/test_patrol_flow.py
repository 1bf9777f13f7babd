"""The night, end to end in a browser: a sergeant plans a patrol, completes and approves
its risk assessment and deploys it; the PC files the return with an encounter, an arrest
with a conditional caution, a referral with consent and intelligence, then sees it on
their home page. Every page on the way passes axe and fits a phone."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from partners.models import AgencyKind, ServiceType
from patrols.models import (
    Arrest,
    Encounter,
    HotspotVisit,
    IntelligenceReport,
    Patrol,
    PatrolStatus,
    WorkReturn,
)
from referrals.models import Referral
from tests.e2e.conftest import DESKTOP, PHONE, check_accessibility, check_phone_layout, sign_in
from tests.factories import AgencyFactory, HotspotFactory, OfficerFactory, WardFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def night(area, pc):
    ward = WardFactory(area=area, name="Brixton North")
    return {
        "ward": ward,
        "hotspot": HotspotFactory(ward=ward, name="Railway arches service road"),
        # The area asks for a second pair of eyes: another sergeant approves.
        "approver": OfficerFactory(role=Role.SERGEANT, areas=[area], last_name="Approver"),
        "local": OfficerFactory(
            role=Role.PC, areas=[area], first_name="Local", last_name="Constable",
            profile__home_ward=ward, profile__ephedra_trained_on=None,
        ),
        "outreach": AgencyFactory(name="Outreach Test Agency", services=[ServiceType.EXIT_SUPPORT]),
        "course": AgencyFactory(
            name="Course Test Provider", kind=AgencyKind.DIVERSION_PROVIDER,
            services=[ServiceType.DIVERSION_COURSE],
        ),
    }  # fmt: skip


def choose(page: Page, selector: str, text: str) -> None:
    """Pick the option of a select whose label contains `text`."""
    value = page.locator(f"{selector} option", has_text=text).first.get_attribute("value")
    page.locator(selector).select_option(value)


def plan_and_deploy(page: Page, sergeant, pc, night) -> Patrol:
    sign_in(page, sergeant)
    page.get_by_role("link", name="Plan a patrol").first.click()
    page.get_by_label("Ward").select_option(str(night["ward"].pk))
    page.get_by_label("Date").fill(timezone.localdate().isoformat())
    page.get_by_label("Start time").fill("20:00")
    page.get_by_label("End time").fill("04:00")
    page.get_by_label("Meeting point").fill("Brixton police office")
    page.get_by_label("Railway arches service road").check()
    page.get_by_label(str(pc), exact=False).first.check()
    page.get_by_label("Local Constable", exact=False).check()
    # Two partners on the same night: the second invitation is added on the page.
    choose(page, "#id_invitations-0-agency", "Outreach Test Agency")
    page.locator("#id_invitations-0-activity").select_option("soup_kitchen")
    page.get_by_role("button", name="Add another partner").click()
    expect(page.locator("#id_invitations-1-agency")).to_be_focused()
    choose(page, "#id_invitations-1-agency", "Course Test Provider")
    page.locator("#id_invitations-1-activity").select_option("health_check")
    check_accessibility(page, "flow-1-plan-form")
    page.get_by_role("button", name="Plan the patrol").click()
    expect(page.get_by_text("Patrol planned.")).to_be_visible()
    planned = Patrol.objects.get(ward=night["ward"])
    assert sorted(planned.invitations.values_list("agency__name", "activity")) == [
        ("Course Test Provider", "health_check"),
        ("Outreach Test Agency", "soup_kitchen"),
    ]

    page.get_by_role("link", name="Complete the risk assessment").click()
    page.get_by_label("Hazards").fill("Poor lighting under the arches; passing traffic.")
    page.get_by_label("Controls").fill("Officers in pairs; radios checked; partners leave first.")
    check_accessibility(page, "flow-2-risk-assessment")
    page.get_by_role("button", name="Save the risk assessment").click()
    expect(page.locator("[data-approve-refusal]")).to_contain_text("ask another sergeant")
    patrol_page = page.url
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, night["approver"])
    page.goto(patrol_page)
    page.get_by_role("button", name="Approve the risk assessment").click()
    page.get_by_role("button", name="Mark as deployed").click()
    expect(page.get_by_text("Patrol marked as deployed.")).to_be_visible()
    check_accessibility(page, "flow-3-deployed")
    check_phone_layout(page, "flow-3-deployed")
    page.get_by_role("button", name="Sign out").click()
    return Patrol.objects.get()


def file_return(page: Page, pc, night) -> None:
    sign_in(page, pc)
    page.get_by_role("table", name="Your upcoming patrols").get_by_role("link").first.click()
    page.get_by_role("link", name="File the work return").click()
    page.get_by_label("Dry").check()
    page.get_by_label("Women seen in street sex work").fill("2")
    page.get_by_label("Summary").fill("Two women engaged at the arches; one arrest.")
    page.locator("#id_encounters-0-new_working_name").fill("Testname Flow")
    page.locator("#id_encounters-0-new_description").fill("Synthetic: green coat")
    page.locator("#id_encounters-0-time").fill("22:10")
    record_visit_on_a_phone(page, night)

    page.get_by_role("button", name="Add an arrest").click()
    page.locator("#id_arrests-0-time").fill("23:30")
    page.locator("#id_arrests-0-offence").select_option("kerb_crawling")
    page.locator("#id_arrests-0-suspect_description").fill("Synthetic driver ref FLOW-1")
    page.locator("#id_arrests-0-outcome").select_option("conditional_caution")
    page.locator("#id_arrests-0-caution_given_on").fill(timezone.localdate().isoformat())
    deadline = timezone.localdate() + dt.timedelta(days=84)
    page.locator("#id_arrests-0-caution_deadline").fill(deadline.isoformat())
    choose(page, "#id_arrests-0-caution_provider", "Course Test Provider")
    page.locator("#id_arrests-0-booking_name").fill("Synthetic Booking Name")
    page.locator("#id_arrests-0-booking_contact").fill("07700 900001")

    page.get_by_role("button", name="Add a referral").click()
    choose(page, "#id_referrals-0-encounter", "Testname Flow")
    choose(page, "#id_referrals-0-agency", "Outreach Test Agency")
    # The agency offers one service: the page chooses it.
    expect(page.locator("#id_referrals-0-service")).to_have_value(ServiceType.EXIT_SUPPORT)
    page.locator("#id_referrals-0-consent_method").get_by_label("Verbal", exact=False).first.check()
    page.locator("#id_referrals-0-consent_time").fill("22:15")

    page.get_by_role("button", name="Add intelligence").click()
    page.wait_for_load_state()  # the button posts the form back with a new row
    subject = page.locator("#id_intelligence-0-subject_description")
    details = page.locator("#id_intelligence-0-details")
    expect(details).to_be_editable()
    subject.fill("Synthetic: man in a grey van")
    details.fill("Synthetic: seen dropping women off twice.")
    expect(subject).to_have_value("Synthetic: man in a grey van")
    page.locator("#id_intelligence-0-source_evaluation").select_option("2")
    page.locator("#id_intelligence-0-intelligence_assessment").select_option("C")
    page.locator("#id_intelligence-0-handling_code").get_by_label("P –", exact=False).check()
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at", timeout=10000)
    check_accessibility(page, "flow-4-return-form")
    check_phone_layout(page, "flow-4-return-form")
    page.get_by_role("button", name="Submit the return").click()
    expect(page.get_by_role("heading", name="Work return submitted")).to_be_visible()
    created = page.locator("[data-return-created]")
    expect(created).to_contain_text("Testname Flow: referred to Outreach Test Agency")
    expect(created).to_contain_text("A conditional caution: Diversion course with Course Test")
    check_accessibility(page, "flow-5-return-submitted")


def record_visit_on_a_phone(page: Page, night) -> None:
    """At 360 px, as on the street: the planned hotspot's row is there; "Arrived now"
    fills the clock time (then corrected by hand, as the test's night is not tonight)."""
    page.set_viewport_size(PHONE)
    try:
        visit = page.locator("#visits-0")
        expect(visit.locator("#id_visits-0-hotspot")).to_have_value(str(night["hotspot"].pk))
        visit.get_by_role("button", name="Arrived now").click()
        expect(visit.locator("#id_visits-0-arrived")).to_have_value(re.compile(r"^\d\d:\d\d$"))
        visit.get_by_label("Arrived").fill("22:00")
        visit.get_by_label("Left").fill("22:13")
    finally:
        page.set_viewport_size(DESKTOP)


def test_a_night_from_plan_to_return(page: Page, sergeant, pc, night):
    patrol = plan_and_deploy(page, sergeant, pc, night)
    assert patrol.status == PatrolStatus.DEPLOYED

    file_return(page, pc, night)
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.RETURNED
    assert WorkReturn.objects.get(patrol=patrol).women_seen == 2
    assert Encounter.objects.get(patrol=patrol).person.working_name == "Testname Flow"
    arrest = Arrest.objects.get(patrol=patrol)
    assert arrest.caution.provider == night["course"]
    assert set(Referral.objects.values_list("agency__name", "service")) == {
        ("Outreach Test Agency", ServiceType.EXIT_SUPPORT),
        ("Course Test Provider", ServiceType.DIVERSION_COURSE),
    }
    assert IntelligenceReport.objects.filter(patrol=patrol).count() == 1
    [visit] = HotspotVisit.objects.filter(work_return__patrol=patrol)
    assert (visit.hotspot, visit.minutes) == (night["hotspot"], 13.0)

    page.get_by_role("link", name="Home").click()
    recent = page.get_by_role("table", name="Returns filed in the last two weeks")
    expect(recent).to_contain_text("Brixton North")
    expect(recent).to_contain_text("Return filed")
    check_accessibility(page, "flow-5-pc-home")
    check_phone_layout(page, "flow-5-pc-home")


def test_a_draft_that_could_not_be_saved_says_so(page: Page, area, pc):
    """The autosave fails (the server errs, then the connection drops): the status line
    says so instead of showing the last "Draft saved" time, then a save that works says
    "Draft saved" again."""
    from tests.patrols.cast import crewed, local_pc_for

    ward = WardFactory(area=area)
    patrol = crewed(ward, pc, local_pc_for(ward, area), status=PatrolStatus.DEPLOYED)
    sign_in(page, pc)
    page.goto(reverse("patrols:work_return", args=[patrol.uuid]))
    status = page.locator("#draft-status")
    draft_url = "**" + reverse("patrols:save_draft", args=[patrol.uuid])

    page.route(draft_url, lambda route: route.fulfill(status=500, body="Server error"))
    page.get_by_label("Summary").fill("First words")
    page.get_by_label("Summary").blur()  # a change event: htmx saves
    expect(status).to_contain_text("Draft not saved at", timeout=10000)
    expect(status).to_contain_text("the server could not save it")

    page.unroute(draft_url)
    page.route(draft_url, lambda route: route.abort("internetdisconnected"))
    page.get_by_label("Summary").fill("More words")
    page.get_by_label("Summary").blur()
    expect(status).to_contain_text("no connection", timeout=10000)

    page.unroute(draft_url)
    page.get_by_label("Summary").fill("Words that are kept")
    page.get_by_label("Summary").blur()
    expect(status).to_contain_text("Draft saved at", timeout=10000)
    expect(status).not_to_contain_text("not saved")
    check_accessibility(page, "return-draft-not-saved")


def test_the_browser_copy_is_encrypted_restored_and_gone_after_sign_out(page: Page, area, pc):
    """What is typed is kept in localStorage encrypted (never in clear), offered back when
    the server has an older draft, and gone once the officer signs out."""
    from tests.patrols.cast import crewed, local_pc_for

    ward = WardFactory(area=area)
    patrol = crewed(ward, pc, local_pc_for(ward, area), status=PatrolStatus.DEPLOYED)
    sign_in(page, pc)
    return_url = reverse("patrols:work_return", args=[patrol.uuid])
    page.goto(return_url)
    draft_url = "**" + reverse("patrols:save_draft", args=[patrol.uuid])
    page.route(draft_url, lambda route: route.abort("internetdisconnected"))  # signal lost
    summary = page.get_by_label("Summary")
    summary.fill("Synthetic words typed with no signal")
    summary.blur()
    expect(page.locator("#draft-status")).to_contain_text("no connection", timeout=10000)

    copies = "Object.keys(localStorage).filter(k => k.startsWith('ephedra:return:'))"
    page.wait_for_function(f"{copies}.length === 1")
    stored = page.evaluate(f"localStorage.getItem({copies}[0])")
    assert "Synthetic words" not in stored  # nothing in clear, not even the field names
    assert "summary" not in stored
    assert {"iv", "data", "savedAt"} <= set(json.loads(stored))

    page.goto(return_url)  # the server's draft is older: the copy is offered back
    page.get_by_role("button", name="Restore what you typed at").click()
    expect(summary).to_have_value("Synthetic words typed with no signal")

    page.unroute(draft_url)
    page.get_by_role("link", name="Home").click()  # a page without the return's script
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Username")).to_be_visible()
    assert page.evaluate(f"{copies}.length") == 0  # Clear-Site-Data: nothing stays behind
