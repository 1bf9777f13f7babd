from celery import shared_task

from . import notifications


@shared_task(acks_late=True, soft_time_limit=240, time_limit=270)
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail what these notifications say, one e-mail per address; each is sent once
    however often the message is delivered (a sent or claimed one is skipped)."""
    return notifications.send_emails(notification_ids)


@shared_task
def sweep_notification_emails() -> int:
    """Every minute: e-mails owed because the broker was down or SMTP failed."""
    return notifications.sweep_emails()
