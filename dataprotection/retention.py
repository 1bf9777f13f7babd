"""Retention and review: when a record about a person comes up for review, and what the
project lead decides then — keep it for another period (with a reason) or erase it.

Three kinds of record have a review date (``review_on``):
- a person: RETENTION_PERSON_MONTHS (six years, a Management of Police Information
  style review) after her latest encounter or referral, or the record's creation;
- an intelligence report: RETENTION_INTELLIGENCE_MONTHS after it was submitted;
- a referral: RETENTION_REFERRAL_MONTHS (a year) after it was closed, declined or
  withdrawn — the detail held for the partner agency; an open referral is never due.
A decision to keep a record pushes its date to the decision's ``next_review_on``; later
activity can only push it further. The services that create and change records call
``governance.activity.touched``, which reaches ``refresh``; the monthly job recomputes
every date first, so a record written another way (the admin, a script) is never missed.

Erasure blanks the personal fields and leaves the row, marked ``erased_at``, so every
count in the reports stays what it was. The audit log records that a record was erased,
never what it held. It also revokes every agency's grant on the record and withdraws the
area's generated reports whose period includes the record's dates (``erasure``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import Role, User
from governance import audit
from governance.models import Decision, RetentionDecision
from patrols.models import ConditionalCaution, Encounter, IntelligenceReport
from referrals.models import (
    Person,
    PossibleDuplicate,
    Referral,
    ReferralMove,
    ReferralNote,
    ReferralStatus,
    ReferralStatusChange,
)

from . import erasure

ERASED_NAME = "Erased record"
ERASED_TEXT = "Erased."  # for text the database requires to be non-empty
FINAL_STATUSES = (ReferralStatus.CLOSED, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN)


class RetentionError(Exception):
    """A decision that cannot be made; the message says why."""


@dataclass(frozen=True)
class Kind:
    key: str  # in URLs: /review/<key>/<uuid>/...
    model: type[models.Model]
    label: str  # singular, for people
    setting: str  # months until review

    @property
    def months(self) -> int:
        return getattr(settings, self.setting)

    @property
    def object_type(self) -> str:
        return self.model._meta.label_lower


PERSON = Kind("person", Person, "Person", "RETENTION_PERSON_MONTHS")
INTELLIGENCE = Kind(
    "intelligence", IntelligenceReport, "Intelligence report", "RETENTION_INTELLIGENCE_MONTHS"
)
REFERRAL = Kind("referral", Referral, "Referral", "RETENTION_REFERRAL_MONTHS")
KINDS: dict[str, Kind] = {kind.key: kind for kind in (PERSON, INTELLIGENCE, REFERRAL)}


def kind_of(obj) -> Kind:
    return next(kind for kind in KINDS.values() if isinstance(obj, kind.model))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day where it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


# --- Review dates ------------------------------------------------------------------------


def _latest(model, field: str, link: str, **filters) -> Subquery:
    rows = model.objects.filter(**{link: OuterRef("pk")}, **filters).order_by()
    return Subquery(rows.values(link).annotate(latest=Max(field)).values("latest")[:1])


def with_activity(kind: Kind, queryset=None):
    """The kind's records annotated with ``last_activity`` (a datetime: what starts the
    retention period; None for an open referral) and ``retained_until`` (the latest
    decision to keep it). One query however many records."""
    queryset = kind.model.objects.all() if queryset is None else queryset
    retained = _latest(
        RetentionDecision,
        "next_review_on",
        "object_id",
        object_type=kind.object_type,
        decision=Decision.RETAIN,
    )
    if kind is PERSON:
        activity = Greatest(
            "created_at",
            Coalesce(_latest(Encounter, "occurred_at", "person"), "created_at"),
            Coalesce(_latest(Referral, "made_at", "person"), "created_at"),
        )
    elif kind is INTELLIGENCE:
        activity = models.F("submitted_at")
    else:
        closed = _latest(
            ReferralStatusChange, "changed_at", "referral", to_status__in=FINAL_STATUSES
        )
        activity = models.Case(
            models.When(status__in=FINAL_STATUSES, then=Coalesce(closed, "updated_at")),
            default=None,
            output_field=models.DateTimeField(),
        )
    return queryset.annotate(last_activity=activity, retained_until=retained)


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
        rows = with_activity(each, queryset).filter(erased_at__isnull=True)
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


def in_areas(kind: Kind, areas) -> Q:
    """The records of the kind in these areas (a caution's referral: its patrol's area)."""
    if kind is PERSON:
        return Q(area__in=areas)
    if kind is INTELLIGENCE:
        return Q(patrol__area__in=areas)
    return Q(person__area__in=areas) | Q(
        person__isnull=True, caution__arrest__patrol__area__in=areas
    )


def area_of(kind: Kind) -> models.Expression:
    if kind is PERSON:
        return models.F("area__name")
    if kind is INTELLIGENCE:
        return models.F("patrol__area__name")
    return Coalesce("person__area__name", "caution__arrest__patrol__area__name")


def due(kind: Kind, areas, today: dt.date | None = None):
    """The kind's records in the areas whose review date has come, not yet erased."""
    today = today or timezone.localdate()
    return kind.model.objects.filter(
        in_areas(kind, areas), review_on__lte=today, erased_at__isnull=True
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
    ERASERS[kind.key](obj, by)
    _undo_elsewhere(kind, obj)
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


def _undo_elsewhere(kind: Kind, obj) -> None:
    """Grants on the record revoked, and the area's generated reports covering its dates
    withdrawn (dataprotection.erasure). Its dates are read after erasure: the rows that
    give them (encounters, referrals) stay."""
    erasure.revoke_grants(obj)
    if kind is PERSON:
        area_id = obj.area_id
        moments = [obj.created_at, obj.first_seen]
        moments += Encounter.objects.filter(person=obj).values_list("occurred_at", flat=True)
        moments += Referral.objects.filter(person=obj).values_list("made_at", flat=True)
    elif kind is INTELLIGENCE:
        area_id = obj.patrol.area_id if obj.patrol_id else None
        moments = [obj.submitted_at]
    else:
        area_id = obj.person.area_id if obj.person_id else _caution_area(obj)
        moments = [obj.made_at, obj.erased_at]
    span = erasure.dates_of(moments)
    if span:
        erasure.withdraw_reports(area_id, *span)


def _caution_area(referral: Referral) -> int | None:
    caution = ConditionalCaution.objects.filter(pk=referral.caution_id)
    return caution.values_list("arrest__patrol__area_id", flat=True).first()


def _mark_erased(obj, by, **blanks) -> None:
    for name, value in blanks.items():
        setattr(obj, name, value)
    obj.erased_at = timezone.now()
    obj.review_on = None
    # The automatic "changed" row lists these fields with their values masked.
    obj.save(update_fields=[*blanks, "erased_at", "review_on"])
    audit.record(f"{obj._meta.label_lower}.erased", obj, user=by)


def _blank(queryset, keys_field: str, **blanks) -> None:
    """Blank free text on related rows in one UPDATE (no signals), logged masked."""
    has_text = Q()
    for name in blanks:
        has_text |= ~Q(**{name: blanks[name]})
    rows = queryset.filter(has_text)
    keys = list(rows.values_list(keys_field, flat=True))
    if keys:
        rows.update(**blanks)
        changes = {name: (audit.MASKED, value) for name, value in blanks.items()}
        audit.changed_many(queryset.model, keys, changes)


def _erase_person(person: Person, by) -> None:
    """Her names and descriptions, and the free text of her encounters. Links to other
    records of the same woman are kept: they hold nothing personal, and cutting them
    would split her timeline and the count of women engaged."""
    _mark_erased(person, by, working_name=ERASED_NAME, description="", police_notes="")
    _blank(Encounter.objects.filter(person=person), "uuid", notes="", location="")
    # Flags name both records ("Same working name 'X'"): erase the text of both sides'.
    flags = PossibleDuplicate.objects.filter(Q(person=person) | Q(other=person))
    _blank(flags, "pk", reason=ERASED_NAME)
    for referral in Referral.objects.filter(person=person, erased_at__isnull=True):
        _erase_referral(referral, by)


def _erase_referral(referral: Referral, by) -> None:
    """Consent details, decline detail, notes, history notes, reasons for moves, and a
    caution's booking details (shared with the course provider)."""
    _mark_erased(
        referral,
        by,
        decline_detail="",
        consent_method="",
        consent_given_at=None,
        consent_recorded_by=None,
    )
    erasure.revoke_grants(referral)  # also when erased with the person it is about
    _blank(ReferralNote.objects.filter(referral=referral), "pk", text=ERASED_TEXT)
    _blank(ReferralStatusChange.objects.filter(referral=referral), "pk", note="")
    _blank(ReferralMove.objects.filter(referral=referral), "pk", reason=ERASED_TEXT)
    if referral.caution_id:
        cautions = ConditionalCaution.objects.filter(pk=referral.caution_id)
        _blank(cautions, "uuid", booking_name="", booking_contact="")


def _erase_intelligence(report: IntelligenceReport, by) -> None:
    _mark_erased(report, by, subject_description="", details="", handling_conditions="")


ERASERS = {
    PERSON.key: _erase_person,
    INTELLIGENCE.key: _erase_intelligence,
    REFERRAL.key: _erase_referral,
}


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
