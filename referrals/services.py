"""Referral workflows: making a referral, with the rules every way in must obey.

Each refusal raises `ReferralRuleError` with a message a person can act on. Messages
name agencies and services, never the person referred.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower, Trim
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from accounts.notifications import agency_users, notify
from governance import activity, audit
from partners.models import PartnerAgency, ServiceType

from .models import (
    AgeBand,
    ClosedOutcome,
    DeclineReason,
    DuplicateStatus,
    Person,
    PossibleDuplicate,
    Referral,
    ReferralMove,
    ReferralNote,
    ReferralStatus,
    ReferralStatusChange,
)

# The lifecycle: which status may follow which. Closed, declined and withdrawn are final.
TRANSITIONS: dict[str, set[str]] = {
    ReferralStatus.MADE: {
        ReferralStatus.RECEIVED,
        ReferralStatus.DECLINED,
        ReferralStatus.WITHDRAWN,
    },
    ReferralStatus.RECEIVED: {
        ReferralStatus.CONTACTED,
        ReferralStatus.DECLINED,
        ReferralStatus.WITHDRAWN,
    },
    ReferralStatus.CONTACTED: {
        ReferralStatus.ENGAGED,
        ReferralStatus.DECLINED,
        ReferralStatus.WITHDRAWN,
    },
    ReferralStatus.ENGAGED: {ReferralStatus.CLOSED, ReferralStatus.WITHDRAWN},
    ReferralStatus.CLOSED: set(),
    ReferralStatus.DECLINED: set(),
    ReferralStatus.WITHDRAWN: set(),
}
# The agency works a referral; the police can only withdraw it.
AGENCY_MOVES = {
    ReferralStatus.RECEIVED,
    ReferralStatus.CONTACTED,
    ReferralStatus.ENGAGED,
    ReferralStatus.CLOSED,
    ReferralStatus.DECLINED,
}
POLICE_MOVES = {ReferralStatus.WITHDRAWN}
OPEN_STATUSES = {
    ReferralStatus.MADE,
    ReferralStatus.RECEIVED,
    ReferralStatus.CONTACTED,
    ReferralStatus.ENGAGED,
}


class ReferralRuleError(Exception):
    """A referral that would break a rule of the operation; the message says which."""


@transaction.atomic
def make_referral(
    *,
    person: Person | None,
    agency: PartnerAgency,
    service: str,
    referred_by,
    made_at: dt.datetime,
    consent_method: str = "",
    consent_given_at: dt.datetime | None = None,
    consent_recorded_by=None,
    patrol=None,
    encounter=None,
    caution=None,
) -> Referral:
    """Refer a person (or a cautioned man, to the diversion course) to an agency.

    The referral and the first step of its history are written together or not at all.
    """
    _check_agency(agency, service)
    _check_basis(person, service, caution, consent_method, consent_given_at, consent_recorded_by)
    referral = Referral.objects.create(
        person=person,
        agency=agency,
        service=service,
        consent_method=consent_method,
        consent_given_at=consent_given_at,
        consent_recorded_by=consent_recorded_by,
        patrol=patrol,
        encounter=encounter,
        caution=caution,
        referred_by=referred_by,
        made_at=made_at,
    )
    ReferralStatusChange.objects.create(
        referral=referral,
        from_status="",
        to_status=ReferralStatus.MADE,
        changed_by=referred_by,
        changed_at=made_at,
    )
    share_with_agency(referral, agency)
    activity.touched(person)  # a referral is activity: her review date moves on
    notify(
        agency_users(agency),
        f"New referral for {ServiceType(service).label.lower()}.",
        reverse("referrals:partner_detail", args=[referral.uuid]),
    )
    return referral


def _check_agency(agency: PartnerAgency, service: str) -> None:
    if not agency.active:
        raise ReferralRuleError(f"{agency} is no longer an active partner agency.")
    if not agency.offers(service):
        label = ServiceType(service).label
        raise ReferralRuleError(f"{agency} does not offer {label.lower()}.")


def _check_basis(person, service, caution, consent_method, consent_given_at, recorded_by) -> None:
    """Consent, or for the diversion course a conditional caution, is the basis of a referral."""
    if caution is not None:
        if service != ServiceType.DIVERSION_COURSE:
            raise ReferralRuleError(
                "A conditional caution can only be the basis of a diversion-course referral."
            )
        if Referral.objects.filter(caution=caution).exists():
            raise ReferralRuleError("This conditional caution already has its referral.")
        return
    if person is None:
        raise ReferralRuleError("A referral needs the person referred.")
    if not (consent_method and consent_given_at and recorded_by):
        raise ReferralRuleError(
            "A referral needs the person's consent: record how and when it was given, and by whom."
        )


# --- What an agency may see: django-guardian grants to the agency's group ------------------

REFERRAL_PERMS = ("referrals.view_referral", "referrals.change_referral")


def share_with_agency(referral: Referral, agency: PartnerAgency) -> None:
    """The agency's group may view and work the referral, and view its person's shareable
    fields. Called inside the transaction that makes or moves the referral."""
    for perm in REFERRAL_PERMS:
        assign_perm(perm, agency.group, referral)
    audit.record("referrals.referral.shared", referral, detail=agency.name)
    if referral.person_id:
        assign_perm("referrals.view_person", agency.group, referral.person)
        audit.record("referrals.person.shared", referral.person, detail=agency.name)


def revoke_from_agency(referral: Referral, agency: PartnerAgency) -> None:
    for perm in REFERRAL_PERMS:
        remove_perm(perm, agency.group, referral)
    audit.record("referrals.referral.access_revoked", referral, detail=agency.name)
    others = Referral.objects.filter(person_id=referral.person_id, agency=agency).exclude(
        pk=referral.pk
    )
    if referral.person_id and not others.exists():
        remove_perm("referrals.view_person", agency.group, referral.person)
        audit.record("referrals.person.access_revoked", referral.person, detail=agency.name)


# --- Working a referral ----------------------------------------------------------------


def allowed_moves(referral: Referral, user) -> list[str]:
    """The statuses this user may move the referral to now, in lifecycle order."""
    mine = AGENCY_MOVES if user.is_partner else POLICE_MOVES
    return [s for s in ReferralStatus.values if s in TRANSITIONS[referral.status] & mine]


@transaction.atomic
def change_status(
    referral: Referral,
    to_status: str,
    by,
    *,
    outcome: str = "",
    decline_reason: str = "",
    decline_detail: str = "",
    note: str = "",
) -> None:
    """Move a referral on, if the lifecycle and the user's side allow it, and tell the
    referring officer."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if to_status not in allowed_moves(referral, by):
        current = referral.get_status_display().lower()
        raise ReferralRuleError(f"A {current} referral cannot be moved to “{to_status}” by you.")
    if to_status == ReferralStatus.CLOSED and outcome not in ClosedOutcome.values:
        raise ReferralRuleError("Choose the outcome to close the referral.")
    if to_status == ReferralStatus.DECLINED and decline_reason not in DeclineReason.values:
        raise ReferralRuleError("Choose the reason the referral is declined.")
    ReferralStatusChange.objects.create(
        referral=referral,
        from_status=referral.status,
        to_status=to_status,
        changed_by=by,
        changed_at=timezone.now(),
        note=note,
    )
    referral.status = to_status
    referral.closed_outcome = outcome if to_status == ReferralStatus.CLOSED else ""
    referral.decline_reason = decline_reason if to_status == ReferralStatus.DECLINED else ""
    referral.decline_detail = decline_detail if to_status == ReferralStatus.DECLINED else ""
    referral.save(
        update_fields=["status", "closed_outcome", "decline_reason", "decline_detail", "updated_at"]
    )
    activity.touched(referral)  # closed, declined or withdrawn: reviewed a year on
    if by != referral.referred_by:
        notify(
            [referral.referred_by],
            f"A referral to {referral.agency} is now {referral.get_status_display().lower()}.",
            reverse("referrals:detail", args=[referral.uuid]),
        )


@transaction.atomic
def add_note(referral: Referral, by, text: str) -> ReferralNote:
    text = text.strip()
    if not text:
        raise ReferralRuleError("Write the note before saving it.")
    return ReferralNote.objects.create(referral=referral, author=by, text=text)


@transaction.atomic
def move_referral(referral: Referral, to_agency: PartnerAgency, by, reason: str) -> None:
    """Give the referral to another agency: the first loses access in this same transaction."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status not in OPEN_STATUSES:
        raise ReferralRuleError("Only an open referral can move to another agency.")
    if to_agency == referral.agency:
        raise ReferralRuleError("Choose a different agency.")
    if not reason.strip():
        raise ReferralRuleError("Give the reason for moving the referral.")
    _check_agency(to_agency, referral.service)
    previous = referral.agency
    ReferralMove.objects.create(
        referral=referral,
        from_agency=previous,
        to_agency=to_agency,
        moved_by=by,
        reason=reason.strip(),
    )
    revoke_from_agency(referral, previous)
    if referral.status != ReferralStatus.MADE:
        ReferralStatusChange.objects.create(
            referral=referral, from_status=referral.status, to_status=ReferralStatus.MADE,
            changed_by=by, changed_at=timezone.now(), note="Referred to another agency.",
        )  # fmt: skip
    referral.agency = to_agency
    referral.status = ReferralStatus.MADE
    referral.save(update_fields=["agency", "status", "updated_at"])
    if referral.caution_id:  # the course is now booked with the new provider
        referral.caution.provider = to_agency
        referral.caution.save(update_fields=["provider"])
    share_with_agency(referral, to_agency)
    notify(
        agency_users(to_agency),
        f"New referral for {referral.get_service_display().lower()}.",
        reverse("referrals:partner_detail", args=[referral.uuid]),
    )


# --- People: possible duplicates ---------------------------------------------------------
# A woman known by a first name or a nickname is easily recorded twice. Possible
# duplicates are flagged for a sergeant; linking points the newer record at the older
# one and keeps both, so nothing recorded is ever merged away or deleted.


NAME_PREFIX_LENGTH = 4


def flag_possible_duplicates(person: Person) -> list[PossibleDuplicate]:
    """Flag the other records in the person's area that may be the same woman.

    A match is the same working name (ignoring case and surrounding spaces), or the same
    first four letters and the same known age band. Records already linked to her, and
    pairs already flagged in either order (whatever was decided), are left alone.
    """
    linked = _linked_ids(person)
    candidates = [other for other in _possible_matches(person) if other.pk not in linked]
    flagged = _already_flagged(person, candidates)
    return [
        PossibleDuplicate.objects.create(
            person=person, other=other, reason=_duplicate_reason(person, other)
        )
        for other in candidates
        if other.pk not in flagged
    ]


def _normalised(name: str) -> str:
    return name.strip().lower()


def _possible_matches(person: Person) -> list[Person]:
    name = _normalised(person.working_name)
    match = Q(normalised_name=name)
    prefix = name[:NAME_PREFIX_LENGTH]
    # "Not known" is no evidence: two records of unknown age do not match on age.
    if len(prefix) == NAME_PREFIX_LENGTH and person.age_band != AgeBand.UNKNOWN:
        match |= Q(normalised_name__startswith=prefix, age_band=person.age_band)
    return list(
        Person.objects.annotate(normalised_name=Lower(Trim("working_name")))
        .filter(match, area_id=person.area_id)
        .exclude(pk=person.pk)
        .select_related("area")
        .order_by("first_seen", "pk")
    )


def _linked_ids(person: Person) -> set[int]:
    root_id = person.same_as_id or person.pk
    linked = Person.objects.filter(Q(pk=root_id) | Q(same_as_id=root_id))
    return set(linked.values_list("pk", flat=True))


def _already_flagged(person: Person, candidates: list[Person]) -> set[int]:
    pairs = PossibleDuplicate.objects.filter(
        Q(person=person, other__in=candidates) | Q(other=person, person__in=candidates)
    ).values_list("person_id", "other_id")
    return {pk for pair in pairs for pk in pair} - {person.pk}


def _duplicate_reason(person: Person, other: Person) -> str:
    if _normalised(person.working_name) == _normalised(other.working_name):
        reason = f"Same working name '{person.working_name.strip()}' in {other.area}"
    else:
        reason = (
            f"Working names '{person.working_name.strip()}' and '{other.working_name.strip()}' "
            f"begin alike, both aged {person.get_age_band_display()}, in {other.area}"
        )
    max_length = PossibleDuplicate._meta.get_field("reason").max_length
    return reason if len(reason) <= max_length else reason[: max_length - 1] + "…"


@transaction.atomic
def decide_duplicate(flag: PossibleDuplicate, by, link: bool) -> PossibleDuplicate:
    """A sergeant's decision on a flag: the same woman (link the records) or not (dismiss).

    Linking sets the newer record's `same_as` to the older (by first seen, then key);
    records already linked to the newer one follow it, so every group stays one level
    deep and a timeline can gather it in one query.
    """
    flag = PossibleDuplicate.objects.select_for_update().get(pk=flag.pk)
    if flag.status != DuplicateStatus.OPEN:
        raise ReferralRuleError(
            f"This possible duplicate was already decided: {flag.get_status_display().lower()}."
        )
    if link:
        _link_records(flag.person_id, flag.other_id)
    flag.status = DuplicateStatus.LINKED if link else DuplicateStatus.DISMISSED
    flag.decided_by = by
    flag.decided_at = timezone.now()
    flag.save(update_fields=["status", "decided_by", "decided_at"])
    return flag


def _link_records(one_id: int, another_id: int) -> None:
    # The records and their groups' roots are locked and read afresh, so two decisions
    # made at once cannot leave a group two levels deep.
    roots = {person.same_as_id or person.pk for person in _locked({one_id, another_id})}
    if len(roots) == 1:
        return  # already one group, through earlier links
    older, newer = sorted(_locked(roots), key=lambda p: (p.first_seen, p.pk))
    if older.same_as_id or newer.same_as_id:
        raise ReferralRuleError("These records were linked by someone else just now. Try again.")
    followers = Person.objects.filter(same_as=newer)
    keys = list(followers.values_list("uuid", flat=True))
    followers.update(same_as=older)  # sends no signals: logged here
    audit.changed_many(Person, keys, {"same_as": (newer.pk, older.pk)})
    newer.same_as = older
    newer.save(update_fields=["same_as"])


def _locked(pks: set[int]) -> list[Person]:
    return list(Person.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
