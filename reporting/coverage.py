"""How far the imported crime data runs for an area: the one place every report asks.

police.uk publishes a month's street-level file one to two months after it ends, so a
report built on the 1st usually reaches past the data. A month after the last one with
data is a gap "not yet published by police.uk", never a zero; a month before it with no
file is "not imported". A month counts as published for the area when the force's
police.uk street file for it is imported (a force-wide file: an area with no crime that
month has a true zero), or a local weekly extract has crimes of the area in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max

from .models import CrimeFileKind, CrimeRecord, ImportBatch, ImportStatus

NOT_PUBLISHED = "not yet published by police.uk"
NOT_IMPORTED = "not imported"
# A local extract's last dated crime may fall a few days before the extract's end: the
# data is taken to reach a day when its last crime is no more than a week before it.
EXTRACT_SLACK = dt.timedelta(days=7)


@dataclass(frozen=True)
class CrimeCoverage:
    months: frozenset[dt.date]  # first days of the months with data for the area
    until: dt.date | None  # the last day the data covers

    @property
    def through(self) -> dt.date | None:
        """The first day of the last month with data."""
        return max(self.months) if self.months else None

    def gap(self, month: dt.date) -> str:
        """Why ``month`` has no figure ("" when it has one)."""
        if month in self.months:
            return ""
        if self.through is None or month > self.through:
            return NOT_PUBLISHED
        return NOT_IMPORTED

    def covers(self, day: dt.date) -> bool:
        """Whether the data reaches ``day`` (the day before a window's end)."""
        return self.until is not None and self.until + EXTRACT_SLACK >= day

    def words(self) -> str:
        if self.through is None:
            return "no crime data imported yet"
        return f"crime data up to {self.through:%B %Y}"


def crime_coverage(area) -> CrimeCoverage:
    """Two small queries: the imported police.uk months, and the months and last dates of
    the local extracts. ``area`` is the report's; the files it reads are force-wide."""
    street = ImportBatch.objects.filter(
        status=ImportStatus.IMPORTED, kind=CrimeFileKind.STREET, row_count__gt=0
    ).values_list("month", flat=True)
    weekly = (
        CrimeRecord.objects.filter(
            batch__status=ImportStatus.IMPORTED,
            batch__kind=CrimeFileKind.WEEKLY,
        )
        .order_by()
        .values("month")
        .annotate(last=Max("date"))
    )
    months = set(street)
    days = [_month_end(m) for m in months]
    for row in weekly:
        months.add(row["month"])
        days.append(row["last"] or _month_end(row["month"]))
    return CrimeCoverage(frozenset(months), max(days, default=None))


def _month_end(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
