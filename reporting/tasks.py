from celery import shared_task

from accounts.models import Area


@shared_task
def worker_health() -> dict[str, int]:
    """Proves a worker is up and reads the same database as the web app (monitoring, CI)."""
    return {"areas": Area.objects.count()}
