"""Erasing a record (called by ``retention.erase``): its personal fields blanked, and what
else that undoes:

- **grants**: every django-guardian permission any agency's group holds on the erased
  record (and, for a person, on her record), so no partner can still open it;
- **generated files**: the area's generated reports (reporting.GeneratedReport) whose
  period includes any of the record's dates may hold it. The simplest safe rule: their
  PDF is deleted (after the transaction commits), and the report is marked failed and
  superseded with the reason, so the lead can ask for it again and get one without it.

Both are called by ``retention.erase``, inside its transaction, and audited.

Generated reports also expire by age: ``expire_reports`` (the monthly retention job)
withdraws the same way every report built more than RETENTION_REPORT_MONTHS ago — the
row stays (failed, superseded, the reason in ``last_error``) so the list of reports and
the audit log still say what was built and when; the file is deleted.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from guardian.shortcuts import get_groups_with_perms, remove_perm

from governance import audit
from reporting.models import GeneratedReport, ReportStatus

EXPIRED = (
    "Deleted on {day:%d %b %Y}: built more than {months} months ago, past the retention "
    "period for generated reports. Ask for the report again if it is still needed."
)
WITHDRAWN = (
    "Withdrawn on {day:%d %b %Y}: a record in its period was erased under the retention "
    "review. Ask for the report again to build it without that record."
)


def revoke_grants(obj) -> int:
    """Remove every agency's object permissions on the record; one audit row per agency."""
    revoked = 0
    for group, perms in get_groups_with_perms(obj, attach_perms=True).items():
        for perm in perms:
            remove_perm(perm, group, obj)
            revoked += 1
        audit.record(f"{obj._meta.label_lower}.access_revoked", obj, detail=group.name)
    return revoked


def withdraw_reports(area_id: int | None, first: dt.date, last: dt.date) -> int:
    """Mark the area's current reports whose period meets [first, last] failed and
    superseded, and delete their files once the erasure commits. Returns how many."""
    if area_id is None:
        return 0
    reports = GeneratedReport.objects.select_for_update().filter(
        Q(period_start__lte=last, period_end__gte=first), area_id=area_id, superseded=False
    )
    reason = WITHDRAWN.format(day=timezone.localdate())
    return sum(_withdraw(report, reason, "withdrawn") for report in reports)


def expire_reports(today: dt.date) -> int:
    """Withdraw every report still holding a file built more than RETENTION_REPORT_MONTHS
    before today, current or superseded (the file deleted after commit, the row kept with
    the reason). Idempotent: a withdrawn report has no file and is not found again.
    Returns how many."""
    months = settings.RETENTION_REPORT_MONTHS
    cutoff = add_months(today, -months)
    built_before = Q(finished_at__date__lt=cutoff) | Q(
        finished_at__isnull=True, created_at__date__lt=cutoff
    )
    reports = GeneratedReport.objects.select_for_update().filter(built_before).exclude(file="")
    reason = EXPIRED.format(day=today, months=months)
    return sum(_withdraw(report, reason, "expired") for report in reports.order_by("pk"))


def _withdraw(report: GeneratedReport, reason: str, action: str) -> int:
    name, storage = report.file.name, report.file.storage
    report.status, report.superseded, report.last_error = ReportStatus.FAILED, True, reason
    report.file, report.web_page = "", ""
    report.save(update_fields=["status", "superseded", "last_error", "file", "web_page"])
    audit.record(f"reporting.generatedreport.{action}", report, detail=reason)
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    return 1


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (or earlier; the month's last day where it has fewer)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def dates_of(moments) -> tuple[dt.date, dt.date] | None:
    """The first and last day among these dates and datetimes (None if there are none)."""
    days = [
        timezone.localtime(m).date() if isinstance(m, dt.datetime) else m
        for m in moments
        if m is not None
    ]
    return (min(days), max(days)) if days else None
