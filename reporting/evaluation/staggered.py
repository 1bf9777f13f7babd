"""Staggered starts done right: group-time effects (Callaway and Sant'Anna, 2021) on the
rate-ratio scale, and their event-time view.

Patrols began at different months in different places. One model of all places and months
(two-way fixed effects) would compare places that started late with places already
patrolled, and when the effect grows or fades with time those "controls" carry the effect
themselves and the average comes out wrong, even with the wrong sign. Here each **cohort**
(the places whose patrols began in month ``g``) is compared, month by month, only with
places not patrolled by then: never-patrolled places and places whose patrols began later
(not yet patrolled). A patrolled place is never a comparison once its patrols began.

**ATT(g, t)**, the effect on cohort ``g`` in month ``t``, is a ratio of changes in totals:
crime in the cohort's places in month ``t`` against their base, divided by the same for
the comparison places (log scale, ½ added to each total so that no total is 0):

    log ATT(g, t) = log(T_t / T_base) − log(C_t / C_base)

- **Event time** ``e = t − g`` (``−EVENT_LEADS … EVENT_LAGS``): the base is the month before
  patrols began, ``g − 1`` (the reference, a ratio of 1 by construction); cohorts at the
  same event time are averaged by their number of places. The leads (``e < 0``) show
  whether the cohorts were already drifting from their comparisons before: a pre-trend
  view.
- **Overall**: the base is the mean of the (up to ``EVENT_LEADS``) months before ``g``,
  steadier than one month; each cohort's effect is the mean of its ATT(g, t) over every
  month after the start month (left out, as in ``did``: half before, half after), and
  cohorts are averaged by their number of places.

**Interval.** Each estimate is linear, to first order, in each place's counts: a place's
*score* is what it adds to the estimate (``Y_pt / T_t − Y_p,base / T_base`` for a cohort
place, minus the same for a comparison place, summed over the cells it is in with their
weights). Summing a place's months before squaring keeps whatever its months share
(serial correlation). The interval comes from the wild cluster bootstrap by place of
``inference.score_intervals``: the same Webb weights and seed as the difference in
differences, and never narrower than a t critical value on (treated places − 1) degrees
of freedom, because with few treated places their variance is estimated from few. The
treated places' scores are centred across cohorts at each event time, with a leverage
correction (``_scored``): a cohort of one place would otherwise show no variance at all.

Why no library: ``csdid`` and ``differences`` fit on the additive scale (counts or logs of
counts with zeros) and bring pandas-based machinery and their own analytic or
multiplier-bootstrap intervals with a normal critical value; what is needed here (ratios of
totals, the project's own wild cluster bootstrap with Webb weights and t(G − 1), no pandas)
is about 200 lines.

numpy is imported inside the functions (see ``did``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

from . import inference, rules
from . import pretrend as _pretrend
from .did import Effect, Interval, Panel

EVENT = rules.EVENT_LEADS
METHOD = "group-time effects against not-yet and never patrolled LSOAs, wild cluster bootstrap"


@dataclass(frozen=True)
class EventTime:
    event: int  # months since the month patrols began (e = t − g); −1 is the reference
    estimate: Interval | None  # None for the reference month
    cohorts: int  # cohorts that reach this event time with data and comparisons
    places: int  # their treated places


@dataclass(frozen=True)
class Staggered:
    conclusive: bool
    reason: str = ""
    overall: Interval | None = None
    events: tuple[EventTime, ...] = ()
    cohorts: int = 0
    treated_places: int = 0
    comparison_places: int = 0  # never patrolled (not-yet patrolled places come on top)
    method: str = ""
    svg: str = field(default="", repr=False)  # the event-time chart, drawn by the job


def start_index(months: Sequence[dt.date], start: dt.date) -> int:
    """Index of the first month with data at or after ``start`` (g)."""
    return bisect.bisect_left(list(months), start)


def controls(g_of: Mapping[str, int], never: Collection[str], g: int, t: int) -> list[str]:
    """The comparison places for cohort ``g`` in month ``t`` (and its base months, which
    end at g − 1): never patrolled, or patrolled from a month after both; never the
    cohort itself, never a place already patrolled."""
    last = max(t, g - 1)
    later = [p for p, h in g_of.items() if h > last and h != g]
    return sorted({*never, *later})


class _Cells:
    """The counts as an array (places × months) and ATT(g, t) with its scores."""

    def __init__(self, panel: Panel, places: Sequence[str]):
        import numpy as np

        self.places = list(places)
        self.row = {p: n for n, p in enumerate(self.places)}
        self.y = np.array([panel.counts[p] for p in self.places], dtype=float)

    def att(self, treated, comparison, t: int, base: Sequence[int]):
        """(log ATT, the treated places' scores, the comparison places' scores, the treated
        places' shares of their base), scores over all places."""
        import numpy as np

        parts, share = [], np.zeros(len(self.places))
        log_att = 0.0
        for group, sign in ((treated, 1.0), (comparison, -1.0)):
            rows = [self.row[p] for p in group]
            now = self.y[rows, t]
            before = self.y[rows][:, list(base)].mean(axis=1)
            total_now, total_before = now.sum(), before.sum()
            log_att += sign * (math.log(total_now + 0.5) - math.log(total_before + 0.5))
            score = np.zeros(len(self.places))
            score[rows] = sign * (now / max(total_now, 0.5) - before / max(total_before, 0.5))
            parts.append(score)
            if sign > 0:
                share[rows] = before / max(total_before, 0.5)
        return log_att, parts[0], parts[1], share


def _scored(cells: dict, size: Mapping[int, int]) -> dict:
    """(g, e) → (log ATT, scores). A cohort's places are few (often one): their scores
    are centred on all treated places at the same event time, not on their cohort's own
    (which for one place would be 0), with the small-sample factor N / (N − 1); when
    cohorts' effects differ this overstates the variance, never understates it."""
    import numpy as np

    mean, places = {}, {}
    for (g, e), (a, *_) in cells.items():
        mean[e] = mean.get(e, 0.0) + size[g] * a
        places[e] = places.get(e, 0) + size[g]
    out = {}
    for (g, e), (a, treated, comparison, share) in cells.items():
        n = places[e]
        if n < 2:
            continue
        spread = treated + share * (a - mean[e] / n)
        leverage = np.minimum(share * size[g] / n, 0.9)
        out[g, e] = (a, comparison + spread / (1 - leverage))
    return out


def estimate(
    panel: Panel,
    starts: Mapping[str, dt.date],
    never: Sequence[str],
    *,
    estimated: Collection[str] | None = None,
) -> Staggered:
    """Group-time effects for the places in ``estimated`` (default: all of ``starts``),
    place → first month of patrols; every place in ``starts`` may serve as a comparison
    before its own start, and ``never`` (never patrolled) always."""
    import numpy as np

    months = panel.months
    n_months = len(months)
    g_of = {p: start_index(months, s) for p, s in starts.items() if p in panel.counts}
    never = [p for p in never if p in panel.counts and p not in g_of]
    chosen = set(g_of if estimated is None else estimated) & set(g_of)
    cohorts: dict[int, list[str]] = {}
    for p in sorted(chosen):
        if 1 <= g_of[p] < n_months - 1:  # a month before, and one after the start month
            cohorts.setdefault(g_of[p], []).append(p)
    size = {g: len(c) for g, c in cohorts.items()}
    facts = {"cohorts": len(cohorts), "treated_places": sum(size.values())}
    facts["comparison_places"] = len(never)
    if facts["treated_places"] < 2:
        why = "Group-time effects need at least 2 LSOAs near hotspots with months either side."
        return Staggered(False, why, **facts)
    cells = _Cells(panel, sorted({*g_of, *never}))

    def all_cells(events, base) -> dict:
        out = {}
        for g, group in cohorts.items():
            for e in events(g):
                comparison = controls(g_of, never, g, g + e)
                if 0 <= g + e < n_months and comparison:
                    out[g, e] = cells.att(group, comparison, g + e, base(g))
        return _scored(out, size)

    # Overall: each cohort's mean over its months after the start month, against the mean
    # of up to EVENT_LEADS months before.
    after = all_cells(lambda g: range(1, n_months - g), lambda g: range(max(0, g - EVENT), g))
    per_cohort: dict[int, list] = {}
    for (g, _), cell in after.items():
        per_cohort.setdefault(g, []).append(cell)
    weight = sum(size[g] for g in per_cohort)
    if not weight:
        return Staggered(False, "No month after patrols began has comparison places.", **facts)
    estimates = [sum(size[g] * np.mean([a for a, _ in c]) for g, c in per_cohort.items()) / weight]
    scores = [sum(size[g] * np.mean([s for _, s in c], axis=0) for g, c in per_cohort.items())]
    scores[0] = scores[0] / weight
    # Event time: every cohort against its own month before patrols (e = −1).
    window = [e for e in range(-EVENT, rules.EVENT_LAGS + 1) if e != -1]
    by_event = all_cells(lambda g: window, lambda g: [g - 1])
    events = []
    for e in window:
        here = [(size[g], by_event[g, x]) for g, x in by_event if x == e]
        if here:
            n = sum(k for k, _ in here)
            estimates.append(sum(k * a for k, (a, _) in here) / n)
            scores.append(sum(k * s for k, (_, s) in here) / n)
            events.append((e, len(here), n))
    bounds = inference.score_intervals(estimates, np.array(scores).T, facts["treated_places"])
    if bounds is None:
        return Staggered(False, "The estimate's variance could not be worked out.", **facts)
    intervals = [
        Interval(math.exp(a), math.exp(low), math.exp(high))
        for a, (low, high) in zip(estimates, bounds, strict=True)
    ]
    points = [EventTime(e, i, k, n) for (e, k, n), i in zip(events, intervals[1:], strict=True)]
    points.append(EventTime(-1, None, len(cohorts), facts["treated_places"]))
    points.sort(key=lambda p: p.event)
    return Staggered(True, "", intervals[0], tuple(points), method=METHOD, **facts)


def headline(effect: Effect, staggered: Staggered) -> Effect:
    """The pooled difference in differences with the staggered estimate as its number
    (when places started at different months): its facts, thin-data reasons and
    pre-trend check stay; the share of the effect the pre-trend explains is rescaled to
    the new estimate, and a check that now fails makes it "can't tell"."""
    if effect.estimate is None or not staggered.conclusive:
        return effect
    new = staggered.overall
    share = effect.pretrend_share
    old_log, new_log = math.log(effect.estimate.ratio), math.log(new.ratio)
    if share is not None:
        share = max(0.0, share * old_log / new_log) if new_log else 0.0
    moved = replace(effect, estimate=new, method=METHOD, dispersion=None, pretrend_share=share)
    if moved.pretrend_differs:  # an estimate that is not conclusive failed only this check
        why = _pretrend.reason(effect.pretrend, effect.months_before, share, effect.trend_adjusted)
        return replace(moved, conclusive=False, reason=why)
    return replace(moved, conclusive=True, reason="")
