from celery import shared_task

from accounts.models import Area

from . import services


@shared_task
def worker_health() -> dict[str, int]:
    """Proves a worker is up and reads the same database as the web app (monitoring, CI)."""
    return {"areas": Area.objects.count()}


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
)
def build_report(self, report_id: int) -> None:
    """Build a GeneratedReport by primary key; a missing or finished report is a no-op."""
    services.build(report_id)


@shared_task
def build_weekly_sheets() -> int:
    """Monday 06:00: ask for each area's deployment sheet for the week, and tell the
    sergeants and project lead of the area. Running it twice in a week asks once."""
    import datetime as dt

    from django.urls import reverse
    from django.utils import timezone

    from accounts.notifications import notify

    from .models import GeneratedReport, ReportKind, ReportStatus
    from .permissions import RULES
    from .reports.weekly import coming_monday

    monday = coming_monday(timezone.localdate())
    sunday = monday + dt.timedelta(days=6)
    requested = 0
    for area in Area.objects.all():
        scheduled = GeneratedReport.objects.filter(
            kind=ReportKind.WEEKLY_DEPLOYMENT,
            area=area,
            period_start=monday,
            period_end=sunday,
            superseded=False,
            requested_by__isnull=True,  # the schedule's own, not one a sergeant asked for
        ).exclude(status=ReportStatus.FAILED)
        if scheduled.exists():
            continue
        services.request_report(ReportKind.WEEKLY_DEPLOYMENT, area, monday, sunday)
        readers = area.users.filter(role__in=RULES["reporting.view_sheet"], is_active=True)
        notify(
            readers,
            f"The deployment sheet for {area}, week of {monday.day} {monday:%B %Y}, is ready.",
            f"{reverse('reporting:weekly_sheet')}?area={area.pk}&week={monday:%Y-%m-%d}",
        )
        requested += 1
    return requested


@shared_task
def build_monthly_reports() -> int:
    """1st of the month 06:00: ask for last month's trend report, both editions, for each
    area. Running it twice in a month asks once: an edition the schedule already asked for
    (and that did not fail) is left alone."""
    from django.utils import timezone

    from .forms_reports import last_month
    from .metrics import Window
    from .models import GeneratedReport, ReportKind, ReportStatus

    window = Window.ending(last_month(timezone.localdate()))
    requested = 0
    for area in Area.objects.all():
        for kind in (ReportKind.MONTHLY_TREND, ReportKind.MONTHLY_TREND_PARTNER):
            scheduled = GeneratedReport.objects.filter(
                kind=kind,
                area=area,
                period_start=window.first,
                period_end=window.last,
                superseded=False,
                requested_by__isnull=True,
            ).exclude(status=ReportStatus.FAILED)
            if not scheduled.exists():
                services.request_report(kind, area, window.first, window.last)
                requested += 1
    return requested
