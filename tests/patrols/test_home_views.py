"""Home pages: a supervisor sees the fortnight, approvals due and returns owed; a PC
sees their own upcoming patrols and the returns they owe."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from patrols.models import (
    OfficerHours,
    OfficerRole,
    PatrolOfficer,
    PatrolStatus,
    Weather,
    WorkReturn,
)
from tests.factories import AreaFactory, OfficerFactory, PatrolFactory, WardFactory

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
    elsewhere = WardFactory(area=AreaFactory(name="Lewisham", code="E09000023"))
    for n in range(count):
        PatrolFactory(ward=ward, starts_at=at(n * 3 % 14, hour=18 + n % 4))  # both weeks
        PatrolFactory(ward=ward, starts_at=at(-n - 2), status=PatrolStatus.DEPLOYED)
    client.force_login(sergeant)
    for _ in range(count):
        worked(OfficerFactory(role=Role.PC, areas=[ward.area]), ward, hours=45)
        visited = PatrolFactory(ward=elsewhere, starts_at=at(n % 14 + 1))
        PatrolOfficer.objects.create(patrol=visited, officer=sergeant, role=OfficerRole.OBSERVER)
    # savepoint, session, user, user's areas (heading); for each of the five tables (the
    # patrols observed elsewhere too): patrols, their hotspots, their officers; officers
    # with their hours and limits, their planned duties; the areas' trained pool; release
    # savepoint
    # ... and the header's count of unread notifications (every signed-in page).
    with django_assert_num_queries(24):
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("count", [5, 50])
def test_pc_home_runs_constant_queries(client, pc, ward, count, django_assert_num_queries):
    for n in range(count):
        patrol = PatrolFactory(ward=ward, starts_at=at(n + 1, hour=20))
        PatrolOfficer.objects.create(patrol=patrol, officer=pc, role=OfficerRole.EPHEDRA_PC)
    client.force_login(pc)
    # savepoint, session, user; upcoming: patrols, hotspots, officers; returns owed and
    # recently filed: patrols (none, so nothing to prefetch); release savepoint
    # ... and the header's count of unread notifications (every signed-in page).
    with django_assert_num_queries(10):
        assert client.get(reverse("home")).status_code == 200


# --- Hours this month and the trained pool ------------------------------------------------


def month_day(day: int, hour: int = 12) -> dt.datetime:
    """``day`` days after the first of this month (negative: last month), at ``hour``."""
    first = timezone.localdate().replace(day=1)
    return timezone.make_aware(dt.datetime.combine(first + dt.timedelta(days=day), dt.time(hour)))


def worked(officer, ward, hours, day=0):
    """Returned patrols from ``day`` on, one a day, with ``officer`` on their crews, who
    worked ``hours`` on them in all (at most 10 a patrol)."""
    left = Decimal(hours)
    while left > 0:
        patrol = PatrolFactory(ward=ward, starts_at=month_day(day), status=PatrolStatus.RETURNED)
        PatrolOfficer.objects.create(patrol=patrol, officer=officer, role=OfficerRole.EPHEDRA_PC)
        work_return = WorkReturn.objects.create(
            patrol=patrol,
            started_at=patrol.starts_at,
            ended_at=patrol.starts_at + dt.timedelta(hours=8),
            weather=Weather.DRY,
            filed_by=patrol.planned_by,
        )
        OfficerHours.objects.create(work_return=work_return, officer=officer, hours=min(left, 10))
        left -= 10
        day += 1


def planned(officer, ward, hours, status=PatrolStatus.APPROVED, day=20):
    starts_at = month_day(day, hour=14)
    patrol = PatrolFactory(
        ward=ward,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        status=status,
        cancel_reason="Weather" if status == PatrolStatus.CANCELLED else "",
    )
    PatrolOfficer.objects.create(patrol=patrol, officer=officer, role=OfficerRole.EPHEDRA_PC)


def test_home_lists_officers_near_their_limit_with_planned_hours(client, sergeant, ward):
    """The area's limit is 48 hours: from 80% of it (38.4) an officer is listed."""
    near = OfficerFactory(role=Role.PC, areas=[ward.area], last_name="Near")
    worked(near, ward, 30)
    planned(near, ward, 10)
    below = OfficerFactory(role=Role.PC, areas=[ward.area], last_name="Below")
    worked(below, ward, 30)
    planned(below, ward, 8)
    cancelled = OfficerFactory(role=Role.PC, areas=[ward.area], last_name="Cancelled")
    worked(cancelled, ward, 30)
    planned(cancelled, ward, 10, status=PatrolStatus.CANCELLED)
    last_month = OfficerFactory(role=Role.PC, areas=[ward.area], last_name="Lastmonth")
    worked(last_month, ward, 30, day=-5)  # the last days of last month
    planned(last_month, ward, 10)
    over = OfficerFactory(role=Role.PC, areas=[ward.area], last_name="Over")
    worked(over, ward, 40)
    planned(over, ward, 10, status=PatrolStatus.DEPLOYED)
    elsewhere = AreaFactory(name="Lewisham", code="E09000023")
    stranger = OfficerFactory(role=Role.PC, areas=[elsewhere])
    worked(stranger, WardFactory(area=elsewhere), 47)
    client.force_login(sergeant)
    response = client.get(reverse("home"))
    rows = response.context["near_limit"]
    assert [(row.officer, row.worked, row.planned, row.threshold) for row in rows] == [
        (over, Decimal(40), Decimal(10), 48),
        (near, Decimal(30), Decimal(10), 48),
    ]
    assert [row.over for row in rows] == [True, False]
    content = response.content.decode()
    assert "Over the limit" in content
    assert "Near the limit" in content


def test_an_officer_of_two_areas_is_held_to_the_stricter_limit(client, sergeant, ward, other_area):
    other_area.overtime_threshold_hours = 40
    other_area.save()
    both = OfficerFactory(role=Role.PC, areas=[ward.area, other_area])
    worked(both, ward, 33)  # 80% of 40 is 32; of 48 it would be 38.4
    client.force_login(sergeant)
    rows = client.get(reverse("home")).context["near_limit"]
    assert [(row.officer, row.threshold) for row in rows] == [(both, 40)]


def test_home_says_when_no_officer_is_near_the_limit(client, sergeant, ward):
    worked(OfficerFactory(role=Role.PC, areas=[ward.area]), ward, 10)
    client.force_login(sergeant)
    response = client.get(reverse("home"))
    assert response.context["near_limit"] == []
    assert "No officer is near their monthly hours limit" in response.content.decode()


def test_home_shows_each_areas_trained_pool(client, project_lead, area, other_area):
    project_lead.areas.add(other_area)
    OfficerFactory(role=Role.PC, areas=[area])  # trained (the factory's date)
    OfficerFactory(role=Role.PC, areas=[area], profile__ephedra_trained_on=None)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    OfficerFactory(role=Role.PC, areas=[area], profile__ephedra_trained_on=tomorrow)
    OfficerFactory(role=Role.PC, areas=[area], is_active=False)
    OfficerFactory(role=Role.PC, areas=[AreaFactory(name="Lewisham", code="E09000023")])
    client.force_login(project_lead)
    response = client.get(reverse("home"))
    pool = {a.name: (a.trained, a.officers) for a in response.context["trained_pool"]}
    # Lambeth: the lead and the first PC are trained; the lead is in Southwark too.
    assert pool == {"Lambeth": (2, 4), "Southwark": (1, 1)}
    assert "2 of 4 officers trained" in response.content.decode()


def test_the_supervisor_home_has_its_sections_once_and_a_plain_title(client, sergeant):
    client.force_login(sergeant)
    content = client.get(reverse("home")).content.decode()
    assert "<title>Home – Ephedra</title>" in content
    assert content.count('id="hours"') == 1
