"""How the monthly report shows its numbers in each edition: the partner-safe edition
suppresses small counts and folds small categories into "Other"."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from partners.models import ServiceType
from patrols.models import ArrestOutcome, CautionStatus, EngagementActivity, Offence
from referrals.models import ClosedOutcome, DeclineReason

SMALL = 5  # counts from 1 up to this (exclusive) are suppressed in the partner edition
OTHER = "Other (each under 5, combined)"
NOT_SHOWN = "—"
NOT_PUBLISHED_CELL = "not yet published"  # a crime month police.uk has not published
# Series that count the operation's own effort rather than people or what befell them.
OPERATIONAL = {"patrols", "hours", "partner_patrols"}

LABELS = {
    "service": dict(ServiceType.choices),
    "decline_reason": dict(DeclineReason.choices),
    "closed_outcome": dict(ClosedOutcome.choices),
    "offence": dict(Offence.choices),
    "outcome": dict(ArrestOutcome.choices),
    "caution_status": dict(CautionStatus.choices),
    "activity": dict(EngagementActivity.choices),
}


# --- Numbers as the edition shows them --------------------------------------------------------


@dataclass(frozen=True)
class Format:
    partner: bool

    def suppressed(self, n) -> bool:
        return self.partner and 0 < n < SMALL

    def count(self, n: int) -> str:
        return "<5" if self.suppressed(n) else f"{n:,}"

    def hours(self, hours: Decimal) -> str:
        return "<5" if self.suppressed(hours) else f"{hours:,.0f}"  # whole hours

    def rate(self, numerator, denominator, whole: bool = False) -> str:
        """A rate per patrol (``whole``: rounded to a whole number, as hours are shown);
        the partner edition shows none built on small numbers."""
        if not denominator or (self.partner and min(numerator, denominator) < SMALL):
            return NOT_SHOWN
        return f"{numerator / denominator:.0f}" if whole else f"{numerator / denominator:.1f}"

    def total(self, values: list[int], about_people: bool = True) -> str:
        """A row total. Where exactly one cell is suppressed the total would give it away,
        which matters for counts of people and what happened to them (not of patrols)."""
        single = sum(1 for v in values if self.suppressed(v)) == 1
        if self.partner and about_people and single:
            return NOT_SHOWN
        return self.count(sum(values))


def protect(rows: list[dict], measures: tuple[str, ...]) -> list[dict]:
    """Fold rows with a small count into one "Other" row, then fold more (smallest first)
    until that row has no small count either: no category under 5 is listed, and no small
    count can be worked out from the total."""
    shown = [r for r in rows if not any(0 < r[m] < SMALL for m in measures)]
    other = {m: sum(r[m] for r in rows if r not in shown) for m in measures}
    while shown and any(0 < other[m] < SMALL for m in measures):
        measure = next(m for m in measures if 0 < other[m] < SMALL)
        smallest = min((r for r in shown if r[measure]), key=lambda r: r[measure], default=None)
        if smallest is None:
            break
        shown.remove(smallest)
        for m in measures:
            other[m] += smallest[m]
    if any(other.values()):
        shown.append({"label": OTHER, **other})
    return shown


# --- The report's content ---------------------------------------------------------------------


@dataclass
class Row:
    label: str
    cells: list[str]
    note: str = ""


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[Row]
    note: str = ""


# --- Tables a person can read ----------------------------------------------------------------


def halves(groups: list[tuple[str, list[Row]]], months: list[str]) -> list[dict]:
    """The 12-month table as two tables of six months (the second with the 12-month total):
    no table wider than a page can show in type a person can read."""
    mid = len(months) // 2
    return [
        {
            "months": part,
            "total": last,
            "groups": [(title, [Row(r.label, cells(r)) for r in rows]) for title, rows in groups],
        }
        for part, last, cells in (
            (months[:mid], False, lambda r: r.cells[:mid]),
            (months[mid:], True, lambda r: r.cells[mid:]),
        )
    ]


def split_months(table: Table, months: list[str]) -> list[Table]:
    """A table with a column a month and a 12-month total, as two of six months each."""
    mid = len(months) // 2
    return [
        Table(
            f"{table.title}, {months[0]} to {months[mid - 1]}",
            table.columns[:mid],
            [Row(r.label, r.cells[:mid]) for r in table.rows],
        ),
        Table(
            f"{table.title}, {months[mid]} to {months[-1]}",
            table.columns[mid:],
            [Row(r.label, r.cells[mid:]) for r in table.rows],
            table.note,
        ),
    ]


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string, every character but letters, digits and spaces
    written as a CSS escape (the space after it closes it, and is not shown): safe inside
    the page's ``<style>``, whatever an area is called."""
    return (
        '"'
        + "".join(
            c if c.isascii() and (c.isalnum() or c == " ") else f"\\{ord(c):06x} " for c in text
        )
        + '"'
    )
