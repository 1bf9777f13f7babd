"""Patrol dosage: how often each hotspot was patrolled and for how long, and whether
hotspots patrolled more saw crime change more.

Minutes: a return's length (start to end of the shift) shared equally among the hotspots
it visited, as returns do not say how long was spent at each. Per week: from the week of
the first visit to the end of the period evaluated.

The dose-response slope is a weighted regression (a meta-regression) of each hotspot's
log rate ratio on its visits per week, each weighted by the inverse of its variance (read
from its own honest interval, ``Effect.log_ratio_se``): a slope below 1 means hotspots
visited more often saw crime fall more. Its standard error is never smaller than those
variances alone imply (the residual scale is floored at 1, as in a random-effects
meta-regression: hotspots may differ by more than chance, never by less), with a t
critical value on the residual degrees of freedom. It describes an association between
hotspots, not the effect of adding a visit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from . import rules
from .did import Effect, Interval
from .numeric import single_threaded


@dataclass(frozen=True)
class Dose:
    visits: int
    minutes: float
    encounters: int
    weeks: float

    @property
    def visits_per_week(self) -> float:
        return self.visits / self.weeks

    @property
    def minutes_per_week(self) -> float:
        return self.minutes / self.weeks

    @property
    def encounters_per_week(self) -> float:
        return self.encounters / self.weeks


def dose(row: dict, encounters: int, as_of: dt.date, first_day: dt.date) -> Dose:
    time = row["time"] or dt.timedelta(0)
    weeks = max(1.0, ((as_of - first_day).days + 1) / 7)
    return Dose(row["visits"], time.total_seconds() / 60, encounters, weeks)


@dataclass(frozen=True)
class DoseResponse:
    conclusive: bool
    reason: str = ""
    per_visit: Interval | None = None  # rate ratio for one more visit a week
    hotspots: int = 0


def dose_response(pairs: Sequence[tuple[Dose, Effect]]) -> DoseResponse:
    """``pairs``: each hotspot's dosage and its own effect estimate."""
    usable = [(d, e) for d, e in pairs if e.conclusive and e.estimate is not None]
    if len(usable) < rules.MIN_HOTSPOTS_FOR_DOSE:
        return DoseResponse(
            False,
            f"Too few hotspots with an estimate of their own: {len(usable)} "
            f"(at least {rules.MIN_HOTSPOTS_FOR_DOSE} needed).",
            hotspots=len(usable),
        )
    doses = [d.visits_per_week for d, _ in usable]
    if max(doses) - min(doses) < 1e-9:
        return DoseResponse(
            False, "Every hotspot was visited as often: nothing to compare.", hotspots=len(usable)
        )
    fitted = _slope(doses, [e for _, e in usable])
    if fitted is None:
        return DoseResponse(False, "The regression could not be fitted.", hotspots=len(usable))
    return DoseResponse(True, per_visit=fitted, hotspots=len(usable))


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
