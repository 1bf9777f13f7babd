"""Timed visits on a work return: when the patrol arrived at a hotspot and when it left.

The rules, in one place for the page, the API and the service that writes them
(``visit_problems``): both times or neither (a visit with neither is just a hotspot
visited: ``hotspots_visited``); departure after arrival; both within the shift the return
records (which may cross midnight: the times are full date-times by the time they get
here); and two visits at one hotspot may not overlap. Each problem names its visit by
number and the field it belongs next to.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from governance import audit

from ..models import HotspotVisit, WorkReturn
from .errors import PatrolRuleError


@dataclass(frozen=True)
class VisitProblem:
    index: int  # position in the visits given, from 0
    field: str  # "arrived_at" or "left_at" (or "hotspot")
    message: str

    def __str__(self) -> str:
        return f"Visit {self.index + 1}: {self.message}"


def visit_problems(
    started_at: dt.datetime, ended_at: dt.datetime, visits: Sequence[dict]
) -> list[VisitProblem]:
    """What is wrong with these visits (dicts of hotspot, arrived_at, left_at)."""
    problems = []
    timed = []
    for index, visit in enumerate(visits):
        found = _one_visit(started_at, ended_at, index, visit)
        problems += found
        if not found:
            timed.append((index, visit))
    return problems + _overlaps(timed)


def _one_visit(started_at, ended_at, index: int, visit: dict) -> list[VisitProblem]:
    arrived, left = visit.get("arrived_at"), visit.get("left_at")
    if visit.get("hotspot") is None:
        return [VisitProblem(index, "hotspot", "choose the hotspot visited.")]
    if arrived is None and left is None:
        # A hotspot visited without times is listed in hotspots_visited, not as a visit.
        return [VisitProblem(index, "arrived_at", "give the arrival and departure times.")]
    if arrived is None or left is None:
        field = "arrived_at" if arrived is None else "left_at"
        which = "arrival" if arrived is None else "departure"
        return [VisitProblem(index, field, f"give the {which} time too, or neither.")]
    if left <= arrived:
        return [VisitProblem(index, "left_at", "the departure must be after the arrival.")]
    shift = f"within the shift ({_clock(started_at)}–{_clock(ended_at)})"
    if arrived < started_at:
        return [VisitProblem(index, "arrived_at", f"the arrival must be {shift}.")]
    if left > ended_at:
        return [VisitProblem(index, "left_at", f"the departure must be {shift}.")]
    return []


def _overlaps(timed: list[tuple[int, dict]]) -> list[VisitProblem]:
    """Two stays at one hotspot that overlap (touching is fine: left, then came back)."""
    problems = []
    ordered = sorted(timed, key=lambda item: (item[1]["hotspot"].pk, item[1]["arrived_at"]))
    for (first, a), (second, b) in zip(ordered, ordered[1:], strict=False):
        if a["hotspot"].pk == b["hotspot"].pk and b["arrived_at"] < a["left_at"]:
            later = max(first, second)
            problems.append(
                VisitProblem(
                    later,
                    "arrived_at",
                    f"it overlaps visit {min(first, second) + 1} at {a['hotspot']}.",
                )
            )
    return problems


def _clock(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


def check_visits(started_at: dt.datetime, ended_at: dt.datetime, visits: Sequence[dict]) -> None:
    problems = visit_problems(started_at, ended_at, visits)
    if problems:
        raise PatrolRuleError(" ".join(str(p) for p in problems), field="visits")


def create_visits(work_return: WorkReturn, visits: Sequence[dict]) -> None:
    """Write the timed visits (already checked, with the return's hotspots)."""
    rows = HotspotVisit.objects.bulk_create(
        HotspotVisit(
            work_return=work_return,
            hotspot=visit["hotspot"],
            arrived_at=visit["arrived_at"],
            left_at=visit["left_at"],
        )
        for visit in visits
    )
    audit.created_many(rows)  # bulk_create sends no signals


def replace_visits(work_return: WorkReturn, visits: Sequence[dict]) -> None:
    """An amendment's visits in place of the return's (already checked): each removed
    row and each new one leaves its audit row."""
    for visit in work_return.visits.all():
        visit.delete()
    create_visits(work_return, visits)
