"""A trial's result as the job stores it and the trial page reads it: plain dataclasses,
no numpy, so the page never loads the analysis (trial.py) to show one.

``FORMAT`` is the shape of the stored result (``evaluation.stored`` converts it to JSON
and back): a change of shape that old rows cannot fill bumps it, and rows stored in
another format count as not worked out yet (the next run writes them again).
"""

from __future__ import annotations

from dataclasses import dataclass

FORMAT = 1
TARGET_CHANGE = 0.20


@dataclass(frozen=True)
class TrialResult:
    units: int
    estimate: float  # the effect of patrol on the outcome, per unit (hotspot-week/month)
    control_level: float  # the outcome where no patrol was allocated
    relative: float | None  # estimate / control_level
    p_value: float
    low: float
    high: float
    draws: int
    visits_patrol: float  # mean visits per hotspot-week allocated to patrol
    visits_control: float
    visited_patrol_share: float  # hotspot-weeks allocated to patrol that had a visit
    visited_control_share: float
    detectable_now: float | None  # the change (share of control level) detectable now
    weeks_needed: int | None  # more weeks to detect TARGET_CHANGE at 80% power
    detectable_at_end: float | None = None  # ... once the registered duration has run

    @property
    def enough_by_the_end(self) -> bool:
        return self.detectable_at_end is not None and self.detectable_at_end <= TARGET_CHANGE
