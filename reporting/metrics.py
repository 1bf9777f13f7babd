"""The numbers behind the monthly trend report, each set from one aggregate query.

Every function takes an area and a ``Window`` (the report month and the eleven months
before it) and returns plain numbers: ``{month: {measure: n}}`` for series, or a list of
``{"key": ..., "month": n, "year": n}`` rows for breakdowns ("month" is the report month,
"year" the whole window). Nothing here loops over rows in Python beyond the grouped
results, and ``collect`` runs a fixed number of queries whatever the volume of data.

Definitions (printed in the report's notes, and tested against plain ORM counts):

- Dates are local (Europe/London). A patrol, its work return and its officer hours count
  in the month its night began (``starts_at``); other records by their own date: an
  encounter when it happened, a referral when made, an arrest when made, a caution when
  given, a course outcome when recorded (``status_changed_at``, else the caution's date).
- A patrol is *delivered* when it went out: deployed, return filed or closed.
  *Friday-and-Saturday nights covered*: distinct Fridays and Saturdays on which a
  delivered patrol began.
- Sightings and engagement counts come from submitted work returns only.
- *Referrals* are referrals to support services for the area's people (diversion-course
  referrals of cautioned men are counted as cautions). A referral made in the period was
  *received* if the agency ever acknowledged it (its status or history reached received or
  a later agency step), *engaged* if it ever reached engaged; *closed*, *declined* and
  *withdrawn* are its status now.
- *Re-arrest*: a man cautioned in the window counts as re-arrested when a later arrest
  (anywhere, up to the end of the report month) has the same non-blank custody reference
  or the same suspect description (ignoring case). A crude match: see ``REARREST_NOTE``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Trim, TruncDate

from patrols.models import (
    Encounter,
    Hotspot,
    OfficerHours,
    PartnerInvitation,
    Patrol,
    PatrolStatus,
    ReturnStatus,
    WorkReturn,
)
from referrals.models import Referral, ReferralStatus, ReferralStatusChange

from .coverage import crime_coverage
from .metrics_diversion import (
    arrests,
    arrests_by,
    caution_statuses,
    cautions,
    course_outcomes,
    intelligence,
    rearrests,
)
from .models import CrimeFileKind, CrimeRecord, ImportStatus
from .ranking import DEFAULT_RELEVANT
from .windows import Window, month_of, series

DELIVERED = (PatrolStatus.DEPLOYED, PatrolStatus.RETURNED, PatrolStatus.CLOSED)
# Where an agency has acknowledged a referral: received, or any step only it can take.
RECEIVED_OR_LATER = (
    ReferralStatus.RECEIVED,
    ReferralStatus.CONTACTED,
    ReferralStatus.ENGAGED,
    ReferralStatus.CLOSED,
    ReferralStatus.DECLINED,
)
DIVERSION_COURSE = "diversion_course"
# police.uk categories most related to street sex work: the hotspot ranking's defaults.
RELEVANT_CRIME_TYPES = DEFAULT_RELEVANT
# ExtractWeekDay numbers days from Sunday = 1.
FRIDAY_SATURDAY_DB = (6, 7)
FRIDAY_SATURDAY_PY = (4, 5)

REARREST_NOTE = (
    "Re-arrest is matched on the custody reference or the suspect description recorded at "
    "arrest, because Ephedra holds no identity for arrested men. Custody references usually "
    "change from one arrest to the next and descriptions are typed by hand, so this undercounts "
    "re-arrests (and a generic description could overcount); arrests by other teams are not "
    "recorded here at all."
)


def friday_saturday_nights(month: dt.date) -> int:
    """How many Fridays and Saturdays the month has: the operation's ambition."""
    days = calendar.monthrange(month.year, month.month)[1]
    return sum(
        1 for day in range(1, days + 1) if month.replace(day=day).weekday() in FRIDAY_SATURDAY_PY
    )


# --- Patrols ----------------------------------------------------------------------------


def _patrols(area, w: Window):
    return Patrol.objects.filter(w.in_window("starts_at"), area=area).order_by()


def patrols(area, w: Window) -> dict[dt.date, dict[str, int]]:
    delivered = Q(status__in=DELIVERED)
    rows = (
        _patrols(area, w)
        .values(m=month_of("starts_at"))
        .annotate(
            planned=Count("id"),
            delivered=Count("id", filter=delivered),
            cancelled=Count("id", filter=Q(status=PatrolStatus.CANCELLED)),
            weekend_nights=Count(
                TruncDate("starts_at"),
                distinct=True,
                filter=delivered & Q(starts_at__week_day__in=FRIDAY_SATURDAY_DB),
            ),
        )
    )
    return series(rows, ("planned", "delivered", "cancelled", "weekend_nights"))


def cancellation_reasons(area, w: Window) -> list[dict]:
    rows = (
        _patrols(area, w)
        .filter(status=PatrolStatus.CANCELLED)
        .values(key=Trim("cancel_reason"))
        .annotate(month=Count("id", filter=w.in_month("starts_at")), year=Count("id"))
        .order_by("-year", "key")
    )
    return list(rows)


def work_returns(area, w: Window) -> dict[dt.date, dict[str, int]]:
    rows = (
        WorkReturn.objects.filter(
            w.in_window("patrol__starts_at"), patrol__area=area, status=ReturnStatus.SUBMITTED
        )
        .order_by()
        .values(m=month_of("patrol__starts_at"))
        .annotate(
            returns=Count("id"),
            women=Sum("women_seen"),
            kerb_crawlers=Sum("kerb_crawlers_seen"),
            served=Sum("engagement_count"),
        )
    )
    return series(rows, ("returns", "women", "kerb_crawlers", "served"))


def officer_hours(area, w: Window) -> dict[dt.date, dict]:
    rows = (
        OfficerHours.objects.filter(
            w.in_window("work_return__patrol__starts_at"),
            work_return__patrol__area=area,
            work_return__status=ReturnStatus.SUBMITTED,
        )
        .order_by()
        .values(m=month_of("work_return__patrol__starts_at"))
        .annotate(total_hours=Sum("hours"), officers=Count("officer", distinct=True))
    )
    return {
        row["m"]: {"hours": row["total_hours"] or Decimal(0), "officers": row["officers"]}
        for row in rows
    }


def officers_in_window(area, w: Window) -> int:
    return (
        OfficerHours.objects.filter(
            w.in_window("work_return__patrol__starts_at"),
            work_return__patrol__area=area,
            work_return__status=ReturnStatus.SUBMITTED,
        )
        .order_by()
        .aggregate(n=Count("officer", distinct=True))["n"]
    )


# --- Sightings and people ---------------------------------------------------------------


def _encounters(area, w: Window):
    return Encounter.objects.filter(w.in_window("occurred_at"), patrol__area=area).order_by()


def encounters(area, w: Window) -> dict[dt.date, dict[str, int]]:
    rows = (
        _encounters(area, w)
        .values(m=month_of("occurred_at"))
        .annotate(
            met=Count("id"),
            spoken_with=Count("id", filter=Q(engaged=True)),
            new_people=Count("id", filter=Q(new_to_area=True)),
            people_engaged=Count("person", distinct=True, filter=Q(engaged=True)),
        )
    )
    return series(rows, ("met", "spoken_with", "new_people", "people_engaged"))


def people_engaged_in_window(area, w: Window) -> int:
    """Distinct people engaged over the whole window (not the sum of the months)."""
    return (
        _encounters(area, w).filter(engaged=True).aggregate(n=Count("person", distinct=True))["n"]
    )


def hotspots(area, w: Window) -> list[dict]:
    """Visits (submitted returns), people seen and people new to the area, per hotspot.

    Each count is its own correlated subquery: joining visits and encounters in one
    GROUP BY multiplied every visit by every encounter of the hotspot (0.5 s of the
    report at force scale) before the DISTINCT counts undid it."""
    visits = WorkReturn.objects.filter(
        w.in_window("patrol__starts_at"),
        hotspots_visited=OuterRef("pk"),
        status=ReturnStatus.SUBMITTED,
    )
    seen = Encounter.objects.filter(
        w.in_window("occurred_at"), hotspot=OuterRef("pk"), patrol__area=area
    )
    visit_month, seen_month = w.in_month("patrol__starts_at"), w.in_month("occurred_at")
    rows = (
        Hotspot.objects.filter(ward__area=area)
        .order_by()
        .values("name", ward_name=F("ward__name"))
        .annotate(
            visits_month=_counted(visits.filter(visit_month)),
            visits_year=_counted(visits),
            seen_month=_counted(seen.filter(seen_month)),
            seen_year=_counted(seen),
            new_month=_counted(seen.filter(seen_month, new_to_area=True)),
            new_year=_counted(seen.filter(new_to_area=True)),
        )
        .filter(Q(visits_year__gt=0) | Q(seen_year__gt=0))
        .order_by("-seen_year", "-visits_year", "name")
    )
    return list(rows)


def _counted(queryset) -> Coalesce:
    """How many rows the (correlated) queryset holds, as a column of the outer query."""
    counted = queryset.order_by().values(n=Func(F("id"), function="COUNT"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def wards_sightings(area, w: Window) -> dict[str, dict[str, int]]:
    """Returns and women seen per ward of the patrol: the finest place partners may see."""
    in_month = w.in_month("patrol__starts_at")
    rows = (
        WorkReturn.objects.filter(
            w.in_window("patrol__starts_at"), patrol__area=area, status=ReturnStatus.SUBMITTED
        )
        .order_by()
        .values(ward=F("patrol__ward__name"))
        .annotate(
            returns_month=Count("id", filter=in_month),
            returns_year=Count("id"),
            women_month=Coalesce(Sum("women_seen", filter=in_month), 0),
            women_year=Coalesce(Sum("women_seen"), 0),
        )
    )
    return {row.pop("ward"): row for row in rows}


def wards_encounters(area, w: Window) -> dict[str, dict[str, int]]:
    """People met and new to the area per ward (the hotspot's ward, else the patrol's)."""
    in_month = w.in_month("occurred_at")
    new = Q(new_to_area=True)
    rows = (
        _encounters(area, w)
        .values(ward=Coalesce("hotspot__ward__name", "patrol__ward__name"))
        .annotate(
            seen_month=Count("id", filter=in_month),
            seen_year=Count("id"),
            new_month=Count("id", filter=in_month & new),
            new_year=Count("id", filter=new),
        )
    )
    return {row.pop("ward"): row for row in rows}


# --- Referrals --------------------------------------------------------------------------


def _referrals(area, w: Window):
    return (
        Referral.objects.filter(
            Q(person__area=area) | Q(caution__arrest__patrol__area=area),
            w.in_window("made_at"),
        )
        .exclude(service=DIVERSION_COURSE)
        .order_by()
    )


def _reached(statuses: tuple[str, ...]) -> Q:
    history = ReferralStatusChange.objects.filter(referral=OuterRef("pk"), to_status__in=statuses)
    return Q(status__in=statuses) | Q(Exists(history))


def _referral_outcomes() -> dict[str, Count]:
    return {
        "received": Count("id", filter=_reached(RECEIVED_OR_LATER)),
        "engaged": Count("id", filter=_reached((ReferralStatus.ENGAGED,))),
        "closed": Count("id", filter=Q(status=ReferralStatus.CLOSED)),
        "declined": Count("id", filter=Q(status=ReferralStatus.DECLINED)),
        "withdrawn": Count("id", filter=Q(status=ReferralStatus.WITHDRAWN)),
    }


REFERRAL_MEASURES = ("made", "received", "engaged", "closed", "declined", "withdrawn")


def referrals(area, w: Window) -> dict[dt.date, dict[str, int]]:
    rows = (
        _referrals(area, w)
        .values(m=month_of("made_at"))
        .annotate(made=Count("id"), **_referral_outcomes())
    )
    return series(rows, REFERRAL_MEASURES)


def referrals_by(area, w: Window, field: str) -> list[dict]:
    """Referrals by ``service`` or ``agency__name``: made this month, and over the window
    made and what became of them."""
    rows = (
        _referrals(area, w)
        .values(key=F(field))
        .annotate(
            month=Count("id", filter=w.in_month("made_at")),
            year=Count("id"),
            **_referral_outcomes(),
        )
        .order_by("-year", "key")
    )
    return list(rows)


def referral_reasons(area, w: Window, field: str, status: str) -> list[dict]:
    """Declined referrals by ``decline_reason``, or closed ones by ``closed_outcome``."""
    rows = (
        _referrals(area, w)
        .filter(status=status)
        .values(key=F(field))
        .annotate(month=Count("id", filter=w.in_month("made_at")), year=Count("id"))
        .order_by("-year", "key")
    )
    return list(rows)


# --- Crime data -------------------------------------------------------------------------


def crimes(area, w: Window) -> tuple[dict[str, dict[dt.date, int]], dict[dt.date, str]]:
    """Recorded crime per type and month from the imported data, and each month's source.

    police.uk's monthly street files are preferred; a month they do not cover yet is taken
    from the local weekly extracts, never both (they describe the same crimes).
    """
    rows = (
        CrimeRecord.objects.filter(
            area=area,
            month__gte=w.start,
            month__lte=w.first,
            batch__status=ImportStatus.IMPORTED,
            batch__kind__in=[CrimeFileKind.STREET, CrimeFileKind.WEEKLY],
        )
        .order_by()
        .values("month", "crime_type", kind=F("batch__kind"))
        .annotate(n=Count("id"))
    )
    rows = list(rows)
    sources = {}
    for row in rows:
        if row["kind"] == CrimeFileKind.STREET or row["month"] not in sources:
            sources[row["month"]] = row["kind"]
    by_type: dict[str, dict[dt.date, int]] = {}
    for row in rows:
        if row["kind"] == sources[row["month"]]:
            counts = by_type.setdefault(row["crime_type"], {})
            counts[row["month"]] = counts.get(row["month"], 0) + row["n"]
    return by_type, sources


# --- Partners ---------------------------------------------------------------------------


def _invitations(area, w: Window):
    return PartnerInvitation.objects.filter(
        w.in_window("patrol__starts_at"), patrol__area=area, patrol__status__in=DELIVERED
    ).order_by()


def partner_invitations(area, w: Window) -> list[dict]:
    """Agencies on delivered patrols, by agency and activity."""
    rows = (
        _invitations(area, w)
        .values("activity", key=F("agency__name"))
        .annotate(month=Count("id", filter=w.in_month("patrol__starts_at")), year=Count("id"))
        .order_by("-year", "key", "activity")
    )
    return list(rows)


def partner_patrols(area, w: Window) -> dict[dt.date, dict[str, int]]:
    rows = (
        _invitations(area, w)
        .values(m=month_of("patrol__starts_at"))
        .annotate(partner_patrols=Count("patrol", distinct=True))
    )
    return series(rows, ("partner_patrols",))


# --- Everything -------------------------------------------------------------------------


def collect(area, month: dt.date, *, police: bool = True) -> dict:
    """Every number the monthly report shows, for ``area`` and the month of ``month``."""
    w = Window.ending(month)
    data = {
        "window": w,
        "patrols": patrols(area, w),
        "cancellations": cancellation_reasons(area, w),
        "returns": work_returns(area, w),
        "hours": officer_hours(area, w),
        "officers_year": officers_in_window(area, w),
        "encounters": encounters(area, w),
        "people_engaged_year": people_engaged_in_window(area, w),
        "wards_sightings": wards_sightings(area, w),
        "wards_encounters": wards_encounters(area, w),
        "referrals": referrals(area, w),
        "referrals_by_service": referrals_by(area, w, "service"),
        "referrals_by_agency": referrals_by(area, w, "agency__name"),
        "decline_reasons": referral_reasons(area, w, "decline_reason", ReferralStatus.DECLINED),
        "closed_outcomes": referral_reasons(area, w, "closed_outcome", ReferralStatus.CLOSED),
        "arrests": arrests(area, w),
        "arrests_by_offence": arrests_by(area, w, "offence"),
        "cautions": cautions(area, w),
        "courses": course_outcomes(area, w),
        "rearrests": rearrests(area, w),
        "crimes": crimes(area, w),
        "crime_coverage": crime_coverage(area),
        "partner_invitations": partner_invitations(area, w),
        "partner_patrols": partner_patrols(area, w),
    }
    if police:  # detail the partner-safe edition never shows, so never fetches
        data["hotspots"] = hotspots(area, w)
        data["arrest_outcomes"] = arrests_by(area, w, "outcome")
        data["caution_statuses"] = caution_statuses(area, w)
        data["intelligence"] = intelligence(area, w)
    return data
