"""Notification e-mails are sent by a Celery task after commit, never by the request; the
task carries primary keys only; each e-mail is sent once; a broker that is down or an SMTP
failure leaves it owed, and the sweep sends it (three tries at most)."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import notifications, tasks
from accounts.models import Notification
from referrals import services as referral_services
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db
MESSAGE = "A referral to Streetlight is now received."
AFTER_GRACE = notifications.SWEEP_GRACE + dt.timedelta(seconds=1)
AFTER_CLAIM = notifications.CLAIM_EXPIRES + dt.timedelta(seconds=1)


@pytest.fixture
def officers(area):
    return [
        OfficerFactory(areas=[area], email="first@police.example"),
        OfficerFactory(areas=[area], email="second@police.example"),
        OfficerFactory(areas=[area], email=""),  # told in the app only
    ]


@pytest.fixture
def queued(monkeypatch):
    """The broker, recording what is sent to it instead of running it."""
    sent = []
    monkeypatch.setattr(tasks.send_notification_emails, "delay", sent.append)
    return sent


@pytest.fixture
def smtp_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("SMTP unavailable")

    monkeypatch.setattr(notifications, "send_mail", refuse)


def owed() -> list[int]:
    return list(Notification.objects.filter(email_pending=True).values_list("pk", flat=True))


def test_notify_sends_no_mail_itself_and_enqueues_one_task_after_commit(
    officers, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notifications.notify(officers, MESSAGE, "/referrals/")

    assert mail.outbox == []
    assert queued == []
    for callback in callbacks:
        callback()
    assert mail.outbox == []  # the task, not notify, sends
    with_email = Notification.objects.filter(recipient__in=officers[:2])
    assert queued == [sorted(with_email.values_list("pk", flat=True))]
    assert sorted(owed()) == queued[0]  # the officer with no address owes no e-mail


def test_the_task_sends_one_email_per_address_with_a_generic_subject(officers):
    notifications.notify(officers, MESSAGE, "/referrals/")

    assert tasks.send_notification_emails(owed()) == 2

    assert sorted(message.to[0] for message in mail.outbox) == [
        "first@police.example",
        "second@police.example",
    ]
    assert all(len(message.to) == 1 for message in mail.outbox)  # no one sees the others
    assert {message.subject for message in mail.outbox} == {notifications.SUBJECT}
    assert mail.outbox[0].body == f"{MESSAGE}\n\nSign in to Ephedra to read it: /referrals/"
    assert owed() == []
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2


def test_a_task_delivered_twice_sends_each_email_once(officers):
    notifications.notify(officers, MESSAGE)
    ids = owed()

    tasks.send_notification_emails(ids)
    tasks.send_notification_emails(ids)
    notifications.send_emails(ids, now=timezone.now() + AFTER_CLAIM)  # redelivered much later
    notifications.sweep_emails(now=timezone.now() + AFTER_CLAIM)

    assert len(mail.outbox) == 2


def test_an_email_claimed_by_a_live_sender_is_not_sent_again(officers):
    notifications.notify(officers[:1], MESSAGE)
    Notification.objects.update(email_claimed_at=timezone.now())  # a sender is on it

    assert notifications.sweep_emails(now=timezone.now() + AFTER_GRACE) == 0
    assert tasks.send_notification_emails(owed()) == 0
    assert mail.outbox == []


def test_while_the_broker_is_down_the_emails_wait_for_the_sweep(
    officers, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_notification_emails, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(officers, MESSAGE)  # no error for the caller
    assert mail.outbox == []
    assert len(owed()) == 2

    assert notifications.sweep_emails() == 0  # its own task may still come
    assert notifications.sweep_emails(now=timezone.now() + AFTER_GRACE) == 2
    assert len(mail.outbox) == 2
    assert owed() == []


def test_an_smtp_failure_is_tried_again_later_then_given_up(officers, monkeypatch, smtp_down):
    notifications.notify(officers[:1], MESSAGE)
    [pk] = owed()

    assert tasks.send_notification_emails([pk]) == 0
    assert owed() == [pk]  # still owed
    assert notifications.sweep_emails(now=timezone.now() + AFTER_GRACE) == 0
    assert Notification.objects.get(pk=pk).email_attempts == 1  # not retried at once

    now = timezone.now()
    for step in (1, 2):
        notifications.sweep_emails(now=now + step * AFTER_CLAIM)
    row = Notification.objects.get(pk=pk)
    assert row.email_attempts == notifications.MAX_EMAIL_ATTEMPTS
    assert owed() == []  # given up after the last try
    monkeypatch.undo()
    notifications.sweep_emails(now=now + 4 * AFTER_CLAIM)
    assert mail.outbox == []


def test_an_smtp_failure_then_success_sends_once(officers, monkeypatch, smtp_down):
    notifications.notify(officers[:1], MESSAGE)
    tasks.send_notification_emails(owed())
    monkeypatch.undo()

    assert notifications.sweep_emails(now=timezone.now() + AFTER_CLAIM) == 1
    assert len(mail.outbox) == 1
    assert owed() == []


def test_a_recipient_who_left_before_the_send_gets_no_email(officers):
    notifications.notify(officers[:1], MESSAGE)
    officers[0].is_active = False
    officers[0].save()

    assert tasks.send_notification_emails(owed()) == 0
    assert mail.outbox == []
    assert owed() == []


def test_a_rolled_back_change_sends_nothing(officers, queued, django_capture_on_commit_callbacks):
    def change_that_fails():
        with transaction.atomic():
            notifications.notify(officers, MESSAGE)
            raise RuntimeError("the change failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        change_that_fails()

    assert queued == []
    assert not Notification.objects.exists()


def test_a_page_that_notifies_does_not_call_smtp_in_the_request(
    client, partner_a, agency_a, pc, queued, django_capture_on_commit_callbacks
):
    """A partner moves a referral on: the referring officer is told. The request writes
    the notification and enqueues the task (recorded here); it sends no e-mail."""
    pc.email = "officer@police.example"
    pc.save()
    referral = _shared_referral(agency_a, pc)
    client.force_login(partner_a)
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("referrals:partner_status", args=[referral.uuid]),
            {"status-to_status": "received"},
        )

    assert response.status_code == 302
    assert mail.outbox == []
    told = Notification.objects.get(recipient=pc)
    assert queued == [[told.pk]]
    assert told.email_pending
    assert referral.person.working_name not in told.message


def _shared_referral(agency, officer):
    from tests.referrals.test_portal_views import refer

    return refer(agency, officer)


def test_referral_services_still_email_through_the_task(
    partner_a, agency_a, pc, django_capture_on_commit_callbacks
):
    """With eager Celery (no broker), the task runs inline after commit, as `make run` does."""
    pc.email = "officer@police.example"
    pc.save()
    referral = _shared_referral(agency_a, pc)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        referral_services.change_status(referral, "received", partner_a)

    assert [message.to for message in mail.outbox] == [["officer@police.example"]]
    assert Notification.objects.get(recipient=pc, emailed_at__isnull=False)
