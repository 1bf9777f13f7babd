"""Home pages: a supervisor sees the fortnight, approvals due and returns owed; a PC
sees their own upcoming patrols and the returns they owe."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from patrols.models import OfficerRole, PatrolOfficer, PatrolStatus
from tests.factories import PatrolFactory, WardFactory

pytestmark = pytest.mark.django_db


def at(days: int, hour: int = 20) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def ward(area):
    return WardFactory(area=area)


def test_supervisor_sees_approvals_due_and_returns_owed(client, sergeant, ward):
    waiting = PatrolFactory(ward=ward, starts_at=at(2))
    owed = PatrolFactory(ward=ward, starts_at=at(-3), status=PatrolStatus.DEPLOYED)
    PatrolFactory(ward=ward, starts_at=at(-10), status=PatrolStatus.CLOSED)
    client.force_login(sergeant)
    response = client.get(reverse("home"))
    assert list(response.context["awaiting_approval"]) == [waiting]
    assert list(response.context["returns_owed"]) == [owed]
    assert "Overdue" in response.content.decode()


def test_supervisor_home_ignores_other_areas(client, sergeant, other_area):
    PatrolFactory(ward=WardFactory(area=other_area), starts_at=at(1))
    client.force_login(sergeant)
    response = client.get(reverse("home"))
    assert not response.context["awaiting_approval"]
    assert "Every upcoming patrol has an approved risk assessment." in response.content.decode()


def test_pc_sees_only_their_patrols(client, pc, ward):
    mine = PatrolFactory(ward=ward, starts_at=at(1))
    PatrolOfficer.objects.create(patrol=mine, officer=pc, role=OfficerRole.EPHEDRA_PC)
    PatrolFactory(ward=ward, starts_at=at(2))
    owed = PatrolFactory(ward=ward, starts_at=at(-2), status=PatrolStatus.DEPLOYED)
    PatrolOfficer.objects.create(patrol=owed, officer=pc, role=OfficerRole.EPHEDRA_PC)
    client.force_login(pc)
    response = client.get(reverse("home"))
    assert list(response.context["upcoming"]) == [mine]
    assert list(response.context["returns_owed"]) == [owed]
    assert reverse("patrols:work_return", args=[owed.uuid]) in response.content.decode()


def test_pc_with_nothing_owed_sees_empty_states(client, pc):
    client.force_login(pc)
    content = client.get(reverse("home")).content.decode()
    assert "No returns owed." in content
    assert "You are not on any upcoming patrol." in content


@pytest.mark.parametrize("count", [5, 50])
def test_supervisor_home_runs_constant_queries(
    client, sergeant, ward, count, django_assert_num_queries
):
    for n in range(count):
        PatrolFactory(ward=ward, starts_at=at(n * 3 % 14, hour=18 + n % 4))  # both weeks
        PatrolFactory(ward=ward, starts_at=at(-n - 2), status=PatrolStatus.DEPLOYED)
    client.force_login(sergeant)
    # savepoint, session, user, user's areas (heading); for each of the four tables:
    # patrols, their hotspots, their officers; release savepoint
    with django_assert_num_queries(17):
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("count", [5, 50])
def test_pc_home_runs_constant_queries(client, pc, ward, count, django_assert_num_queries):
    for n in range(count):
        patrol = PatrolFactory(ward=ward, starts_at=at(n + 1, hour=20))
        PatrolOfficer.objects.create(patrol=patrol, officer=pc, role=OfficerRole.EPHEDRA_PC)
    client.force_login(pc)
    # savepoint, session, user; upcoming: patrols, hotspots, officers; returns owed and
    # recently filed: patrols (none, so nothing to prefetch); release savepoint
    with django_assert_num_queries(9):
        assert client.get(reverse("home")).status_code == 200
