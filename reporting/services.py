"""Generated reports: asking for one, and the job that builds it — a job that always ends.

A request supersedes the current report of the same kind, area and period (kept, marked
superseded) and enqueues the build after commit. If the broker is down the request is
kept, pending ("queued" on the page), and the sweep enqueues it when the broker returns.

The build claims the report in one conditional UPDATE (pending, failed, or running for
longer than any build may run: its worker died), so a redelivered or duplicated message
builds it once. A build that outlives the soft time limit fails with that reason; a
worker killed mid-build leaves the report running, and ``sweep`` (every minute, by beat)
gives it back to the queue — up to ``MAX_ATTEMPTS`` times, then fails it with the reason.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Area
from accounts.notifications import notify
from core import jobs
from governance import audit
from governance.models import AuditEvent

from .models import GeneratedReport, ReportKind, ReportStatus
from .permissions import RULES

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# A pending report this old has had time to be picked up: its message may be lost.
QUEUE_GRACE = dt.timedelta(seconds=60)


def stale_after() -> dt.timedelta:
    """Longer than any build may run (the hard time limit kills it), plus a margin."""
    return dt.timedelta(seconds=settings.REPORT_HARD_TIME_LIMIT + 30)


class ReportRuleError(Exception):
    """A report that cannot be asked for now; the message says why."""


def request_report(
    kind: str, area, period_start: dt.date, period_end: dt.date, by=None
) -> GeneratedReport:
    """Ask for a report (a person, ``by``); it supersedes the current one of its period."""
    report = _locked_request(kind, area, period_start, period_end, by, unless_scheduled=False)
    transaction.on_commit(lambda: enqueue(report.pk))
    return report


def schedule_report(
    kind: str, area, period_start: dt.date, period_end: dt.date
) -> GeneratedReport | None:
    """The schedule's request: None if the schedule already asked for this period and it
    did not fail — so two beat processes, or a redelivered run, ask once."""
    report = _locked_request(kind, area, period_start, period_end, None, unless_scheduled=True)
    if report is not None:
        transaction.on_commit(lambda: enqueue(report.pk))
    return report


def _locked_request(kind, area, period_start, period_end, by, *, unless_scheduled: bool):
    period = {"kind": kind, "area": area, "period_start": period_start, "period_end": period_end}
    try:
        with transaction.atomic():
            # One request at a time per area: two at once would both supersede nothing
            # and collide on the one-current-report constraint.
            Area.objects.select_for_update().get(pk=area.pk)
            current = GeneratedReport.objects.filter(**period, superseded=False)
            scheduled = current.filter(requested_by__isnull=True).exclude(
                status=ReportStatus.FAILED
            )
            if unless_scheduled and scheduled.exists():
                return None
            current.update(superseded=True)
            return GeneratedReport.objects.create(**period, requested_by=by)
    except IntegrityError:
        raise ReportRuleError("This report was asked for at the same moment; try again.") from None


def enqueue(report_id: int) -> bool:
    """Send the build to the workers; a broker that is down leaves the report pending
    for the sweep (never an error for the person who asked)."""
    from .tasks import build_report

    return jobs.send(build_report, report_id, "Report")


def _claim(report_id: int) -> bool:
    now = timezone.now()
    claimable = Q(status__in=[ReportStatus.PENDING, ReportStatus.FAILED]) | Q(
        status=ReportStatus.RUNNING, started_at__lt=now - stale_after()
    )
    return bool(
        GeneratedReport.objects.filter(claimable, pk=report_id, superseded=False).update(
            status=ReportStatus.RUNNING,
            started_at=now,
            last_error="",
            attempts=F("attempts") + 1,
        )
    )


def build(report_id: int) -> None:
    """Build one report: pending → running → ready (or failed, with the reason)."""
    from celery.exceptions import SoftTimeLimitExceeded

    from .reports import builder_for

    if not _claim(report_id):
        return  # missing, superseded, already built or being built: nothing to do
    report = GeneratedReport.objects.select_related("area").get(pk=report_id)
    try:
        filename, data = builder_for(report.kind)(report)
    except SoftTimeLimitExceeded:
        limit = settings.REPORT_SOFT_TIME_LIMIT
        mark_failed(report.pk, f"The build took longer than {limit} seconds and was stopped.")
        return
    except OSError as error:  # transient (disk, fonts, broker): the task retries
        mark_failed(report.pk, _reason(error))
        raise
    except Exception as error:  # a bug or bad data: retrying would fail the same way
        mark_failed(report.pk, _reason(error))
        logger.error("Report %s failed: %s", report_id, type(error).__name__)
        return
    _finish(report, filename, data)


def _finish(report: GeneratedReport, filename: str, data: bytes) -> None:
    with transaction.atomic():
        report.file.save(filename, ContentFile(data), save=False)
        report.status = ReportStatus.READY
        report.finished_at = timezone.now()
        # ``disclosed``: set by the builder (the records about people in the file).
        report.save(update_fields=["file", "status", "finished_at", "disclosed"])
        announce_ready(report)


def record_download(report: GeneratedReport, request) -> None:
    """A download is a disclosure (s.62): one ``downloaded`` row for the file, and one
    ``disclosed`` row for each record about a person that the file holds, naming it."""
    audit.record("reporting.generatedreport.downloaded", report, request=request)
    detail = f"In the {report.get_kind_display().lower()} {report.uuid}"
    AuditEvent.objects.bulk_create(
        audit.event(
            f"{label}.disclosed", request=request, object_type=label, object_id=key,
            detail=detail,
        )
        for label, key in report.disclosed
    )  # fmt: skip


def announce_ready(report: GeneratedReport) -> None:
    """The schedule's weekly sheet is announced when its file exists, never before."""
    if report.kind != ReportKind.WEEKLY_DEPLOYMENT or report.requested_by_id is not None:
        return
    monday = report.period_start
    readers = report.area.users.filter(role__in=RULES["reporting.view_sheet"], is_active=True)
    notify(
        readers,
        f"The deployment sheet for {report.area}, week of {monday.day} {monday:%B %Y}, is ready.",
        f"{reverse('reporting:weekly_sheet')}?area={report.area_id}&week={monday:%Y-%m-%d}",
    )


def _reason(error: Exception) -> str:
    # The reason a person can read; never the data being reported on.
    return f"{type(error).__name__}: {error}"[:500]


def mark_failed(report_id: int, reason: str) -> None:
    """Record the failure, reconnecting once if the database connection was lost (a
    restart mid-build); if even that fails, the sweep reclaims the report later."""
    values = {
        "status": ReportStatus.FAILED,
        "last_error": reason or "Unknown error",
        "finished_at": timezone.now(),
    }
    jobs.update(GeneratedReport, report_id, values, "Report")


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Every minute: give reports whose worker died back to the queue (or fail them after
    ``MAX_ATTEMPTS``), and enqueue pending reports whose message may have been lost."""
    now = now or timezone.now()
    current = GeneratedReport.objects.filter(superseded=False)
    stale = current.filter(status=ReportStatus.RUNNING, started_at__lt=now - stale_after())
    gave_up = stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=ReportStatus.FAILED,
        last_error=f"The build was interrupted {MAX_ATTEMPTS} times; ask for the report again.",
        finished_at=now,
    )
    dead = list(stale.values_list("pk", flat=True))
    requeued = current.filter(pk__in=dead, status=ReportStatus.RUNNING).update(
        status=ReportStatus.PENDING
    )
    waiting = current.filter(status=ReportStatus.PENDING, created_at__lt=now - QUEUE_GRACE)
    sent = sum(enqueue(pk) for pk in {*dead, *waiting.values_list("pk", flat=True)})
    return {"failed": gave_up, "requeued": requeued, "enqueued": sent}
