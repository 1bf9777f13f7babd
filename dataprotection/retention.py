"""Retention and review: when a record comes up for review, and what the project lead
decides then — keep it for another period (with a reason) or erase it.

Every kind in ``kinds.KINDS`` has a review date (``review_on``), from ``schedule.py``:
- a person: RETENTION_PERSON_MONTHS after her latest encounter or referral, or the
  record's creation (her encounters are reviewed, and erased, with her);
- an intelligence report: RETENTION_INTELLIGENCE_MONTHS after it was submitted;
- a referral: RETENTION_REFERRAL_MONTHS after it was closed, declined or withdrawn — the
  detail held for the partner agency; an open referral is never due;
- an arrest: RETENTION_ARREST_MONTHS after it (MoPI group 3), or
  RETENTION_ARREST_SERIOUS_MONTHS for s.52, s.53 and brothel keeping (group 2);
- a conditional caution: RETENTION_CAUTION_MONTHS after its course was completed,
  missed or breached; a course still running is never due.
A decision to keep a record pushes its date to the decision's ``next_review_on``; later
activity can only push it further. The services that create and change records call
``governance.activity.touched``, which reaches ``refresh``; the monthly job recomputes
every date first, so a record written another way (the admin, a script) is never missed.

Erasure (``erasers``) blanks the personal fields and leaves the row, marked
``erased_at``, so every count in the reports stays what it was; it also revokes every
agency's grant on the record and withdraws the area's generated reports whose period
includes the record's dates (``erasure``). Generated reports expire by age
(``erasure.expire_reports``); audit events past their period are counted for the
controller (``old_audit_events``), never deleted here: the log is append-only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from accounts.models import Role, User
from governance import audit
from governance.models import AuditEvent, Decision, RetentionDecision

from . import erasers
from .erasers import ERASED_NAME, ERASED_TEXT
from .erasure import add_months
from .kinds import (
    ARREST,
    ARREST_SERIOUS,
    CAUTION,
    CONCERN,
    FINAL_STATUSES,
    INTELLIGENCE,
    KINDS,
    PERSON,
    REFERRAL,
    Kind,
    kind_of,
    latest,
)

__all__ = [  # the names other modules and the tests use from here
    "ARREST", "ARREST_SERIOUS", "CAUTION", "CONCERN", "ERASED_NAME", "ERASED_TEXT",
    "FINAL_STATUSES",
    "INTELLIGENCE", "KINDS", "PERSON", "REFERRAL", "Kind", "add_months", "kind_of",
]  # fmt: skip


class RetentionError(Exception):
    """A decision that cannot be made; the message says why."""


def _date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


# --- Review dates ------------------------------------------------------------------------


def with_activity(kind: Kind, queryset=None):
    """The kind's records annotated with ``last_activity`` (a datetime: what starts the
    retention period; None for an open referral or course) and ``retained_until`` (the
    latest decision to keep it). One query however many records."""
    queryset = kind.model.objects.filter(kind.scope) if queryset is None else queryset
    retained = latest(
        RetentionDecision,
        "next_review_on",
        "object_id",
        object_type=kind.object_type,
        decision=Decision.RETAIN,
    )
    return queryset.annotate(last_activity=kind.activity(), retained_until=retained)


def due_date(kind: Kind, last_activity: dt.datetime | None, retained_until: dt.date | None):
    """The review date: the period after the last activity, or the date the lead chose
    when keeping the record, whichever is later. None: nothing to review (an open
    referral)."""
    if last_activity is None:
        return None
    due = add_months(_date(last_activity), kind.months)
    return max(due, retained_until) if retained_until else due


def review_date_for(obj) -> dt.date | None:
    """The review date the record should have now (None once erased)."""
    kind = kind_of(obj)
    row = with_activity(kind).filter(pk=obj.pk, erased_at__isnull=True)
    values = row.values_list("last_activity", "retained_until").first()
    return due_date(kind, *values) if values else None


def refresh_review_dates(kind: Kind | None = None, queryset=None) -> int:
    """Recompute the review dates of the records (all of every kind by default); write
    only those that changed. Returns how many changed."""
    changed = 0
    for each in [kind] if kind else KINDS.values():
        rows = with_activity(each, queryset).filter(each.scope, erased_at__isnull=True)
        stale = [
            each.model(pk=pk, review_on=due)
            for pk, current, last, kept in rows.values_list(
                "pk", "review_on", "last_activity", "retained_until"
            ).iterator(chunk_size=2000)
            if (due := due_date(each, last, kept)) != current
        ]
        # A bookkeeping date, not a change to the record: no audit row (the decisions
        # that move it have their own).
        each.model.objects.bulk_update(stale, ["review_on"], batch_size=1000)
        changed += len(stale)
    return changed


def on_activity(sender, objects, **kwargs) -> None:
    """Receives ``governance.activity.record_activity``."""
    refresh(*objects)


def refresh(*objects) -> None:
    """Bring these records' review dates up to date after they (or their activity)
    changed. Called by the services that write them, in their transaction."""
    groups: dict[str, tuple[Kind, set[int]]] = {}
    for obj in objects:
        if obj is not None:
            kind = kind_of(obj)
            groups.setdefault(kind.key, (kind, set()))[1].add(obj.pk)
    for kind, pks in groups.values():
        refresh_review_dates(kind, kind.model.objects.filter(pk__in=pks))


# --- What is due, and for whom -----------------------------------------------------------


def area_of(kind: Kind):
    return kind.area_name()


def due(kind: Kind, areas, today: dt.date | None = None):
    """The kind's records in the areas whose review date has come, not yet erased."""
    today = today or timezone.localdate()
    return kind.model.objects.filter(
        kind.scope, kind.in_areas(areas), review_on__lte=today, erased_at__isnull=True
    )


def due_for(user, kind: Kind, today: dt.date | None = None):
    return due(kind, user.areas.all(), today)


def get_due_record(user, kind_key: str, uuid):
    """A record due for review in the user's areas, or None (the caller answers 404)."""
    kind = KINDS.get(kind_key)
    if kind is None:
        return None
    return with_activity(kind, due_for(user, kind)).filter(uuid=uuid).first()


# --- Decisions ---------------------------------------------------------------------------


@transaction.atomic
def retain(obj, by, reason: str) -> RetentionDecision:
    """Keep the record for another period from today, for the reason given."""
    reason = reason.strip()
    if not reason:
        raise RetentionError("Give the reason for keeping the record.")
    kind = kind_of(obj)
    obj = kind.model.objects.select_for_update().get(pk=obj.pk)
    if obj.erased_at is not None:
        raise RetentionError("This record has already been erased.")
    next_review = add_months(timezone.localdate(), kind.months)
    decision = RetentionDecision.objects.create(
        object_type=kind.object_type,
        object_id=obj.pk,
        decided_by=by,
        decision=Decision.RETAIN,
        reason=reason,
        next_review_on=next_review,
    )
    refresh(obj)
    # The reason may describe the person: it stays in the decision, not in the log.
    audit.record(f"{kind.object_type}.retained", obj, user=by,
                 detail=f"Kept until the review on {next_review:%d %b %Y}.")  # fmt: skip
    return decision


@transaction.atomic
def erase(obj, by, reason: str = "") -> RetentionDecision:
    """Blank the record's personal fields (and those of the records that hang off it),
    keep the row for the counts, and log that it was erased — never what it held."""
    kind = kind_of(obj)
    obj = kind.model.objects.select_for_update().get(pk=obj.pk)
    if obj.erased_at is not None:
        raise RetentionError("This record has already been erased.")
    erasers.ERASERS[kind.key](obj, by)
    erasers.undo_elsewhere(kind, obj)
    # Earlier reasons for keeping it may describe the person too.
    RetentionDecision.objects.filter(object_type=kind.object_type, object_id=obj.pk).exclude(
        reason=""
    ).update(reason=ERASED_TEXT)
    return RetentionDecision.objects.create(
        object_type=kind.object_type,
        object_id=obj.pk,
        decided_by=by,
        decision=Decision.ERASE,
        reason=reason.strip(),
    )


# --- The monthly job ---------------------------------------------------------------------


def count_due(areas, today: dt.date) -> int:
    return sum(due(kind, areas, today).count() for kind in KINDS.values())


def leads_to_tell(today: dt.date) -> Iterable[tuple[object, int]]:
    """Each active project lead with records due in their areas, and how many."""
    leads = User.objects.filter(role=Role.PROJECT_LEAD, is_active=True).order_by("pk")
    for lead in leads:
        count = count_due(lead.areas.all(), today)
        if count:
            yield lead, count


def old_audit_events(today: dt.date) -> dict:
    """How many audit events are older than RETENTION_AUDIT_MONTHS, and the oldest: the
    controller archives and purges them out of band with the database owner role (the
    application may not delete from the s.62 log). One query."""
    cutoff = add_months(today, -settings.RETENTION_AUDIT_MONTHS)
    start = timezone.make_aware(dt.datetime.combine(cutoff, dt.time.min))
    old = AuditEvent.objects.filter(at__lt=start)  # uses the index on "at"
    return {"cutoff": cutoff, **old.aggregate(count=Count("pk"), oldest=Min("at"))}
