"""The weekly deployment sheet: the week's plan for one area, as a page and as a PDF.

Recommended nights (Friday and Saturday, the operation's ambition, plus any night with a
planned patrol), the top-ranked hotspots and uncovered places with their reasons, the
planned patrols (officers with this month's hours and wellbeing warnings, partners and
their activities, the risk-assessment state) and a police-only summary of recent
intelligence: date, subject description and grading, never the details text.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from core.pdf import render_pdf
from governance.models import object_key
from patrols.models import (
    IntelligenceReport,
    PartnerInvitation,
    Patrol,
    PatrolOfficer,
    PatrolStatus,
    RiskAssessment,
)
from patrols.selectors import patrol_rows
from patrols.services import hours_in_month, wellbeing_warnings

from ..models import GeneratedReport
from ..ranking import RECENT_DAYS, Ranking, area_ranking

FRIDAY, SATURDAY, SUNDAY = 4, 5, 6
HOTSPOTS_ON_SHEET = 5
# Patrols whose hours are not yet in a filed return: a warning about them still helps.
_HOURS_NOT_FILED = {PatrolStatus.PLANNED, PatrolStatus.APPROVED, PatrolStatus.DEPLOYED}


def coming_monday(today: dt.date) -> dt.date:
    """The week still to be patrolled: this week until Saturday, next week on Sunday."""
    monday = today - dt.timedelta(days=today.weekday())
    return monday + dt.timedelta(days=7) if today.weekday() == SUNDAY else monday


@dataclass(frozen=True)
class OfficerLine:
    name: str
    role: str
    hours_this_month: Decimal


@dataclass(frozen=True)
class PlannedPatrol:
    patrol: Patrol
    officers: list[OfficerLine]
    warnings: list[str]
    invitations: list[PartnerInvitation]
    risk_state: str
    risk_ready: bool


@dataclass(frozen=True)
class Night:
    day: dt.date
    why: str
    patrols: list[Patrol]


@dataclass(frozen=True)
class IntelligenceLine:
    submitted_on: dt.date
    subject: str
    grading: str
    record: IntelligenceReport  # its key only: the page logs that it was consulted


@dataclass(frozen=True)
class WeeklySheet:
    area: object
    monday: dt.date
    sunday: dt.date
    nights: list[Night]
    ranking: Ranking
    top_hotspots: list
    patrols: list[PlannedPatrol]
    intelligence: list[IntelligenceLine]
    intelligence_since: dt.date
    generated_at: dt.datetime


def weekly_sheet(area, monday: dt.date) -> WeeklySheet:
    """Everything the sheet shows, in a number of queries that grows only with patrols."""
    sunday = monday + dt.timedelta(days=6)
    patrols = _patrols(area, monday, sunday)
    ranking = area_ranking(area, monday)
    since = ranking.windows.as_of - dt.timedelta(days=RECENT_DAYS)
    return WeeklySheet(
        area=area,
        monday=monday,
        sunday=sunday,
        nights=_nights(monday, patrols),
        ranking=ranking,
        top_hotspots=ranking.hotspots[:HOTSPOTS_ON_SHEET],
        patrols=_planned(patrols),
        intelligence=_intelligence(area, since, sunday),
        intelligence_since=since,
        generated_at=timezone.now(),
    )


def _patrols(area, monday: dt.date, sunday: dt.date) -> list[Patrol]:
    invitations = PartnerInvitation.objects.select_related("agency")
    queryset = (
        Patrol.objects.filter(area=area)
        .live()
        .starting_between(monday, sunday)
        .prefetch_related(Prefetch("invitations", queryset=invitations))
        .order_by("starts_at")
    )
    assessors = ("risk_assessment__assessed_by", "risk_assessment__approved_by")
    return list(patrol_rows(queryset).select_related(*assessors))


def _nights(monday: dt.date, patrols: list[Patrol]) -> list[Night]:
    by_day: dict[dt.date, list[Patrol]] = {}
    for patrol in patrols:
        by_day.setdefault(timezone.localtime(patrol.starts_at).date(), []).append(patrol)
    ambition = {monday + dt.timedelta(days=n) for n in (FRIDAY, SATURDAY)}
    return [
        Night(day, _why(day in ambition, bool(by_day.get(day))), by_day.get(day, []))
        for day in sorted(ambition | set(by_day))
    ]


def _why(ambition: bool, planned: bool) -> str:
    if ambition and planned:
        return "A Friday or Saturday night, and a patrol is planned"
    if ambition:
        return "A Friday or Saturday night: no patrol planned yet"
    return "A patrol is planned"


def _planned(patrols: list[Patrol]) -> list[PlannedPatrol]:
    hours = _hours_by_month(patrols)
    return [_planned_patrol(patrol, hours) for patrol in patrols]


def _hours_by_month(patrols: list[Patrol]) -> dict[dt.date, dict[int, Decimal]]:
    """Each officer's hours in each month the week's patrols fall in (one query a month)."""
    officers_by_month: dict[dt.date, list] = {}
    for patrol in patrols:
        month = timezone.localtime(patrol.starts_at).date().replace(day=1)
        officers_by_month.setdefault(month, []).extend(d.officer for d in patrol.officers.all())
    return {month: hours_in_month(officers, month) for month, officers in officers_by_month.items()}


def _planned_patrol(patrol: Patrol, hours: dict[dt.date, dict[int, Decimal]]) -> PlannedPatrol:
    duties: list[PatrolOfficer] = list(patrol.officers.all())
    month_hours = hours.get(timezone.localtime(patrol.starts_at).date().replace(day=1), {})
    warnings = (
        wellbeing_warnings(patrol, [d.officer for d in duties])
        if patrol.status in _HOURS_NOT_FILED
        else []
    )
    state, ready = _risk_state(getattr(patrol, "risk_assessment", None))
    return PlannedPatrol(
        patrol=patrol,
        officers=[
            OfficerLine(
                str(d.officer), d.get_role_display(), month_hours.get(d.officer_id, Decimal(0))
            )
            for d in duties
        ],
        warnings=[warning.message for warning in warnings],
        invitations=list(patrol.invitations.all()),
        risk_state=state,
        risk_ready=ready,
    )


def _risk_state(assessment: RiskAssessment | None) -> tuple[str, bool]:
    if assessment is None:
        return "Not started: the patrol cannot deploy without one", False
    if not assessment.is_approved:
        return f"Completed by {assessment.assessed_by}, waiting for a sergeant's approval", False
    approved = timezone.localtime(assessment.approved_at)
    return f"Approved by {assessment.approved_by} on {approved:%d %b %Y}", True


def _intelligence(area, since: dt.date, sunday: dt.date) -> list[IntelligenceLine]:
    """Intelligence from the area's patrols, graded from partners' concerns about the area,
    or (on neither) from its officers; no details."""
    midnight = dt.time.min
    rows = (
        IntelligenceReport.objects.filter(
            Q(patrol__area=area)
            | Q(partner_concern__area=area)
            | Q(patrol__isnull=True, partner_concern__isnull=True, submitted_by__areas=area),
            submitted_at__gte=timezone.make_aware(dt.datetime.combine(since, midnight)),
            submitted_at__lt=timezone.make_aware(
                dt.datetime.combine(sunday + dt.timedelta(days=1), midnight)
            ),
        )
        .values_list(
            "pk",
            "uuid",
            "submitted_at",
            "subject_description",
            "source_evaluation",
            "intelligence_assessment",
            "handling_code",
        )
        .distinct()
        .order_by("-submitted_at", "pk")
    )
    return [
        IntelligenceLine(
            timezone.localtime(at).date(),
            subject,
            f"{source}{grade} {handling}",
            IntelligenceReport(pk=pk, uuid=key),
        )
        for pk, key, at, subject, source, grade, handling in rows
    ]


# --- The PDF ---------------------------------------------------------------------------


def build_weekly_sheet(report: GeneratedReport) -> tuple[str, bytes]:
    """The sheet for the report's area and week as a PDF; nothing is fetched over a network."""
    sheet = weekly_sheet(report.area, report.period_start)
    # The intelligence lines name subjects: each download discloses them (s.62).
    report.disclosed = [
        [line.record._meta.label_lower, object_key(line.record)] for line in sheet.intelligence
    ]
    html = render_to_string("reporting/weekly/sheet_pdf.html", {"sheet": sheet, "pdf": True})
    data = render_pdf(html)
    filename = f"deployment-sheet-{slugify(report.area.name)}-{report.period_start:%Y-%m-%d}.pdf"
    return filename, data
