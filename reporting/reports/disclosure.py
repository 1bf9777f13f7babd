"""Statistical disclosure control for the partner-safe edition: the one function every
series of counts (a row of months and its total) goes through. Method, source and limits:
docs/disclosure-control.md.

Primary suppression: a count from 1 to 4 is shown as "<5" (zero as 0). Secondary
(complementary) suppression: where a row's total is published, the suppressed cells of the
row must not be recoverable from it, so more cells are suppressed (smallest first, shown
as "[c]") until the suppressed cells are at least two and their sum lies strictly inside
what their published bounds allow ("<5" is 1 to 4, "[c]" is 5 or more); only then can no
one of them be pinned to a single value from the total. Where no cell is left to add, the
total itself is suppressed ("[c]"), and every table that would add up to it is withheld.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SMALL = 5
PRIMARY = "<5"
SECONDARY = "[c]"


@dataclass(frozen=True)
class Protected:
    cells: list[str]  # the months' cells, then the total
    hidden: frozenset[int]  # indexes of suppressed months
    total_hidden: bool

    def shown(self, values: list) -> list:
        """The values a chart may draw: None where the cell is suppressed."""
        return [None if i in self.hidden else v for i, v in enumerate(values)]


def _small(value) -> bool:
    return 0 < value < SMALL


def _safe(values: list, hidden: set[int]) -> bool:
    if not hidden:
        return True
    low = sum(1 if _small(values[i]) else SMALL for i in hidden)
    high = sum(SMALL - 1 if _small(values[i]) else float("inf") for i in hidden)
    return len(hidden) >= 2 and low < sum(values[i] for i in hidden) < high


def protect_row(values: list, show: Callable = lambda v: f"{v:,}") -> Protected:
    """The row's cells and total as the partner edition publishes them."""
    hidden = {i for i, v in enumerate(values) if _small(v)}
    total = sum(values)
    total_hidden = False
    if _small(total):
        # The total is itself "<5": it bounds the cells from above too.
        total_hidden = len(hidden) >= SMALL - 1
    else:
        while not _safe(values, hidden):
            others = sorted((v, i) for i, v in enumerate(values) if v and i not in hidden)
            if not others:
                total_hidden = True
                break
            hidden.add(others[0][1])
    cells = [
        (PRIMARY if _small(v) else SECONDARY) if i in hidden else show(v)
        for i, v in enumerate(values)
    ]
    if total_hidden:
        cells.append(SECONDARY)
    else:
        cells.append(PRIMARY if _small(total) else show(total))
    return Protected(cells, frozenset(hidden), total_hidden)


def exact_row(values: list, show: Callable = lambda v: f"{v:,}") -> Protected:
    """The police edition's row: everything shown."""
    return Protected([*map(show, values), show(sum(values))], frozenset(), False)
