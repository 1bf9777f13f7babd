"""CI: a real Celery worker on Redis builds a real monthly report PDF (skipped without
REDIS_URL; see tests/conftest.py)."""

import datetime as dt
import time

import pytest

from reporting import services
from reporting.models import GeneratedReport, ReportKind, ReportStatus
from tests.factories import OfficerFactory, PatrolFactory, WardFactory

TIMEOUT = 60  # seconds: a cold worker imports matplotlib and WeasyPrint first


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_a_monthly_report(celery_worker_process, area):
    lead = OfficerFactory(role="project_lead", areas=[area])
    PatrolFactory(ward=WardFactory(area=area, name="Riverside"), status="closed")
    today = dt.date.today()
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    last = today.replace(day=1) - dt.timedelta(days=1)

    report = services.request_report(ReportKind.MONTHLY_TREND, area, first, last, by=lead)

    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in (ReportStatus.READY, ReportStatus.FAILED):
            break
        time.sleep(0.5)
    assert report.status == ReportStatus.READY, report.last_error or report.status
    assert report.started_at is not None
    assert report.finished_at >= report.started_at
    # The worker runs with the same environment, so the same storage finds its file.
    with report.file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert GeneratedReport.objects.filter(superseded=False).count() == 1
    report.file.delete(save=False)  # the worker wrote it under the shared MEDIA_ROOT
