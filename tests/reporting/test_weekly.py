"""The weekly deployment sheet: the page (sergeants), the ranking page (all police), the
PDF and the Monday job that asks for each area's sheet and tells its sergeants."""

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, Role
from governance.models import AuditEvent
from patrols.models import (
    EngagementActivity,
    IntelligenceReport,
    OfficerRole,
    PartnerInvitation,
    PatrolOfficer,
    RiskAssessment,
)
from reporting.models import GeneratedReport, ReportKind, ReportStatus
from reporting.reports.weekly import build_weekly_sheet, coming_monday, weekly_sheet
from reporting.tasks import build_weekly_sheets
from tests.factories import HotspotFactory, OfficerFactory, PatrolFactory, WardFactory

from .test_ranking import RECENT_FIRST, WEEK, add_crimes, at, data_reaches_the_week, make_batch

pytestmark = pytest.mark.django_db

SHEET = reverse("reporting:weekly_sheet")
RANKING = reverse("reporting:ranking")
SUBJECT = "Synthetic subject: man in a grey van"
DETAILS = "Synthetic details that the sheet never shows"


@pytest.fixture
def week(area, pc, agency_a):
    """Lambeth's week of 3 March 2025: a hotspot with rising crime, a planned Friday
    patrol whose officer is over a (low) hours limit, a partner, intelligence."""
    area.overtime_threshold_hours = 4
    area.save()
    ward = WardFactory(area=area, name="Test Ward North")
    hotspot = HotspotFactory(ward=ward, name="Rising Row")
    HotspotFactory(ward=ward, name="Quiet Close", latitude=Decimal("51.470000"))
    batch = make_batch()
    add_crimes(batch, 12, hotspot.latitude, hotspot.longitude, first=RECENT_FIRST)
    data_reaches_the_week(batch)
    friday = PatrolFactory(ward=ward, starts_at=at(dt.date(2025, 3, 7)), meeting_point="Depot")
    friday.hotspots.add(hotspot)
    PatrolOfficer.objects.create(patrol=friday, officer=pc, role=OfficerRole.EPHEDRA_PC)
    PartnerInvitation.objects.create(
        patrol=friday, agency=agency_a, activity=EngagementActivity.SOUP_KITCHEN
    )
    RiskAssessment.objects.create(
        patrol=friday,
        hazards="Synthetic",
        controls="Synthetic",
        assessed_by=pc,
        assessed_at=timezone.now(),
    )
    IntelligenceReport.objects.create(
        patrol=PatrolFactory(ward=ward, starts_at=at(dt.date(2025, 2, 20))),
        submitted_by=pc,
        submitted_at=at(dt.date(2025, 2, 21), hour=2),
        subject_description=SUBJECT,
        details=DETAILS,
        source_evaluation="2",
        intelligence_assessment="B",
        handling_code="P",
    )
    return {"ward": ward, "hotspot": hotspot, "friday": friday}


def sheet_url(area, week="2025-03-03") -> str:
    return f"{SHEET}?area={area.pk}&week={week}"


# --- The page ---------------------------------------------------------------------------


def test_sergeant_sees_the_weeks_plan(client, sergeant, area, pc, agency_a, week):
    client.force_login(sergeant)

    response = client.get(sheet_url(area))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Deployment sheet, week of Monday 3 March 2025" in page
    assert "Friday 7 Mar" in page
    assert "Saturday 8 Mar" in page
    assert "None yet" in page
    assert reverse("patrols:detail", args=[week["friday"].uuid]) in page
    assert f"{pc} would work 8.00 hours this month, over the 4-hour limit" in page
    assert f"{agency_a}: Soup kitchen" in page
    assert "waiting for a sergeant&#x27;s approval" in page
    assert "12 anti-social behaviour reports in 4 weeks" in page
    assert SUBJECT in page
    assert "2B P" in page
    assert DETAILS not in page
    intelligence = IntelligenceReport.objects.get()
    (viewed,) = AuditEvent.objects.filter(action="patrols.intelligencereport.viewed")
    assert (viewed.actor, viewed.object_id) == (sergeant, str(intelligence.uuid))  # s.62


def test_sheet_query_budget(client, sergeant, area, week, django_assert_num_queries):
    client.force_login(sergeant)
    HotspotFactory.create_batch(5, ward=week["ward"])

    # session, user, the user's areas, the current PDF; patrols (with ward, area, risk
    # assessment and its assessor), their invitations, hotspots, officers; the ranking's
    # hotspots, crime counts, LSOA counts, data date (latest monthly batch, latest exact
    # date); hours this month (one query per month of the week); per patrol, the wellbeing
    # check's other shifts and hours; the intelligence, and the "viewed" rows for it (one
    # INSERT); and the request's savepoint and its release.
    # ... and the header's count of unread notifications (every signed-in page).
    with django_assert_num_queries(21):
        assert client.get(sheet_url(area)).status_code == 200


def test_the_week_can_be_any_day_of_it(client, sergeant, area, week):
    client.force_login(sergeant)

    response = client.get(sheet_url(area, week="2025-03-06"))

    assert "week of Monday 3 March 2025" in response.content.decode()


@pytest.mark.parametrize(("user", "status"), [("pc", 403), ("partner_a", 404), ("admin_user", 403)])
def test_only_sergeants_and_the_project_lead_see_the_sheet(client, request, area, user, status):
    client.force_login(request.getfixturevalue(user))

    assert client.get(sheet_url(area)).status_code == status
    assert client.post(SHEET, {"area": area.pk, "week": "2025-03-03"}).status_code == status


def test_project_lead_sees_the_sheet(client, project_lead, area, week):
    client.force_login(project_lead)

    assert client.get(sheet_url(area)).status_code == 200


def test_anonymous_is_sent_to_sign_in(client, area):
    assert client.get(sheet_url(area)).status_code == 302


@pytest.mark.parametrize("value", ["", "not-a-date", "2025-02-30", "0001-01-01", "9999-12-31"])
def test_a_week_not_understood_shows_the_coming_week(client, sergeant, area, value):
    client.force_login(sergeant)

    response = client.get(f"{SHEET}?area={area.pk}&week={value}")

    assert response.status_code == 200
    monday = coming_monday(timezone.localdate())
    assert f"week of {monday:%A} {monday.day} {monday:%B %Y}" in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999", "other"])
def test_an_area_not_the_users_is_not_found(client, sergeant, other_area, value):
    client.force_login(sergeant)
    area = other_area.pk if value == "other" else value

    assert client.get(f"{SHEET}?area={area}").status_code == 404
    assert client.get(f"{RANKING}?area={area}").status_code == 404
    assert client.post(SHEET, {"area": area}).status_code == 404


def test_an_officer_with_no_area_is_told_so(client):
    client.force_login(OfficerFactory(role=Role.SERGEANT, areas=[]))

    response = client.get(SHEET)

    assert response.status_code == 200
    assert "not assigned to an area" in response.content.decode()


def test_wrong_method_is_refused(client, sergeant, area):
    client.force_login(sergeant)

    assert client.put(sheet_url(area)).status_code == 405
    assert client.post(RANKING).status_code == 405


# --- The PDF on demand -------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_asking_for_the_pdf_builds_it_for_download(
    client, sergeant, area, week, media, django_capture_on_commit_callbacks
):
    client.force_login(sergeant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SHEET, {"area": area.pk, "week": "2025-03-05"})

    assert response.status_code == 302
    assert response.url == sheet_url(area)
    report = GeneratedReport.objects.get()
    assert (report.kind, report.area, report.requested_by) == (
        ReportKind.WEEKLY_DEPLOYMENT,
        area,
        sergeant,
    )
    assert (report.period_start, report.period_end, report.status) == (
        WEEK,
        dt.date(2025, 3, 9),
        ReportStatus.READY,
    )
    assert "Download the PDF" in client.get(sheet_url(area)).content.decode()
    download = client.get(f"{sheet_url(area)}&download=1")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    # s.62: the download discloses the intelligence subjects the sheet holds, by key.
    intelligence = IntelligenceReport.objects.get()
    assert report.disclosed == [["patrols.intelligencereport", str(intelligence.uuid)]]
    (downloaded,) = AuditEvent.objects.filter(action="reporting.generatedreport.downloaded")
    (disclosed,) = AuditEvent.objects.filter(action="patrols.intelligencereport.disclosed")
    assert (downloaded.actor, disclosed.actor) == (sergeant, sergeant)
    assert disclosed.object_id == str(intelligence.uuid)
    assert disclosed.detail == f"In the weekly deployment sheet {report.uuid}"


def test_pdf_being_built_shows_its_status_and_cannot_be_downloaded(client, sergeant, area, week):
    client.force_login(sergeant)
    client.post(SHEET, {"area": area.pk, "week": "2025-03-03"})  # not committed: not built

    page = client.get(sheet_url(area)).content.decode()

    assert "The PDF is waiting to start" in page
    assert client.get(f"{sheet_url(area)}&download=1").status_code == 404


# --- The PDF itself ---------------------------------------------------------------------------


def test_pdf_holds_the_top_hotspot_and_no_intelligence_details(area, week, sergeant):
    report = GeneratedReport.objects.create(
        kind=ReportKind.WEEKLY_DEPLOYMENT,
        area=area,
        period_start=WEEK,
        period_end=dt.date(2025, 3, 9),
    )

    filename, data = build_weekly_sheet(report)

    assert filename == "deployment-sheet-lambeth-2025-03-03.pdf"
    assert data.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text is unread")
    text = subprocess.run(  # noqa: S603 - fixed argv
        ["pdftotext", "-layout", "-", "-"],  # noqa: S607
        input=data,
        capture_output=True,
        check=True,
    ).stdout.decode()
    text = " ".join(text.split())  # table cells wrap their text over lines
    assert "Rising Row" in text
    assert "12 anti-social behaviour reports in 4 weeks" in text
    assert SUBJECT in text
    assert DETAILS not in text


def test_pdf_html_loads_nothing(area, week):
    html = render_to_string(
        "reporting/weekly/sheet_pdf.html", {"sheet": weekly_sheet(area, WEEK), "pdf": True}
    )

    assert "<link" not in html
    assert "src=" not in html
    assert "url(" not in html
    assert "href=" not in html  # no links to the app in a printed sheet


# --- The ranking page ---------------------------------------------------------------------


@pytest.mark.parametrize("user", ["pc", "sergeant", "project_lead"])
def test_all_police_see_the_ranking(client, request, area, week, user):
    client.force_login(request.getfixturevalue(user))

    response = client.get(f"{RANKING}?area={area.pk}&week=2025-03-03")

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Rising Row") < page.index("Quiet Close")
    assert "12 anti-social behaviour reports in 4 weeks" in page


@pytest.mark.parametrize(("user", "status"), [("partner_a", 404), ("admin_user", 403)])
def test_ranking_is_police_only(client, request, area, user, status):
    client.force_login(request.getfixturevalue(user))

    assert client.get(RANKING).status_code == status


def test_ranking_page_queries_do_not_grow_with_hotspots(client, pc, area):
    ward = WardFactory(area=area)
    client.force_login(pc)

    def queries(hotspots: int) -> int:
        for n in range(hotspots):
            HotspotFactory(ward=ward, latitude=Decimal("51.3") + Decimal(n) / 100)
        with CaptureQueriesContext(connection) as context:
            assert client.get(f"{RANKING}?week=2025-03-03").status_code == 200
        return len(context)

    assert queries(3) == queries(9)  # 3 hotspots, then 12


# --- The Monday job ------------------------------------------------------------------------


def test_monday_job_asks_for_each_areas_sheet_and_tells_its_sergeants(
    area, other_area, sergeant, project_lead, pc, media, django_capture_on_commit_callbacks
):
    southwark_sergeant = OfficerFactory(role=Role.SERGEANT, areas=[other_area])

    with django_capture_on_commit_callbacks(execute=True):
        assert build_weekly_sheets() == 2

    monday = coming_monday(timezone.localdate())
    reports = GeneratedReport.objects.filter(kind=ReportKind.WEEKLY_DEPLOYMENT)
    assert sorted(r.area.name for r in reports) == ["Lambeth", "Southwark"]
    assert {(r.period_start, r.period_end, r.status) for r in reports} == {
        (monday, monday + dt.timedelta(days=6), ReportStatus.READY)
    }
    told = Notification.objects.values_list("recipient", "url")
    assert set(told) == {
        (sergeant.pk, f"{SHEET}?area={area.pk}&week={monday:%Y-%m-%d}"),
        (project_lead.pk, f"{SHEET}?area={area.pk}&week={monday:%Y-%m-%d}"),
        (southwark_sergeant.pk, f"{SHEET}?area={other_area.pk}&week={monday:%Y-%m-%d}"),
    }


def test_monday_job_run_twice_asks_once(area, sergeant, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        build_weekly_sheets()

    assert build_weekly_sheets() == 0
    assert GeneratedReport.objects.count() == 1
    assert Notification.objects.filter(recipient=sergeant).count() == 1


@pytest.mark.parametrize(
    ("today", "monday"),
    [
        (dt.date(2025, 3, 3), dt.date(2025, 3, 3)),  # Monday: this week
        (dt.date(2025, 3, 8), dt.date(2025, 3, 3)),  # Saturday: tonight is still ahead
        (dt.date(2025, 3, 9), dt.date(2025, 3, 10)),  # Sunday: the coming week
    ],
)
def test_coming_monday(today, monday):
    assert coming_monday(today) == monday
