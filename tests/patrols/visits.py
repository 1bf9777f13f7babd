"""Timed visits on a work return, for the tests of their rules, their amendment and the
amend page: a night shift from 20:00 to 04:00, a patrol deployed on it, a visit given in
minutes after it began, and a return submitted through the service with those visits."""

import datetime as dt
from decimal import Decimal

from accounts.models import Role
from patrols import services
from patrols.models import OfficerRole, PatrolOfficer, PatrolStatus, Weather
from tests.factories import OfficerFactory, PatrolFactory

NIGHT = dt.datetime(2025, 3, 7, 20, 0, tzinfo=dt.UTC)  # a shift 20:00 to 04:00
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


def night_patrol(ward, pc, area):
    """Deployed on the night shift, crewed by ``pc`` and a PC of the ward."""
    local = OfficerFactory(role=Role.PC, areas=[area], profile__home_ward=ward)
    patrol = PatrolFactory(
        ward=ward, starts_at=NIGHT, ends_at=NIGHT + 8 * HOUR, status=PatrolStatus.DEPLOYED
    )
    PatrolOfficer.objects.create(patrol=patrol, officer=pc, role=OfficerRole.EPHEDRA_PC)
    PatrolOfficer.objects.create(patrol=patrol, officer=local, role=OfficerRole.LOCAL_PC)
    return patrol


def visit(hotspot, arrived: int | None, left: int | None) -> dict:
    """A visit `arrived` and `left` minutes after the shift began (None: not given)."""
    return {
        "hotspot": hotspot,
        "arrived_at": None if arrived is None else NIGHT + arrived * MINUTE,
        "left_at": None if left is None else NIGHT + left * MINUTE,
    }


def return_fields(**changes) -> dict:
    """A return's main fields for the whole night shift: a dry night, no hotspot listed,
    nothing seen, no summary; ``changes`` say otherwise."""
    return {
        "started_at": NIGHT,
        "ended_at": NIGHT + 8 * HOUR,
        "weather": Weather.DRY,
        "hotspots_visited": [],
        "women_seen": 0,
        "kerb_crawlers_seen": 0,
        "engagement_count": 0,
        "summary": "",
    } | changes


def submit(patrol, pc, visits, hotspots=()):
    return services.submit_return(
        patrol,
        pc,
        return_fields=return_fields(hotspots_visited=list(hotspots)),
        hours={pc: Decimal("8")},
        visits=visits,
    )
