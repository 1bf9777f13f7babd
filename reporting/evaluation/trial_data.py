"""A trial's data for its analysis (trial.py), in a fixed number of queries: the
allocation of every week that is over (drawn again from the seed: those weeks were
revealed long ago), the visits the returns delivered, and the primary outcome.

- "Sightings and encounters recorded in returns": per hotspot-week, the encounters
  recorded at the hotspot plus the return's women and kerb crawlers seen, shared equally
  among the hotspots it visited. Officers only record what they see where they go, so
  this outcome measures what patrols record more than what happens at a control place.
- "Relevant street crime": per hotspot-month, the police.uk crimes of the ranking's
  relevant types within RADIUS_M of the hotspot, for the months whose crime data is in;
  a week belongs to the month of its Monday.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from django.utils import timezone

from patrols.models import Encounter, Patrol, ReturnStatus, Trial, TrialOutcome
from patrols.services.trials import allocation
from patrols.trial_allocation import PATROL, ended_weeks

from ..models import CrimeRecord
from ..ranking import DEFAULT_RELEVANT, RADIUS_M
from .places import metres
from .trial import TrialData


def trial_data(trial: Trial, today: dt.date | None = None) -> TrialData | None:
    """The arrays for the weeks that are over; None before the first week ends (or, for
    crime, before any of those weeks' months has data)."""
    today = today or timezone.localdate()
    weeks = ended_weeks(trial.starts_on, trial.weeks, today)
    if not weeks:
        return None
    hotspots = sorted(trial.hotspots.select_related("ward"), key=lambda h: h.pk)
    column = {h.pk: n for n, h in enumerate(hotspots)}
    z = np.zeros((len(weeks), len(hotspots)), dtype=int)
    for row, week in enumerate(weeks):
        for pk, arm in allocation(trial, week, hotspots).items():
            z[row, column[pk]] = arm == PATROL
    visits, sightings = _returns(trial, weeks, column)
    blocks = np.array([h.ward.area_id for h in hotspots])
    if trial.primary_outcome == TrialOutcome.STREET_CRIME:
        return _monthly(trial, weeks, hotspots, z, visits, blocks)
    sightings += _encounters(trial, weeks, column)
    return TrialData(z, visits, sightings, blocks, last_day=_sunday(trial, weeks[-1]))


def _sunday(trial: Trial, week: int) -> dt.date:
    return trial.starts_on + dt.timedelta(weeks=week, days=-1)


def _row(trial: Trial, weeks: list[int], when: dt.datetime) -> int | None:
    week = (timezone.localtime(when).date() - trial.starts_on).days // 7 + 1
    return week - weeks[0] if weeks[0] <= week <= weeks[-1] else None


def _window(trial: Trial, weeks: list[int]) -> tuple[dt.date, dt.date]:
    first = trial.starts_on + dt.timedelta(weeks=weeks[0] - 1)
    return first, trial.starts_on + dt.timedelta(weeks=weeks[-1])


def _returns(trial, weeks, column) -> tuple[np.ndarray, np.ndarray]:
    """Visits by hotspot-week, and the sightings each return recorded, shared equally
    among the trial hotspots it visited (two queries)."""
    first, end = _window(trial, weeks)
    shape = (len(weeks), len(column))
    visits, sightings = np.zeros(shape), np.zeros(shape)
    rows = Patrol.objects.filter(
        area=trial.area_id,
        starts_at__date__gte=first,
        starts_at__date__lt=end,
        work_return__status=ReturnStatus.SUBMITTED,
    ).values_list(
        "pk",
        "starts_at",
        "work_return__women_seen",
        "work_return__kerb_crawlers_seen",
        "work_return__hotspots_visited",
    )
    by_patrol: dict[int, list] = defaultdict(list)
    for pk, starts_at, women, men, hotspot in rows:
        row = _row(trial, weeks, starts_at)
        if row is not None and hotspot in column:
            by_patrol[pk].append((row, column[hotspot], women + men))
    for places in by_patrol.values():
        for row, col, seen in places:
            visits[row, col] += 1
            sightings[row, col] += seen / len(places)
    return visits, sightings


def _encounters(trial, weeks, column) -> np.ndarray:
    first, end = _window(trial, weeks)
    counts = np.zeros((len(weeks), len(column)))
    rows = Encounter.objects.filter(
        patrol__area=trial.area_id,
        patrol__work_return__status=ReturnStatus.SUBMITTED,
        hotspot__in=list(column),
        occurred_at__date__gte=first,
        occurred_at__date__lt=end,
    ).values_list("occurred_at", "hotspot_id")
    for occurred_at, hotspot in rows:
        row = _row(trial, weeks, occurred_at)
        if row is not None:
            counts[row, column[hotspot]] += 1
    return counts


def _monthly(trial, weeks, hotspots, z, visits, blocks) -> TrialData | None:
    mondays = [trial.starts_on + dt.timedelta(weeks=w - 1) for w in weeks]
    months = sorted({m.replace(day=1) for m in mondays})
    crimes = CrimeRecord.objects.filter(
        area=trial.area_id,
        month__in=months,
        crime_type__in=DEFAULT_RELEVANT,
        latitude__isnull=False,
        longitude__isnull=False,
    ).values_list("month", "latitude", "longitude")
    imported = CrimeRecord.objects.filter(area=trial.area_id, month__in=months)
    counts = {
        m: np.zeros(len(hotspots))
        for m in imported.order_by().values_list("month", flat=True).distinct()
    }
    for month, lat, lon in crimes:
        near = counts[month]
        for n, h in enumerate(hotspots):
            if metres(float(h.latitude), float(h.longitude), float(lat), float(lon)) <= RADIUS_M:
                near[n] += 1
    with_data = [m for m in months if m in counts]
    if not with_data:
        return None
    index = {m: n for n, m in enumerate(with_data)}
    keep = [n for n, m in enumerate(mondays) if m.replace(day=1) in index]
    month_of_week = np.array([index[mondays[n].replace(day=1)] for n in keep])
    outcome = np.array([counts[m] for m in with_data])
    # To the end of the last month with crime data, or of the last week, if sooner.
    month_end = (with_data[-1] + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    last_day = min(month_end, _sunday(trial, weeks[keep[-1]]))
    return TrialData(z[keep], visits[keep], outcome, blocks, month_of_week, last_day)
