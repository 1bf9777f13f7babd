"""What erasing a record also undoes, beyond blanking its fields (dataprotection.retention):

- **grants**: every django-guardian permission any agency's group holds on the erased
  record (and, for a person, on her record), so no partner can still open it;
- **generated files**: the area's generated reports (reporting.GeneratedReport) whose
  period includes any of the record's dates may hold it. The simplest safe rule: their
  PDF is deleted (after the transaction commits), and the report is marked failed and
  superseded with the reason, so the lead can ask for it again and get one without it.

Both are called by ``retention.erase``, inside its transaction, and audited.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from guardian.shortcuts import get_groups_with_perms, remove_perm

from governance import audit
from reporting.models import GeneratedReport, ReportStatus

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
    count = 0
    for report in reports:
        name, storage = report.file.name, report.file.storage
        report.status, report.superseded, report.last_error = ReportStatus.FAILED, True, reason
        report.file = ""
        report.save(update_fields=["status", "superseded", "last_error", "file"])
        audit.record("reporting.generatedreport.withdrawn", report, detail=reason)
        if name:
            transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        count += 1
    return count


def dates_of(moments) -> tuple[dt.date, dt.date] | None:
    """The first and last day among these dates and datetimes (None if there are none)."""
    days = [
        timezone.localtime(m).date() if isinstance(m, dt.datetime) else m
        for m in moments
        if m is not None
    ]
    return (min(days), max(days)) if days else None
