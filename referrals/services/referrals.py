"""Referral workflows: making, sharing, working, noting and moving a referral, with the
rules every way in must obey.

Each refusal raises `ReferralRuleError` with a message a person can act on. Messages
name agencies and services, never the person referred. Every change locks the referral
(`lifecycle.locked`) and checks its rule against the status read after the lock, so two
changes made at once end in one consistent state and the second gets the rule's message.
"""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from guardian.shortcuts import assign_perm, remove_perm

from accounts.notifications import agency_users, notify
from governance import activity, audit
from partners.models import PartnerAgency, ServiceType

from ..models import (
    ClosedOutcome,
    DeclineReason,
    Person,
    Referral,
    ReferralMove,
    ReferralNote,
    ReferralStatus,
    ReferralStatusChange,
)
from .lifecycle import OPEN_STATUSES, ReferralRuleError, allowed_moves, locked, write_step


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
    if caution is not None:  # two referrals from one caution at once: the second waits
        type(caution).objects.select_for_update().filter(pk=caution.pk).first()
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
        arrived_at=made_at,  # its deadlines at the agency run from now
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
    referral = locked(referral)
    if to_status not in allowed_moves(referral, by):
        current = referral.get_status_display().lower()
        raise ReferralRuleError(f"A {current} referral cannot be moved to “{to_status}” by you.")
    if to_status == ReferralStatus.CLOSED and outcome not in ClosedOutcome.values:
        raise ReferralRuleError("Choose the outcome to close the referral.")
    if to_status == ReferralStatus.DECLINED and decline_reason not in DeclineReason.values:
        raise ReferralRuleError("Choose the reason the referral is declined.")
    write_step(referral, to_status, by, note=note)
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
    referral = locked(referral)  # a note waits for a move to another agency to finish
    return ReferralNote.objects.create(referral=referral, author=by, text=text)


@transaction.atomic
def move_referral(referral: Referral, to_agency: PartnerAgency, by, reason: str) -> None:
    """Give the referral to another agency: the first loses access in this same transaction."""
    referral = locked(referral)
    if referral.status not in OPEN_STATUSES:
        raise ReferralRuleError("Only an open referral can move to another agency.")
    if to_agency == referral.agency:
        raise ReferralRuleError("Choose a different agency.")
    if not reason.strip():
        raise ReferralRuleError("Give the reason for moving the referral.")
    _check_agency(to_agency, referral.service)
    previous = referral.agency
    move = ReferralMove.objects.create(
        referral=referral,
        from_agency=previous,
        to_agency=to_agency,
        moved_by=by,
        reason=reason.strip(),
    )
    revoke_from_agency(referral, previous)
    if referral.status != ReferralStatus.MADE:
        write_step(referral, ReferralStatus.MADE, by, note="Referred to another agency.")
    referral.agency = to_agency
    referral.arrived_at = move.moved_at  # its deadlines start again at the new agency
    referral.status = ReferralStatus.MADE
    referral.save(update_fields=["agency", "arrived_at", "status", "updated_at"])
    if referral.caution_id:  # the course is now booked with the new provider
        caution = type(referral.caution).objects.select_for_update().get(pk=referral.caution_id)
        caution.provider = to_agency
        caution.save(update_fields=["provider"])
    share_with_agency(referral, to_agency)
    notify(
        agency_users(to_agency),
        f"New referral for {referral.get_service_display().lower()}.",
        reverse("referrals:partner_detail", args=[referral.uuid]),
    )
