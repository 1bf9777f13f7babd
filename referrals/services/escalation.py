"""Escalation: a referral that passed one of its agency's deadlines (deadlines.py) without
the step being recorded is reported, once per referral, deadline and arrival at the
agency, to the referring officer and to the agency's named contact (every active user of
the agency when it has none): in the app and by e-mail through the notification outbox.

The message names the agency and the deadline, never the person; the e-mail carries it
and a link (accounts.notifications). The escalation row and the notifications are written
in one transaction per referral, so a second run (or two workers at once: the unique
constraint) tells no one twice.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts.notifications import agency_users, notify
from governance import audit
from partners.models import PartnerAgency

from .. import deadlines
from ..models import Deadline, Referral, ReferralEscalation

MESSAGES = {
    Deadline.RECEIVE: "A referral to {agency} is overdue: not marked as received within "
    "{days} working days.",
    Deadline.CONTACT: "A referral to {agency} is overdue: no first contact recorded within "
    "{days} working days.",
}


def escalate_overdue(today: dt.date | None = None) -> int:
    """Daily: every referral past a deadline and not yet escalated for it; how many."""
    today = today or timezone.localdate()
    told = 0
    for agency in PartnerAgency.objects.select_related("contact_user"):
        for deadline in Deadline.values:
            for referral in _overdue(agency, deadline, today):
                told += _escalate(referral, agency, deadline)
    return told


def _overdue(agency, deadline: str, today: dt.date):
    rows = deadlines.with_arrival(Referral.objects.filter(agency=agency))
    told = ReferralEscalation.objects.filter(
        referral=OuterRef("pk"), deadline=deadline, arrived_at=OuterRef("referred_at")
    )
    rows = rows.filter(deadlines.overdue_q(agency, deadline, today), ~Exists(told))
    return rows.select_related("referred_by").only("uuid", "status", "made_at", "referred_by")


def _escalate(referral: Referral, agency: PartnerAgency, deadline: str) -> bool:
    due = deadlines.due_on(agency, deadline, referral.referred_at)
    try:
        with transaction.atomic():
            ReferralEscalation.objects.create(
                referral=referral,
                agency=agency,
                deadline=deadline,
                arrived_at=referral.referred_at,
                due_on=due,
            )
            _tell(referral, agency, deadline)
            audit.record(
                "referrals.referral.escalated",
                referral,
                detail=f"{Deadline(deadline).label} due {due.isoformat()}",
            )
    except IntegrityError:  # another run told them first
        return False
    return True


def _tell(referral: Referral, agency: PartnerAgency, deadline: str) -> None:
    message = MESSAGES[deadline].format(agency=agency, days=deadlines.days_for(agency, deadline))
    notify([referral.referred_by], message, reverse("referrals:detail", args=[referral.uuid]))
    contacts = [agency.contact_user] if _is_contact(agency) else agency_users(agency)
    notify(contacts, message, reverse("referrals:partner_detail", args=[referral.uuid]))


def _is_contact(agency: PartnerAgency) -> bool:
    contact = agency.contact_user
    return contact is not None and contact.is_active and contact.agency_id == agency.pk
