"""Diversion courses: what the course provider records on a conditional caution, and the
daily check of missed course deadlines."""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.notifications import notify

from ..models import CautionStatus, ConditionalCaution
from .errors import PatrolRuleError

# --- Diversion courses -------------------------------------------------------------------

# What the course provider records, and from which status.
COURSE_STEPS = {
    CautionStatus.BOOKED: {CautionStatus.ISSUED, CautionStatus.DID_NOT_ATTEND},
    CautionStatus.ATTENDED: {CautionStatus.BOOKED},
    CautionStatus.COMPLETED: {CautionStatus.ATTENDED},
    CautionStatus.DID_NOT_ATTEND: {CautionStatus.BOOKED},
}
FINISHED_COURSE = {CautionStatus.COMPLETED, CautionStatus.BREACHED}


@transaction.atomic
def record_course_outcome(caution: ConditionalCaution, status: str, by: User) -> None:
    """The provider books the course and records attendance; police see it on the caution."""
    caution = ConditionalCaution.objects.select_for_update().get(pk=caution.pk)
    referral = getattr(caution, "referral", None)
    if referral is not None and referral.status in {"closed", "declined", "withdrawn"}:
        raise PatrolRuleError(f"The course referral is {referral.get_status_display().lower()}.")
    if caution.status not in COURSE_STEPS.get(status, set()):
        raise PatrolRuleError(
            f"A course that is {caution.get_status_display().lower()} cannot be marked "
            f"{CautionStatus(status).label.lower()}."
        )
    caution.status = status
    caution.status_changed_at = timezone.now()
    caution.save(update_fields=["status", "status_changed_at"])


@transaction.atomic
def flag_missed_deadlines(today: dt.date) -> int:
    """Cautions whose course deadline has passed without completion become breached, and
    the arresting officer is told to follow up. Idempotent: a breached caution stays so."""
    missed = list(
        ConditionalCaution.objects.select_for_update()
        .filter(deadline__lt=today)
        .exclude(status__in=FINISHED_COURSE)
        .select_related("arrest__arresting_officer")
    )
    for caution in missed:
        caution.status = CautionStatus.BREACHED
        caution.status_changed_at = timezone.now()
        caution.save(update_fields=["status", "status_changed_at"])
        notify(
            [caution.arrest.arresting_officer],
            f"A conditional caution given on {caution.given_on:%d %b %Y} was breached: "
            "the diversion course was not completed by its deadline.",
            reverse("patrols:detail", args=[caution.arrest.patrol.uuid]),
        )
    return len(missed)
