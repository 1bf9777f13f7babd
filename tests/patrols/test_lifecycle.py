"""The patrol lifecycle, edge by edge: the transition table itself, and each service that
moves a patrol, from every status (allowed where the table allows it, refused elsewhere
with PatrolRuleError and nothing changed)."""

import itertools

import pytest
from django.db import transaction

from governance.models import AuditEvent
from patrols import services
from patrols.models import Patrol, PatrolStatus, RiskAssessment
from patrols.services import PatrolRuleError
from tests.factories import PatrolFactory, WardFactory

from .cast import assess, crewed, local_pc_for

pytestmark = pytest.mark.django_db

S = PatrolStatus
# Written out here, not read from the code: a change to the table must change this too.
ALLOWED = {
    (S.PLANNED, S.APPROVED),
    (S.PLANNED, S.CANCELLED),
    (S.APPROVED, S.PLANNED),
    (S.APPROVED, S.DEPLOYED),
    (S.APPROVED, S.CANCELLED),
    (S.DEPLOYED, S.RETURNED),
    (S.RETURNED, S.CLOSED),
}
EDGES = list(itertools.product(S.values, S.values))


@pytest.fixture
def ward(area):
    return WardFactory(area=area)


def patrol_in(ward, status: str) -> Patrol:
    reason = "Synthetic reason." if status == S.CANCELLED else ""
    return PatrolFactory(ward=ward, status=status, cancel_reason=reason)


def test_the_table_holds_every_status():
    assert set(services.TRANSITIONS) == set(S.values)


@pytest.mark.parametrize(("source", "target"), EDGES)
def test_each_edge_of_the_table(ward, source, target):
    patrol = patrol_in(ward, source)
    extra = {"cancel_reason": "Synthetic."} if target == S.CANCELLED else {}
    with transaction.atomic():
        locked = services.lock(patrol)
        if (source, target) in ALLOWED:
            services.move(locked, target, "moved", **extra)
        else:
            with pytest.raises(PatrolRuleError, match="cannot be moved"):
                services.move(locked, target, "moved", **extra)
    patrol.refresh_from_db()
    assert patrol.status == (target if (source, target) in ALLOWED else source)


# --- Each service, from every status ---------------------------------------------------


def outcome(patrol: Patrol, act) -> str:
    """The status after the service, or "refused" (and then the status is unchanged)."""
    before = patrol.status
    try:
        act(patrol)
    except PatrolRuleError:
        patrol.refresh_from_db()
        assert patrol.status == before
        return "refused"
    patrol.refresh_from_db()
    return patrol.status


@pytest.mark.parametrize("status", S.values)
def test_approve_only_a_planned_patrol(ward, sergeant, pc, status):
    patrol = patrol_in(ward, status)
    assess(patrol, pc)
    result = outcome(patrol, lambda p: services.approve_risk_assessment(p, by=sergeant))
    assert result == (S.APPROVED if status == S.PLANNED else "refused")
    assert RiskAssessment.objects.get(patrol=patrol).is_approved == (status == S.PLANNED)


@pytest.mark.parametrize("status", S.values)
def test_deploy_only_an_approved_patrol(ward, sergeant, pc, status):
    patrol = patrol_in(ward, status)
    assess(patrol, pc, approved_by=sergeant)
    result = outcome(patrol, services.mark_deployed)
    assert result == (S.DEPLOYED if status == S.APPROVED else "refused")


@pytest.mark.parametrize("status", S.values)
def test_cancel_only_a_planned_or_approved_patrol(ward, status):
    patrol = patrol_in(ward, status)
    result = outcome(patrol, lambda p: services.cancel(p, "Officers abstracted (synthetic)."))
    assert result == (S.CANCELLED if status in {S.PLANNED, S.APPROVED} else "refused")


@pytest.mark.parametrize("status", S.values)
def test_close_only_a_patrol_whose_return_is_filed(ward, sergeant, status):
    patrol = patrol_in(ward, status)
    result = outcome(patrol, lambda p: services.close_patrol(p, by=sergeant))
    assert result == (S.CLOSED if status == S.RETURNED else "refused")


@pytest.mark.parametrize("status", S.values)
def test_risk_assessment_only_while_the_plan_may_change(ward, sergeant, pc, status):
    patrol = patrol_in(ward, status)
    assess(patrol, pc, approved_by=sergeant)
    result = outcome(
        patrol, lambda p: services.record_risk_assessment(p, "Ice (synthetic).", "Care.", by=pc)
    )
    # Revising takes an approved patrol back to planned; elsewhere it is refused.
    assert result == (S.PLANNED if status in {S.PLANNED, S.APPROVED} else "refused")


@pytest.mark.parametrize("status", S.values)
def test_changes_to_the_plan_only_while_it_may_change(area, ward, pc, status):
    reason = "Synthetic reason." if status == S.CANCELLED else ""
    patrol = crewed(ward, pc, local_pc_for(ward, area), status=status, cancel_reason=reason)
    result = outcome(
        patrol, lambda p: services.update_patrol(p, p.planned_by, meeting_point="Elsewhere")
    )
    assert result == (status if status in {S.PLANNED, S.APPROVED} else "refused")


# --- The rules on the way ----------------------------------------------------------------


def test_deploy_refused_without_an_assessment(ward):
    patrol = patrol_in(ward, S.APPROVED)
    with pytest.raises(PatrolRuleError, match="until its risk assessment is approved"):
        services.mark_deployed(patrol)


def test_deploy_refused_when_the_assessment_is_not_approved(ward, pc):
    # The status says approved but the assessment does not (say, edited in the admin):
    # the assessment's own approval is what lets a patrol go out.
    patrol = patrol_in(ward, S.APPROVED)
    assess(patrol, pc)
    with pytest.raises(PatrolRuleError, match="until its risk assessment is approved"):
        services.mark_deployed(patrol)
    patrol.refresh_from_db()
    assert patrol.status == S.APPROVED


def test_approving_twice_is_refused(ward, sergeant, pc):
    patrol = patrol_in(ward, S.PLANNED)
    assess(patrol, pc)
    services.approve_risk_assessment(patrol, by=sergeant)
    with pytest.raises(PatrolRuleError, match="already approved"):
        services.approve_risk_assessment(patrol, by=sergeant)


def test_approval_needs_an_assessment(ward, sergeant):
    patrol = patrol_in(ward, S.PLANNED)
    with pytest.raises(PatrolRuleError, match="Complete the risk assessment"):
        services.approve_risk_assessment(patrol, by=sergeant)


def test_cancel_needs_a_reason_at_its_field(ward):
    patrol = patrol_in(ward, S.PLANNED)
    with pytest.raises(PatrolRuleError) as refused:
        services.cancel(patrol, "   ")
    assert refused.value.field == "reason"


def test_revising_an_approved_assessment_withdraws_the_approval_with_an_audit_event(
    ward, sergeant, pc
):
    patrol = patrol_in(ward, S.PLANNED)
    assess(patrol, pc)
    services.approve_risk_assessment(patrol, by=sergeant)

    services.record_risk_assessment(patrol, "New hazard (synthetic).", "New control.", by=pc)

    patrol.refresh_from_db()
    assert patrol.status == S.PLANNED
    assert not RiskAssessment.objects.get(patrol=patrol).is_approved
    event = AuditEvent.objects.get(action=services.APPROVAL_WITHDRAWN)
    assert event.object_id == str(patrol.uuid)
    assert "revised" in event.detail
