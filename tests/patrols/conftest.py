"""The planning cast: a Brixton North ward in Lambeth, a hotspot in it, an Ephedra-trained
PC and a local PC from the ward (a test module may define its own ``ward``); for the timed
visits' tests, a second hotspot and a patrol deployed on the night shift
(tests.patrols.visits.night_patrol; a module may define its own ``patrol``)."""

import pytest

from accounts.models import Role
from tests.factories import HotspotFactory, OfficerFactory, WardFactory
from tests.patrols.visits import night_patrol


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
    return night_patrol(ward, pc, area)
