"""Difference in differences on monthly crime counts per place, with comparison places
chosen automatically.

Each place's months are collapsed to totals before and after patrols began (the month
they began is left out: half in, half out); the rate ratio is how much the treated
places' monthly rate changed relative to the comparison places' change, with an interval
that holds with few treated places and months that are not independent (``inference``).
Comparison places are chosen on the earlier part of the months before patrols, and the
later part is held out for the pre-trend check (``pretrend``): when it fails, the effect
is "can't tell", with the reason, and never a rise or a fall.

numpy and scipy are imported inside the functions: they cost a second or more to import,
which only the evaluation should pay.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from . import inference, rules
from . import pretrend as _pretrend


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
    dispersion: float | None = None  # comparison places' changes against Poisson's
    method: str = ""  # how the interval was made, in words
    pretrend: Interval | None = None  # placebo ratio: the later months before patrols
    pretrend_share: float | None = None  # of the effect, the pre-trend continued explains
    trend_adjusted: Interval | None = None  # the effect against the trend before, continued
    detectable: float | None = None  # the smallest fall found 4 times in 5 (a rate ratio)
    comparisons: tuple[str, ...] = field(default=(), repr=False)

    @property
    def log_ratio_se(self) -> float | None:
        """The standard error of log(rate ratio), recovered from the interval."""
        if self.estimate is None:
            return None
        return (math.log(self.estimate.high) - math.log(self.estimate.low)) / (2 * rules.Z95)

    @property
    def pretrend_differs(self) -> bool:
        """The pre-trend check failed (``pretrend.failed``): the estimate is kept, for
        the record, but is not conclusive."""
        return _pretrend.failed(
            self.pretrend, self.estimate, self.pretrend_share, self.trend_adjusted
        )


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
    after: Mapping[str, frozenset[dt.date]] | None = None,
    pretrend: bool = True,
) -> Effect:
    """The effect on the places in ``starts`` (place → first month of patrols; ``after``:
    place → the months after it that count, those it was patrolled all month; by default
    every month after the start) against comparison places chosen from ``candidates``;
    with ``pretrend`` (the default), also the check that their trends ran in parallel
    before, which turns a failed check into "can't tell". A place's months after its
    start that do not count (patrols had stopped) are neither before nor after."""
    starts = {p: s for p, s in starts.items() if p in panel.counts}
    after_months = {
        p: frozenset(m for m in a if m > starts[p]) for p, a in (after or {}).items() if p in starts
    }
    if len(starts) < rules.MIN_TREATED_PLACES:
        return inconclusive(label, "No LSOA of the area lies in these places.")
    months = panel.months
    first = min(starts.values())
    groups = inference.cohorts(months, starts, after_months)
    before = sum(1 for m in months if m < first)
    after = min(len(c.after) for c in groups)
    matched, _ = _pretrend.windows(before)
    chosen = choose_comparisons(panel, sorted(starts), candidates, matched)
    counts = _period_counts(panel, starts, after_months, chosen)
    facts = {
        "treated_places": len(starts),
        "comparison_places": len(chosen),
        "months_before": before,
        "months_after": after,
        **counts,
    }
    reason = _too_thin(facts)
    if reason:
        return inconclusive(label, reason, detectable=detectable_from_counts(facts), **facts)
    try:
        fitted = inference.fit(panel.counts, groups, chosen)
    except (ValueError, ArithmeticError, FloatingPointError) as error:  # numpy's own
        return inconclusive(label, f"The model could not be fitted ({error}).", **facts)
    if fitted is None:
        return inconclusive(label, "The model could not be fitted to these counts.", **facts)
    effect = Effect(
        label=label,
        conclusive=True,
        estimate=_interval(fitted),
        detectable=detectable_from_interval(_interval(fitted)),
        dispersion=fitted.dispersion,
        method=fitted.method,
        comparisons=tuple(chosen),
        **facts,
    )
    return _checked(effect, panel, groups, chosen) if pretrend else effect


def _checked(effect: Effect, panel: Panel, groups, chosen) -> Effect:
    """The effect with its pre-trend check; a failed check makes it inconclusive."""
    before = effect.months_before
    try:
        check = _pretrend.check(panel.counts, groups, chosen, before)
    except (ValueError, ArithmeticError, FloatingPointError):
        check = None
    if check is None:
        return effect
    placebo_gap = _pretrend.gap(_pretrend.placebo_cohorts(groups, before))
    effect_gap = _pretrend.gap(groups)
    log_effect = math.log(effect.estimate.ratio)
    share = _pretrend.explained(check.log_ratio, log_effect, placebo_gap, effect_gap)
    adjusted = None
    if _pretrend.underpowered(check, log_effect, effect_gap / placebo_gap):
        try:
            adjusted = _pretrend.adjusted(panel.counts, groups, chosen, before)
        except (ValueError, ArithmeticError, FloatingPointError):
            adjusted = None
    effect = replace(
        effect,
        pretrend=_interval(check),
        pretrend_share=share,
        trend_adjusted=_interval(adjusted) if adjusted is not None else None,
    )
    if not effect.pretrend_differs:
        return effect
    why = _pretrend.reason(effect.pretrend, before, share, effect.trend_adjusted)
    return replace(effect, conclusive=False, reason=why)


def _interval(fitted: inference.Fit) -> Interval:
    return Interval(
        ratio=math.exp(fitted.log_ratio), low=math.exp(fitted.low), high=math.exp(fitted.high)
    )


def _period_counts(panel: Panel, starts, after, chosen: Sequence[str]) -> dict:
    """Crimes before and after in the treated places (each its own start and months
    after) and in the comparison places (before the first start; after the last, in the
    months that count as after for some place)."""
    first, last = min(starts.values()), max(starts.values())
    months = panel.months
    counted = None if len(after) < len(starts) else frozenset().union(*after.values())

    def is_after(p, m):
        return m > starts[p] and (p not in after or m in after[p])

    def total(places, keep):
        return sum(
            n for p in places for m, n in zip(months, panel.counts[p], strict=True) if keep(p, m)
        )

    return {
        "crimes_before": total(starts, lambda p, m: m < starts[p]),
        "crimes_after": total(starts, is_after),
        "comparison_before": total(chosen, lambda p, m: m < first),
        "comparison_after": total(
            chosen, lambda p, m: m > last and (counted is None or m in counted)
        ),
    }


def detectable_from_interval(interval: Interval) -> float:
    """The minimum detectable effect as a rate ratio below 1: the fall a two-sided 5%
    test finds with 80% power, (Z95 + Z80) standard errors of the log ratio, the standard
    error read from the interval's half-width (as if it were Z95 of them: with a t or
    bootstrap interval that errs towards a larger detectable effect)."""
    half = (math.log(interval.high) - math.log(interval.low)) / 2
    return math.exp(-half * (rules.Z95 + rules.Z80) / rules.Z95)


def detectable_from_counts(facts: dict) -> float:
    """The same from the four totals alone, Poisson noise only: a best case (places vary
    more than Poisson), for results too thin to fit."""
    variance = sum(
        1 / (facts[k] + 0.5)
        for k in ("crimes_before", "crimes_after", "comparison_before", "comparison_after")
    )
    return math.exp(-(rules.Z95 + rules.Z80) * math.sqrt(variance))


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
        (
            facts["comparison_before"],
            rules.MIN_COMPARISON_CRIMES,
            "relevant crimes in the comparison places before patrols began",
        ),
        (
            facts["comparison_after"],
            rules.MIN_COMPARISON_CRIMES,
            "relevant crimes in the comparison places after patrols began",
        ),
    ]
    short = [
        f"{have} {what} (at least {need} needed)" for have, need, what in checks if have < need
    ]
    if not short:
        return ""
    return "Too little data to estimate an effect: " + "; ".join(short) + "."
