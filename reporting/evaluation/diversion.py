"""Diversion: how many men given a conditional caution with the course completed it,
and whether completers were re-arrested less often than non-completers.

Intervals are Wilson score intervals for each proportion and Newcombe's hybrid score
interval (his method 10) for the difference: both behave well for the small counts here,
where the textbook "p ± 1.96 × standard error" interval does not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..metrics import REARREST_NOTE
from . import rules

NOT_RANDOMISED = (
    "This is not a randomised comparison: men who complete the course may differ from those "
    "who do not (motivation, circumstances, risk), so a difference in re-arrest need not be "
    "caused by the course."
)


@dataclass(frozen=True)
class Proportion:
    count: int
    total: int
    low: float
    high: float

    @property
    def share(self) -> float | None:
        return self.count / self.total if self.total else None


def wilson(count: int, total: int) -> Proportion:
    """The Wilson score 95% interval for count/total."""
    if total == 0:
        return Proportion(count, total, 0.0, 1.0)
    z, p = rules.Z95, count / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return Proportion(count, total, max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Difference:
    """first.share − second.share with Newcombe's 95% interval."""

    value: float
    low: float
    high: float

    @property
    def clear(self) -> bool:
        return self.low > 0 or self.high < 0


def newcombe(first: Proportion, second: Proportion) -> Difference:
    p1, p2 = first.count / first.total, second.count / second.total
    d = p1 - p2
    low = d - math.sqrt((p1 - first.low) ** 2 + (second.high - p2) ** 2)
    high = d + math.sqrt((first.high - p1) ** 2 + (p2 - second.low) ** 2)
    return Difference(d, low, high)


@dataclass(frozen=True)
class Rearrest:
    months: int
    completers: Proportion
    non_completers: Proportion
    difference: Difference | None  # completers minus non-completers
    conclusive: bool
    reason: str


@dataclass(frozen=True)
class Diversion:
    given: int
    completed: int
    not_completed: int
    open: int  # course still to be done or its outcome not recorded
    completion: Proportion  # completed / (completed + not completed)
    rearrest: tuple[Rearrest, ...]
    caveat: str = NOT_RANDOMISED
    matching_note: str = REARREST_NOTE


def diversion(counts: dict[str, int]) -> Diversion:
    finished = counts["completed"] + counts["not_completed"]
    return Diversion(
        given=counts["given"],
        completed=counts["completed"],
        not_completed=counts["not_completed"],
        open=counts["given"] - finished,
        completion=wilson(counts["completed"], finished),
        rearrest=tuple(_rearrest(counts, months) for months in rules.FOLLOW_UP_DAYS),
    )


def _rearrest(counts: dict[str, int], months: int) -> Rearrest:
    done = wilson(counts[f"completed_{months}_again"], counts[f"completed_{months}_men"])
    not_done = wilson(
        counts[f"not_completed_{months}_again"], counts[f"not_completed_{months}_men"]
    )
    short = [
        f"{p.total} {who} followed up for {months} months"
        for p, who in ((done, "completers"), (not_done, "non-completers"))
        if p.total < rules.MIN_MEN
    ]
    if short:
        reason = (
            f"Too few men to compare: {' and '.join(short)} "
            f"(at least {rules.MIN_MEN} in each group needed)."
        )
        return Rearrest(months, done, not_done, None, False, reason)
    return Rearrest(months, done, not_done, newcombe(done, not_done), True, "")
