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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from . import inference, rules

CANT_TELL = (
    "Can't tell: before patrols began, crime here was already changing differently from "
    "the comparison places, so a change after patrols cannot be told apart from a trend "
    "that was already there."
)


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


def failed(placebo, estimate, share: float | None) -> bool:
    """The check fails when the treated places already changed differently before
    (the placebo interval leaves out 1), or when the pre-trend, continued at the pace of
    its estimate, would account for at least ``PRETREND_SHARE`` of a clear effect."""
    if placebo is None:
        return False
    if placebo.clear:
        return True
    return (
        estimate is not None
        and estimate.clear
        and share is not None
        and share >= rules.PRETREND_SHARE
    )


def measured(placebo, before: int, share: float | None) -> str:
    """What the check found, in words and numbers (one or two sentences)."""
    match, _ = windows(before)
    found = (
        f"From the first {match} months of data to the months after them until patrols "
        f"began, crime here changed by {_change(placebo.ratio)} relative to the comparison "
        f"places (95% confidence interval {_change(placebo.low)} to "
        f"{_change(placebo.high)}); the comparison places were chosen on those first "
        f"{match} months only."
    )
    if share is None or share <= 0 or placebo.clear:
        return found
    return (
        f"{found} Continued at that pace, that trend alone would account for about "
        f"{min(100, round(100 * share))}% of the change found after patrols."
    )


def reason(placebo, before: int, share: float | None) -> str:
    """Why a failed check leaves the effect undecided."""
    return f"{CANT_TELL} {measured(placebo, before, share)}"
