"""Escalation: a referral past one of its agency's deadlines, the step not recorded, is
reported once (per referral, deadline and arrival) to the referring officer and the
agency's named contact, in the app and by e-mail, with nothing personal in the e-mail."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import notifications
from accounts.models import Notification
from governance.models import AuditEvent
from partners.models import ServiceType
from referrals import services, tasks
from referrals.models import ReferralEscalation, ReferralStatus
from tests.factories import AgencyFactory, PartnerUserFactory, PersonFactory
from tests.referrals.test_portal_views import refer, walk_to

pytestmark = pytest.mark.django_db

MONDAY = timezone.make_aware(dt.datetime(2026, 11, 2, 12))
THURSDAY = dt.date(2026, 11, 5)  # "received" (due Wed) passed; first contact (Mon 9) not
NEXT_TUESDAY = dt.date(2026, 11, 10)  # both passed


@pytest.fixture
def contact(agency_a):
    user = PartnerUserFactory(agency=agency_a, email="contact@agency.example")
    agency_a.contact_user = user
    agency_a.save()
    return user


@pytest.fixture
def overdue(agency_a, pc):
    person = PersonFactory(
        area=pc.areas.first(), working_name="Testname-Secret", description="Secret-description"
    )
    referral = refer(agency_a, pc, person=person, made_at=MONDAY)
    Notification.objects.all().delete()  # the "new referral" notices
    return referral


def told(user) -> list[str]:
    return list(user.notifications.values_list("message", flat=True))


def test_the_officer_and_the_named_contact_are_told_once(overdue, pc, contact, partner_a, agency_a):
    assert services.escalate_overdue(THURSDAY) == 1
    assert services.escalate_overdue(THURSDAY) == 0  # the second run tells no one

    message = (
        "A referral to Agency A (test) is overdue: not marked as received within 2 working days."
    )
    assert told(pc) == [message]
    assert told(contact) == [message]
    assert told(partner_a) == []  # the agency has a named contact: only they are told
    assert pc.notifications.get().url == reverse("referrals:detail", args=[overdue.uuid])
    assert contact.notifications.get().url == reverse(
        "referrals:partner_detail", args=[overdue.uuid]
    )
    escalation = ReferralEscalation.objects.get()
    assert (escalation.deadline, escalation.due_on) == ("receive", dt.date(2026, 11, 4))
    assert (
        AuditEvent.objects.filter(
            action="referrals.referral.escalated", object_id=str(overdue.uuid)
        ).count()
        == 1
    )


def test_each_deadline_is_told_once_as_it_passes(overdue, pc, contact):
    services.escalate_overdue(THURSDAY)
    services.escalate_overdue(NEXT_TUESDAY)
    services.escalate_overdue(NEXT_TUESDAY)

    assert sorted(ReferralEscalation.objects.values_list("deadline", flat=True)) == [
        "contact",
        "receive",
    ]
    assert len(told(pc)) == 2
    assert len(told(contact)) == 2


def test_before_the_deadline_ends_no_one_is_told(overdue, pc):
    assert services.escalate_overdue(dt.date(2026, 11, 4)) == 0  # due today: not yet passed
    assert told(pc) == []


def test_a_recorded_step_is_not_escalated(overdue, pc, partner_a):
    walk_to(overdue, ReferralStatus.RECEIVED, partner_a)
    Notification.objects.all().delete()

    assert services.escalate_overdue(THURSDAY) == 0
    services.escalate_overdue(NEXT_TUESDAY)  # received, but no first contact yet
    assert list(ReferralEscalation.objects.values_list("deadline", flat=True)) == ["contact"]

    services.change_status(overdue, ReferralStatus.CONTACTED, partner_a)
    assert services.escalate_overdue(dt.date(2027, 1, 5)) == 0


def test_final_referrals_are_never_escalated(overdue, pc, partner_a):
    walk_to(overdue, ReferralStatus.DECLINED, partner_a)
    assert services.escalate_overdue(NEXT_TUESDAY) == 0


def test_without_a_named_contact_every_active_user_of_the_agency_is_told(
    overdue, partner_a, agency_a
):
    colleague = PartnerUserFactory(agency=agency_a)
    PartnerUserFactory(agency=agency_a, is_active=False)

    services.escalate_overdue(THURSDAY)

    assert len(told(partner_a)) == 1
    assert len(told(colleague)) == 1
    assert Notification.objects.count() == 3  # the officer too


def test_a_contact_from_another_agency_is_not_told(overdue, partner_a, partner_b, agency_a):
    agency_a.contact_user = partner_b  # refused by the admin's form; ignored here too
    agency_a.save()

    services.escalate_overdue(THURSDAY)

    assert told(partner_b) == []
    assert len(told(partner_a)) == 1


def test_a_moved_referral_has_new_deadlines_at_its_new_agency(overdue, pc, sergeant, agency_b):
    agency_b.services.get_or_create(service=ServiceType.EXIT_SUPPORT)
    services.escalate_overdue(THURSDAY)
    services.move_referral(overdue, agency_b, sergeant, "Better placed")
    overdue.refresh_from_db()

    later = timezone.localdate() + dt.timedelta(days=30)  # moves are dated now
    assert services.escalate_overdue(later) == 2  # both deadlines, at agency B
    agencies = set(ReferralEscalation.objects.values_list("agency__name", flat=True))
    assert agencies == {"Agency A (test)", "Agency B (test)"}


def test_the_email_carries_a_link_and_nothing_personal(
    overdue, pc, contact, django_capture_on_commit_callbacks
):
    pc.email = "officer@police.example"
    pc.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.escalate_overdue(THURSDAY)
    notifications.send_emails(
        list(Notification.objects.filter(email_pending=True).values_list("pk", flat=True))
    )

    assert sorted(m.to[0] for m in mail.outbox) == [
        "contact@agency.example",
        "officer@police.example",
    ]
    for message in mail.outbox:
        assert message.subject == notifications.SUBJECT
        assert str(overdue.uuid) in message.body  # the link
        for personal in ("Testname-Secret", "Secret-description", "Exit", "exit"):
            assert personal not in message.body


def test_the_task_only_calls_the_service(monkeypatch):
    calls = []
    monkeypatch.setattr(services, "escalate_overdue", lambda today: calls.append(today) or 7)
    assert tasks.escalate_overdue_referrals() == 7
    assert calls == [timezone.localdate()]


def test_the_task_runs_daily_and_twice_tells_once(overdue, pc):
    schedule = settings.CELERY_BEAT_SCHEDULE["escalate-overdue-referrals"]
    assert schedule["task"] == "referrals.tasks.escalate_overdue_referrals"
    tasks.escalate_overdue_referrals()
    tasks.escalate_overdue_referrals()
    assert len(told(pc)) == 2  # today is long past both deadlines: each told once


def test_an_agency_sets_its_deadlines(overdue, pc, agency_a):
    agency_a.receive_within_days, agency_a.contact_within_days = 5, 10
    agency_a.save()
    assert services.escalate_overdue(THURSDAY) == 0


def test_the_database_keeps_deadlines_in_order():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AgencyFactory(receive_within_days=5, contact_within_days=2)
