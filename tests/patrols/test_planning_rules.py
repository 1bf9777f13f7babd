"""The rules a plan and a return must keep, in the services (every way in): the crew's
Ephedra-trained PC, and a conditional caution's course deadline."""

import datetime as dt

import pytest

from accounts.models import Role
from patrols import services
from patrols.models import ConditionalCaution, OfficerRole, Patrol, PatrolStatus
from patrols.services import PatrolRuleError
from tests.factories import OfficerFactory, WardFactory

from .cast import crewed, local_pc_for, next_friday, night
from .test_return_services import busy_night

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward(area):
    return WardFactory(area=area)


def plan(by, ward, crew):
    starts = night(next_friday())
    return services.plan_patrol(
        by, ward=ward, starts_at=starts, ends_at=starts + dt.timedelta(hours=8), crew=crew
    )


def test_a_trained_crew_is_planned(area, ward, sergeant, pc):
    local = local_pc_for(ward, area)
    patrol = plan(sergeant, ward, [(pc, OfficerRole.EPHEDRA_PC), (local, OfficerRole.LOCAL_PC)])
    assert patrol.status == PatrolStatus.PLANNED
    assert patrol.officers.count() == 2


def test_an_untrained_ephedra_pc_is_refused_at_the_field(area, ward, sergeant):
    untrained = OfficerFactory(role=Role.PC, areas=[area], profile__ephedra_trained_on=None)
    local = local_pc_for(ward, area)
    with pytest.raises(PatrolRuleError, match="not Ephedra-trained") as refused:
        plan(sergeant, ward, [(untrained, OfficerRole.EPHEDRA_PC), (local, OfficerRole.LOCAL_PC)])
    assert refused.value.field == "ephedra_pcs"
    assert not Patrol.objects.exists()


def test_a_crew_without_an_ephedra_pc_is_refused(area, ward, sergeant):
    local = local_pc_for(ward, area)
    with pytest.raises(PatrolRuleError, match="at least one Ephedra-trained PC"):
        plan(sergeant, ward, [(local, OfficerRole.LOCAL_PC)])
    assert not Patrol.objects.exists()


def test_re_crewing_without_a_trained_pc_is_refused(area, ward, pc):
    local = local_pc_for(ward, area)
    patrol = crewed(ward, pc, local)
    with pytest.raises(PatrolRuleError, match="at least one Ephedra-trained PC"):
        services.update_patrol(patrol, patrol.planned_by, crew=[(local, OfficerRole.LOCAL_PC)])
    assert patrol.officers.count() == 2


def test_a_patrol_longer_than_the_limit_is_refused_at_the_end_time(area, ward, sergeant, pc):
    local = local_pc_for(ward, area)
    starts = night(next_friday())
    with pytest.raises(PatrolRuleError, match="more than 14 hours") as refused:
        services.plan_patrol(
            sergeant,
            ward=ward,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=15),
            crew=[(pc, OfficerRole.EPHEDRA_PC), (local, OfficerRole.LOCAL_PC)],
        )
    assert refused.value.field == "end_time"


# --- The caution's course deadline ---------------------------------------------------------


@pytest.fixture
def deployed_patrol(area, ward, pc):
    from .test_return_services import HOUR, NIGHT

    return crewed(
        ward,
        pc,
        local_pc_for(ward, area),
        starts_at=NIGHT,
        ends_at=NIGHT + 8 * HOUR,
        status=PatrolStatus.DEPLOYED,
    )


@pytest.fixture
def night_with_a_caution(deployed_patrol, pc, ward):
    from partners.models import ServiceType
    from tests.factories import AgencyFactory, HotspotFactory

    provider = AgencyFactory(name="Provider (test)", services=[ServiceType.DIVERSION_COURSE])
    agency = AgencyFactory(name="Exit support (test)", services=[ServiceType.EXIT_SUPPORT])
    return busy_night(deployed_patrol, pc, HotspotFactory(ward=ward), agency, provider)


@pytest.mark.parametrize("days_after", [0, -1])
def test_a_course_deadline_not_after_the_caution_is_refused(
    deployed_patrol, pc, night_with_a_caution, days_after
):
    caution = night_with_a_caution["arrests"][0]["caution"]
    caution["deadline"] = caution["given_on"] + dt.timedelta(days=days_after)
    # A PatrolRuleError naming the arrest, not the database's IntegrityError.
    with pytest.raises(PatrolRuleError, match="Arrest 1: the course deadline must be after"):
        services.submit_return(deployed_patrol, pc, **night_with_a_caution)
    assert not ConditionalCaution.objects.exists()
    deployed_patrol.refresh_from_db()
    assert deployed_patrol.status == PatrolStatus.DEPLOYED


def test_a_course_deadline_after_the_caution_is_kept(deployed_patrol, pc, night_with_a_caution):
    caution = night_with_a_caution["arrests"][0]["caution"]
    caution["deadline"] = caution["given_on"] + dt.timedelta(days=1)
    services.submit_return(deployed_patrol, pc, **night_with_a_caution)
    assert ConditionalCaution.objects.get().deadline == caution["deadline"]
