"""The one home of date bounds: which dates a person may enter, and arithmetic that cannot
fall off the calendar.

Python's dates run from year 1 to 9999; a date typed at either end passes a plain
``DateField`` and then overflows the first ``+ timedelta`` (a 500), or is stored as an
implausible fact (a hotspot identified in year 1). Every date or date-time a user enters,
in a page or the API, goes through a field from here, so it is refused at the field with
the range in the message.

The range: from 1 January 2000 (the operation began in 2024, but older records may be
typed in: a place known for years, a caution given long ago) to 31 December five years
after this one (far enough ahead to plan, near enough that a typed year like 2206 is
refused). The end moves with the calendar, so it never needs changing.
"""

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from rest_framework import serializers

EARLIEST = dt.date(2000, 1, 1)
YEARS_AHEAD = 5
OUT_OF_RANGE = "date_out_of_range"


def latest() -> dt.date:
    """The last date a person may enter: 31 December, ``YEARS_AHEAD`` years from now."""
    return dt.date(timezone.localdate().year + YEARS_AHEAD, 12, 31)


def _spoken(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def range_message() -> str:
    return f"Enter a date between {_spoken(EARLIEST)} and {_spoken(latest())}."


def local_day(value: dt.date | dt.datetime) -> dt.date:
    """A date-time's day where the operation is (the day a person typed), or the date."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            try:
                return timezone.localtime(value).date()
            except OverflowError:  # within hours of year 1 or 9999: out of range anyway
                return value.date()
        return value.date()
    return value


def is_plausible(value: dt.date | dt.datetime) -> bool:
    return EARLIEST <= local_day(value) <= latest()


def validate_plausible(value: dt.date | dt.datetime | None) -> None:
    """A Django validator (forms, DRF fields and models run it): refuses a date or
    date-time outside the range, with the range in the message."""
    if value is not None and not is_plausible(value):
        raise ValidationError(range_message(), code=OUT_OF_RANGE)


# --- Fields: pages (forms, django-filter) and the API (DRF) ------------------------------


class PlausibleDateField(forms.DateField):
    default_validators = [validate_plausible]


class PlausibleDateTimeField(forms.DateTimeField):
    default_validators = [validate_plausible]


class PlausibleDateFilter(django_filters.DateFilter):
    """A list filter's date: out of range is a field error (a 400 in the API)."""

    field_class = PlausibleDateField


class ApiDateField(serializers.DateField):
    default_validators = [validate_plausible]


class ApiDateTimeField(serializers.DateTimeField):
    default_validators = [validate_plausible]
    # A date-time within hours of year 1 or 9999 overflows as it is moved into the
    # operation's time zone: the same refusal, with the range.
    default_error_messages = {"overflow": lazy(range_message, str)()}


# --- Query parameters (?week=, ?month=, ?date=) ------------------------------------------


class DateParameterError(ValueError):
    """A query parameter that is not a date we use; its message is for the person."""


def parse_query_date(value: str | None) -> dt.date | None:
    """``YYYY-MM-DD`` → the date; None when empty; DateParameterError when it is not a
    date or is out of range (a page shows the message, the API answers 400)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value[:32])
    except ValueError:
        raise DateParameterError("Enter the date as year-month-day, like 2026-03-02.") from None
    if not is_plausible(day):
        raise DateParameterError(range_message())
    return day


def parse_query_month(value: str | None) -> dt.date | None:
    """``YYYY-MM`` → its first day; None when empty; DateParameterError otherwise."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        month = dt.date.fromisoformat(f"{value[:16]}-01")
    except ValueError:
        raise DateParameterError("Enter the month as year-month, like 2026-03.") from None
    if not is_plausible(month):
        raise DateParameterError(range_message())
    return month


# --- Arithmetic that cannot overflow ------------------------------------------------------


def shift[T: (dt.date, dt.datetime)](value: T, delta: dt.timedelta) -> T:
    """``value + delta``, held at the calendar's end instead of raising OverflowError
    (a stored date at the edge must not turn a page into a 500)."""
    try:
        return value + delta
    except OverflowError:
        if isinstance(value, dt.datetime):
            edge = dt.datetime.max if delta > dt.timedelta(0) else dt.datetime.min
            return edge.replace(tzinfo=value.tzinfo)
        return dt.date.max if delta > dt.timedelta(0) else dt.date.min
