"""The patrol lifecycle's rules, pinned to what each one says and records (make mutants).

test_lifecycle.py checks which moves are allowed; these check that each refusal is the
rule's own (its message is what the form shows), and that what a service records (the
reason, who approved and when, the audit row) is recorded exactly. Deleting or weakening
one check in patrols/services/lifecycle.py fails a test here.
"""

import datetime as dt

import pytest
from django.utils import timezone

from governance.models import AuditEvent
from patrols import services
from patrols.models import PatrolStatus, RiskAssessment
from patrols.services import PatrolRuleError, lifecycle
from tests.factories import PatrolFactory, WardFactory

from .cast import assess

pytestmark = pytest.mark.django_db

S = PatrolStatus


@pytest.fixture
def ward(area):
    return WardFactory(area=area)


def refusal(act) -> PatrolRuleError:
    with pytest.raises(PatrolRuleError) as refused:
        act()
    return refused.value


def test_closing_before_the_return_is_filed_says_so(ward, sergeant):
    patrol = PatrolFactory(ward=ward, status=S.DEPLOYED)
    error = refusal(lambda: services.close_patrol(patrol, by=sergeant))
    assert str(error) == "The patrol can be closed once its work return is filed."


def test_closing_is_audited_with_who_closed_it(ward, sergeant):
    patrol = PatrolFactory(ward=ward, status=S.RETURNED)
    services.close_patrol(patrol, by=sergeant)
    event = AuditEvent.objects.get(action="patrols.patrol.closed")
    assert (event.object_id, event.actor) == (str(patrol.uuid), sergeant)


def test_a_move_off_the_table_names_the_status_and_the_action(ward, sergeant):
    patrol = PatrolFactory(ward=ward, status=S.PLANNED)
    error = refusal(lambda: services.close_patrol(patrol, by=sergeant))
    assert str(error) == "A planned patrol cannot be closed."


def test_cancelling_keeps_the_reason_trimmed_and_touches_the_patrol(ward):
    patrol = PatrolFactory(ward=ward, status=S.PLANNED)
    before = patrol.updated_at
    services.cancel(patrol, "  Officers abstracted (synthetic).  ")
    patrol.refresh_from_db()
    assert patrol.status == S.CANCELLED
    assert patrol.cancel_reason == "Officers abstracted (synthetic)."
    assert patrol.updated_at > before


def test_cancelling_without_a_reason_says_so_at_the_field(ward):
    patrol = PatrolFactory(ward=ward, status=S.PLANNED)
    error = refusal(lambda: services.cancel(patrol, ""))
    assert (str(error), error.field) == ("Give the reason the patrol is cancelled.", "reason")
    patrol.refresh_from_db()
    assert patrol.status == S.PLANNED


def test_a_plan_past_approval_says_it_can_no_longer_change(ward):
    patrol = PatrolFactory(ward=ward, status=S.DEPLOYED)
    assert lifecycle.edit_refusal(patrol) == "A deployed patrol can no longer be changed."
    error = refusal(lambda: lifecycle.require_editable(patrol))
    assert str(error) == "A deployed patrol can no longer be changed."
    assert lifecycle.edit_refusal(PatrolFactory(ward=ward, status=S.APPROVED)) == ""


def test_assessing_a_finished_patrol_says_so(ward, pc):
    patrol = PatrolFactory(ward=ward, status=S.CLOSED)
    error = refusal(lambda: services.record_risk_assessment(patrol, "H.", "C.", by=pc))
    assert str(error) == "A closed patrol cannot be risk-assessed."


def test_an_assessment_records_what_and_who_and_when(ward, pc):
    patrol = PatrolFactory(ward=ward, status=S.PLANNED)
    assessment = services.record_risk_assessment(patrol, "Ice (synthetic).", "Grit.", by=pc)
    assessment.refresh_from_db()
    assert (assessment.hazards, assessment.controls) == ("Ice (synthetic).", "Grit.")
    assert assessment.assessed_by == pc
    assert assessment.assessed_at is not None
    assert (assessment.approved_by, assessment.approved_at) == (None, None)


def test_approval_records_who_and_when(ward, sergeant, pc):
    patrol = PatrolFactory(ward=ward, status=S.PLANNED)
    assess(patrol, pc)
    services.approve_risk_assessment(patrol, by=sergeant)
    assessment = RiskAssessment.objects.get(patrol=patrol)
    assert assessment.approved_by == sergeant
    assert assessment.approved_at is not None


def test_approval_refusals_say_why(ward, sergeant, pc):
    patrol = PatrolFactory(ward=ward, status=S.PLANNED)
    error = refusal(lambda: services.approve_risk_assessment(patrol, by=sergeant))
    assert str(error) == "Complete the risk assessment before it can be approved."
    assess(patrol, pc)
    services.approve_risk_assessment(patrol, by=sergeant)
    error = refusal(lambda: services.approve_risk_assessment(patrol, by=sergeant))
    assert str(error) == "The risk assessment is already approved."


def test_deploying_without_an_approved_assessment_says_so(ward, pc):
    patrol = PatrolFactory(ward=ward, status=S.APPROVED)
    assess(patrol, pc)
    error = refusal(lambda: services.mark_deployed(patrol))
    assert str(error) == "The patrol cannot deploy until its risk assessment is approved."


def test_withdrawing_clears_the_whole_approval_and_says_if_it_did(ward, sergeant, pc):
    patrol = PatrolFactory(ward=ward, status=S.APPROVED)
    assess(patrol, pc, approved_by=sergeant)
    with_lock = services.lock(patrol)
    assert services.withdraw_approval(with_lock, "Synthetic change.") is True
    assessment = RiskAssessment.objects.get(patrol=patrol)
    assert (assessment.approved_by, assessment.approved_at) == (None, None)
    patrol.refresh_from_db()
    assert patrol.status == S.PLANNED
    event = AuditEvent.objects.get(action=services.APPROVAL_WITHDRAWN)
    assert event.detail == "Synthetic change."
    assert services.withdraw_approval(services.lock(patrol), "Again.") is False


def test_withdrawing_an_approval_without_an_assessment_still_plans_again(ward):
    patrol = PatrolFactory(ward=ward, status=S.APPROVED)
    assert services.withdraw_approval(services.lock(patrol), "Synthetic.") is True
    patrol.refresh_from_db()
    assert patrol.status == S.PLANNED


def test_deploying_a_patrol_already_returned_names_the_action(ward, pc):
    patrol = PatrolFactory(ward=ward, status=S.RETURNED)
    assess(patrol, pc, approved_by=pc)
    error = refusal(lambda: services.mark_deployed(patrol))
    assert str(error) == "A return filed patrol cannot be deployed."


@pytest.mark.parametrize("status", list(S))
def test_can_move_answers_from_the_transition_table(ward, status):
    """What the pages ask before offering a button: exactly the table's moves."""
    reason = "Synthetic reason" if status == S.CANCELLED else ""
    patrol = PatrolFactory(ward=ward, status=status, cancel_reason=reason)
    allowed = {to for to in S if services.can_move(patrol, to)}
    assert allowed == set(lifecycle.TRANSITIONS[status])


# --- A second pair of eyes, and not before the night (issue 16, item 6) -------------------


def test_the_author_cannot_approve_their_own_assessment(ward, sergeant):
    patrol = PatrolFactory(ward=ward, status=S.PLANNED)
    assess(patrol, sergeant)

    error = refusal(lambda: services.approve_risk_assessment(patrol, by=sergeant))

    assert str(error) == (
        "Lambeth asks for someone other than the assessment's author to approve it: "
        "ask another sergeant."
    )
    patrol.refresh_from_db()
    assert patrol.status == S.PLANNED
    assert not RiskAssessment.objects.get(patrol=patrol).is_approved


def test_an_area_may_let_the_author_approve(ward, sergeant):
    ward.area.separate_approver = False
    ward.area.save()
    patrol = PatrolFactory(ward=ward, status=S.PLANNED)
    assess(patrol, sergeant)

    services.approve_risk_assessment(patrol, by=sergeant)

    assert RiskAssessment.objects.get(patrol=patrol).approved_by == sergeant


def test_areas_ask_for_a_second_pair_of_eyes_by_default(area):
    assert area.separate_approver


def test_a_patrol_cannot_deploy_before_its_day(ward, sergeant, pc):
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    patrol = PatrolFactory(ward=ward, status=S.APPROVED, starts_at=tomorrow)
    assess(patrol, pc, approved_by=sergeant)

    error = refusal(lambda: services.mark_deployed(patrol))

    day = timezone.localtime(patrol.starts_at).date()
    assert (
        str(error) == f"The patrol can be marked deployed on its day ({day:%-d %B %Y}), not before."
    )
    patrol.refresh_from_db()
    assert patrol.status == S.APPROVED


def test_a_patrol_deploys_on_its_day(ward, sergeant, pc):
    tonight = timezone.localtime().replace(hour=23, minute=0)
    patrol = PatrolFactory(ward=ward, status=S.APPROVED, starts_at=tonight)
    assess(patrol, pc, approved_by=sergeant)

    services.mark_deployed(patrol)

    patrol.refresh_from_db()
    assert patrol.status == S.DEPLOYED
