"""Partners telling the police what they learn (issue 16, item 5): a partner sends a
concern, the police mark it received when a supervisor first opens it, and grade it as
intelligence of their own (3x5x2). Each change locks its row, checks its rules, and
writes its audit row; a refusal is a PatrolRuleError at the field it belongs to.

The wall: the partner's concern keeps the partner's words; everything the police add
(the grade, the grader, any rewording) lives on the IntelligenceReport, which no partner
page reads. The sergeants of the area are told in the app, with a link and no detail.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Area, Role, User
from accounts.notifications import notify
from core.permissions import has_permission
from governance import activity, audit
from partners.models import PartnerAgency
from referrals.models import Person

from ..models import HandlingCode, IntelligenceReport, PartnerConcern
from ..permissions import people_to_link
from .errors import PatrolRuleError

NEW_CONCERN_MESSAGE = "A partner agency has sent a concern in {area} for you to grade."


@dataclass(frozen=True)
class Concern:
    """What a partner sends: where, when, what kind, who and what, and the woman's consent
    (method and date) or ``anonymised``; ``person`` only with consent."""

    area: Area
    occurred_on: dt.date
    kind: str
    subject_description: str
    details: str
    anonymised: bool
    occurred_time: dt.time | None = None
    consent_method: str = ""
    consent_given_on: dt.date | None = None
    person: Person | None = None


@transaction.atomic
def send_concern(by: User, concern: Concern) -> PartnerConcern:
    agency = _active_agency(by)
    _check_fields(concern)
    _check_consent(by, concern)
    sent = PartnerConcern.objects.create(
        agency=agency,
        sent_by=by,
        sent_at=timezone.now(),
        area=concern.area,
        occurred_on=concern.occurred_on,
        occurred_time=concern.occurred_time,
        kind=concern.kind,
        subject_description=concern.subject_description.strip(),
        details=concern.details.strip(),
        anonymised=concern.anonymised,
        consent_method="" if concern.anonymised else concern.consent_method,
        consent_given_on=None if concern.anonymised else concern.consent_given_on,
        consent_recorded_by=None if concern.anonymised else by,
        person=None if concern.anonymised else concern.person,
    )
    audit.record("patrols.partnerconcern.sent", sent, user=by)
    activity.touched(sent)
    _tell_sergeants(sent)
    return sent


def _active_agency(by: User) -> PartnerAgency:
    """The sender's agency, locked, so that a deactivation waits for the sending."""
    agency = PartnerAgency.objects.select_for_update().filter(pk=by.agency_id).first()
    if by.role != Role.PARTNER or agency is None or not agency.active:
        raise PatrolRuleError("Only a user of an active partner agency can send a concern.")
    return agency


def _check_fields(concern: Concern) -> None:
    if not Area.objects.filter(pk=concern.area.pk).exists():
        raise PatrolRuleError("Choose a borough where the operation runs.", "area")
    now = timezone.localtime()
    if concern.occurred_on > now.date():
        raise PatrolRuleError("The date it happened cannot be in the future.", "occurred_on")
    late = concern.occurred_time and concern.occurred_time > now.time().replace(microsecond=0)
    if concern.occurred_on == now.date() and late:
        raise PatrolRuleError("The time it happened cannot be in the future.", "occurred_time")
    for field in ("subject_description", "details"):
        if not getattr(concern, field).strip():
            raise PatrolRuleError("Say who or what it is about, and what happened.", field)


def _check_consent(by: User, concern: Concern) -> None:
    """Consent recorded or anonymised, exactly one (the database checks it too)."""
    if concern.anonymised:
        if concern.consent_method or concern.consent_given_on or concern.person:
            raise PatrolRuleError(
                "An anonymised concern records no consent and links to no one.", "anonymised"
            )
        return
    if not concern.consent_method:
        raise PatrolRuleError(
            "Say how she agreed to share this, or send it anonymised.", "consent_method"
        )
    if concern.consent_given_on is None:
        raise PatrolRuleError("Enter the date she agreed.", "consent_given_on")
    if concern.consent_given_on > timezone.localdate():
        raise PatrolRuleError("The date she agreed cannot be in the future.", "consent_given_on")
    person = concern.person
    if person is not None and not people_to_link(by).filter(pk=person.pk).exists():
        raise PatrolRuleError("Choose a woman your agency holds a referral for.", "person")


def _tell_sergeants(concern: PartnerConcern) -> None:
    """In the app (and the generic e-mail): the borough and a link, nothing of the concern."""
    sergeants = User.objects.filter(
        role=Role.SERGEANT, is_active=True, areas=concern.area_id
    ).order_by("pk")
    url = reverse("patrols:concern", args=[concern.uuid])
    notify(list(sergeants), NEW_CONCERN_MESSAGE.format(area=concern.area), url)


# --- The police side ------------------------------------------------------------------------


def _lock(concern: PartnerConcern, by: User) -> PartnerConcern:
    """The concern's row, locked; only a supervisor of its area may act on it."""
    locked = PartnerConcern.objects.select_for_update().get(pk=concern.pk)
    allowed = has_permission(by, "patrols.grade_intelligence")
    if not allowed or not by.areas.filter(pk=locked.area_id).exists():
        raise PatrolRuleError("Only a supervisor of its borough can act on this concern.")
    return locked


@transaction.atomic
def mark_received(concern: PartnerConcern, by: User) -> PartnerConcern:
    """Received when a supervisor first opens it: once, whoever opens it later."""
    locked = _lock(concern, by)
    if locked.received_at is None:
        locked.received_at, locked.received_by = timezone.now(), by
        locked.save(update_fields=["received_at", "received_by"])
        audit.record("patrols.partnerconcern.received", locked, user=by)
    return locked


@transaction.atomic
def grade_concern(concern: PartnerConcern, by: User, grading: dict) -> IntelligenceReport:
    """The police intelligence record made from the concern: its subject and details as
    the grader words them, and the 3x5x2 grade. Once per concern."""
    locked = mark_received(concern, by)
    if IntelligenceReport.objects.filter(partner_concern=locked).exists():
        raise PatrolRuleError("This concern has already been graded.")
    if grading["handling_code"] == HandlingCode.CONDITIONS and not grading.get(
        "handling_conditions"
    ):
        raise PatrolRuleError("State the conditions for sharing (code C).", "handling_conditions")
    report = IntelligenceReport.objects.create(
        partner_concern=locked, submitted_by=by, submitted_at=timezone.now(), **grading
    )
    audit.record("patrols.partnerconcern.graded", locked, user=by)
    activity.touched(report)
    return report
