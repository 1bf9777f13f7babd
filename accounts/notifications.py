"""Telling people something: an in-app notification, and an e-mail sent by a job.

Messages name agencies, services and statuses, never the person a record is about; the
e-mail subject is always generic, so nothing personal sits in a mail server's logs.

The request only writes the notifications, each marked as owing an e-mail when its
recipient has an address, and enqueues one task for the batch after commit (a
rolled-back change sends nothing). The task carries the notifications' primary keys,
nothing personal: it re-reads the message and the addresses. SMTP (one call per address,
so no one learns who else was told) happens in the worker. A broker that is down, a lost
message or an SMTP failure leaves the e-mail owed, and the every-minute sweep sends it
(a failed try waits ``CLAIM_EXPIRES`` before the next); after ``MAX_EMAIL_ATTEMPTS``
failed tries it is given up (logged, the address never logged).
"""

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import set_password
from .models import Notification, User

SUBJECT = "Ephedra: something needs your attention"
MAX_EMAIL_ATTEMPTS = 3
# A claim older than this: its sender died, or its try failed and it may be tried again
# (SMTP times out after 20 s, so a live sender is long done).
CLAIM_EXPIRES = dt.timedelta(minutes=5)
SWEEP_BATCH = 20
# An owed e-mail this old has had time to be sent by its own task: the sweep takes it.
SWEEP_GRACE = dt.timedelta(minutes=2)
logger = logging.getLogger(__name__)


def notify(recipients, message: str, url: str = "") -> None:
    users = [user for user in recipients if user is not None and user.is_active]
    rows = Notification.objects.bulk_create(
        Notification(recipient=user, message=message, url=url, email_pending=bool(user.email))
        for user in users
    )
    owed = [row.pk for row in rows if row.email_pending]
    if owed:
        transaction.on_commit(lambda: enqueue_emails(owed))


def enqueue_emails(notification_ids: list[int]) -> bool:
    """One task for the batch; a broker that is down leaves the e-mails to the sweep."""
    from .tasks import send_notification_emails

    try:
        send_notification_emails.delay(notification_ids)
    except Exception as error:  # kombu/redis connection errors have no common base
        logger.warning("Notification e-mails owed; broker unavailable (%s)", type(error).__name__)
        return False
    return True


def send_emails(notification_ids: list[int], now: dt.datetime | None = None) -> int:
    """Send the e-mails these notifications owe, one per address; the number sent."""
    claimed = _claim(notification_ids, now or timezone.now())
    by_mail: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in Notification.objects.filter(pk__in=claimed).select_related("recipient"):
        if row.recipient.email and row.recipient.is_active:
            by_mail[(row.recipient.email, _body(row))].append(row.pk)
        else:  # the address went, or the person left: nothing to send
            _settle(row.pk, sent=False, give_up=True)
    return sum(_send(address, body, ids) for (address, body), ids in by_mail.items())


def _claim(notification_ids: list[int], now: dt.datetime) -> list[int]:
    """Each row in its own conditional UPDATE: a row the task and the sweep both see is
    sent by the one whose UPDATE wins."""
    owed = Notification.objects.filter(_unclaimed(now), email_pending=True)
    return [
        pk
        for pk in notification_ids
        if owed.filter(pk=pk).update(email_claimed_at=now, email_attempts=F("email_attempts") + 1)
    ]


def _unclaimed(now: dt.datetime) -> Q:
    return Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - CLAIM_EXPIRES)


def _body(row: Notification) -> str:
    # A set-password notice: its one-time link is made now, for the e-mail, never stored.
    if set_password.is_set_password_notice(row.url):
        return set_password.email_body(row.recipient)
    return f"{row.message}\n\nSign in to Ephedra to read it: {row.url}" if row.url else row.message


def _send(address: str, body: str, ids: list[int]) -> bool:
    try:
        send_mail(SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [address])
    except OSError:  # the in-app notification stands; the address is not logged
        logger.warning("A notification e-mail could not be sent; it will be tried again.")
        for pk in ids:
            _settle(pk, sent=False)
        return False
    for pk in ids:
        _settle(pk, sent=True)
    return True


def _settle(pk: int, *, sent: bool, give_up: bool = False) -> None:
    """Sent; or given up (no address, or the last try failed). A failed try keeps its
    claim, so the sweep tries again once the claim expires, not at once."""
    rows = Notification.objects.filter(pk=pk)
    if sent:
        rows.update(email_pending=False, emailed_at=timezone.now())
    elif give_up:
        rows.update(email_pending=False)
    else:
        rows.filter(email_attempts__gte=MAX_EMAIL_ATTEMPTS).update(email_pending=False)


def sweep_emails(now: dt.datetime | None = None) -> int:
    """Every minute: send the e-mails still owed after their own task had time to."""
    now = now or timezone.now()
    owed = Notification.objects.filter(
        _unclaimed(now), email_pending=True, created_at__lt=now - SWEEP_GRACE
    )
    # A few at a time: with SMTP down each try waits for its 20 s timeout.
    ids = list(owed.order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    return send_emails(ids, now) if ids else 0


def agency_users(agency) -> list[User]:
    return list(agency.users.filter(is_active=True))
