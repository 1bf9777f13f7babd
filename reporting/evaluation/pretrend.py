"""A pre-trend check that can fail.

The months before patrols began are split in two. Comparison places are chosen on the
earlier part only (``did.choose_comparisons``); the later part is held out, and the check
asks whether, between the two parts, crime in the treated places changed differently
from crime in those comparison places: a placebo difference in differences with a false
start at the split, with the same estimator and the same honest interval as the effect
itself (``inference``). A place picked because its earlier months happened to look like
a treated place's has no reason to keep looking like it in months it was not picked on;
a drift the treated places already had shows up here.

When the interval of that placebo ratio leaves out 1, the check fails, and the effect is
reported as "can't tell" with this reason, never as a rise or a fall.

A placebo on a few held-out months has little power: a steady drift can slip past it
(with 12 months before patrols, about one drifting world in five did). So when the
placebo could have missed a trend big enough to explain the whole effect
(``underpowered``), a clear effect must also survive that trend: the same estimate made
against each place's own trend before patrols, continued (``adjusted``; Rambachan and
Roth's "honest" difference in differences with linear trends allowed, M = 0), must still
point the same way at the one-sided 5% level (``rules.Z_ONE_SIDED`` standard errors). A
world that only drifted then says "Fell" about one time in twenty; the price is power
with short pre-periods, shown in the replication study of docs/evaluation.md. With a long
pre-period the placebo sees such a trend itself and nothing more is asked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from . import inference, rules

CANT_TELL = (
    "Can't tell: before patrols began, crime here was already changing differently from "
    "the comparison places, so a change after patrols cannot be told apart from a trend "
    "that was already there."
)
CANT_TELL_MAYBE = (
    "Can't tell: before patrols began, crime here may already have been changing "
    "differently from the comparison places, and the change after patrols is not clear "
    "once that trend is allowed to go on."
)


def opening(placebo) -> str:
    """The first sentence of a failed check: the trend was found (its interval leaves out
    1), or it could not be ruled out as the cause of the change."""
    return CANT_TELL if placebo is None or placebo.clear else CANT_TELL_MAYBE


def windows(before: int) -> tuple[int, int]:
    """(months to choose comparisons on, later months held out for the check)."""
    held = min(before, max(rules.PRETREND_MONTHS, before // 2))
    return before - held, held


def placebo_cohorts(groups: Sequence[inference.Cohort], before: int) -> list[inference.Cohort]:
    """Each cohort of the estimate (``inference.cohorts``) as a placebo: the months the
    comparison places were chosen on against the months from then until its own start
    (a later start holds out more months)."""
    match, _ = windows(before)
    return [
        inference.Cohort(
            before=range(0, match), after=range(match, len(c.before)), treated=c.treated
        )
        for c in groups
    ]


def check(
    counts: Mapping[str, Sequence[int]],
    groups: Sequence[inference.Cohort],
    chosen: Sequence[str],
    before: int,
) -> inference.Fit | None:
    """The placebo log ratio (held-out pre-months against the earlier ones, treated
    against comparison places) with its interval; None when the months are too few to
    split. ``groups``: the estimate's cohorts; ``before``: months before the first start."""
    match, held = windows(before)
    if match < rules.PRETREND_MONTHS or held < rules.PRETREND_MONTHS or not chosen:
        return None
    return inference.fit(counts, placebo_cohorts(groups, before), chosen)


def adjusted(
    counts: Mapping[str, Sequence[int]],
    groups: Sequence[inference.Cohort],
    chosen: Sequence[str],
    before: int,
) -> inference.Fit | None:
    """The effect against each place's trend before patrols, continued: the line through
    the months comparisons were chosen on and the held-out months, carried on into the
    months after (``inference.fit`` with ``trend_from``); None when the check is not made."""
    match, held = windows(before)
    if match < rules.PRETREND_MONTHS or held < rules.PRETREND_MONTHS or not chosen:
        return None
    return inference.fit(counts, groups, chosen, trend_from=match)


def underpowered(placebo: inference.Fit, log_effect: float, reach: float) -> bool:
    """The placebo could have missed a trend big enough to explain the effect: the trend
    that, continued over ``reach`` times the placebo's span, would make the whole effect
    (``log_effect / reach`` on the placebo's scale) is under the placebo's minimum
    detectable change (80% power at 5%, from its interval's half-width). Then a clear
    effect must also survive the trend continued (``survives``); when the check could see
    such a trend, passing it is enough."""
    detectable = (placebo.high - placebo.low) / 2 * (rules.Z95 + rules.Z80) / rules.Z95
    return reach > 0 and abs(log_effect) / reach < detectable


def survives(adjusted_effect, estimate) -> bool:
    """A clear ``estimate`` still points the same way once the trend before is allowed to
    go on: the trend-adjusted log ratio is at least ``Z_ONE_SIDED`` of its standard errors
    (read from its 95% interval) on the estimate's side of 0."""
    low, high = math.log(adjusted_effect.low), math.log(adjusted_effect.high)
    se = (high - low) / (2 * rules.Z95)
    if not (math.isfinite(se) and se > 0):
        return False
    z = math.log(adjusted_effect.ratio) / se
    return z <= -rules.Z_ONE_SIDED if estimate.high < 1 else z >= rules.Z_ONE_SIDED


def gap(groups: Sequence[inference.Cohort]) -> float:
    """Months between the middle of the months before and of the months after, averaged
    over the treated places."""
    total = sum(len(c.treated) for c in groups)
    middle = lambda months: sum(months) / len(months)  # noqa: E731
    return sum(len(c.treated) * (middle(c.after) - middle(c.before)) for c in groups) / total


def explained(placebo: float, effect: float, placebo_gap: float, effect_gap: float) -> float:
    """The share of the effect (log ratio, over ``effect_gap`` months between the middles
    of its before and after) that the pre-trend (placebo log ratio over ``placebo_gap``
    months), continued at the same pace, would account for; 0 when it points the other
    way."""
    if effect == 0 or placebo_gap <= 0:
        return 0.0
    continued = placebo * effect_gap / placebo_gap
    return max(0.0, continued / effect)


def _change(ratio: float) -> str:
    n = round(abs(ratio - 1) * 100)
    return "0%" if n == 0 else f"{'−' if ratio < 1 else '+'}{n}%"


def failed(placebo, estimate, share: float | None, adjusted_effect=None) -> bool:
    """The check fails when the treated places already changed differently before
    (the placebo interval leaves out 1); or when the pre-trend, continued at the pace of
    its estimate, would account for at least ``PRETREND_SHARE`` of a clear effect; or when
    a clear effect does not survive that trend continued (``survives``)."""
    if placebo is None:
        return False
    if placebo.clear:
        return True
    if estimate is None or not estimate.clear:
        return False
    if share is not None and share >= rules.PRETREND_SHARE:
        return True
    if adjusted_effect is None or (placebo.ratio < 1) != (estimate.high < 1):
        return False  # a trend the other way, continued, would only make the effect larger
    return not survives(adjusted_effect, estimate)


def measured(placebo, before: int, share: float | None, adjusted_effect=None) -> str:
    """What the check found, in words and numbers (one to three sentences)."""
    match, _ = windows(before)
    found = (
        f"From the first {match} months of data to the months after them until patrols "
        f"began, crime here changed by {_change(placebo.ratio)} relative to the comparison "
        f"places (95% confidence interval {_change(placebo.low)} to "
        f"{_change(placebo.high)}); the comparison places were chosen on those first "
        f"{match} months only."
    )
    if share is not None and share > 0 and not placebo.clear:
        found = (
            f"{found} Continued at that pace, that trend alone would account for about "
            f"{min(100, round(100 * share))}% of the change found after patrols."
        )
    if adjusted_effect is None or placebo.clear:
        return found
    return (
        f"{found} Against each place's own trend before patrols, carried on, the change "
        f"after patrols would be {_change(adjusted_effect.ratio)} (95% confidence interval "
        f"{_change(adjusted_effect.low)} to {_change(adjusted_effect.high)})."
    )


def reason(placebo, before: int, share: float | None, adjusted_effect=None) -> str:
    """Why a failed check leaves the effect undecided."""
    return f"{opening(placebo)} {measured(placebo, before, share, adjusted_effect)}"
