"""Working days: Monday to Friday, except the bank holidays of England and Wales listed here.

The list is short on purpose (GOV.UK's published dates, 2025 to 2027); a deadline that
falls after the last listed year simply counts weekdays, which errs on the strict side.
Add the next year's dates when GOV.UK publishes them.
"""

import datetime as dt

# https://www.gov.uk/bank-holidays, England and Wales.
BANK_HOLIDAYS = frozenset(
    dt.date.fromisoformat(day)
    for day in (
        "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26",
        "2025-08-25", "2025-12-25", "2025-12-26",
        "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
        "2026-08-31", "2026-12-25", "2026-12-28",
        "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31",
        "2027-08-30", "2027-12-27", "2027-12-28",
    )
)  # fmt: skip
DAY = dt.timedelta(days=1)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (`start` itself not counted): a referral
    made on a Friday with 2 working days is due by the end of Tuesday."""
    day = start
    while days > 0:
        day += DAY
        days -= is_working_day(day)
    return day


def next_working_day(day: dt.date) -> dt.date:
    return add_working_days(day, 1)


def first_start_due_after(limit: dt.date, days: int) -> dt.date:
    """The earliest start whose deadline (`days` working days on) falls after `limit`:
    everything started before it was due on or before `limit`. A deadline is monotonic in
    its start, so a list can be cut in SQL by one date instead of a date per row."""
    start = limit + DAY
    while add_working_days(start - DAY, days) > limit:
        start -= DAY
    return start
