import datetime as dt
import logging

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from accounts.models import Area
from core import jobs

from . import evidence_jobs, import_jobs, policeuk_fetch, services
from .models import CrimeFetch, CrimeImport, EvidenceRun

logger = logging.getLogger(__name__)


@shared_task(ignore_result=False)  # its caller reads the answer
def worker_health() -> dict[str, int]:
    """Proves a worker is up and reads the same database as the web app (monitoring, CI)."""
    return {"areas": Area.objects.count()}


@shared_task(
    bind=True,
    **jobs.task_options(
        settings.REPORT_SOFT_TIME_LIMIT, settings.REPORT_HARD_TIME_LIMIT, retry_on_os_error=True
    ),
)
def build_report(self, report_id: int) -> None:
    """Build a GeneratedReport by primary key; a missing or finished report is a no-op."""
    services.build(report_id)


@shared_task
def sweep_reports() -> dict[str, int]:
    """Every minute: reports whose worker died are rebuilt, lost requests enqueued."""
    return services.sweep()


@shared_task(
    **jobs.task_options(
        CrimeImport.SOFT_TIME_LIMIT, CrimeImport.HARD_TIME_LIMIT, retry_on_os_error=False
    )
)
def run_import(import_id: int) -> None:
    """Import an uploaded crime data file by primary key; a missing or finished job is a
    no-op, so a redelivered message imports the file once."""
    import_jobs.run(import_id)


@shared_task
def sweep_imports() -> dict[str, int]:
    """Every minute: imports whose worker died run again (or fail after the last try),
    lost requests are enqueued."""
    return import_jobs.sweep()


@shared_task(
    **jobs.task_options(
        CrimeFetch.SOFT_TIME_LIMIT, CrimeFetch.HARD_TIME_LIMIT, retry_on_os_error=False
    )
)
def run_fetch(fetch_id: int, refetch: bool = False) -> None:
    """Fetch and import one police.uk force-month by primary key; a missing, finished or
    running fetch is a no-op (an imported one is fetched again only with ``refetch``)."""
    policeuk_fetch.run(fetch_id, refetch=refetch)


@shared_task
def fetch_policeuk() -> int:
    """Each day: the recent police.uk months not yet imported, when POLICEUK_BASE_URL is set
    (nothing at all otherwise). Running it twice fetches once."""
    return policeuk_fetch.request_due()


@shared_task(
    bind=True,
    **jobs.task_options(
        EvidenceRun.SOFT_TIME_LIMIT, EvidenceRun.HARD_TIME_LIMIT, retry_on_os_error=True
    ),
)
def evaluate_evidence(self, run_id: int) -> None:
    """Work out an EvidenceRun by primary key; a missing or finished run is a no-op, so a
    redelivered message works it out once."""
    evidence_jobs.run(run_id)


@shared_task
def evaluate_evidence_nightly() -> int:
    """Each night: every area's Evidence figures, worked out again with the day's data.
    Running it twice asks once (one request waits per area)."""
    return evidence_jobs.request_for_all_areas()


@shared_task
def sweep_evidence() -> dict[str, int]:
    """Every minute: Evidence runs whose worker died run again (or fail after the last
    try), lost requests are enqueued."""
    return evidence_jobs.sweep()


@worker_ready.connect
def _pick_up_waiting_evidence(**kwargs) -> None:
    """A worker starting sends the Evidence runs that wait at once, without the sweep's
    grace: those the demo seed asked for (`make run`), or left while no worker ran."""
    try:
        evidence_jobs.sweep(grace=dt.timedelta(0))
    except Exception as error:  # the worker starts anyway; the sweep tries each minute
        logger.warning("Evidence runs not picked up at start (%s)", type(error).__name__)


@shared_task
def build_weekly_sheets() -> int:
    """Monday 06:00: ask for each area's deployment sheet for the week (the sergeants and
    project lead of the area are told when it is built). Running it twice asks once."""
    from django.utils import timezone

    from .models import ReportKind
    from .reports.weekly import coming_monday

    monday = coming_monday(timezone.localdate())
    sunday = monday + dt.timedelta(days=6)
    return sum(
        _schedule(ReportKind.WEEKLY_DEPLOYMENT, area, monday, sunday) for area in Area.objects.all()
    )


# While a police.uk fetch is under way the monthly reports wait (15 minutes at a time, two
# hours at most; then they are built with the data there is, and say how far it runs).
REPORT_WAIT_SECONDS = 15 * 60
REPORT_MAX_WAITS = 8


@shared_task
def build_monthly_reports(waited: int = 0) -> int:
    """1st of the month 06:00: ask for last month's trend report, both editions, for each
    area, once that morning's police.uk fetch has ended. Running it twice in a month asks
    once."""
    from django.utils import timezone

    if waited < REPORT_MAX_WAITS and policeuk_fetch.in_flight():
        logger.info("Monthly reports wait for the police.uk fetch (%d).", waited + 1)
        build_monthly_reports.apply_async(
            kwargs={"waited": waited + 1}, countdown=REPORT_WAIT_SECONDS
        )
        return 0

    from .forms_reports import last_month
    from .metrics import Window
    from .models import ReportKind

    window = Window.ending(last_month(timezone.localdate()))
    return sum(
        _schedule(kind, area, window.first, window.last)
        for area in Area.objects.all()
        for kind in (ReportKind.MONTHLY_TREND, ReportKind.MONTHLY_TREND_PARTNER)
    )


def _schedule(kind, area, first, last) -> int:
    """1 if asked; 0 if already asked (or asked by another run at the same moment)."""
    try:
        return int(services.schedule_report(kind, area, first, last) is not None)
    except services.ReportRuleError:
        return 0
