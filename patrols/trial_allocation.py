"""The trial's randomisation scheme, and the calendar that says when a week's allocation
may be seen. Pure functions: no database, so the analysis (reporting.evaluation.trial)
re-draws allocations with exactly the scheme the trial used.

Scheme: each week, independently, the eligible hotspots are shuffled within their block
(the area) and the first ``round(share × n)`` of each block are allocated to patrol, the
rest to control. The generator is numpy's PCG64 seeded from (trial seed, week number),
so a week's allocation is the same every time it is drawn, from anywhere, and reveals
nothing about any other week.

Concealment: week W's allocation is revealed when its planning opens, on the Monday one
week before week W starts (week 1: a week before the trial's first Monday). Before
that, nobody sees it: not the lead, not the admin, not the API (selectors_trials).
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Hashable, Sequence

import numpy as np

PATROL = "patrol"
CONTROL = "control"
PLANNING_LEAD = dt.timedelta(days=7)  # planning for week W opens this long before it starts


def patrols_in_block(n: int, share: float) -> int:
    """round(share × n), halves rounded up (Python's round() would send 0.5 × 1 to 0)."""
    return int(math.floor(share * n + 0.5))


def generator(seed: str, week: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed, 16), week]))


def allocate(
    seed: str, week: int, hotspots: Sequence[tuple[int, Hashable]], share: float
) -> dict[int, str]:
    """Week ``week``'s allocation of ``hotspots`` ((pk, block) pairs): pk → patrol/control.
    The order hotspots are given in does not matter (each block is sorted by pk)."""
    rng = generator(seed, week)
    blocks: dict[Hashable, list[int]] = defaultdict(list)
    for pk, block in hotspots:
        blocks[block].append(pk)
    allocation = {}
    for block in sorted(blocks, key=str):
        members = sorted(blocks[block])
        shuffled = rng.permutation(members)
        treated = patrols_in_block(len(members), share)
        for rank, pk in enumerate(shuffled):
            allocation[int(pk)] = PATROL if rank < treated else CONTROL
    return allocation


def week_monday(starts_on: dt.date, week: int) -> dt.date:
    return starts_on + dt.timedelta(weeks=week - 1)


def reveal_on(starts_on: dt.date, week: int) -> dt.date:
    """The day week ``week``'s allocation may first be seen: its planning opens."""
    return week_monday(starts_on, week) - PLANNING_LEAD


def week_of(starts_on: dt.date, weeks: int, day: dt.date) -> int | None:
    """The trial week ``day`` falls in (1..weeks), or None outside the trial."""
    if day < starts_on:
        return None
    week = (day - starts_on).days // 7 + 1
    return week if week <= weeks else None


def revealed_weeks(starts_on: dt.date, weeks: int, today: dt.date) -> list[int]:
    """The weeks whose planning has opened by ``today``."""
    return [w for w in range(1, weeks + 1) if reveal_on(starts_on, w) <= today]


def ended_weeks(starts_on: dt.date, weeks: int, today: dt.date) -> list[int]:
    """The weeks that are over by ``today`` (their Sunday has passed)."""
    return [w for w in range(1, weeks + 1) if week_monday(starts_on, w + 1) <= today]
