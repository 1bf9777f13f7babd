from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def flag_breached_cautions() -> int:
    """Daily: cautions past their course deadline become breached and their referrals
    closed (idempotent: a second run finds nothing)."""
    return services.flag_missed_deadlines(timezone.localdate())
