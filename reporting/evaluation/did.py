"""Difference-in-differences on monthly crime counts per place, with comparison places
chosen automatically.

The model is a Poisson regression (a quasi-likelihood: it stays consistent when counts
vary more than a Poisson distribution would, which ``dispersion`` reports) with a fixed
effect for each place and each month and one term, ``after``, that is 1 for a treated
place in the months after its patrols began. ``exp(after)`` is the rate ratio: crime in
the treated places after patrols, relative to what the comparison places' change says it
would have been. The month patrols began is left out for its place (half in, half out).

numpy and statsmodels are imported inside the functions: they cost a second or more to
import, which only the evaluation should pay.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from . import rules
from .numeric import single_threaded


@dataclass(frozen=True)
class Panel:
    """Relevant crime per place and month; ``counts[place][i]`` is for ``months[i]``."""

    months: tuple[dt.date, ...]
    counts: Mapping[str, Sequence[int]]


@dataclass(frozen=True)
class Interval:
    """A rate ratio and its 95% confidence interval."""

    ratio: float
    low: float
    high: float

    @property
    def clear(self) -> bool:
        """The interval leaves out "no change" (a ratio of 1)."""
        return self.high < 1 or self.low > 1

    def covers(self, ratio: float) -> bool:
        return self.low <= ratio <= self.high


@dataclass(frozen=True)
class Effect:
    """One difference-in-differences result, or the reason there is none."""

    label: str
    conclusive: bool
    reason: str = ""  # why not conclusive, in words (empty when conclusive)
    estimate: Interval | None = None
    treated_places: int = 0
    comparison_places: int = 0
    months_before: int = 0
    months_after: int = 0
    crimes_before: int = 0  # in the treated places
    crimes_after: int = 0
    comparison_before: int = 0
    comparison_after: int = 0
    dispersion: float | None = None
    clustered: bool = False
    pretrend: Interval | None = None  # treated vs comparison trend before, per year
    comparisons: tuple[str, ...] = field(default=(), repr=False)

    @property
    def log_ratio_se(self) -> float | None:
        """The standard error of log(rate ratio), recovered from the interval."""
        if self.estimate is None:
            return None
        return (math.log(self.estimate.high) - math.log(self.estimate.low)) / (2 * rules.Z95)

    @property
    def pretrend_differs(self) -> bool:
        return self.pretrend is not None and self.pretrend.clear


def inconclusive(label: str, reason: str, **counts) -> Effect:
    return Effect(label=label, conclusive=False, reason=reason, **counts)


# --- Comparison places ---------------------------------------------------------------------


def _features(series: Sequence[int], before: int) -> tuple[float, float]:
    """Level (log of the monthly mean) and trend (slope of log counts per month)."""
    values = [math.log1p(v) for v in series[:before]]
    n = len(values)
    mean = sum(values) / n
    t_mean = (n - 1) / 2
    spread = sum((t - t_mean) ** 2 for t in range(n)) or 1.0
    slope = sum((t - t_mean) * (v - mean) for t, v in enumerate(values)) / spread
    return math.log1p(sum(series[:before]) / n), slope


def choose_comparisons(
    panel: Panel, treated: Sequence[str], candidates: Sequence[str], before: int
) -> list[str]:
    """For each treated place, the COMPARISONS_PER_PLACE candidates nearest to it on the
    pre-period level and trend (each standardised over the candidates); their union."""
    candidates = sorted(c for c in candidates if c in panel.counts)
    if not candidates or before < 2:
        return []
    features = {p: _features(panel.counts[p], before) for p in [*treated, *candidates]}
    scales = []
    for i in (0, 1):
        values = [features[c][i] for c in candidates]
        mean = sum(values) / len(values)
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
        scales.append(sd or 1.0)
    chosen: set[str] = set()
    for place in treated:
        fx, fy = features[place]

        def distance(c, fx=fx, fy=fy):
            cx, cy = features[c]
            return (((cx - fx) / scales[0]) ** 2 + ((cy - fy) / scales[1]) ** 2, c)

        chosen.update(sorted(candidates, key=distance)[: rules.COMPARISONS_PER_PLACE])
    return sorted(chosen)


# --- The estimate --------------------------------------------------------------------------


def estimate(
    panel: Panel,
    starts: Mapping[str, dt.date],
    candidates: Sequence[str],
    label: str,
    *,
    pretrend: bool = False,
) -> Effect:
    """The effect on the places in ``starts`` (place → first month of patrols) against
    comparison places chosen from ``candidates``; with ``pretrend``, also the check that
    their trends ran in parallel before (one more fit)."""
    starts = {p: s for p, s in starts.items() if p in panel.counts}
    if len(starts) < rules.MIN_TREATED_PLACES:
        return inconclusive(label, "No LSOA of the area lies in these places.")
    months = panel.months
    first, last = min(starts.values()), max(starts.values())
    before = sum(1 for m in months if m < first)
    after = sum(1 for m in months if m > last)
    chosen = choose_comparisons(panel, sorted(starts), candidates, before)
    counts = _period_counts(panel, starts, chosen)
    facts = {
        "treated_places": len(starts),
        "comparison_places": len(chosen),
        "months_before": before,
        "months_after": after,
        **counts,
    }
    reason = _too_thin(facts)
    if reason:
        return inconclusive(label, reason, **facts)
    try:
        fitted = _fit(panel, starts, chosen)
    except (ValueError, ArithmeticError, FloatingPointError) as error:  # statsmodels' own
        return inconclusive(label, f"The model could not be fitted ({error}).", **facts)
    if fitted is None:
        return inconclusive(label, "The model could not be fitted to these counts.", **facts)
    estimate_, dispersion, clustered = fitted
    return Effect(
        label=label,
        conclusive=True,
        estimate=estimate_,
        dispersion=dispersion,
        clustered=clustered,
        pretrend=_pretrend(panel, starts, chosen, before) if pretrend else None,
        comparisons=tuple(chosen),
        **facts,
    )


def _period_counts(panel: Panel, starts: Mapping[str, dt.date], chosen: Sequence[str]) -> dict:
    first, last = min(starts.values()), max(starts.values())
    months = panel.months

    def total(places, keep):
        return sum(
            n for p in places for m, n in zip(months, panel.counts[p], strict=True) if keep(p, m)
        )

    return {
        "crimes_before": total(starts, lambda p, m: m < starts[p]),
        "crimes_after": total(starts, lambda p, m: m > starts[p]),
        "comparison_before": total(chosen, lambda p, m: m < first),
        "comparison_after": total(chosen, lambda p, m: m > last),
    }


def _too_thin(facts: dict) -> str:
    checks = [
        (
            facts["months_before"],
            rules.MIN_MONTHS_BEFORE,
            "months of crime data before patrols began",
        ),
        (facts["months_after"], rules.MIN_MONTHS_AFTER, "months of crime data after patrols began"),
        (facts["comparison_places"], rules.MIN_COMPARISON_PLACES, "comparison places"),
        (
            facts["crimes_before"],
            rules.MIN_CRIMES_BEFORE,
            "relevant crimes in these LSOAs before patrols began",
        ),
        (
            facts["crimes_after"],
            rules.MIN_CRIMES_AFTER,
            "relevant crimes in these LSOAs after patrols began",
        ),
    ]
    short = [
        f"{have} {what} (at least {need} needed)" for have, need, what in checks if have < need
    ]
    if not short:
        return ""
    return "Too little data to estimate an effect: " + "; ".join(short) + "."


def _design(panel: Panel, starts, chosen, *, months_until: dt.date | None = None):
    """The rows of the regression: y, place index, month index, after, treated, years."""
    y, place, month, after, treated, years = [], [], [], [], [], []
    for p_index, p in enumerate([*sorted(starts), *chosen]):
        start = starts.get(p)
        for m_index, (m, n) in enumerate(zip(panel.months, panel.counts[p], strict=True)):
            if months_until is not None and m >= months_until:
                continue
            if start is not None and m == start:
                continue  # the month patrols began is neither before nor after
            y.append(n)
            place.append(p_index)
            month.append(m_index)
            after.append(1.0 if start is not None and m > start else 0.0)
            treated.append(1.0 if start is not None else 0.0)
            years.append(m_index / 12)
    return y, place, month, after, treated, years


def _fixed_effects(y, place, month, extra):
    """Design matrix: intercept, place and month dummies (first of each dropped), extra
    columns; places and months with no crime at all are dropped (they carry no
    information in a fixed-effects Poisson model and would not converge)."""
    single_threaded()
    import numpy as np

    y = np.asarray(y, dtype=float)
    place, month = np.asarray(place), np.asarray(month)
    keep = np.ones(len(y), dtype=bool)
    for groups in (place, month):
        totals = np.bincount(groups, weights=y)
        keep &= totals[groups] > 0
    y, place, month = y[keep], place[keep], month[keep]
    extra = [np.asarray(col, dtype=float)[keep] for col in extra]
    _, place = np.unique(place, return_inverse=True)
    _, month = np.unique(month, return_inverse=True)
    columns = [np.ones(len(y))]
    columns += [(place == k).astype(float) for k in range(1, place.max() + 1)]
    columns += [(month == k).astype(float) for k in range(1, month.max() + 1)]
    columns += extra
    return y, np.column_stack(columns), place


def _fit(panel: Panel, starts, chosen):
    """(rate ratio with interval, dispersion, clustered?) or None."""
    import numpy as np

    y, place, month, after, _, _ = _design(panel, starts, chosen)
    y, x, groups = _fixed_effects(y, place, month, [after])
    if x[:, -1].sum() == 0 or x[:, -1].sum() == len(y):
        return None
    result, dispersion, clustered = _poisson(y, x, groups, treated_places=len(starts))
    if result is None:
        return None
    coef, se = float(result.params[-1]), float(result.bse[-1])
    if not (np.isfinite(coef) and np.isfinite(se)) or se <= 0:
        return None
    return _interval(coef, se), dispersion, clustered


def _poisson(y, x, groups, *, treated_places: int):
    """Poisson quasi-likelihood fit: cluster-robust by place with enough treated places,
    else model errors scaled up by the overdispersion. Returns (result, dispersion,
    clustered)."""
    import warnings

    import numpy as np
    from statsmodels.genmod.families import Poisson
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            model = GLM(y, x, family=Poisson())
            plain = model.fit()
            df = max(1.0, float(plain.df_resid))
            dispersion = float(plain.pearson_chi2) / df
            if treated_places >= rules.MIN_CLUSTERS:
                result = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
                return result, dispersion, True
            return model.fit(scale=max(1.0, dispersion)), dispersion, False
        except (ConvergenceWarning, PerfectSeparationWarning, np.linalg.LinAlgError):
            return None, None, False


def _interval(coef: float, se: float) -> Interval:
    return Interval(
        ratio=math.exp(coef),
        low=math.exp(coef - rules.Z95 * se),
        high=math.exp(coef + rules.Z95 * se),
    )


def _pretrend(panel: Panel, starts, chosen, before: int) -> Interval | None:
    """Did the treated places' crime already trend differently before patrols? The
    treated × time term on the months before the first start, as a ratio per year."""
    if before < rules.MIN_MONTHS_BEFORE:
        return None
    first = min(starts.values())
    y, place, month, _, treated, years = _design(panel, starts, chosen, months_until=first)
    trend = [t * yr for t, yr in zip(treated, years, strict=True)]
    y, x, groups = _fixed_effects(y, place, month, [trend])
    if x[:, -1].sum() == 0:
        return None
    result, _, _ = _poisson(y, x, groups, treated_places=len(starts))
    if result is None:
        return None
    coef, se = float(result.params[-1]), float(result.bse[-1])
    if not (math.isfinite(coef) and math.isfinite(se)) or se <= 0:
        return None
    return _interval(coef, se)
