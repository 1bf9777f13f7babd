"""Does the operation work? The built-in evaluation behind the Evidence page and the
monthly report's appendix (method, assumptions and limits: ``docs/evaluation.md``).

``evaluate(area, as_of)`` answers four questions from the database, in a fixed number of
aggregate queries (``queries``), then models the counts in Python:

1. **Hotspot effect** (``did``): relevant crime in the LSOAs around each patrolled hotspot
   before its sustained patrolling began and in the months it was patrolled (``exposure``),
   against LSOAs of the area far from every hotspot (``places``) with a similar level
   and trend in the earlier months before; a difference in differences on
   each place's before and after totals with intervals that hold with few places
   (``inference``), a parallel-trends check on months the comparisons were not chosen on
   (``pretrend``); and the same for the ring of LSOAs around, to check displacement.
   With starts in different months, the number comes from group-time effects against
   not-yet and never patrolled places (``staggered``), whose month-by-month chart is
   drawn here (``event_chart``), so that the page never loads matplotlib.
2. **Patrol dosage** (``dosage``): visits and minutes per hotspot per week (recorded visit
   times where returns have them, ``timed``), minutes per visit against Koper's 10–16
   minute curve, and whether hotspots patrolled more saw crime change more.
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

from . import event_chart, exposure, queries, rules, staggered, timed
from .did import Effect, Panel, estimate, inconclusive
from .diversion import Diversion, diversion
from .dosage import (
    Dose,
    DoseResponse,
    VisitLengths,
    dose,
    dose_response,
    timed_by_hotspot,
    visit_lengths,
)
from .funnel import Funnel, funnel
from .places import area_lsoas, layout
from .staggered import Staggered

__all__ = ["Evidence", "HotspotEvidence", "evaluate"]

POOLED = "All patrolled hotspots"
POOLED_RING = "Around all patrolled hotspots"


@dataclass(frozen=True)
class HotspotEvidence:
    name: str
    first_visit: dt.date  # the day sustained patrolling began (``exposure``)
    places: int  # LSOAs in its catchment
    ring_places: int
    effect: Effect
    ring: Effect
    dose: Dose
    pooled: bool  # enough months either side to be in the pooled estimate
    stopped: dt.date | None = None  # the first day no longer patrolled, if not patrolled now
    patrolled_months: int = 0  # months patrolled all month (those that count as after)


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
    visit_lengths: VisitLengths
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
    spells = exposure.patrolled(queries.visit_days(area, as_of), as_of, *rules.patrol_rule())
    visited = [r for r in queries.patrolled_hotspots(area, as_of) if r["hotspot"] in spells]
    encounters = queries.hotspot_encounters(area, as_of)
    others = _other_hotspots(area, as_of, panel, spells)
    places = layout(
        ((row["hotspot"], float(row["latitude"]), float(row["longitude"])) for row in visited),
        lsoas,
        others,
    )
    visits = timed.timed_visits(area, as_of)
    by_hotspot = timed_by_hotspot(visits)
    hotspots = [
        _hotspot(row, spells[row["hotspot"]], panel, places, encounters, as_of, by_hotspot)
        for row in visited
    ]
    pooled, displacement = _pooled(panel, places, visited, hotspots, spells, area.name)
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
        unpatrolled_hotspots=len(others),
        dose_response=dose_response([(h.dose, h.effect) for h in hotspots]),
        visit_lengths=visit_lengths(visits, sum(h.dose.visits for h in hotspots)),
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


def _other_hotspots(area, as_of, panel: Panel, spells) -> list[tuple[float, float]]:
    """Where the area's hotspots not patrolled in a sustained way are (those retired
    before the first month evaluated left out): their LSOAs are no comparison."""
    first = panel.months[0] if panel.months else as_of
    return [
        (float(h["latitude"]), float(h["longitude"]))
        for h in queries.area_hotspots(area, as_of)
        if h["pk"] not in spells and (h["retired_on"] is None or h["retired_on"] >= first)
    ]


def _hotspot(row, found, panel: Panel, places, encounters, as_of, by_hotspot) -> HotspotEvidence:
    """One hotspot: its months after count only while it was patrolled (``exposure``)."""
    key, name, start = row["hotspot"], row["name"], found[0].start
    month, patrolled = start.replace(day=1), exposure.patrolled_months(found, panel.months)
    catchment, around = places.catchments[key], places.rings[key]

    def effect(codes, label):
        starts, after = dict.fromkeys(codes, month), dict.fromkeys(codes, patrolled)
        return estimate(panel, starts, places.candidates, label, after=after)

    return HotspotEvidence(
        name=name,
        first_visit=start,
        places=len(catchment),
        ring_places=len(around),
        effect=effect(catchment, name),
        ring=effect(around, f"Around {name}"),
        dose=dose(row, encounters.get(key, 0), as_of, start, by_hotspot.get(key)),
        pooled=_long_enough(panel, month, patrolled),
        stopped=found[-1].stop,
        patrolled_months=len(patrolled),
    )


def _long_enough(panel: Panel, month: dt.date, patrolled: frozenset) -> bool:
    before = sum(1 for m in panel.months if m < month)
    after = sum(1 for m in panel.months if m > month and m in patrolled)
    return before >= rules.MIN_MONTHS_BEFORE and after >= rules.MIN_MONTHS_AFTER


def _pooled(panel, places, visited, hotspots, spells, area_name) -> tuple[Effect, Effect]:
    """All hotspots with enough months either side together (all of them, to say why
    not, when none has)."""
    if not panel.months:
        reason = f"No police.uk street-level crime data has been imported for {area_name} yet."
        return inconclusive(POOLED, reason), inconclusive(POOLED_RING, reason)
    if not visited:
        visits, weeks = rules.patrol_rule()
        reason = (
            "No hotspot has been patrolled in a sustained way yet (at least "
            f"{visits} visits in {weeks} weeks, from submitted work returns)."
        )
        return inconclusive(POOLED, reason), inconclusive(POOLED_RING, reason)
    treated: dict[str, dt.date] = {}  # LSOA → the first month of patrols near it
    around: dict[str, dt.date] = {}
    after: dict[str, frozenset] = {}  # LSOA → the months patrolled all month near it
    for row, h in _chosen(visited, hotspots):
        month = h.first_visit.replace(day=1)
        patrolled = exposure.patrolled_months(spells[row["hotspot"]], panel.months)
        for codes, into in ((places.catchments, treated), (places.rings, around)):
            for code in codes[row["hotspot"]]:
                into[code] = min(month, into.get(code, month))
                after[code] = after.get(code, frozenset()) | patrolled
    return (
        estimate(panel, treated, places.candidates, POOLED, after=after),
        estimate(panel, around, places.candidates, POOLED_RING, after=after),
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
