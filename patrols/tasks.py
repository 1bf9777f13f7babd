from celery import shared_task
from django.utils import timezone

from .models import Trial
from .services import trials


@shared_task(soft_time_limit=300, time_limit=360)
def record_trial_deviations() -> int:
    """Daily: every running trial records its deviations, among them the patrol hotspots
    of a week just ended that no return visited (idempotent: a second run adds none)."""
    today = timezone.localdate()
    return sum(len(trials.record_deviations(trial, today)) for trial in Trial.objects.all())
