"""Scheduled jobs of the data-protection app."""

from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from accounts.notifications import notify

from . import retention

# Generic on purpose: a notification and its e-mail never describe a record.
MESSAGE = "{count} {records} due for retention review: keep each with a reason, or erase it."


@shared_task
def list_records_due_for_review() -> int:
    """The 1st of each month: bring every review date up to date, then tell each project
    lead how many records in their areas are due. Idempotent: a lead already told this
    month is not told again. Returns how many leads were told."""
    today = timezone.localdate()
    url = reverse("governance:retention_review")
    with transaction.atomic():
        retention.refresh_review_dates()
        told = 0
        for lead, count in retention.leads_to_tell(today):
            if _told_this_month(lead, url, today):
                continue
            records = "record is" if count == 1 else "records are"
            notify([lead], MESSAGE.format(count=count, records=records), url)
            told += 1
    return told


def _told_this_month(lead, url: str, today) -> bool:
    return Notification.objects.filter(
        recipient=lead, url=url, created_at__date__gte=today.replace(day=1)
    ).exists()
