"""A demo randomised trial in Lambeth, so a new user sees the trial page working: registered
a week before it started six weeks ago, six hotspots, half allocated to patrol each week.

The demo's Lambeth patrols in the weeks whose planning has opened go to that week's patrol
hotspots, with two departures from the allocation: in week 2 the patrols also stop at a
control hotspot (planned and visited), and in week 4 one patrol hotspot is visited by no
one. (Each week has two nights; one may be cancelled or in Southwark, never both.)
The deviations are recorded by the trial service, as the nightly task would, and a
supervisor gives a reason for one.

The trial is written with a stable key and a past start, like the demo's safeguarding
rows: registration refuses a start that is not after today, and stamps "now". A
registered trial is locked, so running the seed again leaves it as it is (its start stays
the day of the first run). Its seed is a fixed synthetic one, not a secret.
"""

import datetime as dt
import hashlib
from decimal import Decimal

from django.utils import timezone

from patrols.models import DeviationKind, Hotspot, Trial, TrialOutcome
from patrols.models.trials import commitment
from patrols.services import trials
from patrols.trial_allocation import PATROL, revealed_weeks, week_of

from .data import World, key

WEEKS = 12
STARTED_WEEKS_AGO = 6
HOTSPOTS = 6
EXTRA_CONTROL_WEEK = 2  # the patrols also stop at a control hotspot
MISSED_WEEK = 4  # one patrol hotspot is visited by no one
SEED = hashlib.sha256(b"ephedra demo trial (synthetic)").hexdigest()


def seed_trial(world: World, today: dt.date) -> Trial:
    lead = world.logins["lead"]
    monday = today - dt.timedelta(days=today.weekday(), weeks=STARTED_WEEKS_AGO)
    trial, created = Trial.objects.get_or_create(
        uuid=key("trial", "friday-saturday"),
        defaults={
            "area": world.areas["Lambeth"],
            "title": "Friday and Saturday patrols at six Lambeth hotspots (demo)",
            "primary_outcome": TrialOutcome.RETURN_SIGHTINGS,
            "hypotheses": "Hotspots allocated to patrol record fewer sightings and encounters "
            "than hotspots allocated to control in the same week (synthetic demo).",
            "analysis_plan": "Intention to treat by hotspot-week, two-way fixed effects, "
            "randomisation inference with 2,000 re-drawn allocations.",
            "weeks": WEEKS,
            "starts_on": monday,
            "patrol_share": Decimal("0.50"),
            "seed": SEED,
            "seed_commitment": commitment(SEED),
            "registered_by": lead,
            "registered_at": timezone.make_aware(
                dt.datetime.combine(monday - dt.timedelta(days=7), dt.time(10))
            ),
        },
    )
    if created:
        trial.hotspots.set(_eligible(world))
    return trial


def _eligible(world: World) -> list[Hotspot]:
    lambeth = [h for h in world.hotspots if h.ward.area.name == "Lambeth" and h.active]
    return lambeth[:HOTSPOTS]


def planned_hotspots(trial: Trial, night: dt.date, today: dt.date) -> list[Hotspot] | None:
    """Where the night's Lambeth patrol goes in a trial week whose planning has opened
    (None: not such a week, plan as usual)."""
    week = week_of(trial.starts_on, trial.weeks, night)
    if week is None or week not in revealed_weeks(trial.starts_on, trial.weeks, today):
        return None
    hotspots = sorted(trial.hotspots.select_related("ward", "ward__area"), key=lambda h: h.pk)
    arms = trials.allocation(trial, week, hotspots)
    patrol = [h for h in hotspots if arms[h.pk] == PATROL]
    if week == MISSED_WEEK:
        patrol = patrol[1:]
    if week == EXTRA_CONTROL_WEEK:
        patrol.append(next(h for h in hotspots if arms[h.pk] != PATROL))
    return patrol


def record_deviations(world: World, trial: Trial, today: dt.date) -> None:
    """What the nightly task would have recorded, and a sergeant's reason for one."""
    trials.record_deviations(trial, today)
    visited = trial.deviations.filter(
        week=EXTRA_CONTROL_WEEK, kind=DeviationKind.VISITED_CONTROL
    ).first()
    if visited is not None and not visited.reason:
        trials.explain_deviation(
            visited,
            world.logins["sergeant"],
            "Called to a disturbance nearby on the way back; stopped there (synthetic).",
        )
