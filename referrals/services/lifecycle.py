"""The referral lifecycle: which status may follow which, who may take each move, and the
two things every change does first and last (lock the row, write the history step)."""

import datetime as dt

from django.utils import timezone

from ..models import Referral, ReferralStatus, ReferralStatusChange


class ReferralRuleError(Exception):
    """A referral that would break a rule of the operation; the message says which."""


S = ReferralStatus
# Moves a person takes (the agency or the police): which status may follow which. Closed,
# declined and withdrawn are final.
TRANSITIONS: dict[str, set[str]] = {
    S.MADE: {S.RECEIVED, S.DECLINED, S.WITHDRAWN},
    S.RECEIVED: {S.CONTACTED, S.DECLINED, S.WITHDRAWN},
    S.CONTACTED: {S.ENGAGED, S.DECLINED, S.WITHDRAWN},
    S.ENGAGED: {S.CLOSED, S.WITHDRAWN},
    S.CLOSED: set(),
    S.DECLINED: set(),
    S.WITHDRAWN: set(),
}
# Moves a diversion course drives (referrals.services.course), never offered on a form:
# booking engages the man from wherever the referral had got to; the course's end (done,
# missed, or its deadline passed) closes the referral.
COURSE_MOVES: dict[str, set[str]] = {
    S.MADE: {S.ENGAGED, S.CLOSED},
    S.RECEIVED: {S.ENGAGED, S.CLOSED},
    S.CONTACTED: {S.ENGAGED, S.CLOSED},
    S.ENGAGED: {S.CLOSED},
    S.CLOSED: set(),
    S.DECLINED: set(),
    S.WITHDRAWN: set(),
}
# The agency works a referral; the police can only withdraw it.
AGENCY_MOVES = {S.RECEIVED, S.CONTACTED, S.ENGAGED, S.CLOSED, S.DECLINED}
POLICE_MOVES = {S.WITHDRAWN}
OPEN_STATUSES = {S.MADE, S.RECEIVED, S.CONTACTED, S.ENGAGED}


def allowed_moves(referral: Referral, user) -> list[str]:
    """The statuses this user may move the referral to now, in lifecycle order."""
    mine = AGENCY_MOVES if user.is_partner else POLICE_MOVES
    return [s for s in ReferralStatus.values if s in TRANSITIONS[referral.status] & mine]


def locked(referral: Referral) -> Referral:
    """The referral's row, locked until the transaction ends and read afresh: a rule is
    checked against the status as it is now, not as the page saw it. Call inside
    `transaction.atomic`; lock a referral before its caution, everywhere."""
    return Referral.objects.select_for_update().get(pk=referral.pk)


def write_step(
    referral: Referral,
    to_status: str,
    by,
    *,
    note: str = "",
    course_step: str = "",
    course_step_on: dt.date | None = None,
) -> ReferralStatusChange:
    """One row of the referral's history, from its current (locked) status."""
    return ReferralStatusChange.objects.create(
        referral=referral,
        from_status=referral.status,
        to_status=to_status,
        changed_by=by,
        changed_at=timezone.now(),
        note=note,
        course_step=course_step,
        course_step_on=course_step_on,
    )
