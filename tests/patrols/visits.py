"""Timed visits on a work return, for the tests of their rules, their amendment and the
amend page: a night shift from 20:00 to 04:00, a visit given in minutes after it began,
and a return submitted through the service with those visits."""

import datetime as dt
from decimal import Decimal

from patrols import services
from patrols.models import Weather

NIGHT = dt.datetime(2025, 3, 7, 20, 0, tzinfo=dt.UTC)  # a shift 20:00 to 04:00
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


def visit(hotspot, arrived: int | None, left: int | None) -> dict:
    """A visit `arrived` and `left` minutes after the shift began (None: not given)."""
    return {
        "hotspot": hotspot,
        "arrived_at": None if arrived is None else NIGHT + arrived * MINUTE,
        "left_at": None if left is None else NIGHT + left * MINUTE,
    }


def submit(patrol, pc, visits, hotspots=()):
    return services.submit_return(
        patrol,
        pc,
        return_fields={
            "started_at": NIGHT,
            "ended_at": NIGHT + 8 * HOUR,
            "weather": Weather.DRY,
            "hotspots_visited": list(hotspots),
            "women_seen": 0,
            "kerb_crawlers_seen": 0,
            "engagement_count": 0,
            "summary": "",
        },
        hours={pc: Decimal("8")},
        visits=visits,
    )
