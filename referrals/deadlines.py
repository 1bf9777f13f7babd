"""The deadlines an agency sets for its referrals, counted in working days from when a
referral reached it (core.working_days), and red/amber/green for each referral.

- *receive*: a referral still "made" after `receive_within_days`;
- *contact*: a referral still "made" or "received" after `contact_within_days`.
A deadline has passed when its last day has ended. Red: passed; amber: due today or the
next working day; green: later. Referrals past receipt show the contact deadline; final
and working referrals (contacted onwards) have none.

The same rules cut a list in SQL (`rag_q`): a deadline only moves later with the arrival,
so each state is one date bound per deadline, and a list is never filtered in Python.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from core.working_days import add_working_days, first_start_due_after, next_working_day

from .models import Deadline, ReferralStatus

S = ReferralStatus
# The statuses at which each deadline is still open.
PENDING = {Deadline.RECEIVE: (S.MADE,), Deadline.CONTACT: (S.MADE, S.RECEIVED)}
# The one deadline a referral at this status is measured against on the caseload.
SHOWN = {S.MADE: Deadline.RECEIVE, S.RECEIVED: Deadline.CONTACT}


class Rag:
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    CHOICES = [
        (RED, "Overdue"),
        (AMBER, "Due today or next working day"),
        (GREEN, "On time"),
    ]


@dataclass(frozen=True)
class DeadlineState:
    deadline: str
    due_on: dt.date
    rag: str

    @property
    def label(self) -> str:
        what = Deadline(self.deadline).label
        return {Rag.RED: f"{what}: overdue", Rag.AMBER: f"{what}: due soon"}.get(
            self.rag, f"{what}: on time"
        )

    @property
    def tag_class(self) -> str:
        return {Rag.RED: "govuk-tag--red", Rag.AMBER: "govuk-tag--yellow"}.get(
            self.rag, "govuk-tag--green"
        )


def with_arrival(referrals: QuerySet) -> QuerySet:
    """Each referral with `referred_at`: when it reached its current agency (its stored
    `arrived_at`: made, or the last move to it); its deadlines run from then."""
    return referrals.annotate(referred_at=F("arrived_at"))


def days_for(agency, deadline: str) -> int:
    if deadline == Deadline.RECEIVE:
        return agency.receive_within_days
    return agency.contact_within_days


def due_on(agency, deadline: str, arrived_at: dt.datetime) -> dt.date:
    return add_working_days(timezone.localdate(arrived_at), days_for(agency, deadline))


def rag_for(due: dt.date, today: dt.date) -> str:
    if due < today:
        return Rag.RED
    return Rag.AMBER if due <= next_working_day(today) else Rag.GREEN


def state_of(referral, agency, today: dt.date) -> DeadlineState | None:
    """The deadline the referral is measured against now, or None (working or final)."""
    deadline = SHOWN.get(referral.status)
    if deadline is None:
        return None
    due = due_on(agency, deadline, referral.referred_at)
    return DeadlineState(deadline, due, rag_for(due, today))


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def arrived_before_passing(agency, deadline: str, today: dt.date) -> dt.datetime:
    """Referrals that arrived before this moment have passed this deadline by `today`."""
    return _start_of(
        first_start_due_after(today - dt.timedelta(days=1), days_for(agency, deadline))
    )


def _arrived_before_green(agency, deadline: str, today: dt.date) -> dt.datetime:
    days = days_for(agency, deadline)
    return _start_of(first_start_due_after(next_working_day(today), days))


def overdue_q(agency, deadline: str, today: dt.date) -> Q:
    """Open at this deadline, and past it: the referrals to escalate."""
    return Q(status__in=PENDING[deadline]) & Q(
        referred_at__lt=arrived_before_passing(agency, deadline, today)
    )


def rag_q(agency, rag: str, today: dt.date) -> Q:
    """The referrals whose shown deadline (SHOWN) is at this state, as one condition."""
    condition = Q(pk__in=[])
    for status, deadline in SHOWN.items():
        red_before = arrived_before_passing(agency, deadline, today)
        green_from = _arrived_before_green(agency, deadline, today)
        window = {
            Rag.RED: Q(referred_at__lt=red_before),
            Rag.AMBER: Q(referred_at__gte=red_before, referred_at__lt=green_from),
            Rag.GREEN: Q(referred_at__gte=green_from),
        }[rag]
        condition |= Q(status=status) & window
    return condition
