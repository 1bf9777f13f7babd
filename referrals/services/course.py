"""The diversion course of a conditional caution, and the referral it drives.

The course provider records each step (booked, attended, completed, did not attend); the
daily job records the last one when a deadline passes (breached). Every step, whoever
takes it, goes through `_take_step`: the caution's status, the referral's status and
outcome, a history row the police and the provider both read, an audit row, and a word
to the referring officer, all in one transaction with the referral and the caution
locked (referral first, then caution, as `move_referral` does).

The caution lives in patrols, which sits above referrals: it is reached through the
referral's foreign key, never imported.
"""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.notifications import notify
from governance import activity, audit

from ..models import ClosedOutcome, CourseStatus, Referral, ReferralStatus, ReferralStatusChange
from .lifecycle import COURSE_MOVES, OPEN_STATUSES, ReferralRuleError, locked, write_step

C = CourseStatus
# What the provider may record, and from which course status. A man who did not attend
# has his referral closed, so there is no booking again after it.
COURSE_STEPS: dict[str, set[str]] = {
    C.BOOKED: {C.ISSUED},
    C.ATTENDED: {C.BOOKED},
    C.COMPLETED: {C.ATTENDED},
    C.DID_NOT_ATTEND: {C.BOOKED},
}
FINISHED_COURSE = {C.COMPLETED, C.BREACHED}
# What each step does to the referral (through lifecycle.COURSE_MOVES): the status it moves
# to and, when that is closed, the outcome. Attending leaves the referral as it is.
REFERRAL_EFFECT: dict[str, tuple[str, str] | None] = {
    C.BOOKED: (ReferralStatus.ENGAGED, ""),
    C.ATTENDED: None,
    C.COMPLETED: (ReferralStatus.CLOSED, ClosedOutcome.COURSE_COMPLETED),
    C.DID_NOT_ATTEND: (ReferralStatus.CLOSED, ClosedOutcome.COURSE_NOT_ATTENDED),
    C.BREACHED: (ReferralStatus.CLOSED, ClosedOutcome.COURSE_DEADLINE_MISSED),
}


def caution_model():
    """patrols.ConditionalCaution, without importing the app above this one."""
    return Referral._meta.get_field("caution").related_model


def open_course_steps(referral: Referral) -> list[str]:
    """What the provider may record for the referral's course now, in course order."""
    if referral.caution_id is None or referral.status not in OPEN_STATUSES:
        return []
    status = referral.caution.status
    return [step for step, after in COURSE_STEPS.items() if status in after]


@transaction.atomic
def record_course_step(referral_or_caution, step: str, by, on: dt.date | None = None):
    """The provider records a step of the course `on` a day (today unless said)."""
    on = on or timezone.localdate()
    referral = locked(_referral_of(referral_or_caution))
    caution = _locked_caution(referral)
    if step not in COURSE_STEPS:
        raise ReferralRuleError("That is not a step of the diversion course.")
    if referral.status not in OPEN_STATUSES:
        current = referral.get_status_display().lower()
        raise ReferralRuleError(f"The course referral is {current}: nothing more can be recorded.")
    if caution.status not in COURSE_STEPS[step]:
        raise ReferralRuleError(
            f"A course that is {caution.get_status_display().lower()} cannot be marked "
            f"{CourseStatus(step).label.lower()}."
        )
    _check_date(caution, on)
    return _take_step(referral, caution, step, by, on)


def _referral_of(referral_or_caution) -> Referral:
    if isinstance(referral_or_caution, Referral):
        return referral_or_caution
    referral = Referral.objects.filter(caution=referral_or_caution).first()
    if referral is None:
        raise ReferralRuleError("This conditional caution has no course referral.")
    return referral


def _locked_caution(referral: Referral):
    if referral.caution_id is None:
        raise ReferralRuleError("This referral has no diversion course.")
    return caution_model().objects.select_for_update().get(pk=referral.caution_id)


def _check_date(caution, on: dt.date) -> None:
    if on > timezone.localdate():
        raise ReferralRuleError("The date of a course step cannot be in the future.")
    if on < caution.given_on:
        raise ReferralRuleError("The date of a course step cannot be before the caution.")


def _take_step(referral: Referral, caution, step: str, by, on: dt.date) -> ReferralStatusChange:
    """The caution, the referral, its history, the audit row and the officer's word."""
    to_status, outcome = _referral_move(referral, step)
    row = write_step(referral, to_status, by, course_step=step, course_step_on=on)
    caution.status = step
    caution.status_changed_at = timezone.now()
    # The caution is locked and fresh: saving every field writes the same (no mutate).
    caution.save(update_fields=["status", "status_changed_at"])  # pragma: no mutate
    activity.touched(caution)  # a course completed, missed or breached starts its review
    if to_status != referral.status:
        referral.status, referral.closed_outcome = to_status, outcome
        # Locked and fresh: saving every field writes the same (no mutate).
        referral.save(update_fields=["status", "closed_outcome", "updated_at"])  # pragma: no mutate
        activity.touched(referral)
    label = CourseStatus(step).label
    audit.record("referrals.referral.course_step", referral, user=by, detail=f"{label} {on}")
    _tell_officers(referral, caution, step, by, on)
    return row


def _referral_move(referral: Referral, step: str) -> tuple[str, str]:
    """Where the step takes the referral. A referral already closed, declined or
    withdrawn stays so (only the deadline job reaches here with one)."""
    effect = REFERRAL_EFFECT[step]
    unchanged = (referral.status, referral.closed_outcome)
    if effect is None or effect[0] == referral.status or referral.status not in OPEN_STATUSES:
        return unchanged
    if effect[0] not in COURSE_MOVES[referral.status]:
        raise ReferralRuleError(
            f"A {referral.get_status_display().lower()} referral cannot be "
            f"{ReferralStatus(effect[0]).label.lower()} by the course."
        )
    return effect


def _tell_officers(referral: Referral, caution, step: str, by, on: dt.date) -> None:
    """The referring officer (and, for a breach, the arresting officer): the step and its
    date, the agency, nothing about the man beyond what the officer's pages show."""
    if step == C.BREACHED:
        message = (
            f"A conditional caution given on {caution.given_on:%d %b %Y} was breached: "
            "the diversion course was not completed by its deadline."
        )
        recipients = {referral.referred_by, caution.arrest.arresting_officer}
    else:
        message = (
            f"Diversion course with {referral.agency}: "
            f"{CourseStatus(step).label.lower()} on {on:%d %b %Y}."
        )
        recipients = {referral.referred_by}
    if referral.status == ReferralStatus.CLOSED:
        message += f" The referral is closed: {referral.get_closed_outcome_display().lower()}."
    url = reverse("referrals:detail", args=[referral.uuid])
    notify(sorted(recipients - {by}, key=lambda user: user.pk), message, url)


# --- The daily job: missed deadlines ---------------------------------------------------


def flag_missed_deadlines(today: dt.date) -> int:
    """Cautions whose course deadline has passed without completion become breached and
    their referrals closed; the officers are told. Idempotent: a breached caution stays
    so and is not found again. One transaction per caution, so one failure stops no other."""
    due = (
        caution_model()
        .objects.filter(deadline__lt=today)
        .exclude(status__in=FINISHED_COURSE)
        .order_by("pk")
        .values_list("pk", flat=True)  # pragma: no mutate (no field names: the pk too)
    )
    return sum(breach(pk, today) for pk in list(due))


@transaction.atomic
def breach(caution_pk: int, today: dt.date) -> bool:
    """Breach one caution, if it is still due once locked (a provider may have recorded
    its completion meanwhile). True when it was breached now."""
    referral = Referral.objects.filter(caution_id=caution_pk).first()
    referral = locked(referral) if referral is not None else None
    caution = caution_model().objects.select_for_update().filter(pk=caution_pk).first()
    if caution is None or caution.status in FINISHED_COURSE or caution.deadline >= today:
        return False
    if referral is None:  # a caution recorded before courses had referrals
        caution.status, caution.status_changed_at = C.BREACHED, timezone.now()
        # The row is locked and fresh: saving every field writes the same (no mutate).
        caution.save(update_fields=["status", "status_changed_at"])  # pragma: no mutate
        activity.touched(caution)
        audit.record("patrols.conditionalcaution.breached", caution)
        return True
    _take_step(referral, caution, C.BREACHED, None, today)
    return True
