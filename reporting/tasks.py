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
