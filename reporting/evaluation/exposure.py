"""When a hotspot was patrolled: sustained patrolling, with a start and a stop.

A *visit* is a submitted work return that lists the hotspot (two returns the same day are
two visits). Weeks run Monday to Sunday. A hotspot is patrolled in a week when the
``PATROL_WINDOW_WEEKS`` weeks ending with it hold at least ``PATROL_MIN_VISITS`` visits
(``rules.patrol_rule``). A *spell* of patrolling:

- **starts** on the first visit inside the first window that meets the rule (the day the
  sustained patrolling actually began, not the day it was recognised): a single early
  visit, with nothing after it within the window, starts nothing;
- **stops** on the Monday of the first week, once over, whose window falls short: from
  then on the hotspot is not patrolled until a window meets the rule again (a new spell).

The week in progress can start a spell (the visits are already there) but never stop one
(its visits may still come). A spell still running on the day evaluated has no stop.

A month counts as *after* for a hotspot's places only when it is patrolled all month
(``patrolled_months``): the months between a stop and a new start are neither before nor
after, and the months of a later spell count again.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Spell:
    start: dt.date  # the first visit of the sustained patrolling
    stop: dt.date | None  # the first day no longer patrolled; None: still patrolled


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def spells(
    visits: Iterable[tuple[dt.date, int]], as_of: dt.date, min_visits: int, weeks: int
) -> list[Spell]:
    """The spells of sustained patrolling from ``visits`` ((day, visits that day)) up to
    ``as_of``, first first."""
    days = Counter()
    for day, n in visits:
        if day <= as_of and n > 0:
            days[day] += n
    if not days:
        return []
    per_week = Counter()
    for day, n in days.items():
        per_week[_monday(day)] += n
    first, current = min(per_week), _monday(as_of)
    week = dt.timedelta(weeks=1)
    out: list[Spell] = []
    start: dt.date | None = None
    monday = first
    while monday <= current:
        window = [monday - k * week for k in range(weeks)]
        met = sum(per_week[m] for m in window) >= min_visits
        over = monday + dt.timedelta(days=6) <= as_of
        if start is None and met:
            floor = out[-1].stop if out else first  # a new spell starts after the last
            start = min(d for d in days if d >= floor and _monday(d) in window)
        elif start is not None and not met and over:
            out.append(Spell(start, monday))
            start = None
        monday += week
    if start is not None:
        out.append(Spell(start, None))
    return out


def patrolled(
    rows: Iterable[dict], as_of: dt.date, min_visits: int, weeks: int
) -> dict[int, list[Spell]]:
    """Hotspot → its spells, from ``queries.visit_days`` rows; hotspots never patrolled
    in a sustained way are left out."""
    days: dict[int, list[tuple[dt.date, int]]] = {}
    for row in rows:
        days.setdefault(row["hotspot"], []).append((row["day"], row["n"]))
    found = {key: spells(visits, as_of, min_visits, weeks) for key, visits in days.items()}
    return {key: found[key] for key in sorted(found) if found[key]}


def month(day: dt.date | None) -> dt.date | None:
    return day.replace(day=1) if day else None


def _next_month(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1)


def patrolled_months(found: Iterable[Spell], months: Iterable[dt.date]) -> frozenset[dt.date]:
    """Of ``months`` (first days), those patrolled all month: wholly inside a spell. The
    month a spell starts or stops in is part in, part out, and counts for neither."""
    return frozenset(
        m
        for m in months
        if any(s.start <= m and (s.stop is None or s.stop >= _next_month(m)) for s in found)
    )
