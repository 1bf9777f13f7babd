"""Patrol dosage: how often each hotspot was patrolled and for how long, and whether
hotspots patrolled more saw crime change more.

Visits and minutes: where a return recorded timed visits at a hotspot (arrival and
departure, ``patrols.HotspotVisit``), each timed visit counts and its own minutes are used;
otherwise the return counts as one visit and its length (start to end of the shift) is
shared equally among the hotspots it visited. ``Dose.timed_visits`` says how many visits
had times. Per week: from the week of the first visit to the end of the period evaluated.

Minutes per timed visit are set against Koper's curve (``KOPER_MINUTES``: stays of about
10 to 16 minutes gave the longest "residual deterrence" after police left; Koper 1995):
``VisitLengths`` counts visits under, within and over the band, and their median.

The dose-response slopes are weighted regressions (meta-regressions) of each hotspot's log
rate ratio on its visits per week (and again on its hours of patrol per week), each
weighted by the inverse of its variance (read from its own honest interval,
``Effect.log_ratio_se``): a slope below 1 means hotspots visited more often saw crime fall
more. Its standard error is never smaller than those variances alone imply (the residual
scale is floored at 1, as in a random-effects meta-regression: hotspots may differ by more
than chance, never by less), with a t critical value on the residual degrees of freedom.
It describes an association between hotspots, not the effect of adding a visit.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from . import rules
from .did import Effect, Interval
from .numeric import single_threaded

KOPER_MINUTES = (10.0, 16.0)  # the band, both ends counted in it


@dataclass(frozen=True)
class Dose:
    visits: int
    minutes: float
    encounters: int
    weeks: float
    timed_visits: int = 0  # of ``visits``, those with arrival and departure recorded

    @property
    def visits_per_week(self) -> float:
        return self.visits / self.weeks

    @property
    def minutes_per_week(self) -> float:
        return self.minutes / self.weeks

    @property
    def encounters_per_week(self) -> float:
        return self.encounters / self.weeks


@dataclass(frozen=True)
class Timed:
    """A hotspot's timed visits: how they change the visits and minutes its returns give."""

    visits: int = 0
    extra_visits: int = 0  # timed visits beyond one for each return that timed any
    minutes: float = 0.0  # recorded minutes, less the shared minutes they replace


def dose(
    row: dict, encounters: int, as_of: dt.date, first_day: dt.date, timed: Timed | None = None
) -> Dose:
    timed = timed or Timed()
    time = row["time"] or dt.timedelta(0)
    weeks = max(1.0, ((as_of - first_day).days + 1) / 7)
    minutes = max(0.0, time.total_seconds() / 60 + timed.minutes)
    return Dose(row["visits"] + timed.extra_visits, minutes, encounters, weeks, timed.visits)


def timed_by_hotspot(rows: Sequence[dict]) -> dict[int, Timed]:
    """``rows``: one per timed visit (``timed.timed_visits``), with the return's length and
    how many hotspots it listed. Per hotspot: what its timed visits change."""
    pairs: dict[tuple[int, int], list[dict]] = {}
    for row in rows:
        pairs.setdefault((row["hotspot"], row["work_return"]), []).append(row)
    result: dict[int, Timed] = {}
    for (hotspot, _), visits in pairs.items():
        first = visits[0]
        shared = (first["ended"] - first["started"]).total_seconds() / 60 / max(1, first["sharing"])
        recorded = sum(_minutes(v) for v in visits)
        before = result.get(hotspot, Timed())
        result[hotspot] = Timed(
            before.visits + len(visits),
            before.extra_visits + len(visits) - 1,
            before.minutes + recorded - shared,
        )
    return result


def _minutes(row: dict) -> float:
    return (row["left_at"] - row["arrived_at"]).total_seconds() / 60


@dataclass(frozen=True)
class VisitLengths:
    """Minutes per timed visit against Koper's 10–16 minute band."""

    timed: int  # visits with arrival and departure
    visits: int  # all visits evaluated, timed or not
    under: int
    within: int
    over: int
    median: float | None


def visit_lengths(rows: Sequence[dict], visits: int) -> VisitLengths:
    minutes = sorted(_minutes(row) for row in rows)
    low, high = KOPER_MINUTES
    median = statistics.median(minutes) if minutes else None
    return VisitLengths(
        timed=len(minutes),
        visits=max(visits, len(minutes)),
        under=sum(1 for m in minutes if m < low),
        within=sum(1 for m in minutes if low <= m <= high),
        over=sum(1 for m in minutes if m > high),
        median=median,
    )


@dataclass(frozen=True)
class DoseResponse:
    conclusive: bool
    reason: str = ""
    per_visit: Interval | None = None  # rate ratio for one more visit a week
    hotspots: int = 0
    per_hour: Interval | None = None  # rate ratio for one more hour of patrol a week
    minutes_reason: str = ""  # why there is no ``per_hour``, when there is none


def dose_response(pairs: Sequence[tuple[Dose, Effect]]) -> DoseResponse:
    """``pairs``: each hotspot's dosage and its own effect estimate."""
    usable = [(d, e) for d, e in pairs if e.conclusive and e.estimate is not None]
    if len(usable) < rules.MIN_HOTSPOTS_FOR_DOSE:
        reason = (
            f"Too few hotspots with an estimate of their own: {len(usable)} "
            f"(at least {rules.MIN_HOTSPOTS_FOR_DOSE} needed)."
        )
        return DoseResponse(False, reason, hotspots=len(usable), minutes_reason=reason)
    effects = [e for _, e in usable]
    per_visit, reason = _fit([d.visits_per_week for d, _ in usable], effects, "visited as often")
    per_hour, minutes_reason = _fit(
        [d.minutes_per_week / 60 for d, _ in usable], effects, "patrolled for as long"
    )
    return DoseResponse(
        per_visit is not None,
        reason,
        per_visit,
        len(usable),
        per_hour=per_hour,
        minutes_reason=minutes_reason,
    )


def _fit(doses: list[float], effects: list[Effect], alike: str) -> tuple[Interval | None, str]:
    if max(doses) - min(doses) < 1e-9:
        return None, f"Every hotspot was {alike}: nothing to compare."
    fitted = _slope(doses, effects)
    if fitted is None:
        return None, "The regression could not be fitted."
    return fitted, ""


def _slope(doses: list[float], effects: list[Effect]) -> Interval | None:
    single_threaded()
    import numpy as np
    from statsmodels.regression.linear_model import WLS

    y = np.array([math.log(e.estimate.ratio) for e in effects])
    weights = np.array([1 / e.log_ratio_se**2 for e in effects])
    x = np.column_stack([np.ones(len(doses)), np.array(doses)])
    result = WLS(y, x, weights=weights).fit()
    scale = float(result.scale)
    if not (math.isfinite(scale) and scale > 0):
        return None
    # Never narrower than the hotspots' own variances say (a scale below 1 is chance).
    coef, se = float(result.params[1]), float(result.bse[1]) * math.sqrt(max(1.0, scale) / scale)
    if not (math.isfinite(coef) and math.isfinite(se)) or se <= 0:
        return None
    # t quantile for the residual degrees of freedom: few hotspots, wide interval.
    from scipy.stats import t

    q = float(t.ppf(0.975, max(1, int(result.df_resid))))
    return Interval(math.exp(coef), math.exp(coef - q * se), math.exp(coef + q * se))
