"""Every page in a sergeant's top navigation loads and passes axe-core (WCAG 2.2 AA) at
desktop size, and on a 360 px phone without scrolling sideways."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from patrols.models import EngagementActivity, PartnerInvitation
from referrals import services

from ..factories import (
    HotspotFactory,
    PatrolFactory,
    PersonFactory,
    WardFactory,
    consented_referral,
)
from .conftest import assert_css_loaded, check_accessibility, check_phone_layout, sign_in

pytestmark = pytest.mark.e2e

# The sergeant's menu, in order. A new menu item fails test_menu_is_the_one_tested_here
# until it is added here, so every page in the menu gets checked.
MENU = [
    "Home",
    "Patrols",
    "This week",
    "Hotspots",
    "Referrals",
    "People",
    "Deployment sheet",
    "Intelligence",
    "Wellbeing",
    "Training",
    "Possible duplicates",
    "Invite people",
    "Notifications",
    "Records",
    "Your account",
]
PARTNER_MENU = [
    "Home",
    "Patrols you are invited to",
    "Concerns you sent",
    "Notifications",
    "Your account",
]
# Pages only the project lead's menu has (beyond the sergeant's).
LEAD_ONLY = ["Audit log", "Records due for review", "Evidence", "Roll-out"]


# A page that 404s or breaks because it is still being built: mark only its case, e.g.
#   pytest.param("Hotspots", marks=pytest.mark.xfail(reason="page not built yet")),
# (not strict: it shows as XPASS once the page works; then remove the mark).
ON_DESKTOP = MENU
ON_PHONE = MENU


@pytest.fixture
def sergeant_with_data(sergeant, area, pc, agency_a):
    """Something on each page: a hotspot, a patrol tonight and one a week ago, a referral
    (so a notification and the partner's portal have content), a possible duplicate."""
    ward = WardFactory(area=area, name="Coldharbour")
    hotspot = HotspotFactory(ward=ward, name="Acre Lane")
    tonight = timezone.now().replace(hour=20, minute=0, second=0, microsecond=0)
    for starts_at in (tonight, tonight - dt.timedelta(days=7)):
        patrol = PatrolFactory(ward=ward, planned_by=sergeant, starts_at=starts_at)
        patrol.hotspots.add(hotspot)
        PartnerInvitation.objects.create(
            patrol=patrol, agency=agency_a, activity=EngagementActivity.SOUP_KITCHEN
        )
    person = PersonFactory(area=area, working_name="Testname Jay", created_by=pc)
    referral = consented_referral(agency=agency_a, by=sergeant, person=person)
    services.add_note(referral, sergeant, "Synthetic note for the page.")
    services.flag_possible_duplicates(PersonFactory(area=area, working_name="testname jay"))
    return sergeant


def menu_links(page: Page) -> dict[str, str]:
    menu = page.get_by_role("navigation", name="Menu")
    expect(menu).to_be_visible()
    # A partner's "Notifications" link carries its unread count ("Notifications 2 unread").
    return {
        re.sub(r"\s+\d+\s*(unread)?$", "", link.inner_text().strip()): link.get_attribute("href")
        for link in menu.get_by_role("link").all()
    }


def open_from_menu(page: Page, user, label: str) -> str:
    """Sign in, follow the menu link called `label`; return the artifact name."""
    sign_in(page, user)
    href = menu_links(page).get(label)
    assert href, f"no {label!r} link in the menu"
    response = page.goto(href)
    assert response is not None
    assert response.status < 400, f"{label} ({href}) answered {response.status}"
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    if not href.startswith("/admin/"):  # the admin has its own stylesheet
        assert_css_loaded(page)
    return "page-" + label.lower().replace(" ", "-")


def test_menu_is_the_one_tested_here(page: Page, sergeant_with_data):
    sign_in(page, sergeant_with_data)
    assert list(menu_links(page)) == MENU


@pytest.mark.parametrize("label", ON_DESKTOP)
def test_menu_page_on_desktop(page: Page, sergeant_with_data, label):
    name = open_from_menu(page, sergeant_with_data, label)
    check_accessibility(page, name)


@pytest.mark.parametrize("label", ON_PHONE)
def test_menu_page_on_phone(page: Page, sergeant_with_data, label):
    name = open_from_menu(page, sergeant_with_data, label)
    check_phone_layout(page, name)


@pytest.mark.parametrize("label", LEAD_ONLY)
def test_lead_menu_page(page: Page, sergeant_with_data, project_lead, label):
    name = "lead-" + open_from_menu(page, project_lead, label)
    check_accessibility(page, name)
    check_phone_layout(page, name)


@pytest.fixture
def lead_with_due_record(project_lead, sergeant_with_data):
    """The lead, with the person records of the area past their review date."""
    from referrals.models import Person

    Person.objects.update(review_on=dt.date(2020, 1, 1))
    return project_lead


def test_review_page_with_records_due(page: Page, lead_with_due_record):
    name = "lead-" + open_from_menu(page, lead_with_due_record, "Records due for review")
    expect(page.get_by_role("link", name=re.compile("Keep the person")).first).to_be_visible()
    check_accessibility(page, name + "-due")
    check_phone_layout(page, name + "-due")


def test_evidence_page_with_estimates(page: Page, project_lead, sergeant, area):
    """The Evidence page with every part filled in: synthetic crime with a planted fall."""
    from reporting.evaluation.places import area_lsoas
    from tests.reporting.test_evaluation_data import crimes, make_patrolled, planted_counts
    from tests.reporting.test_evaluation_page import worked_out

    lambeth = area_lsoas(area)
    counts, _ = planted_counts(lambeth, make_patrolled(area, lambeth, sergeant), drop=0.6)
    crimes(area, counts, lambeth)
    worked_out(area)  # the job, run as the worker would: the page only reads
    name = "lead-" + open_from_menu(page, project_lead, "Evidence") + "-estimates"
    expect(page.get_by_text("Synthetic arches").first).to_be_visible()
    expect(
        page.get_by_role("img", name=re.compile("by months since patrols began"))
    ).to_be_visible()
    page.get_by_text("The numbers in the chart").click()  # the table, open, checked too
    check_accessibility(page, name)
    check_phone_layout(page, name)


def test_evidence_arrives_by_itself_while_the_page_waits(page: Page, project_lead, area):
    """No figures yet: the page asks for them and says they are being worked out, then
    its polling brings them in (Celery is eager here: the job runs as the request that
    asked commits), announced to screen readers, with nothing refused by the CSP."""
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    name = "lead-" + open_from_menu(page, project_lead, "Evidence") + "-waiting"
    expect(page.get_by_text("The figures are being worked out")).to_be_visible()
    assert errors == []
    check_accessibility(page, name)
    errors.clear()  # axe's own inline <script>, refused by the policy (then loaded apart)
    expect(page.get_by_role("heading", name="The short answer")).to_be_visible(timeout=20_000)
    expect(page.locator("#evidence-announcer")).to_have_text("The figures are ready.")
    expect(page.get_by_text("The figures are being worked out")).to_have_count(0)
    check_accessibility(page, name + "-arrived")
    assert errors == []


@pytest.mark.parametrize("kind", ["monthly_trend", "monthly_trend_partner"])
def test_monthly_report_web_page(page: Page, sergeant_with_data, project_lead, area, kind):
    """A built monthly report on the web: its charts (SVG) with their numbers, in each
    edition, with nothing refused by the CSP and no sideways scroll on a phone."""
    from django.urls import reverse

    from tests.reporting.test_monthly import crimes
    from tests.test_partner_wall import built_report

    month = timezone.localdate().replace(day=1)
    crimes(area, (month - dt.timedelta(days=40)).replace(day=1), {"Other crime": 7})
    report = built_report(area, kind)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    sign_in(page, project_lead)
    page.goto(reverse("reporting:report", args=[report.uuid]))
    expect(page.get_by_role("img", name="Referrals to support services")).to_be_visible()
    page.get_by_text("Show the numbers").first.click()
    expect(page.get_by_role("table", name=re.compile("by month")).first).to_be_visible()
    assert errors == []
    name = f"lead-report-{kind}"
    check_accessibility(page, name)
    check_phone_layout(page, name)


# --- The partner portal ------------------------------------------------------------------


def test_partner_menu_is_the_one_tested_here(page: Page, sergeant_with_data, partner_a):
    sign_in(page, partner_a)
    assert list(menu_links(page)) == PARTNER_MENU


@pytest.mark.parametrize("label", PARTNER_MENU)
def test_partner_menu_page(page: Page, sergeant_with_data, partner_a, label):
    name = "partner-" + open_from_menu(page, partner_a, label)
    check_accessibility(page, name)
    check_phone_layout(page, name)


def test_partner_works_a_referral_by_keyboard(page: Page, sergeant_with_data, partner_a):
    sign_in(page, partner_a)
    page.get_by_role("link", name=re.compile("View the referral for Testname Jay")).click()
    check_accessibility(page, "partner-referral")
    check_phone_layout(page, "partner-referral")
    page.get_by_label("Received").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save the status").press("Enter")
    expect(page.locator("body")).to_contain_text("Received")
    check_accessibility(page, "partner-referral-received")


# --- Trials (issue 18, item 6) -------------------------------------------------------------


def test_trial_register_form_with_errors(page: Page, project_lead, area):
    """The registration form, sent empty: the errors at their fields, on desktop and phone."""
    from django.urls import reverse

    HotspotFactory(ward=WardFactory(area=area, name="Stockwell"), name="Synthetic Row")
    sign_in(page, project_lead)
    page.goto(reverse("reporting:trial_register"))
    page.get_by_role("button", name="Register and lock the trial").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#id_starts_on-error")).to_be_visible()
    check_accessibility(page, "lead-trial-register-errors")
    check_phone_layout(page, "lead-trial-register-errors")


def test_trial_page_with_weeks_deviations_and_a_result(page: Page, project_lead, area):
    """A trial eight weeks in (its start moved back in the database: registration only
    takes a future Monday), with returns, deviations and a result."""
    from django.urls import reverse

    from patrols.models import Trial
    from patrols.services import trials
    from tests.patrols.trials import patrol_in_week, register

    trial = register(project_lead, area)
    today = timezone.localdate()
    Trial.objects.filter(pk=trial.pk).update(
        starts_on=today - dt.timedelta(days=today.weekday(), weeks=6)
    )
    trial.refresh_from_db()
    hotspots = {h.pk: h for h in trial.hotspots.all()}
    for week in range(1, 7):
        arms = trials.allocation(trial, week)
        chosen = [hotspots[pk] for pk, arm in arms.items() if arm == "patrol"]
        patrol_in_week(
            trial,
            week,
            chosen[:2] + list(hotspots.values())[:1],
            returned=True,
            seen=week % 3,
        )
    trials.record_deviations(trial)
    from reporting import trial_jobs

    trial_jobs.analyse_trial(trial, today)  # the Evidence job's work: the page only reads it
    sign_in(page, project_lead)
    page.goto(reverse("reporting:trial", args=[trial.uuid]))
    expect(page.get_by_role("heading", name="Result")).to_be_visible()
    expect(page.locator("[data-result]")).to_be_visible()
    check_accessibility(page, "lead-trial-page")
    check_phone_layout(page, "lead-trial-page")


# --- Work returns ----------------------------------------------------------------------------


def test_amend_return_page_with_timed_visits(page: Page, sergeant, pc, area):
    """The page that corrects a submitted return, its timed visits shown, then sent with a
    departure before the arrival: the error at its field, on desktop and phone."""
    from django.urls import reverse

    from tests.patrols.visits import night_patrol, submit, visit

    ward = WardFactory(area=area, name="Coldharbour")
    hotspot = HotspotFactory(ward=ward, name="Acre Lane")
    patrol = night_patrol(ward, pc, area)
    submit(patrol, pc, [visit(hotspot, 60, 75)])  # 21:00 to 21:15
    sign_in(page, sergeant)
    page.goto(reverse("patrols:amend_return", args=[patrol.uuid]))
    expect(page.get_by_role("heading", name="Time at each hotspot")).to_be_visible()
    expect(page.locator("#id_visits-0-left")).to_have_value("21:15")
    check_accessibility(page, "page-amend-return")
    check_phone_layout(page, "page-amend-return")

    page.locator("#id_visits-0-left").fill("20:30")
    page.locator("#id_reason").fill("Checked against the radio log.")
    page.get_by_role("button", name="Record the amendment").click()
    expect(page.locator("#id_visits-0-left-error")).to_be_visible()
    check_accessibility(page, "page-amend-return-errors")
    check_phone_layout(page, "page-amend-return-errors")
