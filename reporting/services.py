"""Generated reports: asking for one, and the job that builds it.

A request supersedes the current report of the same kind, area and period (kept, marked
superseded) and enqueues the build after commit. The build is idempotent: a report that
is already ready, or has been superseded, is left alone.
"""

import datetime as dt
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .models import GeneratedReport, ReportStatus

logger = logging.getLogger(__name__)


@transaction.atomic
def request_report(
    kind: str, area, period_start: dt.date, period_end: dt.date, by=None
) -> GeneratedReport:
    GeneratedReport.objects.filter(
        kind=kind, area=area, period_start=period_start, period_end=period_end, superseded=False
    ).update(superseded=True)
    report = GeneratedReport.objects.create(
        kind=kind, area=area, period_start=period_start, period_end=period_end, requested_by=by
    )
    from .tasks import build_report

    transaction.on_commit(lambda: build_report.delay(report.pk))
    return report


def build(report_id: int) -> None:
    """Build one report: pending → running → ready (or failed, with the reason)."""
    from .reports import builder_for

    started = GeneratedReport.objects.filter(
        pk=report_id, superseded=False, status__in=[ReportStatus.PENDING, ReportStatus.FAILED]
    ).update(status=ReportStatus.RUNNING, started_at=timezone.now(), last_error="")
    if not started:
        return  # missing, superseded, already built or being built: nothing to do
    report = GeneratedReport.objects.select_related("area").get(pk=report_id)
    try:
        filename, data = builder_for(report.kind)(report)
    except OSError as error:  # transient (disk, fonts, broker): the task retries
        mark_failed(report, error)
        raise
    except Exception as error:  # a bug or bad data: retrying would fail the same way
        mark_failed(report, error)
        logger.error("Report %s failed: %s", report_id, type(error).__name__)
        return
    report.file.save(filename, ContentFile(data), save=False)
    report.status = ReportStatus.READY
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "status", "finished_at"])


def mark_failed(report: GeneratedReport, error: Exception) -> None:
    # The reason a person can read; never the data being reported on.
    report.status = ReportStatus.FAILED
    report.last_error = f"{type(error).__name__}: {error}"[:500] or "Unknown error"
    report.finished_at = timezone.now()
    report.save(update_fields=["status", "last_error", "finished_at"])
