"""The planning cast: a Brixton North ward in Lambeth, a hotspot in it, an Ephedra-trained
PC and a local PC from the ward (a test module may define its own ``ward``)."""

import pytest

from accounts.models import Role
from tests.factories import HotspotFactory, OfficerFactory, WardFactory


@pytest.fixture
def ward(area):
    return WardFactory(area=area, name="Brixton North")


@pytest.fixture
def hotspot(ward):
    return HotspotFactory(ward=ward, name="Test Street North")


@pytest.fixture
def ephedra_pc(area):
    return OfficerFactory(role=Role.PC, areas=[area])


@pytest.fixture
def local_pc(area, ward):
    return OfficerFactory(
        role=Role.PC, areas=[area], profile__home_ward=ward, profile__ephedra_trained_on=None
    )
