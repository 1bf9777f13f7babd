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


def check(
    counts: Mapping[str, Sequence[int]], treated: Sequence[str], chosen: Sequence[str], before: int
) -> inference.Fit | None:
    """The placebo log ratio (later pre-months against earlier ones, treated against
    comparison places) with its interval; None when the months are too few to split."""
    match, held = windows(before)
    if match < rules.PRETREND_MONTHS or held < rules.PRETREND_MONTHS or not chosen:
        return None
    placebo = inference.Cohort(
        before=range(0, match), after=range(match, before), treated=sorted(treated)
    )
    return inference.fit(counts, [placebo], chosen)


def gap(groups: Sequence[inference.Cohort]) -> float:
    """Months between the middle of the months before and of the months after, averaged
    over the treated places."""
    total = sum(len(c.treated) for c in groups)
    return (
        sum(
            len(c.treated) * (sum(c.after) / len(c.after) - sum(c.before) / len(c.before))
            for c in groups
        )
        / total
    )


def explained(placebo: float, effect: float, gap: float, before: int) -> float:
    """The share of the effect (log ratio) that the pre-trend (placebo log ratio over
    ``before / 2`` months), continued at the same pace, would account for; 0 when it
    points the other way."""
    if effect == 0:
        return 0.0
    continued = placebo * gap / (before / 2)
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
    match, held = windows(before)
    found = (
        f"Over the last {held} months before patrols, crime here changed by "
        f"{_change(placebo.ratio)} relative to the comparison places, compared with the "
        f"{match} months before that (95% confidence interval {_change(placebo.low)} to "
        f"{_change(placebo.high)}), on months the comparison places were not chosen on."
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
