"""A patrol's lifecycle: the one table of the status changes a patrol may make, and the
services that make them (risk assessment, approval, deployment, cancelling, closing).

Every service here locks the patrol's row first (`lock`) and reads the status again under
the lock, so that two changes at the same moment (a revision and an approval, a revision
and a deployment, two approvals) end in one consistent state and the loser is told why.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from governance import audit

from ..models import Patrol, PatrolStatus, RiskAssessment
from .errors import PatrolRuleError

# From each status, the statuses a patrol may move to; anything else is refused everywhere.
TRANSITIONS: dict[str, set[str]] = {
    # A sergeant approves the risk assessment; a planner cancels.
    PatrolStatus.PLANNED: {PatrolStatus.APPROVED, PatrolStatus.CANCELLED},
    # Back to planned when the approval is withdrawn (the assessment revised, or the crew,
    # ward, hotspots or times changed); out on the night; or cancelled.
    PatrolStatus.APPROVED: {PatrolStatus.PLANNED, PatrolStatus.DEPLOYED, PatrolStatus.CANCELLED},
    # The work return is filed after the shift.
    PatrolStatus.DEPLOYED: {PatrolStatus.RETURNED},
    # The project lead (or a sergeant) has reviewed the return: the patrol is done with.
    PatrolStatus.RETURNED: {PatrolStatus.CLOSED},
    PatrolStatus.CLOSED: set(),
    PatrolStatus.CANCELLED: set(),
}

# While the plan may change: its crew, ward, hotspots, times, invitations and assessment.
EDITABLE = frozenset({PatrolStatus.PLANNED, PatrolStatus.APPROVED})

APPROVAL_WITHDRAWN = "patrols.patrol.approval_withdrawn"


def lock(patrol: Patrol) -> Patrol:
    """The patrol's row, locked until the transaction ends, as it is now in the database.
    Every patrols service that changes a patrol (or what it holds) takes this first."""
    return Patrol.objects.select_for_update().get(pk=patrol.pk)


def move(patrol: Patrol, to: str, action: str, **fields) -> None:
    """Change a (locked) patrol's status along TRANSITIONS, with any fields that change
    with it; any other move is refused, whoever asks (page, API, admin, task)."""
    if to not in TRANSITIONS[patrol.status]:
        raise PatrolRuleError(f"A {_label(patrol)} patrol cannot be {action}.")
    patrol.status = to
    for name, value in fields.items():
        setattr(patrol, name, value)
    patrol.save(update_fields=["status", *fields, "updated_at"])


def can_move(patrol: Patrol, to: str) -> bool:
    return to in TRANSITIONS[patrol.status]


def edit_refusal(patrol: Patrol) -> str:
    """Why the patrol's plan can no longer change; empty while it can."""
    if patrol.status in EDITABLE:
        return ""
    return f"A {_label(patrol)} patrol can no longer be changed."


def require_editable(patrol: Patrol) -> None:
    refusal = edit_refusal(patrol)
    if refusal:
        raise PatrolRuleError(refusal)


def withdraw_approval(patrol: Patrol, why: str) -> bool:
    """On a locked patrol: an approved plan that changed goes back to planned, and its
    assessment must be approved again before the patrol can deploy. True if withdrawn."""
    if patrol.status != PatrolStatus.APPROVED:
        return False
    assessment = RiskAssessment.objects.select_for_update().filter(patrol=patrol).first()
    if assessment is not None and assessment.is_approved:
        assessment.approved_by, assessment.approved_at = None, None
        assessment.save(update_fields=["approved_by", "approved_at"])
    move(patrol, PatrolStatus.PLANNED, "taken back to planned")
    audit.record(APPROVAL_WITHDRAWN, patrol, detail=why)
    return True


@transaction.atomic
def cancel(patrol: Patrol, reason: str) -> None:
    reason = reason.strip()
    if not reason:
        raise PatrolRuleError("Give the reason the patrol is cancelled.", field="reason")
    patrol = lock(patrol)
    move(patrol, PatrolStatus.CANCELLED, "cancelled", cancel_reason=reason)


@transaction.atomic
def record_risk_assessment(patrol: Patrol, hazards: str, controls: str, by: User) -> RiskAssessment:
    """Completing (or revising) the assessment withdraws any earlier approval."""
    patrol = lock(patrol)
    if patrol.status not in EDITABLE:
        raise PatrolRuleError(f"A {_label(patrol)} patrol cannot be risk-assessed.")
    withdraw_approval(patrol, "The risk assessment was revised.")
    assessment, _ = RiskAssessment.objects.update_or_create(
        patrol=patrol,
        defaults={
            "hazards": hazards,
            "controls": controls,
            "assessed_by": by,
            "assessed_at": timezone.now(),
            "approved_by": None,
            "approved_at": None,
        },
    )
    return assessment


@transaction.atomic
def approve_risk_assessment(patrol: Patrol, by: User) -> None:
    patrol = lock(patrol)
    if patrol.status == PatrolStatus.APPROVED:
        raise PatrolRuleError("The risk assessment is already approved.")
    assessment = RiskAssessment.objects.select_for_update().filter(patrol=patrol).first()
    if assessment is None:
        raise PatrolRuleError("Complete the risk assessment before it can be approved.")
    refusal = approver_refusal(patrol, assessment, by)
    if refusal:
        raise PatrolRuleError(refusal)
    move(patrol, PatrolStatus.APPROVED, "approved")
    assessment.approved_by = by
    assessment.approved_at = timezone.now()
    assessment.save(update_fields=["approved_by", "approved_at"])


def approver_refusal(patrol: Patrol, assessment: RiskAssessment, by: User) -> str:
    """Why `by` may not approve the assessment: where the area asks for a second pair of
    eyes (on by default), its author cannot approve it. Empty when they may."""
    if patrol.area.separate_approver and assessment.assessed_by_id == by.pk:
        return (
            f"{patrol.area} asks for someone other than the assessment's author to approve "
            "it: ask another sergeant."
        )
    return ""


def deploy_refusal(patrol: Patrol) -> str:
    """Why the patrol cannot be marked deployed yet; empty when it can."""
    assessment = RiskAssessment.objects.filter(patrol=patrol).first()
    if assessment is None or not assessment.is_approved:
        return "The patrol cannot deploy until its risk assessment is approved."
    day = timezone.localtime(patrol.starts_at).date()
    if timezone.localdate() < day:
        return f"The patrol can be marked deployed on its day ({day:%-d %B %Y}), not before."
    return ""


@transaction.atomic
def mark_deployed(patrol: Patrol) -> None:
    """Only a patrol with an approved risk assessment goes out, and not before its day."""
    patrol = lock(patrol)
    refusal = deploy_refusal(patrol)
    if refusal:
        raise PatrolRuleError(refusal)
    move(patrol, PatrolStatus.DEPLOYED, "deployed")


@transaction.atomic
def close_patrol(patrol: Patrol, by: User) -> None:
    """The return has been reviewed (the project lead's weekly review of returns against
    crime data): the patrol is closed and drops off the lists of work still to do."""
    patrol = lock(patrol)
    if patrol.status == PatrolStatus.DEPLOYED:
        raise PatrolRuleError("The patrol can be closed once its work return is filed.")
    move(patrol, PatrolStatus.CLOSED, "closed")
    audit.record("patrols.patrol.closed", patrol, user=by)


def _label(patrol: Patrol) -> str:
    return patrol.get_status_display().lower()
