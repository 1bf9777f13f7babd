"""Shared makers for the trial tests: a registered trial in the area, starting on a Monday
after today, and a patrol (with or without a submitted return) in one of its weeks."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from patrols.models import OfficerRole, PatrolOfficer, ReturnStatus, TrialOutcome, WorkReturn
from patrols.services import trials
from tests.factories import HotspotFactory, PatrolFactory, WardFactory


def next_monday(weeks_after: int = 0) -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday(), weeks=weeks_after)


def register(lead, area, *, hotspots=6, starts_on=None, **fields):
    ward = WardFactory(area=area)
    places = [HotspotFactory(ward=ward) for _ in range(hotspots)]
    values = {
        "area": area,
        "title": "Friday patrols at six hotspots",
        "hotspots": places,
        "primary_outcome": TrialOutcome.RETURN_SIGHTINGS,
        "hypotheses": "Patrolled hotspots record fewer sightings (synthetic).",
        "analysis_plan": "Intention to treat by hotspot-week, randomisation inference.",
        "weeks": 8,
        "starts_on": starts_on or next_monday(),
        "patrol_share": Decimal("0.50"),
    } | fields
    return trials.register_trial(lead, **values)


def patrol_in_week(trial, week, hotspots, *, returned=False, seen=0, officer=None):
    """A live patrol on the Friday of trial week ``week`` planned at ``hotspots``; with
    ``returned``, a submitted return visiting them."""
    friday = trial.starts_on + dt.timedelta(weeks=week - 1, days=4)
    starts_at = timezone.make_aware(dt.datetime.combine(friday, dt.time(20)))
    ward = hotspots[0].ward if hotspots else WardFactory(area=trial.area)
    patrol = PatrolFactory(ward=ward, starts_at=starts_at)
    patrol.hotspots.set(hotspots)
    if officer is not None:
        PatrolOfficer.objects.create(patrol=patrol, officer=officer, role=OfficerRole.EPHEDRA_PC)
    if returned:
        work_return = WorkReturn.objects.create(
            patrol=patrol,
            started_at=starts_at,
            ended_at=starts_at + dt.timedelta(hours=6),
            weather="dry",
            women_seen=seen,
            status=ReturnStatus.SUBMITTED,
            submitted_at=starts_at + dt.timedelta(hours=7),
            filed_by=patrol.planned_by,
        )
        work_return.hotspots_visited.set(hotspots)
    return patrol
