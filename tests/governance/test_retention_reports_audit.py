"""The schedule's last two rows: generated reports are deleted by the monthly job once
past RETENTION_REPORT_MONTHS (the row kept, failed and superseded with the reason), and
audit events past RETENTION_AUDIT_MONTHS are counted for the controller, never deleted
by the application (the s.62 log is append-only)."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from dataprotection import retention
from dataprotection.tasks import list_records_due_for_review
from governance import audit
from governance.models import AuditEvent
from reporting.models import GeneratedReport, ReportKind, ReportStatus

pytestmark = pytest.mark.django_db


def built(area, days_ago: int, *, superseded=False, start=dt.date(2020, 1, 1)):
    report = GeneratedReport(
        kind=ReportKind.MONTHLY_TREND, area=area, period_start=start,
        period_end=start + dt.timedelta(days=30), status=ReportStatus.READY,
        superseded=superseded,
    )  # fmt: skip
    report.file.save("monthly.pdf", ContentFile(b"%PDF-1.4 retention test"), save=False)
    report.save()
    moment = timezone.now() - dt.timedelta(days=days_ago)
    GeneratedReport.objects.filter(pk=report.pk).update(created_at=moment, finished_at=moment)
    report.refresh_from_db()
    return report


def test_the_monthly_job_deletes_reports_past_their_period(
    area, settings, django_capture_on_commit_callbacks
):
    settings.RETENTION_REPORT_MONTHS = 24
    old = built(area, 25 * 31)
    old_superseded = built(area, 26 * 31, superseded=True)  # a newer one covers its period
    recent = built(area, 20 * 31, start=dt.date(2021, 1, 1))
    stored = [old.file.name, old_superseded.file.name]
    with django_capture_on_commit_callbacks(execute=True):
        list_records_due_for_review.delay().get()
    for report in (old, old_superseded):
        report.refresh_from_db()
        assert (report.status, report.superseded, bool(report.file)) == (
            ReportStatus.FAILED, True, False
        )  # fmt: skip
        assert "24 months" in report.last_error
        assert AuditEvent.objects.filter(
            action="reporting.generatedreport.expired", object_id=str(report.uuid)
        ).exists()
    assert not any(old.file.storage.exists(name) for name in stored)
    recent.refresh_from_db()
    assert recent.status == ReportStatus.READY
    assert recent.file.storage.exists(recent.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        list_records_due_for_review.delay().get()  # idempotent: nothing found twice
    assert AuditEvent.objects.filter(action="reporting.generatedreport.expired").count() == 2


def test_the_period_for_reports_is_configurable(area, settings):
    report = built(area, 8 * 31)
    settings.RETENTION_REPORT_MONTHS = 12
    list_records_due_for_review.delay().get()
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    settings.RETENTION_REPORT_MONTHS = 6
    list_records_due_for_review.delay().get()
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED


def test_old_audit_events_are_counted_never_deleted(area, settings):
    audit.record("accounts.user.signed_in", None, detail="synthetic")
    count = AuditEvent.objects.count()
    in_ten_years = timezone.localdate() + dt.timedelta(days=10 * 366)
    settings.RETENTION_AUDIT_MONTHS = 84
    old = retention.old_audit_events(in_ten_years)
    assert old["count"] == count
    assert old["oldest"] is not None
    assert retention.old_audit_events(timezone.localdate())["count"] == 0
    list_records_due_for_review.delay().get()
    assert AuditEvent.objects.count() >= count  # the job deletes none


def test_the_review_page_says_how_many_audit_events_are_past_their_period(
    client, project_lead, settings
):
    client.force_login(project_lead)
    html = client.get(reverse("governance:retention_review")).content.decode()
    assert "No audit event is older than 84 months" in html
    settings.RETENTION_AUDIT_MONTHS = -1  # a cutoff next month: every event is "old"
    html = client.get(reverse("governance:retention_review")).content.decode()
    assert "older than -1 months" in html
    assert "never deletes" in html
