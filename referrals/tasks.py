from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def flag_breached_cautions() -> int:
    """Daily: cautions past their course deadline become breached and their referrals
    closed (idempotent: a second run finds nothing)."""
    return services.flag_missed_deadlines(timezone.localdate())


@shared_task(soft_time_limit=300, time_limit=360)
def escalate_overdue_referrals() -> int:
    """Daily: referrals past their agency's deadlines are reported to the referring officer
    and the agency's contact, once each (idempotent: a second run tells no one)."""
    return services.escalate_overdue(timezone.localdate())
