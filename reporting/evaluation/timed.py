"""The evaluation's one read of timed visits (arrival and departure recorded on work
returns, ``patrols.HotspotVisit``): one row per visit, in one query, with what
``dosage`` needs to put each in place of its share of the return's length. Kept apart
from ``queries`` as a single read for one purpose. Which returns count must match
``queries.patrolled_hotspots`` (submitted by local midnight after ``as_of``, and started before):
a timed visit replaces its return's share there.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F

from patrols.models import HotspotVisit, ReturnStatus

from .queries import end_of, hotspots_listed


def timed_visits(area, as_of: dt.date) -> list[dict]:
    return list(
        HotspotVisit.objects.filter(
            hotspot__ward__area=area,
            work_return__status=ReturnStatus.SUBMITTED,
            work_return__started_at__lt=end_of(as_of),
            # As the visits are counted (queries._visits): returns submitted by then.
            work_return__submitted_at__lt=end_of(as_of),
        )
        .order_by("work_return", "hotspot", "arrived_at")
        .values(
            "hotspot",
            "work_return",
            "arrived_at",
            "left_at",
            started=F("work_return__started_at"),
            ended=F("work_return__ended_at"),
            sharing=hotspots_listed("work_return"),
        )
    )
