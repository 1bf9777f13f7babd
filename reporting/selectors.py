"""Reads of crime data and generated reports, scoped to the user's areas: the user's
reports, their download names, the area a user chose (one of their own), and the
Evidence figures worked out for it."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.text import slugify

from core.permissions import has_permission

from .evaluation import Evidence, stored
from .forms_reports import MONTHLY_KINDS
from .models import (
    CrimeFetch,
    CrimeImport,
    CrimeOutcome,
    CrimeRecord,
    EvidenceRun,
    EvidenceStatus,
    GeneratedReport,
    ImportBatch,
    ReportKind,
    ReportStatus,
)


def crimes_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """Crime records of the user's areas (what the ranking counts from)."""
    base = CrimeRecord.objects.all() if queryset is None else queryset
    return base.filter(area__in=user.areas.all())


crime_records_for = crimes_for


def crime_outcomes_for(user, queryset: QuerySet | None = None) -> QuerySet:
    base = CrimeOutcome.objects.all() if queryset is None else queryset
    return base.filter(area__in=user.areas.all())


def import_batches_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """An import is a force-month of public data: its row is no area's secret, but the
    admin shows it to those who may import (the project lead) and administrators."""
    base = ImportBatch.objects.all() if queryset is None else queryset
    return base if has_permission(user, "reporting.import") else base.none()


def crime_imports_for(user) -> QuerySet:
    """Upload jobs, like import batches: public force-level data, for those who may import."""
    base = CrimeImport.objects.select_related("requested_by")
    return base if user.role == "project_lead" else base.none()


def crime_fetches_for(user) -> QuerySet:
    """The police.uk fetches (force-level, public data), for those who may import."""
    base = CrimeFetch.objects.order_by("-month", "force")
    return base if user.role == "project_lead" else base.none()


def get_crime_import_for_user(user, uuid) -> CrimeImport:
    return get_object_or_404(crime_imports_for(user), uuid=uuid)


def reports_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """The reports of the user's areas, with what each row shows, in one query."""
    base = GeneratedReport.objects.all() if queryset is None else queryset
    return base.filter(area__in=user.areas.all()).select_related("area", "requested_by")


FILE_NAMES = {
    ReportKind.WEEKLY_DEPLOYMENT: "weekly-deployment-sheet",
    ReportKind.MONTHLY_TREND: "monthly-trend-police",
    ReportKind.MONTHLY_TREND_PARTNER: "monthly-trend-partner-safe",
}


def get_report_for_user(user, uuid) -> GeneratedReport:
    return get_object_or_404(reports_for(user), uuid=uuid)


def get_built_monthly_report_for_user(user, uuid) -> GeneratedReport:
    """A built monthly report of the user's areas (what its download serves); any other
    report, or one not built, is not found."""
    built = reports_for(user).filter(status=ReportStatus.READY, kind__in=MONTHLY_KINDS)
    return get_object_or_404(built, uuid=uuid)


def download_name(report: GeneratedReport) -> str:
    """What the report is, where and when: never anything about a person."""
    monthly = report.kind in MONTHLY_KINDS
    period = f"{report.period_start:%Y-%m}" if monthly else report.period_start.isoformat()
    return f"{FILE_NAMES[report.kind]}-{slugify(report.area.name)}-{period}.pdf"


def chosen_area(areas: list, value: str | None):
    """One of the user's areas (the first by default); any other value is not found."""
    if not value:
        return areas[0] if areas else None
    area = next((area for area in areas if str(area.pk) == value), None)
    if area is None:
        raise Http404
    return area


# --- The Evidence figures ----------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceState:
    """What the Evidence page shows of an area: the newest figures (``ready``, read back
    as ``evidence``), and the newest run after them (``newer``) while it is waiting,
    under way, or if it failed."""

    ready: EvidenceRun | None
    evidence: Evidence | None
    newer: EvidenceRun | None

    @property
    def working(self) -> bool:
        return self.newer is not None and self.newer.status != EvidenceStatus.FAILED

    @property
    def failed(self) -> bool:
        return self.newer is not None and self.newer.status == EvidenceStatus.FAILED

    @property
    def nothing_yet(self) -> bool:
        """No figures, and none asked for: the page asks."""
        return self.ready is None and self.newer is None


def latest_evidence(area) -> tuple[EvidenceRun | None, Evidence | None]:
    """The area's newest ready figures (one query); a result stored in another format, or
    that cannot be read, counts as none (it is worked out again)."""
    runs = EvidenceRun.objects.filter(
        area=area, status=EvidenceStatus.READY, result_format=stored.FORMAT
    )
    run = runs.order_by("-finished_at", "-pk").first()
    if run is None:
        return None, None
    try:
        return run, stored.from_data(Evidence, run.result)
    except stored.StoredFormatError:
        return None, None


def evidence_state(area) -> EvidenceState:
    """Two queries, however much data: the newest figures, and the newest run after."""
    ready, evidence = latest_evidence(area)
    after = EvidenceRun.objects.filter(area=area).exclude(status=EvidenceStatus.READY)
    if ready is not None:
        after = after.filter(pk__gt=ready.pk)
    newer = after.defer("result").order_by("-pk").first()
    return EvidenceState(ready=ready, evidence=evidence, newer=newer)
