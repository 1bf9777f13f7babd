"""What erasing a record blanks, kind by kind (called by ``retention.erase`` inside its
transaction, the record locked). The row stays, marked ``erased_at``, so every count
in the reports stays what it was; the audit log records that it was erased, never what
it held. ``undo_elsewhere`` then revokes grants and withdraws reports (``erasure``).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from governance import audit
from patrols.models import (
    Arrest,
    ConditionalCaution,
    Encounter,
    IntelligenceReport,
    PartnerConcern,
)
from referrals.models import (
    OnwardRoute,
    Person,
    PossibleDuplicate,
    Referral,
    ReferralMove,
    ReferralNote,
    ReferralStatusChange,
    RiskLevelChange,
    WarningMarker,
)

from . import erasure
from .kinds import (
    ARREST,
    ARREST_SERIOUS,
    CAUTION,
    CONCERN,
    INTELLIGENCE,
    PERSON,
    REFERRAL,
    Kind,
)

ERASED_NAME = "Erased record"
ERASED_TEXT = "Erased."  # for text the database requires to be non-empty


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
    """Her names and descriptions, and the free text of her encounters (encounters are
    reviewed with her: schedule "encounter"). Links to other records of the same woman
    are kept: they hold nothing personal, and cutting them would split her timeline and
    the count of women engaged."""
    _mark_erased(person, by, working_name=ERASED_NAME, description="", police_notes="")
    _blank(Encounter.objects.filter(person=person), "uuid", notes="", location="")
    # Flags name both records ("Same working name 'X'"): erase the text of both sides'.
    flags = PossibleDuplicate.objects.filter(Q(person=person) | Q(other=person))
    _blank(flags, "pk", reason=ERASED_NAME)
    for referral in Referral.objects.filter(person=person, erased_at__isnull=True):
        _erase_referral(referral, by)
    _erase_safeguarding(person)


def _erase_safeguarding(person: Person) -> None:
    """The words of her safeguarding record (reasons, NRM reference, routes named in
    words, notes); the levels, kinds, dates and who stay, as her referrals' statuses do."""
    _blank(RiskLevelChange.objects.filter(person=person), "uuid", reason=ERASED_TEXT)
    markers = WarningMarker.objects.filter(person=person)
    _blank(markers, "uuid", reason=ERASED_TEXT, end_reason="", nrm_reference="")
    routes = OnwardRoute.objects.filter(person=person)
    _blank(routes, "uuid", note="", end_reason="")
    _blank(routes.filter(referral__isnull=True), "uuid", service=ERASED_TEXT)


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


def _erase_concern(concern: PartnerConcern, by) -> None:
    """The partner's words and any link to a woman; the kind, borough and dates stay."""
    _mark_erased(concern, by, subject_description="", details="", person=None)


def _erase_arrest(arrest: Arrest, by) -> None:
    """The man's description, the custody reference that finds him, and the offence in
    words; the offence, outcome and dates stay for the counts. A caution given on the
    arrest is a record of its own, reviewed when its course ends."""
    _mark_erased(arrest, by, suspect_description="", custody_reference="", offence_detail="")


def _erase_caution(caution: ConditionalCaution, by) -> None:
    """The name and contact the course was booked under (shared with the provider)."""
    _mark_erased(caution, by, booking_name="", booking_contact="")


ERASERS = {
    PERSON.key: _erase_person,
    INTELLIGENCE.key: _erase_intelligence,
    CONCERN.key: _erase_concern,
    REFERRAL.key: _erase_referral,
    ARREST.key: _erase_arrest,
    ARREST_SERIOUS.key: _erase_arrest,
    CAUTION.key: _erase_caution,
}


def undo_elsewhere(kind: Kind, obj) -> None:
    """Grants on the record revoked, and the area's generated reports covering its dates
    withdrawn (dataprotection.erasure). Its dates are read after erasure: the rows that
    give them (encounters, referrals) stay."""
    erasure.revoke_grants(obj)
    area_id, moments = _area_and_dates(kind, obj)
    span = erasure.dates_of(moments)
    if span:
        erasure.withdraw_reports(area_id, *span)


def _area_and_dates(kind: Kind, obj) -> tuple[int | None, list]:
    if kind is PERSON:
        moments = [obj.created_at, obj.first_seen]
        moments += Encounter.objects.filter(person=obj).values_list("occurred_at", flat=True)
        moments += Referral.objects.filter(person=obj).values_list("made_at", flat=True)
        return obj.area_id, moments
    if kind is INTELLIGENCE:
        if obj.partner_concern_id:
            return obj.partner_concern.area_id, [obj.submitted_at]
        return (obj.patrol.area_id if obj.patrol_id else None), [obj.submitted_at]
    if kind is CONCERN:
        return obj.area_id, [obj.sent_at, obj.occurred_on]
    if kind in (ARREST, ARREST_SERIOUS):
        return obj.patrol.area_id, [obj.arrested_at]
    if kind is CAUTION:
        area_id = obj.arrest.patrol.area_id
        return area_id, [obj.given_on, obj.status_changed_at, obj.arrest.arrested_at]
    area_id = obj.person.area_id if obj.person_id else _caution_area(obj)
    return area_id, [obj.made_at, obj.erased_at]


def _caution_area(referral: Referral) -> int | None:
    caution = ConditionalCaution.objects.filter(pk=referral.caution_id)
    return caution.values_list("arrest__patrol__area_id", flat=True).first()
