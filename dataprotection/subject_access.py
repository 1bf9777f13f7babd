"""Subject access: everything held about one person, with the audit trail of who read
or changed each record, for the project lead to answer a request (DPA 2018 s.45).

``gather`` reads it all in a fixed number of queries; ``as_json`` and ``as_pdf`` write it
out. The person is the whole group of records a sergeant linked as the same woman.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone

from core.pdf import render_pdf
from governance import audit
from governance.models import AuditEvent, RetentionDecision, object_key
from patrols.models import Encounter
from referrals.models import (
    Person,
    PossibleDuplicate,
    Referral,
    ReferralMove,
    ReferralNote,
    ReferralStatusChange,
)


def _name(user) -> str:
    return user.get_username() if user else ""


def linked_people(person: Person) -> list[Person]:
    """The person and every record linked to her (links are one level deep)."""
    root_id = person.same_as_id or person.pk
    return list(
        Person.objects.filter(Q(pk=root_id) | Q(same_as_id=root_id))
        .select_related("area", "created_by", "same_as")
        .order_by("first_seen", "pk")
    )


def gather(person: Person, by) -> dict:
    """Everything held about the person and her linked records, as plain data."""
    people = linked_people(person)
    encounters = list(
        Encounter.objects.filter(person__in=people)
        .select_related("person", "patrol__area", "patrol__ward", "hotspot")
        .order_by("occurred_at", "pk")
    )
    referrals = list(
        Referral.objects.filter(person__in=people)
        .select_related("person", "agency", "referred_by", "consent_recorded_by", "caution")
        .prefetch_related(
            Prefetch("history", ReferralStatusChange.objects.select_related("changed_by")),
            Prefetch("notes", ReferralNote.objects.select_related("author")),
            Prefetch(
                "moves", ReferralMove.objects.select_related("from_agency", "to_agency", "moved_by")
            ),
        )
        .order_by("made_at", "pk")
    )
    flags = list(
        PossibleDuplicate.objects.filter(Q(person__in=people) | Q(other__in=people))
        .select_related("person", "other", "decided_by")
        .order_by("flagged_at", "pk")
    )
    related = [*people, *encounters, *referrals, *flags, *_children(referrals)]
    return {
        "generated_at": timezone.now(),
        "generated_by": _name(by),
        "subject": str(person.uuid),
        "people": [_person(p) for p in people],
        "encounters": [_encounter(e) for e in encounters],
        "referrals": [_referral(r) for r in referrals],
        "possible_duplicates": [_flag(f) for f in flags],
        "retention_decisions": _decisions(people, referrals),
        "audit_trail": _trail(related),
    }


def _children(referrals: list[Referral]) -> Iterable:
    for referral in referrals:
        yield from referral.history.all()
        yield from referral.notes.all()
        yield from referral.moves.all()
        if referral.caution_id:
            yield referral.caution


def _person(p: Person) -> dict:
    return {
        "record": str(p.uuid),
        "working_name": p.working_name,
        "description": p.description,
        "age_band": p.get_age_band_display(),
        "first_seen": p.first_seen,
        "area": str(p.area),
        "police_notes": p.police_notes,
        "same_as": str(p.same_as.uuid) if p.same_as_id else None,
        "created_by": _name(p.created_by),
        "created_at": p.created_at,
        "review_on": p.review_on,
        "erased_at": p.erased_at,
    }


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


def _referral(r: Referral) -> dict:
    caution = r.caution if r.caution_id else None
    return {
        "record": str(r.uuid),
        "person": str(r.person.uuid),
        "agency": str(r.agency),
        "service": r.get_service_display(),
        "status": r.get_status_display(),
        "made_at": r.made_at,
        "referred_by": _name(r.referred_by),
        "consent_method": r.get_consent_method_display(),
        "consent_given_at": r.consent_given_at,
        "consent_recorded_by": _name(r.consent_recorded_by),
        "closed_outcome": r.get_closed_outcome_display(),
        "decline_reason": r.get_decline_reason_display(),
        "decline_detail": r.decline_detail,
        "review_on": r.review_on,
        "erased_at": r.erased_at,
        "history": [
            {
                "from": s.get_from_status_display(),
                "to": s.get_to_status_display(),
                "by": _name(s.changed_by),
                "at": s.changed_at,
                "note": s.note,
            }
            for s in r.history.all()
        ],
        "notes": [
            {"by": _name(n.author), "at": n.written_at, "text": n.text} for n in r.notes.all()
        ],
        "moves": [
            {
                "from": str(m.from_agency),
                "to": str(m.to_agency),
                "by": _name(m.moved_by),
                "at": m.moved_at,
                "reason": m.reason,
            }
            for m in r.moves.all()
        ],
        "caution": None
        if caution is None
        else {
            "record": str(caution.uuid),
            "given_on": caution.given_on,
            "deadline": caution.deadline,
            "status": caution.get_status_display(),
            "booking_name": caution.booking_name,
            "booking_contact": caution.booking_contact,
        },
    }


def _flag(f: PossibleDuplicate) -> dict:
    return {
        "person": str(f.person.uuid),
        "other": str(f.other.uuid),
        "reason": f.reason,
        "flagged_at": f.flagged_at,
        "status": f.get_status_display(),
        "decided_by": _name(f.decided_by),
        "decided_at": f.decided_at,
    }


def _decisions(people, referrals) -> list[dict]:
    wanted = Q(object_type=Person._meta.label_lower, object_id__in=[p.pk for p in people]) | Q(
        object_type=Referral._meta.label_lower, object_id__in=[r.pk for r in referrals]
    )
    keys = {(obj._meta.label_lower, obj.pk): str(obj.uuid) for obj in [*people, *referrals]}
    return [
        {
            "record": keys.get((d.object_type, d.object_id), ""),
            "record_type": d.object_type,
            "decision": d.get_decision_display(),
            "by": _name(d.decided_by),
            "at": d.decided_at,
            "reason": d.reason,
            "next_review_on": d.next_review_on,
        }
        for d in RetentionDecision.objects.filter(wanted)
        .select_related("decided_by")
        .order_by("decided_at", "pk")
    ]


def _trail(objects: list) -> list[dict]:
    """Every audit row about these records, oldest first, in one query."""
    keys: dict[str, set[str]] = {}
    for obj in objects:
        keys.setdefault(obj._meta.label_lower, set()).add(object_key(obj))
    wanted = Q(pk__in=[])
    for label, ids in keys.items():
        wanted |= Q(object_type=label, object_id__in=sorted(ids))
    events = AuditEvent.objects.filter(wanted).order_by("at", "id")
    return [
        {
            "at": e.at,
            "who": e.actor_username or "The system",
            "action": e.action,
            "record_type": e.object_type,
            "record": e.object_id,
            "changes": e.changes,
            "detail": e.detail,
        }
        for e in events
    ]


# --- Writing it out ----------------------------------------------------------------------


def as_json(data: dict) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()


def as_pdf(data: dict) -> bytes:
    """The same data as a PDF; nothing is fetched over a network."""
    return render_pdf(render_to_string("governance/subject_access_pdf.html", {"data": data}))


def record_export(request, data: dict, what: str) -> None:
    """One ``exported`` row per person record in the export: the export is disclosed too."""
    label = Person._meta.label_lower
    AuditEvent.objects.bulk_create(
        audit.event("referrals.person.exported", request=request, object_type=label,
                    object_id=person["record"], detail=f"Subject access request: {what}")
        for person in data["people"]
    )  # fmt: skip
