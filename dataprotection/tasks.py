"""Scheduled jobs of the data-protection app."""

import logging

from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from accounts.notifications import notify

from . import erasure, retention

logger = logging.getLogger(__name__)

# Generic on purpose: a notification and its e-mail never describe a record.
MESSAGE = "{count} {records} due for retention review: keep each with a reason, or erase it."


@shared_task
def list_records_due_for_review() -> int:
    """The 1st of each month: delete the generated reports past their retention period,
    bring every review date up to date, then tell each project lead how many records in
    their areas are due (people, referrals, intelligence, arrests, cautions). Idempotent:
    a lead already told this month is not told again, an expired report is not found
    twice. Returns how many leads were told."""
    today = timezone.localdate()
    url = reverse("governance:retention_review")
    with transaction.atomic():
        expired = erasure.expire_reports(today)  # audited one by one; files go on commit
        if expired:
            logger.info("Retention: %d generated reports past their period deleted.", expired)
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
