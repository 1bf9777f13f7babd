"""Two changes to one patrol at the same moment end in one consistent state: the patrol's
row lock (services.lock) makes the second wait and read the status again, so the loser
gets a PatrolRuleError, never a 500, and never a deployed patrol whose assessment is not
approved. PostgreSQL only: SQLite has no row locks (and one writer at a time anyway)."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from patrols import services
from patrols.models import OfficerRole, Patrol, PatrolStatus, RiskAssessment
from patrols.services import PatrolRuleError
from tests.factories import WardFactory

from .cast import assess, crewed, local_pc_for, next_friday, night

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (select_for_update) need PostgreSQL; SQLite ignores them",
    ),
]


def race(*acts) -> list:
    """Run the acts in threads released together; each result is None or its exception."""
    barrier = threading.Barrier(len(acts))
    results: list = [None] * len(acts)

    def run(n, act):
        try:
            barrier.wait()
            act()
        except Exception as error:  # noqa: BLE001 - the test inspects what was raised
            results[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, act)) for n, act in enumerate(acts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def only_rule_errors(results) -> None:
    for result in results:
        assert result is None or isinstance(result, PatrolRuleError), repr(result)


@pytest.fixture
def patrol(area, pc):
    ward = WardFactory(area=area)
    patrol = crewed(ward, pc, local_pc_for(ward, area))
    assess(patrol, pc)
    return patrol


def revise(patrol, pc):
    return lambda: services.record_risk_assessment(patrol, "New hazard.", "New control.", by=pc)


@pytest.mark.parametrize("attempt", range(3))
def test_approve_against_revise(patrol, sergeant, pc, attempt):
    results = race(
        lambda: services.approve_risk_assessment(patrol, by=sergeant), revise(patrol, pc)
    )

    only_rule_errors(results)
    patrol.refresh_from_db()
    approved = RiskAssessment.objects.get(patrol=patrol).is_approved
    # Either the revision came last (planned, approval withdrawn) or the approval did.
    assert (patrol.status, approved) in {
        (PatrolStatus.PLANNED, False),
        (PatrolStatus.APPROVED, True),
    }


@pytest.mark.parametrize("attempt", range(3))
def test_deploy_against_revise(patrol, sergeant, pc, attempt):
    services.approve_risk_assessment(patrol, by=sergeant)

    results = race(lambda: services.mark_deployed(patrol), revise(patrol, pc))

    only_rule_errors(results)
    assert sum(result is not None for result in results) == 1  # exactly one loses
    patrol.refresh_from_db()
    approved = RiskAssessment.objects.get(patrol=patrol).is_approved
    if patrol.status == PatrolStatus.DEPLOYED:
        assert approved  # never out on the night with an unapproved assessment
    else:
        assert (patrol.status, approved) == (PatrolStatus.PLANNED, False)


@pytest.mark.parametrize("attempt", range(3))
def test_two_approvals(patrol, sergeant, project_lead, attempt):
    results = race(
        lambda: services.approve_risk_assessment(patrol, by=sergeant),
        lambda: services.approve_risk_assessment(patrol, by=project_lead),
    )

    only_rule_errors(results)
    losers = [result for result in results if result is not None]
    assert len(losers) == 1
    assert "already approved" in str(losers[0])
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.APPROVED


def test_two_planners_booking_one_officer_at_once(area, sergeant, project_lead, pc):
    ward = WardFactory(area=area)
    starts = night(next_friday() + dt.timedelta(days=7))

    def plan(by):
        crew = [(pc, OfficerRole.EPHEDRA_PC), (local_pc_for(ward, area), OfficerRole.LOCAL_PC)]
        return lambda: services.plan_patrol(
            by, ward=ward, starts_at=starts, ends_at=starts + dt.timedelta(hours=8), crew=crew
        )

    results = race(plan(sergeant), plan(project_lead))

    only_rule_errors(results)
    assert sum(result is not None for result in results) == 1
    assert Patrol.objects.filter(officers__officer=pc, starts_at=starts).count() == 1
