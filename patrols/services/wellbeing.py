"""Officer wellbeing: hours worked in a month and the warnings a planner sees before an
officer works a third extended shift in a week or goes over the area's monthly hours."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from accounts.models import User

from ..models import Patrol, PatrolOfficer, PatrolStatus

EXTENDED_SHIFTS_IN_SEVEN_DAYS = 3


def patrol_warnings(patrol: Patrol, duties) -> list["WellbeingWarning"]:
    """The warnings a patrol's page (and the API's patrol) shows for its crew: none once
    the patrol is over, cancelled or closed."""
    finished = {PatrolStatus.CANCELLED, PatrolStatus.CLOSED}
    if patrol.status in finished or patrol.ends_at < timezone.now():
        return []
    return wellbeing_warnings(patrol, [duty.officer for duty in duties])


@dataclass(frozen=True)
class WellbeingWarning:
    officer: User
    message: str


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def hours_in_month(officers: list[User], day: dt.date) -> dict[int, Decimal]:
    """Hours each officer worked in `day`'s month, from filed returns."""
    start, end = month_bounds(day)
    rows = (
        User.objects.filter(pk__in=[o.pk for o in officers])
        .annotate(
            month_hours=Sum(
                "hours_worked__hours",
                filter=Q(
                    hours_worked__work_return__started_at__date__gte=start,
                    hours_worked__work_return__started_at__date__lt=end,
                ),
            )
        )
        .values_list("pk", "month_hours")
    )
    return {pk: hours or Decimal(0) for pk, hours in rows}


def wellbeing_warnings(patrol: Patrol, officers: list[User]) -> list[WellbeingWarning]:
    """A third extended shift within seven days, or a month over the area's threshold."""
    warnings = []
    nearby = _nearby_shifts(patrol, officers)
    hours = hours_in_month(officers, timezone.localtime(patrol.starts_at).date())
    planned = Decimal((patrol.ends_at - patrol.starts_at).total_seconds() / 3600)
    planned = planned.quantize(Decimal("0.01"))
    threshold = patrol.area.overtime_threshold_hours
    for officer in officers:
        if _third_shift_in_a_week(patrol.starts_at, nearby.get(officer.pk, [])):
            warnings.append(
                WellbeingWarning(
                    officer, f"{officer} would work a third extended shift within seven days."
                )
            )
        month_total = hours.get(officer.pk, Decimal(0)) + planned
        if month_total > threshold:
            warnings.append(
                WellbeingWarning(
                    officer,
                    f"{officer} would work {month_total} hours this month, over the "
                    f"{threshold}-hour limit for {patrol.area}.",
                )
            )
    return warnings


def _nearby_shifts(patrol: Patrol, officers: list[User]) -> dict[int, list[dt.datetime]]:
    """Start times of each officer's other live patrols within six days either side."""
    duties = (
        PatrolOfficer.objects.filter(
            officer__in=officers,
            patrol__starts_at__gt=patrol.starts_at - dt.timedelta(days=7),
            patrol__starts_at__lt=patrol.starts_at + dt.timedelta(days=7),
        )
        .exclude(patrol__status=PatrolStatus.CANCELLED)
        .exclude(patrol_id=patrol.pk)
        .values_list("officer_id", "patrol__starts_at")
    )
    nearby: dict[int, list[dt.datetime]] = {}
    for officer_id, starts_at in duties:
        nearby.setdefault(officer_id, []).append(starts_at)
    return nearby


def _third_shift_in_a_week(starts_at: dt.datetime, others: list[dt.datetime]) -> bool:
    """True if some seven-day span holds this shift and at least two others."""
    week = dt.timedelta(days=7)
    for window_start in [starts_at, *others]:
        if not window_start <= starts_at < window_start + week:
            continue
        inside = [t for t in others if window_start <= t < window_start + week]
        if len(inside) >= EXTENDED_SHIFTS_IN_SEVEN_DAYS - 1:
            return True
    return False
