"""The report's time window (the report month and the eleven before it) and the small
helpers every measure in ``reporting.metrics`` groups and bounds its queries with."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import DateField, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone


@dataclass(frozen=True)
class Window:
    """The report month and the eleven months before it."""

    first: dt.date  # first day of the report month
    months: tuple[dt.date, ...]  # first days of the twelve months, oldest first

    @classmethod
    def ending(cls, day: dt.date) -> Window:
        first = day.replace(day=1)
        months = [first]
        for _ in range(11):
            months.insert(0, (months[0] - dt.timedelta(days=1)).replace(day=1))
        return cls(first=first, months=tuple(months))

    @property
    def last(self) -> dt.date:
        return self.first.replace(day=calendar.monthrange(self.first.year, self.first.month)[1])

    @property
    def start(self) -> dt.date:
        return self.months[0]

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """Local midnight at the start of the window and after its last day."""
        return midnight(self.start), midnight(self.last + dt.timedelta(days=1))

    def month_moments(self) -> tuple[dt.datetime, dt.datetime]:
        return midnight(self.first), midnight(self.last + dt.timedelta(days=1))

    def in_month(self, field: str) -> Q:
        """A datetime field inside the report month."""
        start, end = self.month_moments()
        return Q(**{f"{field}__gte": start, f"{field}__lt": end})

    def in_window(self, field: str) -> Q:
        start, end = self.moments()
        return Q(**{f"{field}__gte": start, f"{field}__lt": end})

    def date_in_month(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.first, f"{field}__lte": self.last})

    def date_in_window(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lte": self.last})


def midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def month_of(field) -> TruncMonth:
    return TruncMonth(field, output_field=DateField())


def series(rows, measures: tuple[str, ...]) -> dict[dt.date, dict[str, int]]:
    return {row["m"]: {name: row[name] or 0 for name in measures} for row in rows}
