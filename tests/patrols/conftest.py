"""The planning cast: a Brixton North ward in Lambeth, a hotspot in it, an Ephedra-trained
PC and a local PC from the ward (a test module may define its own ``ward``); for the timed
visits' tests, a second hotspot and a crewed patrol deployed on the night shift of
tests.patrols.visits (a module may define its own ``patrol``)."""

import pytest

from accounts.models import Role
from patrols.models import OfficerRole, PatrolOfficer, PatrolStatus
from tests.factories import HotspotFactory, OfficerFactory, PatrolFactory, WardFactory
from tests.patrols.visits import HOUR, NIGHT


@pytest.fixture
def ward(area):
    return WardFactory(area=area, name="Brixton North")


@pytest.fixture
def hotspot(ward):
    return HotspotFactory(ward=ward, name="Test Street North")


@pytest.fixture
def other_hotspot(ward):
    return HotspotFactory(ward=ward, name="Test Street South")


@pytest.fixture
def ephedra_pc(area):
    return OfficerFactory(role=Role.PC, areas=[area])


@pytest.fixture
def local_pc(area, ward):
    return OfficerFactory(
        role=Role.PC, areas=[area], profile__home_ward=ward, profile__ephedra_trained_on=None
    )


@pytest.fixture
def patrol(ward, pc, area):
    """Deployed on the night shift (NIGHT, eight hours), crewed by ``pc`` and a PC of the
    ward."""
    local = OfficerFactory(role=Role.PC, areas=[area], profile__home_ward=ward)
    patrol = PatrolFactory(
        ward=ward, starts_at=NIGHT, ends_at=NIGHT + 8 * HOUR, status=PatrolStatus.DEPLOYED
    )
    PatrolOfficer.objects.create(patrol=patrol, officer=pc, role=OfficerRole.EPHEDRA_PC)
    PatrolOfficer.objects.create(patrol=patrol, officer=local, role=OfficerRole.LOCAL_PC)
    return patrol
