"""A woman as a data subject: her person record and every record linked to it as the
same woman, with encounters, referrals (history, notes, moves, any course), her
safeguarding record, possible duplicates, retention decisions and the audit trail — in a
fixed number of queries, leaving out what the request withholds."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, Q

from governance.models import SubjectAccessRequest
from patrols.models import Encounter, PartnerConcern
from referrals.models import (
    Person,
    PossibleDuplicate,
    Referral,
    ReferralMove,
    ReferralNote,
    ReferralStatusChange,
)

from . import common, sections
from . import safeguarding as safeguarding_section


def linked_people(person: Person) -> list[Person]:
    """The person and every record linked to her (links are one level deep)."""
    root_id = person.same_as_id or person.pk
    return list(
        Person.objects.filter(Q(pk=root_id) | Q(same_as_id=root_id))
        .select_related("area", "created_by", "same_as")
        .order_by("first_seen", "pk")
    )


def gather(person: Person, sar: SubjectAccessRequest, by) -> tuple[dict, list]:
    """The export's data and the root records it discloses (the person records)."""
    show = sections.shown(sar.subject_type, sar.withheld_sections)
    names = common.Names(sar.include_staff_names)
    people = linked_people(person)
    referrals = _referrals(people, show)
    data = common.header(sar, by, names)
    data["people"] = [_person(p, show, names) for p in people]
    data["referrals"] = [_referral(r, show, names) for r in referrals]
    related = [*people, *referrals, *_children(referrals, show)]
    if "encounters" in show:
        encounters = _encounters(people)
        data["encounters"] = [_encounter(e) for e in encounters]
        related += encounters
    if "possible_duplicates" in show:
        flags = _flags(people)
        data["possible_duplicates"] = [_flag(f, names) for f in flags]
        related += flags
    if "partner_concerns" in show:
        concerns = _concerns(people)
        data["partner_concerns"] = [_concern(c, names) for c in concerns]
        related += concerns
    if "safeguarding" in show:
        data["safeguarding"], rows = safeguarding_section.gather(people, names)
        related += rows
    if "retention_decisions" in show:
        data["retention_decisions"] = common.decisions([*people, *referrals], names)
    if "audit_trail" in show:
        data["audit_trail"] = common.trail(related, names)
    return data, people


def _encounters(people: list[Person]) -> list[Encounter]:
    return list(
        Encounter.objects.filter(person__in=people)
        .select_related("person", "patrol__area", "patrol__ward", "hotspot")
        .order_by("occurred_at", "pk")
    )


def _referrals(people: list[Person], show: frozenset[str]) -> list[Referral]:
    prefetches = [Prefetch("history", ReferralStatusChange.objects.select_related("changed_by"))]
    if "referral_notes" in show:
        prefetches.append(Prefetch("notes", ReferralNote.objects.select_related("author")))
    if "referral_moves" in show:
        moves = ReferralMove.objects.select_related("from_agency", "to_agency", "moved_by")
        prefetches.append(Prefetch("moves", moves))
    return list(
        Referral.objects.filter(person__in=people)
        .select_related("person", "agency", "referred_by", "consent_recorded_by", "caution")
        .prefetch_related(*prefetches)
        .order_by("made_at", "pk")
    )


def _flags(people: list[Person]) -> list[PossibleDuplicate]:
    return list(
        PossibleDuplicate.objects.filter(Q(person__in=people) | Q(other__in=people))
        .select_related("person", "other", "decided_by")
        .order_by("flagged_at", "pk")
    )


def _concerns(people: list[Person]) -> list[PartnerConcern]:
    return list(
        PartnerConcern.objects.filter(person__in=people)
        .select_related("person", "agency", "area", "sent_by")
        .order_by("sent_at", "pk")
    )


def _concern(c: PartnerConcern, names: common.Names) -> dict:
    """What she shared and how she agreed; the description of the man or vehicle is about
    someone else (s.45(4)(e)), and the police grading is not hers to see."""
    return {
        "record": str(c.uuid),
        "person": str(c.person.uuid),
        "sent_at": c.sent_at,
        "agency": str(c.agency),
        "sent_by": names(c.sent_by),
        "area": str(c.area),
        "occurred_on": c.occurred_on,
        "kind": c.get_kind_display(),
        "details": c.details,
        "consent": f"{c.get_consent_method_display()}, {c.consent_given_on:%d %b %Y}",
        "received_at": c.received_at,
    }


def _children(referrals: list[Referral], show: frozenset[str]) -> Iterable:
    for referral in referrals:
        yield from referral.history.all()
        if "referral_notes" in show:
            yield from referral.notes.all()
        if "referral_moves" in show:
            yield from referral.moves.all()
        if referral.caution_id:
            yield referral.caution


def _person(p: Person, show: frozenset[str], names: common.Names) -> dict:
    data = {
        "record": str(p.uuid),
        "working_name": p.working_name,
        "description": p.description,
        "age_band": p.get_age_band_display(),
        "first_seen": p.first_seen,
        "area": str(p.area),
        "same_as": str(p.same_as.uuid) if p.same_as_id else None,
        "created_by": names(p.created_by),
        "created_at": p.created_at,
        "review_on": p.review_on,
        "erased_at": p.erased_at,
    }
    if "police_notes" in show:
        data["police_notes"] = p.police_notes
    return data


def _encounter(e: Encounter) -> dict:
    return {
        "record": str(e.uuid),
        "person": str(e.person.uuid),
        "occurred_at": e.occurred_at,
        "area": str(e.patrol.area),
        "ward": str(e.patrol.ward),
        "hotspot": str(e.hotspot) if e.hotspot_id else "",
        "location": e.location,
        "engaged": e.engaged,
        "new_to_area": e.new_to_area,
        "notes": e.notes,
    }


def _referral(r: Referral, show: frozenset[str], names: common.Names) -> dict:
    notes = "referral_notes" in show
    data = {
        "record": str(r.uuid),
        "person": str(r.person.uuid),
        "agency": str(r.agency),
        "service": r.get_service_display(),
        "status": r.get_status_display(),
        "made_at": r.made_at,
        "referred_by": names(r.referred_by),
        "consent_method": r.get_consent_method_display(),
        "consent_given_at": r.consent_given_at,
        "consent_recorded_by": names(r.consent_recorded_by),
        "closed_outcome": r.get_closed_outcome_display(),
        "decline_reason": r.get_decline_reason_display(),
        "review_on": r.review_on,
        "erased_at": r.erased_at,
        "history": [step(s, names, notes) for s in r.history.all()],
        "caution": _caution(r.caution) if r.caution_id else None,
    }
    if notes:
        data["decline_detail"] = r.decline_detail
        data["notes"] = [note(n, names) for n in r.notes.all()]
    if "referral_moves" in show:
        data["moves"] = [_move(m, names) for m in r.moves.all()]
    return data


def step(s: ReferralStatusChange, names: common.Names, with_note: bool) -> dict:
    data = {
        "from": s.get_from_status_display(),
        "to": s.get_to_status_display(),
        "by": names(s.changed_by),
        "at": s.changed_at,
    }
    if with_note:
        data["note"] = s.note
    return data


def note(n: ReferralNote, names: common.Names) -> dict:
    return {"by": names(n.author), "at": n.written_at, "text": n.text}


def _move(m: ReferralMove, names: common.Names) -> dict:
    return {
        "from": str(m.from_agency),
        "to": str(m.to_agency),
        "by": names(m.moved_by),
        "at": m.moved_at,
        "reason": m.reason,
    }


def _caution(caution) -> dict:
    return {
        "record": str(caution.uuid),
        "given_on": caution.given_on,
        "deadline": caution.deadline,
        "status": caution.get_status_display(),
        "booking_name": caution.booking_name,
        "booking_contact": caution.booking_contact,
    }


def _flag(f: PossibleDuplicate, names: common.Names) -> dict:
    return {
        "person": str(f.person.uuid),
        "other": str(f.other.uuid),
        "reason": f.reason,
        "flagged_at": f.flagged_at,
        "status": f.get_status_display(),
        "decided_by": names(f.decided_by),
        "decided_at": f.decided_at,
    }
