"""The roll-out view's figures: per area the lead covers, how far the operation has taken
hold in one month — trained officers, patrols against the Friday-and-Saturday ambition,
referrals and arrests. Counts only, no personal data.

One query however many areas: each figure is a correlated subquery on the area row.

Decisions, said once here:
- An officer who covers two areas counts as trained in both rows (they can patrol either).
- A night is the local date a patrol starts on; it counts as patrolled when at least one
  patrol that went out (deployed, return filed or closed) started that Friday or Saturday.
  Planned and cancelled patrols do not count.
- A referral belongs to the area of the person referred; a diversion-course referral with
  no person, to the area of the patrol whose arrest led to the caution.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.models import POLICE_ROLES, User
from accounts.selectors import areas_for
from patrols.models import Arrest, Patrol, PatrolStatus
from referrals.models import Referral

WENT_OUT = (PatrolStatus.DEPLOYED, PatrolStatus.RETURNED, PatrolStatus.CLOSED)
STILL_AHEAD = (PatrolStatus.PLANNED, PatrolStatus.APPROVED)
FRIDAY_SATURDAY = (6, 7)  # Django's week_day: 1 is Sunday


@dataclass(frozen=True)
class Month:
    """A calendar month and how much of it has gone by (`today` clamps the "so far")."""

    first: dt.date
    today: dt.date

    @property
    def last(self) -> dt.date:
        return self.first.replace(day=calendar.monthrange(self.first.year, self.first.month)[1])

    @property
    def so_far(self) -> dt.date:
        return min(self.last, self.today)

    @property
    def started(self) -> bool:
        return self.today >= self.first

    def ambition_nights(self, until: dt.date) -> int:
        """The Fridays and Saturdays from the month's first day to `until`."""
        days = (until - self.first).days + 1
        return sum(
            1 for n in range(max(days, 0)) if (self.first + dt.timedelta(n)).weekday() in (4, 5)
        )

    @property
    def nights_so_far(self) -> int:
        return self.ambition_nights(self.so_far)

    @property
    def nights_in_month(self) -> int:
        return self.ambition_nights(self.last)


def month_of(first: dt.date | None = None, today: dt.date | None = None) -> Month:
    today = today or timezone.localdate()
    return Month(first=(first or today).replace(day=1), today=today)


def _count(queryset: QuerySet, area_field: str, counted=None) -> Coalesce:
    """How many of `queryset` belong to the outer area row, as a subquery."""
    grouped = queryset.filter(**{area_field: OuterRef("pk")}).order_by().values(area_field)
    total = grouped.annotate(n=counted or Count("pk", distinct=True)).values("n")
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def _patrols(month: Month) -> QuerySet:
    return Patrol.objects.starting_between(month.first, month.last)


def rollout_rows(user, month: Month) -> list:
    """The user's areas, each with its figures for `month`, in one query."""
    officers = User.objects.filter(is_active=True, role__in=POLICE_ROLES)
    trained = officers.filter(officer_profile__ephedra_trained_on__lte=month.last)
    went_out = _patrols(month).filter(status__in=WENT_OUT)
    nights = went_out.filter(starts_at__week_day__in=FRIDAY_SATURDAY)
    referrals = Referral.objects.filter(
        made_at__date__gte=month.first, made_at__date__lte=month.last
    ).annotate(counted_area=Coalesce("person__area", "caution__arrest__patrol__area"))
    arrests = Arrest.objects.filter(
        arrested_at__date__gte=month.first, arrested_at__date__lte=month.last
    )
    return list(
        areas_for(user)
        .annotate(
            officers=_count(officers, "areas"),
            trained=_count(trained, "areas"),
            patrols_out=_count(went_out, "area"),
            patrols_ahead=_count(_patrols(month).filter(status__in=STILL_AHEAD), "area"),
            nights_patrolled=_count(nights, "area", Count(TruncDate("starts_at"), distinct=True)),
            referrals=_count(referrals, "counted_area"),
            arrests=_count(arrests, "patrol__area"),
        )
        .order_by("name")
    )
