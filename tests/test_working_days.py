"""Working days: Monday to Friday less England and Wales bank holidays (core.working_days)."""

import datetime as dt

import pytest

from core.working_days import add_working_days, first_start_due_after, is_working_day

D = dt.date


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (D(2026, 11, 2), 2, D(2026, 11, 4)),  # Monday: Wednesday
        (D(2026, 11, 6), 2, D(2026, 11, 10)),  # Friday: Tuesday
        (D(2026, 11, 7), 2, D(2026, 11, 10)),  # Saturday: Tuesday
        (D(2026, 11, 2), 5, D(2026, 11, 9)),  # a week
        (D(2026, 12, 24), 2, D(2026, 12, 30)),  # Christmas Day and the substitute Monday
        (D(2026, 4, 2), 1, D(2026, 4, 7)),  # Good Friday and Easter Monday
        (D(2026, 11, 2), 0, D(2026, 11, 2)),
    ],
)
def test_add_working_days(start, days, due):
    assert add_working_days(start, days) == due


def test_bank_holidays_and_weekends_are_not_working_days():
    assert not is_working_day(D(2026, 12, 25))
    assert not is_working_day(D(2026, 11, 7))
    assert is_working_day(D(2026, 11, 9))


@pytest.mark.parametrize("days", [1, 2, 5, 10])
def test_the_sql_cut_agrees_with_the_deadline_of_every_start(days):
    """Started before the cut: due on or before the limit; from it on: due after."""
    for offset in range(60):
        limit = D(2026, 12, 1) + dt.timedelta(days=offset)
        cut = first_start_due_after(limit, days)
        for back in range(-5, 30):
            start = limit - dt.timedelta(days=back)
            assert (add_working_days(start, days) > limit) == (start >= cut), (limit, start)
