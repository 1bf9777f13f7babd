"""Does the operation work? The built-in evaluation behind the Evidence page and the
monthly report's appendix (method, assumptions and limits: ``docs/evaluation.md``).

``evaluate(area, as_of)`` answers four questions from the database, in a fixed number of
aggregate queries (``queries``), then models the counts in Python:

1. **Hotspot effect** (``did``): relevant crime in the LSOAs around each patrolled hotspot
   before and after its patrols began, against unpatrolled LSOAs of the same area with a
   similar level and trend in the earlier months before; a difference in differences on
   each place's before and after totals with intervals that hold with few places
   (``inference``), a parallel-trends check on months the comparisons were not chosen on
   (``pretrend``); and the same for the ring of LSOAs around, to check displacement.
   With starts in different months, the number comes from group-time effects against
   not-yet and never patrolled places (``staggered``), whose month-by-month chart is
   drawn here (``event_chart``), so that the page never loads matplotlib.
2. **Patrol dosage** (``dosage``): visits and minutes per hotspot per week, and whether
   hotspots patrolled more saw crime change more.
3. **Diversion** (``diversion``): course completion, and re-arrest within 6 and 12 months
   of completers against non-completers.
4. **Support pathway** (``funnel``): encounter → referral → engagement → positive close.

Each result says whether the data was enough (``conclusive``) and, if not, why in words;
the thresholds are in ``rules``. numpy, scipy and statsmodels load only when a model is
fitted.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.utils import timezone

from . import event_chart, queries, rules, staggered
from .did import Effect, Panel, estimate, inconclusive
from .diversion import Diversion, diversion
from .dosage import Dose, DoseResponse, dose, dose_response
from .funnel import Funnel, funnel
from .places import area_lsoas, layout
from .staggered import Staggered

__all__ = ["Evidence", "HotspotEvidence", "evaluate"]

POOLED = "All patrolled hotspots"
POOLED_RING = "Around all patrolled hotspots"


@dataclass(frozen=True)
class HotspotEvidence:
    name: str
    first_visit: dt.date
    places: int  # LSOAs in its catchment
    ring_places: int
    effect: Effect
    ring: Effect
    dose: Dose
    pooled: bool  # enough months either side to be in the pooled estimate


@dataclass(frozen=True)
class Evidence:
    area: str
    as_of: dt.date
    crime_months: tuple[dt.date, dt.date] | None  # first and last month evaluated
    crime_types: tuple[str, ...]
    places: int  # LSOAs in the area
    candidates: int  # LSOAs neither near nor around a patrolled hotspot
    pooled: Effect
    displacement: Effect
    staggered: Staggered  # group-time effects and their event-time view (``staggered``)
    hotspots: tuple[HotspotEvidence, ...]
    unpatrolled_hotspots: int
    dose_response: DoseResponse
    diversion: Diversion
    funnel: Funnel
    computed_at: dt.datetime
    seconds: float


def evaluate(area, as_of: dt.date | None = None) -> Evidence:
    """Everything the Evidence page shows, for ``area``, with data up to ``as_of``."""
    started = time.perf_counter()
    as_of = as_of or timezone.localdate()
    lsoas = area_lsoas(area)
    panel = _panel(queries.crime_counts(area, rules.RELEVANT_CRIME_TYPES, as_of), lsoas)
    visited = queries.patrolled_hotspots(area, as_of)
    encounters = queries.hotspot_encounters(area, as_of)
    places = layout(
        ((row["hotspot"], float(row["latitude"]), float(row["longitude"])) for row in visited),
        lsoas,
    )
    hotspots = [_hotspot(row, panel, places, encounters, as_of) for row in visited]
    pooled, displacement = _pooled(panel, places, visited, hotspots, area.name)
    pooled, by_event = _staggered(pooled, panel, places, visited, hotspots)
    return Evidence(
        area=area.name,
        as_of=as_of,
        crime_months=(panel.months[0], panel.months[-1]) if panel.months else None,
        crime_types=tuple(rules.RELEVANT_CRIME_TYPES),
        places=len(lsoas),
        candidates=len(places.candidates),
        pooled=pooled,
        displacement=displacement,
        staggered=by_event,
        hotspots=tuple(hotspots),
        unpatrolled_hotspots=queries.unpatrolled_hotspot_count(area, as_of),
        dose_response=dose_response([(h.dose, h.effect) for h in hotspots]),
        diversion=diversion(queries.diversion_counts(area, as_of, rules.FOLLOW_UP_DAYS)),
        funnel=funnel(queries.encounter_counts(area, as_of), queries.referral_steps(area, as_of)),
        computed_at=timezone.now(),
        seconds=time.perf_counter() - started,
    )


def _panel(rows: list[dict], lsoas: dict) -> Panel:
    """Every LSOA of the area × every month with imported data; no row means 0."""
    months = tuple(sorted({row["month"] for row in rows}))
    index = {month: n for n, month in enumerate(months)}
    counts = {code: [0] * len(months) for code in lsoas}
    for row in rows:
        if row["lsoa_code"] in counts:
            counts[row["lsoa_code"]][index[row["month"]]] += row["n"]
    return Panel(months, counts)


def _first_day(row: dict) -> dt.date:
    return timezone.localtime(row["first_visit"]).date()


def _hotspot(row, panel: Panel, places, encounters, as_of) -> HotspotEvidence:
    key, name, first = row["hotspot"], row["name"], _first_day(row)
    month = first.replace(day=1)
    catchment, around = places.catchments[key], places.rings[key]
    return HotspotEvidence(
        name=name,
        first_visit=first,
        places=len(catchment),
        ring_places=len(around),
        effect=estimate(panel, dict.fromkeys(catchment, month), places.candidates, name),
        ring=estimate(panel, dict.fromkeys(around, month), places.candidates, f"Around {name}"),
        dose=dose(row, encounters.get(key, 0), as_of, first),
        pooled=_long_enough(panel, month),
    )


def _long_enough(panel: Panel, month: dt.date) -> bool:
    before = sum(1 for m in panel.months if m < month)
    after = sum(1 for m in panel.months if m > month)
    return before >= rules.MIN_MONTHS_BEFORE and after >= rules.MIN_MONTHS_AFTER


def _pooled(panel, places, visited, hotspots, area_name) -> tuple[Effect, Effect]:
    """All hotspots with enough months either side together (all of them, to say why
    not, when none has)."""
    if not panel.months:
        reason = f"No police.uk street-level crime data has been imported for {area_name} yet."
        return inconclusive(POOLED, reason), inconclusive(POOLED_RING, reason)
    if not visited:
        reason = "No hotspot has been patrolled yet (no submitted work return lists one)."
        return inconclusive(POOLED, reason), inconclusive(POOLED_RING, reason)
    treated: dict[str, dt.date] = {}
    around: dict[str, dt.date] = {}
    for row, h in _chosen(visited, hotspots):
        month = h.first_visit.replace(day=1)
        for code in places.catchments[row["hotspot"]]:
            treated[code] = min(month, treated.get(code, month))
        for code in places.rings[row["hotspot"]]:
            around[code] = min(month, around.get(code, month))
    return (
        estimate(panel, treated, places.candidates, POOLED),
        estimate(panel, around, places.candidates, POOLED_RING),
    )


def _chosen(visited, hotspots) -> list:
    """The hotspots with enough months either side, or all of them when none has."""
    both = list(zip(visited, hotspots, strict=True))
    return [(row, h) for row, h in both if h.pooled] or both


def _staggered(pooled: Effect, panel, places, visited, hotspots) -> tuple[Effect, Staggered]:
    """Group-time effects for the pooled hotspots' LSOAs (every patrolled LSOA a
    comparison until its own patrols began); when they began in different months, the
    pooled effect's number comes from them (``staggered.headline``)."""
    starts: dict[str, dt.date] = {}
    for row, h in zip(visited, hotspots, strict=True):
        for code in places.catchments[row["hotspot"]]:
            month = h.first_visit.replace(day=1)
            starts[code] = min(month, starts.get(code, month))
    treated = {
        c for row, _ in _chosen(visited, hotspots) for c in places.catchments[row["hotspot"]]
    }
    by_event = staggered.estimate(panel, starts, places.candidates, estimated=treated)
    if len({starts[c] for c in treated}) > 1:
        pooled = staggered.headline(pooled, by_event)
    return pooled, event_chart.drawn(by_event)
