"""When a referral reached its current agency (Referral.arrived_at): set by the services
that make and move it, filled by migration 0009 for referrals made before the column, and
the caseload's order and deadlines read from it."""

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from partners.models import ServiceType
from referrals import services
from referrals.models import Referral, ReferralMove
from referrals.selectors import caseload, shared_referrals
from tests.referrals.test_portal_views import refer

pytestmark = pytest.mark.django_db

fill = importlib.import_module("referrals.migrations.0009_referral_arrived_at").FILL
DAYS_AGO = timezone.now() - dt.timedelta(days=9)


@pytest.fixture
def agency_b(agency_b):
    agency_b.services.get_or_create(service=ServiceType.EXIT_SUPPORT)
    return agency_b


def arrival(referral: Referral) -> dt.datetime:
    return Referral.objects.values_list("arrived_at", flat=True).get(pk=referral.pk)


def test_a_referral_arrives_when_it_is_made(agency_a, pc, partner_a):
    referral = refer(agency_a, pc, made_at=DAYS_AGO)

    assert arrival(referral) == DAYS_AGO
    assert shared_referrals(partner_a).get().referred_at == DAYS_AGO


def test_a_moved_referral_arrives_when_it_is_moved(agency_a, agency_b, pc, sergeant, partner_b):
    referral = refer(agency_a, pc, made_at=DAYS_AGO)

    services.move_referral(referral, agency_b, sergeant, "Better placed")

    move = ReferralMove.objects.get()
    assert arrival(referral) == move.moved_at > DAYS_AGO
    assert shared_referrals(partner_b).get().referred_at == move.moved_at


def test_moved_back_it_arrives_again_not_when_it_was_made(agency_a, agency_b, pc, sergeant):
    referral = refer(agency_a, pc, made_at=DAYS_AGO)
    services.move_referral(referral, agency_b, sergeant, "Better placed")
    services.move_referral(referral, agency_a, sergeant, "Back again")

    first, back = ReferralMove.objects.order_by("pk")
    assert arrival(referral) == back.moved_at >= first.moved_at


def test_the_caseload_puts_a_referral_moved_in_before_one_made_there_earlier(
    agency_a, agency_b, pc, sergeant, partner_a
):
    made_here = refer(agency_a, pc, made_at=timezone.now() - dt.timedelta(days=1))
    moved_in = refer(agency_b, pc, made_at=DAYS_AGO)
    services.move_referral(moved_in, agency_a, sergeant, "Better placed")

    rows = caseload(partner_a, {}, None, timezone.localdate())

    assert [r.pk for r in rows] == [moved_in.pk, made_here.pk]


def test_a_moved_referrals_deadlines_run_from_its_arrival(
    client, agency_a, agency_b, pc, sergeant, partner_a
):
    """Made nine days ago elsewhere, it is not overdue where it arrived today."""
    referral = refer(agency_b, pc, made_at=DAYS_AGO)
    services.move_referral(referral, agency_a, sergeant, "Better placed")
    client.force_login(partner_a)

    response = client.get(reverse("referrals:partner_home"))

    assert response.context["overdue"] == 0
    [row] = response.context["rows"]
    assert row.age_days == 0
    assert row.deadline.rag != "red"


def test_the_migration_fills_the_last_move_to_the_current_agency_else_made(
    agency_a, agency_b, pc, sergeant
):
    never_moved = refer(agency_a, pc, made_at=DAYS_AGO)
    moved = refer(agency_a, pc, made_at=DAYS_AGO)
    services.move_referral(moved, agency_b, sergeant, "Better placed")
    back = refer(agency_a, pc, made_at=DAYS_AGO)
    services.move_referral(back, agency_b, sergeant, "Better placed")
    services.move_referral(back, agency_a, sergeant, "Back again")
    # As before the column: a first move dated later than the second would be taken by a
    # fill that ignored which agency each move went to.
    ReferralMove.objects.filter(referral=back, to_agency=agency_b).update(
        moved_at=timezone.now() + dt.timedelta(days=1)
    )
    Referral.objects.update(arrived_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))

    with connection.cursor() as cursor:
        cursor.execute(fill)

    assert arrival(never_moved) == DAYS_AGO
    assert arrival(moved) == ReferralMove.objects.get(referral=moved).moved_at
    assert arrival(back) == ReferralMove.objects.get(referral=back, to_agency=agency_a).moved_at
