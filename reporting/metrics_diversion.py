"""Enforcement and diversion measures for the monthly report: arrests, conditional
cautions and their diversion course, re-arrests, intelligence."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, DateField, Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce, Lower, Trim, TruncDate

from patrols.models import (
    Arrest,
    CautionStatus,
    ConditionalCaution,
    IntelligenceReport,
)

from .windows import Window, month_of, series


def _arrests(area, w: Window):
    return Arrest.objects.filter(w.in_window("arrested_at"), patrol__area=area).order_by()


def arrests(area, w: Window) -> dict[dt.date, dict[str, int]]:
    rows = _arrests(area, w).values(m=month_of("arrested_at")).annotate(arrests=Count("id"))
    return series(rows, ("arrests",))


def arrests_by(area, w: Window, field: str) -> list[dict]:
    """Arrests by ``offence`` or ``outcome``."""
    rows = (
        _arrests(area, w)
        .values(key=F(field))
        .annotate(month=Count("id", filter=w.in_month("arrested_at")), year=Count("id"))
        .order_by("-year", "key")
    )
    return list(rows)


def _cautions(area):
    return ConditionalCaution.objects.filter(arrest__patrol__area=area).order_by()


def cautions(area, w: Window) -> dict[dt.date, dict[str, int]]:
    rows = (
        _cautions(area)
        .filter(w.date_in_window("given_on"))
        .values(m=month_of("given_on"))
        .annotate(cautions=Count("id"))
    )
    return series(rows, ("cautions",))


def course_outcomes(area, w: Window) -> dict[dt.date, dict[str, int]]:
    """Courses completed and breached, in the month the outcome was recorded."""
    rows = (
        _cautions(area)
        .filter(status__in=[CautionStatus.COMPLETED, CautionStatus.BREACHED])
        .annotate(
            outcome_on=Coalesce(
                TruncDate("status_changed_at"), "given_on", output_field=DateField()
            )
        )
        .filter(w.date_in_window("outcome_on"))
        .values(m=month_of("outcome_on"))
        .annotate(
            completed=Count("id", filter=Q(status=CautionStatus.COMPLETED)),
            breached=Count("id", filter=Q(status=CautionStatus.BREACHED)),
        )
    )
    return series(rows, ("completed", "breached"))


def caution_statuses(area, w: Window) -> list[dict]:
    """Where the cautions given in the window stand now."""
    rows = (
        _cautions(area)
        .filter(w.date_in_window("given_on"))
        .values(key=F("status"))
        .annotate(month=Count("id", filter=w.date_in_month("given_on")), year=Count("id"))
        .order_by("-year", "key")
    )
    return list(rows)


def rearrests(area, w: Window) -> dict[str, int]:
    """Men cautioned in the window, and how many were arrested again later (see module)."""
    _, end = w.moments()
    later = Arrest.objects.filter(
        arrested_at__gt=OuterRef("arrest__arrested_at"), arrested_at__lt=end
    )
    same_reference = later.filter(custody_reference=OuterRef("arrest__custody_reference"))
    same_description = later.alias(described=Lower(Trim("suspect_description"))).filter(
        described=Lower(Trim(OuterRef("arrest__suspect_description")))
    )
    return (
        _cautions(area)
        .filter(w.date_in_window("given_on"))
        .aggregate(
            cautioned=Count("id"),
            rearrested=Count(
                "id",
                filter=(~Q(arrest__custody_reference="") & Q(Exists(same_reference)))
                | (~Q(arrest__suspect_description="") & Q(Exists(same_description))),
            ),
        )
    )


def intelligence(area, w: Window) -> dict[dt.date, dict[str, int]]:
    """How many intelligence reports were submitted: a number only, never their content."""
    rows = (
        IntelligenceReport.objects.filter(w.in_window("submitted_at"), patrol__area=area)
        .order_by()
        .values(m=month_of("submitted_at"))
        .annotate(intelligence=Count("id"))
    )
    return series(rows, ("intelligence",))
