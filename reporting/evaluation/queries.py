"""The evaluation's reads: each one aggregate query, whatever the volume of data.

``end`` is local midnight after the last day evaluated (``as_of``); records from then on
are left out, so an evaluation "as of" a past date sees what was known then: work returns
*submitted* by then (whatever day they patrolled), crime files *imported* by then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Lower, Trim, TruncDate
from django.utils import timezone

from partners.models import ServiceType
from patrols.models import (
    Arrest,
    CautionCondition,
    CautionStatus,
    ConditionalCaution,
    Encounter,
    Hotspot,
    ReturnStatus,
    WorkReturn,
)
from referrals.models import Referral, ReferralStatus

from ..metrics import RECEIVED_OR_LATER
from ..models import CrimeFileKind, CrimeRecord, ImportStatus


def end_of(as_of: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))


def crime_until(as_of: dt.date) -> dt.date:
    """The first month not evaluated: the month of ``as_of`` counts only when it is over."""
    return (as_of + dt.timedelta(days=1)).replace(day=1)


# --- Crime ------------------------------------------------------------------------------


def crime_counts(area, crime_types: Sequence[str], as_of: dt.date) -> list[dict]:
    """Relevant crime per LSOA and month from the current police.uk street files:
    ``[{"lsoa_code", "month", "n"}]``. Local weekly extracts are left out: a month they
    cover may be incomplete, and a partial month would look like a fall in crime."""
    return list(
        CrimeRecord.objects.filter(
            area=area,
            batch__status=ImportStatus.IMPORTED,
            batch__kind=CrimeFileKind.STREET,
            batch__imported_at__lt=end_of(as_of),
            crime_type__in=list(crime_types),
            month__lt=crime_until(as_of),
        )
        .exclude(lsoa_code="")
        .order_by()
        .values("lsoa_code", "month")
        .annotate(n=Count("id"))
    )


# --- Hotspots and patrol dosage -----------------------------------------------------------


def _visits(area, end: dt.datetime):
    """Visits known by ``end``: listed by a return submitted before it."""
    return WorkReturn.hotspots_visited.through.objects.filter(
        hotspot__ward__area=area,
        workreturn__status=ReturnStatus.SUBMITTED,
        workreturn__started_at__lt=end,
        workreturn__submitted_at__lt=end,
    )


def visit_days(area, as_of: dt.date) -> list[dict]:
    """Visits per hotspot and local day (``exposure``): ``[{"hotspot", "day", "n"}]``."""
    return list(
        _visits(area, end_of(as_of))
        .order_by()
        .values("hotspot", day=TruncDate("workreturn__started_at"))
        .annotate(n=Count("workreturn", distinct=True))
    )


def area_hotspots(area, as_of: dt.date) -> list[dict]:
    """Every hotspot of the area identified by ``as_of``, patrolled or not, with where it
    is and when it was retired (if it was): the places no comparison may be near."""
    return list(
        Hotspot.objects.filter(ward__area=area, identified_on__lte=as_of)
        .order_by("pk")
        .values("pk", "name", "latitude", "longitude", "retired_on")
    )


def hotspots_listed(work_return: str) -> Subquery:
    """How many hotspots the return ``work_return`` (an outer field's name) listed as
    visited: its length is shared among them."""
    through = WorkReturn.hotspots_visited.through
    return Subquery(
        through.objects.filter(workreturn=OuterRef(work_return))
        .order_by()
        .values("workreturn")
        .annotate(n=Count("pk"))
        .values("n")
    )


def patrolled_hotspots(area, as_of: dt.date) -> list[dict]:
    """The area's hotspots that submitted returns visited, with the first visit, visits,
    and return minutes shared equally among the hotspots each return visited."""
    end = end_of(as_of)
    sharing = hotspots_listed("workreturn")
    duration = ExpressionWrapper(
        F("workreturn__ended_at") - F("workreturn__started_at"), output_field=DurationField()
    )
    share = ExpressionWrapper(duration / sharing, output_field=DurationField())
    return list(
        _visits(area, end)
        .order_by()
        .values(
            "hotspot",
            name=F("hotspot__name"),
            latitude=F("hotspot__latitude"),
            longitude=F("hotspot__longitude"),
        )
        .annotate(
            first_visit=Min("workreturn__started_at", output_field=DateTimeField()),
            visits=Count("workreturn", distinct=True),
            time=Sum(share),
        )
        .order_by("name", "hotspot")
    )


def hotspot_encounters(area, as_of: dt.date) -> dict[int, int]:
    rows = (
        Encounter.objects.filter(hotspot__ward__area=area, occurred_at__lt=end_of(as_of))
        .order_by()
        .values("hotspot")
        .annotate(n=Count("id"))
    )
    return {row["hotspot"]: row["n"] for row in rows}


# --- Diversion ----------------------------------------------------------------------------

COMPLETED = (CautionStatus.COMPLETED,)
NOT_COMPLETED = (CautionStatus.BREACHED, CautionStatus.DID_NOT_ATTEND)


def _rearrested(end: dt.datetime, days: int) -> Q:
    """A later arrest within ``days`` of the caution's arrest, matched as the monthly
    report matches re-arrest: the same non-blank custody reference or suspect
    description (ignoring case and spaces at the ends)."""
    later = Arrest.objects.filter(
        arrested_at__gt=OuterRef("arrest__arrested_at"),
        arrested_at__lte=OuterRef("arrest__arrested_at") + dt.timedelta(days=days),
        arrested_at__lt=end,
    )
    same_reference = later.filter(custody_reference=OuterRef("arrest__custody_reference"))
    same_description = later.alias(described=Lower(Trim("suspect_description"))).filter(
        described=Lower(Trim(OuterRef("arrest__suspect_description")))
    )
    return (~Q(arrest__custody_reference="") & Q(Exists(same_reference))) | (
        ~Q(arrest__suspect_description="") & Q(Exists(same_description))
    )


def _earlier_caution_of_the_same_man(area, as_of: dt.date) -> Exists:
    """Another course caution of the area, given by ``as_of``, on an earlier arrest (or
    the same moment, lower id) of the same man: the same non-blank custody reference or
    suspect description, matched as re-arrest is."""
    earlier = ConditionalCaution.objects.filter(
        arrest__patrol__area=area,
        condition=CautionCondition.DIVERSION_COURSE,
        given_on__lte=as_of,
    ).filter(
        Q(arrest__arrested_at__lt=OuterRef("arrest__arrested_at"))
        | Q(arrest__arrested_at=OuterRef("arrest__arrested_at"), pk__lt=OuterRef("pk"))
    )
    same_reference = earlier.filter(
        arrest__custody_reference=OuterRef("arrest__custody_reference")
    ).exclude(arrest__custody_reference="")
    same_description = (
        earlier.alias(described=Lower(Trim("arrest__suspect_description")))
        .filter(described=Lower(Trim(OuterRef("arrest__suspect_description"))))
        .exclude(arrest__suspect_description="")
    )
    return Exists(same_reference) | Exists(same_description)


def diversion_counts(area, as_of: dt.date, follow_up: dict[int, int]) -> dict[str, int]:
    """Men given a caution with the course, by outcome, and for each follow-up (months →
    days) the men followed up that long and those re-arrested within it, by outcome.

    A man counts once, by his first course caution (earliest arrest): its outcome puts him
    among completers or not, and its arrest starts his follow-up; a later caution is a
    re-arrest of his. A man is known by his custody reference or suspect description, as
    re-arrest matches him (one with neither counts once per caution)."""
    end = end_of(as_of)
    measures = {
        "given": Count("id"),
        "completed": Count("id", filter=Q(status__in=COMPLETED)),
        "not_completed": Count("id", filter=Q(status__in=NOT_COMPLETED)),
    }
    for months, days in follow_up.items():
        followed = Q(arrest__arrested_at__lte=end - dt.timedelta(days=days))
        for group, statuses in (("completed", COMPLETED), ("not_completed", NOT_COMPLETED)):
            men = followed & Q(status__in=statuses)
            measures[f"{group}_{months}_men"] = Count("id", filter=men)
            measures[f"{group}_{months}_again"] = Count("id", filter=men & _rearrested(end, days))
    return (
        ConditionalCaution.objects.filter(
            arrest__patrol__area=area,
            condition=CautionCondition.DIVERSION_COURSE,
            given_on__lte=as_of,
        )
        .exclude(_earlier_caution_of_the_same_man(area, as_of))
        .aggregate(**measures)
    )


# --- Support pathway -----------------------------------------------------------------------


def encounter_counts(area, as_of: dt.date) -> dict[str, int]:
    referred = Referral.objects.filter(encounter=OuterRef("pk"))
    return Encounter.objects.filter(patrol__area=area, occurred_at__lt=end_of(as_of)).aggregate(
        encounters=Count("id"),
        spoken_with=Count("id", filter=Q(engaged=True)),
        referred=Count("id", filter=Q(Exists(referred))),
    )


def referral_steps(area, as_of: dt.date) -> list[tuple]:
    """One row per referral to a support service (no diversion courses): service, agency,
    status now, closing outcome, and when it was made, first acknowledged, first engaged
    and closed. One row per referral is needed for the medians; each row is small."""
    return list(
        Referral.objects.filter(person__area=area, made_at__lt=end_of(as_of))
        .exclude(service=ServiceType.DIVERSION_COURSE)
        .order_by()
        .values("pk")
        .annotate(
            received_at=Min(
                "history__changed_at", filter=Q(history__to_status__in=RECEIVED_OR_LATER)
            ),
            engaged_at=Min(
                "history__changed_at", filter=Q(history__to_status=ReferralStatus.ENGAGED)
            ),
            closed_at=Min(
                "history__changed_at", filter=Q(history__to_status=ReferralStatus.CLOSED)
            ),
        )
        .values_list(
            "service",
            "agency__name",
            "status",
            "closed_outcome",
            "made_at",
            "received_at",
            "engaged_at",
            "closed_at",
        )
    )
