"""Telling people something: an in-app notification and an e-mail, written together.

Messages name agencies, services and statuses, never the person a record is about; the
e-mail subject is always generic, so nothing personal sits in a mail server's logs.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Notification, User

SUBJECT = "Ephedra: something needs your attention"
logger = logging.getLogger(__name__)


def notify(recipients, message: str, url: str = "") -> None:
    users = [user for user in recipients if user is not None and user.is_active]
    Notification.objects.bulk_create(
        Notification(recipient=user, message=message, url=url) for user in users
    )
    addresses = sorted({user.email for user in users if user.email})
    if addresses:
        body = f"{message}\n\nSign in to Ephedra to read it: {url}" if url else message
        # After commit, so a rolled-back change sends nothing; one e-mail per person, so
        # no one learns who else was told.
        transaction.on_commit(lambda: _send(body, addresses))


def _send(body: str, addresses: list[str]) -> None:
    for address in addresses:
        try:
            send_mail(SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [address])
        except OSError:  # the in-app notification stands; the address is not logged
            logger.warning("A notification e-mail could not be sent.")


def agency_users(agency) -> list[User]:
    return list(agency.users.filter(is_active=True))
