"""The reports page: the project lead asks for a report, sees it built, downloads it;
nobody else gets near it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting import reports as report_builders
from reporting.models import GeneratedReport, ReportKind, ReportStatus
from reporting.reports import monthly
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("reporting:reports")
MARCH = dt.date(2025, 3, 1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def lead_client(client, project_lead):
    client.force_login(project_lead)
    return client


def ask(client, capture, **fields):
    """POST the form; the build runs inline once the request's transaction commits."""
    data = {"kind": ReportKind.MONTHLY_TREND, "month": "2025-03"} | fields
    with capture(execute=True):
        return client.post(PAGE, data)


def make_report(area, status=ReportStatus.PENDING, **fields) -> GeneratedReport:
    values = {
        "kind": ReportKind.MONTHLY_TREND,
        "area": area,
        "period_start": MARCH,
        "period_end": dt.date(2025, 3, 31),
        "status": status,
    }
    if status == ReportStatus.FAILED:
        values["last_error"] = "ValueError: synthetic"
    report = GeneratedReport(**values | fields)
    if status == ReportStatus.READY:
        from django.core.files.base import ContentFile

        report.file.save("synthetic.pdf", ContentFile(b"%PDF-1.7 synthetic"), save=False)
    report.save()
    return report


# --- Asking for a report and getting it --------------------------------------------------------


def test_the_page_offers_the_form_and_a_live_status_region(lead_client):
    response = lead_client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    for kind in ReportKind.values:
        assert f'value="{kind}"' in html
    assert 'aria-live="polite"' in html
    assert 'type="month"' in html


def test_lead_asks_for_a_report_and_it_is_built(
    lead_client, area, django_capture_on_commit_callbacks
):
    response = ask(lead_client, django_capture_on_commit_callbacks, area=area.pk)
    assert response.status_code == 302
    assert response.url == PAGE
    report = GeneratedReport.objects.get()
    assert (report.kind, report.area, report.period_start, report.period_end) == (
        ReportKind.MONTHLY_TREND,
        area,
        MARCH,
        dt.date(2025, 3, 31),
    )
    assert report.status == ReportStatus.READY
    assert report.file.read().startswith(b"%PDF")
    page = lead_client.get(PAGE).content.decode()
    assert "Ready" in page
    assert reverse("reporting:report_download", args=[report.uuid]) in page
    assert "hx-trigger" not in page  # nothing left to poll


def test_asking_again_supersedes_the_earlier_report(
    lead_client, area, django_capture_on_commit_callbacks
):
    ask(lead_client, django_capture_on_commit_callbacks, area=area.pk)
    ask(lead_client, django_capture_on_commit_callbacks, area=area.pk)
    old, new = GeneratedReport.objects.order_by("created_at", "pk")
    assert (old.superseded, new.superseded) == (True, False)
    assert new.status == ReportStatus.READY
    assert GeneratedReport.objects.filter(superseded=False).count() == 1
    page = lead_client.get(PAGE).content.decode()
    assert page.count("Superseded") == 1
    assert page.index(str(new.uuid)) < page.index(str(old.uuid))  # newest first


def test_the_partner_edition_and_the_default_month(
    lead_client, area, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from reporting.forms_reports import last_month

    ask(
        lead_client,
        django_capture_on_commit_callbacks,
        area=area.pk,
        kind=ReportKind.MONTHLY_TREND_PARTNER,
        month="",
    )
    report = GeneratedReport.objects.get()
    assert report.kind == ReportKind.MONTHLY_TREND_PARTNER
    assert report.period_start == last_month(timezone.localdate())
    assert report.status == ReportStatus.READY


def test_a_weekly_sheet_covers_the_monday_to_sunday_of_the_day_given(
    lead_client, area, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(
        report_builders, "builder_for", lambda kind: lambda report: ("s.pdf", b"%PDF-1.7")
    )
    ask(
        lead_client,
        django_capture_on_commit_callbacks,
        area=area.pk,
        kind=ReportKind.WEEKLY_DEPLOYMENT,
        week="2025-03-05",
    )
    report = GeneratedReport.objects.get()
    assert (report.period_start, report.period_end) == (dt.date(2025, 3, 3), dt.date(2025, 3, 9))


def test_a_failing_build_is_shown_with_its_reason(
    lead_client, area, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(report):
        raise ValueError("Synthetic failure in the builder")

    monkeypatch.setattr(monthly, "build_monthly_report", broken)
    response = ask(lead_client, django_capture_on_commit_callbacks, area=area.pk)
    assert response.status_code == 302
    report = GeneratedReport.objects.get()
    assert report.status == ReportStatus.FAILED
    assert report.last_error == "ValueError: Synthetic failure in the builder"
    page = lead_client.get(PAGE)
    assert page.status_code == 200
    assert "Failed" in page.content.decode()
    assert "ValueError: Synthetic failure in the builder" in page.content.decode()
    download = reverse("reporting:report_download", args=[report.uuid])
    assert lead_client.get(download).status_code == 404


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "yearly_summary"}, "kind", "Choose a report"),
        ({"kind": ""}, "kind", "Choose a report"),
        ({"month": "2025-13"}, "month", "Enter the month as a year and month"),
        ({"month": "March"}, "month", "Enter the month as a year and month"),
        ({"month": "2999-01"}, "month", "Choose a month that has begun"),
        ({"month": "1999-12"}, "month", "Choose a month from"),
        ({"kind": ReportKind.WEEKLY_DEPLOYMENT, "week": ""}, "week", "Enter a day in the week"),
        ({"kind": ReportKind.WEEKLY_DEPLOYMENT, "week": "2025-02-30"}, "week", "real date"),
    ],
    ids=[
        "unknown-kind",
        "no-kind",
        "month-13",
        "month-words",
        "future",
        "too-early",
        "no-week",
        "bad-week",
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_written(
    lead_client, area, django_capture_on_commit_callbacks, fields, field, message
):
    response = ask(lead_client, django_capture_on_commit_callbacks, area=area.pk, **fields)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert f'href="#id_{field}"' in response.content.decode()  # the error summary links it
    assert not GeneratedReport.objects.exists()


def test_an_area_that_is_not_theirs_is_refused(
    lead_client, other_area, django_capture_on_commit_callbacks
):
    response = ask(lead_client, django_capture_on_commit_callbacks, area=other_area.pk)
    assert response.status_code == 200
    assert response.context["form"].errors["area"] == ["Choose one of your areas"]
    assert not GeneratedReport.objects.exists()


# --- Status and download -------------------------------------------------------------------


def test_an_unfinished_row_polls_and_a_finished_one_stops(lead_client, area):
    pending = make_report(area)
    url = reverse("reporting:report_status", args=[pending.uuid])
    row = lead_client.get(url).content.decode()
    assert f'id="report-{pending.uuid}"' in row
    assert f'hx-get="{url}?poll=1"' in row
    assert 'hx-trigger="load delay:2s"' in row
    assert "Waiting to start" in row
    GeneratedReport.objects.filter(pk=pending.pk).update(status=ReportStatus.RUNNING)
    assert "Being built" in lead_client.get(url).content.decode()
    GeneratedReport.objects.filter(pk=pending.pk).update(
        status=ReportStatus.FAILED, last_error="OSError: disk full"
    )
    row = lead_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in row
    assert "OSError: disk full" in row
    assert 'id="report-announcer" hx-swap-oob="innerHTML"' in row  # said out loud once


def test_a_superseded_report_that_never_ran_does_not_poll(lead_client, area):
    old = make_report(area, superseded=True)
    row = lead_client.get(reverse("reporting:report_status", args=[old.uuid])).content.decode()
    assert "hx-trigger" not in row
    assert "Not built" in row


def test_a_row_polls_less_and_less_often(lead_client, area):
    running = make_report(area, ReportStatus.RUNNING)
    url = reverse("reporting:report_status", args=[running.uuid])
    delays = []
    for poll in range(8):
        row = lead_client.get(f"{url}?poll={poll}", headers={"HX-Request": "true"}).content.decode()
        assert f'hx-get="{url}?poll={poll + 1}"' in row
        delays.append(int(row.split('hx-trigger="load delay:')[1].split("s")[0]))
    assert delays == [2, 3, 5, 8, 15, 30, 30, 30]
    for odd in ("-1", "x", "1e3", "٣"):  # never a 500: the count starts again
        row = lead_client.get(f"{url}?poll={odd}").content.decode()
        assert f'hx-get="{url}?poll=1"' in row
    row = lead_client.get(f"{url}?poll={'9' * 40}").content.decode()
    assert f'hx-get="{url}?poll=101"' in row  # the count stops growing at 100
    assert 'hx-trigger="load delay:30s"' in row


def test_a_superseded_report_still_being_built_stops_polling(lead_client, area):
    old = make_report(area, ReportStatus.RUNNING, superseded=True)
    row = lead_client.get(reverse("reporting:report_status", args=[old.uuid])).content.decode()
    assert "Being built" in row
    assert "hx-get" not in row
    page = lead_client.get(reverse("reporting:reports")).content.decode()
    assert f'id="report-{old.uuid}"' in page
    assert "hx-get" not in page  # the list does not poll it either


def test_download_is_an_attachment_with_a_safe_name(lead_client, area):
    report = make_report(area, ReportStatus.READY)
    response = lead_client.get(reverse("reporting:report_download", args=[report.uuid]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="monthly-trend-police-lambeth-2025-03.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("status", [ReportStatus.PENDING, ReportStatus.RUNNING, "failed"])
def test_a_report_that_is_not_ready_cannot_be_downloaded(lead_client, area, status):
    report = make_report(area, status)
    assert (
        lead_client.get(reverse("reporting:report_download", args=[report.uuid])).status_code == 404
    )


@pytest.mark.parametrize("name", ["reporting:report_status", "reporting:report_download"])
def test_another_areas_report_is_not_found(lead_client, other_area, name):
    report = make_report(other_area, ReportStatus.READY)
    assert lead_client.get(reverse(name, args=[report.uuid])).status_code == 404


def test_another_areas_reports_are_not_listed(lead_client, other_area):
    report = make_report(other_area, ReportStatus.READY)
    assert str(report.uuid) not in lead_client.get(PAGE).content.decode()


def test_a_missing_file_is_not_found_rather_than_an_error(lead_client, area):
    report = make_report(area, ReportStatus.READY)
    report.file.storage.delete(report.file.name)
    assert (
        lead_client.get(reverse("reporting:report_download", args=[report.uuid])).status_code == 404
    )


# --- Who may --------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), [("sergeant", 403), ("pc", 403), ("partner_a", 404)])
def test_only_the_project_lead_may(client, request, area, role, expected):
    client.force_login(request.getfixturevalue(role))
    report = make_report(area, ReportStatus.READY)
    assert client.get(PAGE).status_code == expected
    assert (
        client.post(PAGE, {"kind": ReportKind.MONTHLY_TREND, "area": area.pk}).status_code
        == expected
    )
    for name in ("reporting:report_status", "reporting:report_download"):
        assert client.get(reverse(name, args=[report.uuid])).status_code == expected
    assert GeneratedReport.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, area):
    report = make_report(area, ReportStatus.READY)
    for url in (PAGE, reverse("reporting:report_download", args=[report.uuid])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_wrong_methods_are_refused(lead_client, area):
    report = make_report(area, ReportStatus.READY)
    assert lead_client.put(PAGE).status_code == 405
    for name in ("reporting:report_status", "reporting:report_download"):
        assert lead_client.post(reverse(name, args=[report.uuid])).status_code == 405


# --- Cost --------------------------------------------------------------------------------------


def test_the_list_costs_the_same_for_one_report_or_many(lead_client, area, project_lead):
    make_report(area, ReportStatus.READY, requested_by=project_lead)
    with CaptureQueriesContext(connection) as one:
        lead_client.get(PAGE)
    other_lead = OfficerFactory(role="project_lead", areas=[area])
    for n in range(12):
        make_report(
            area,
            [ReportStatus.READY, ReportStatus.FAILED, ReportStatus.PENDING][n % 3],
            period_start=dt.date(2024, 1 + n % 12, 1),
            period_end=dt.date(2024, 1 + n % 12, 28),
            requested_by=other_lead if n % 2 else None,
        )
    with CaptureQueriesContext(connection) as many:
        response = lead_client.get(PAGE)
    assert response.content.decode().count("govuk-table__row") == 14  # header + 13
    assert len(one) == len(many)
