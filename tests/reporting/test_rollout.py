"""The roll-out page: per area, trained officers, Friday and Saturday nights patrolled,
patrols, referrals and arrests in a month, for the project lead's own areas only."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from patrols.models import Arrest, Offence, PatrolStatus
from referrals.models import Referral
from reporting.rollout import month_of, rollout_rows
from tests.factories import (
    AgencyFactory,
    AreaFactory,
    OfficerFactory,
    PatrolFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
    WardFactory,
    course_referral,
)

pytestmark = pytest.mark.django_db

PAGE = reverse("reporting:rollout")
MARCH = dt.date(2025, 3, 1)  # a Saturday: Fridays and Saturdays are the 1st, 7th, 8th, ... 29th
AFTER_MARCH = dt.date(2025, 4, 10)


def night(day: int, hour: int = 20, month: int = 3) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2025, month, day, hour))


def patrol(area, day: int, status=PatrolStatus.CLOSED, **extra):
    if status == PatrolStatus.CANCELLED:
        extra["cancel_reason"] = "Synthetic: weather"
    return PatrolFactory(ward=WardFactory(area=area), starts_at=night(day), status=status, **extra)


def arrest(patrol_, officer):
    return Arrest.objects.create(
        patrol=patrol_,
        arrested_at=patrol_.starts_at + dt.timedelta(hours=1),
        offence=Offence.KERB_CRAWLING,
        suspect_description="Synthetic suspect",
        arresting_officer=officer,
    )


def row_for(user, area, month=MARCH):
    rows = {row.pk: row for row in rollout_rows(user, month_of(month, AFTER_MARCH))}
    return rows[area.pk]


def test_march_has_nine_friday_and_saturday_nights():
    month = month_of(MARCH, AFTER_MARCH)
    assert (month.nights_so_far, month.nights_in_month) == (9, 9)
    midway = month_of(MARCH, dt.date(2025, 3, 10))  # Monday 10th: 1st, 7th and 8th gone
    assert (midway.nights_so_far, midway.nights_in_month) == (3, 9)


def test_nights_count_fridays_and_saturdays_that_went_out(project_lead, area):
    patrol(area, 7)  # Friday, closed
    patrol(area, 7, status=PatrolStatus.RETURNED)  # a second patrol the same night: one night
    patrol(area, 8, status=PatrolStatus.DEPLOYED)  # Saturday
    patrol(area, 6)  # Thursday: not the ambition
    patrol(area, 14, status=PatrolStatus.CANCELLED)  # Friday, cancelled
    patrol(area, 15, status=PatrolStatus.APPROVED)  # Saturday, never went out

    row = row_for(project_lead, area)

    assert row.nights_patrolled == 2
    assert row.patrols_out == 4
    assert row.patrols_ahead == 1


def test_patrols_of_another_month_do_not_count(project_lead, area):
    PatrolFactory(
        ward=WardFactory(area=area), starts_at=night(4, month=4), status=PatrolStatus.CLOSED
    )
    assert row_for(project_lead, area).patrols_out == 0


def test_trained_officers_per_area(project_lead, area, other_area):
    project_lead.areas.add(other_area)
    OfficerFactory(role=Role.PC, areas=[area, other_area])  # trained, in both areas
    OfficerFactory(role=Role.PC, areas=[area], profile__ephedra_trained_on=None)
    OfficerFactory(role=Role.PC, areas=[area], profile__ephedra_trained_on=dt.date(2025, 4, 2))
    OfficerFactory(role=Role.PC, areas=[area], is_active=False)  # a leaver
    UserFactory(role=Role.ADMIN, areas=[area])

    lambeth, southwark = row_for(project_lead, area), row_for(project_lead, other_area)

    # Lambeth: the lead and the officer in both areas are trained by March's end.
    assert (lambeth.trained, lambeth.officers) == (2, 4)
    assert (southwark.trained, southwark.officers) == (2, 2)


def test_referrals_and_arrests_in_the_area(project_lead, area, other_area):
    agency = AgencyFactory()
    ReferralFactory(person=PersonFactory(area=area), agency=agency, made_at=night(7))
    ReferralFactory(person=PersonFactory(area=other_area), agency=agency, made_at=night(7))
    ReferralFactory(person=PersonFactory(area=area), agency=agency, made_at=night(4, month=4))
    course = course_referral(
        provider=agency, referred_by=project_lead, arresting_officer=project_lead, area=area
    )
    Referral.objects.filter(pk=course.pk).update(made_at=night(21))
    Arrest.objects.filter(pk=course.caution.arrest_id).update(arrested_at=night(21))
    arrest(patrol(area, 8), project_lead)
    arrest(patrol(other_area, 8), project_lead)

    row = row_for(project_lead, area)

    assert row.referrals == 2  # the person's, and the caution's with no person
    assert row.arrests == 2


def test_the_page_shows_the_leads_areas_only(client, project_lead, area, other_area):
    patrol(area, 7)
    client.force_login(project_lead)

    response = client.get(PAGE, {"month": "2025-03"})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-area="{area.code}"' in html
    assert f'data-area="{other_area.code}"' not in html
    assert "Southwark" not in html
    assert "1 of 9" in html


def test_another_areas_lead_does_not_see_this_area(client, area, other_area):
    patrol(area, 7)
    lead = OfficerFactory(role=Role.PROJECT_LEAD, areas=[other_area])
    client.force_login(lead)

    html = client.get(PAGE, {"month": "2025-03"}).content.decode()

    assert "Lambeth" not in html
    assert f'data-area="{other_area.code}"' in html


def test_a_bad_month_shows_this_month_with_a_message(client, project_lead):
    client.force_login(project_lead)

    response = client.get(PAGE, {"month": "2025-13"}, follow=True)

    assert response.status_code == 200
    assert "Enter the month as year-month" in response.content.decode()
    assert timezone.localdate().strftime("%B %Y") in response.content.decode()


@pytest.mark.parametrize("who", ["pc", "sergeant", "admin_user"])
def test_other_police_and_the_administrator_are_refused(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(PAGE).status_code == 403


def test_partners_are_not_told_the_page_exists(client, partner_a):
    client.force_login(partner_a)
    assert client.get(PAGE).status_code == 404


def test_the_lead_finds_it_in_the_navigation(client, project_lead, pc):
    client.force_login(project_lead)
    assert f'href="{PAGE}"' in client.get(reverse("home")).content.decode()
    client.force_login(pc)
    assert f'href="{PAGE}"' not in client.get(reverse("home")).content.decode()


def _areas_with_figures(lead, count: int) -> None:
    agency = AgencyFactory()
    for n in range(count):
        area = AreaFactory(name=f"Borough {n}")
        lead.areas.add(area)
        OfficerFactory(role=Role.PC, areas=[area])
        arrest(patrol(area, 7), lead)
        ReferralFactory(person=PersonFactory(area=area), agency=agency, made_at=night(8))


@pytest.mark.parametrize("count", [2, 6])
def test_the_table_takes_one_query_however_many_areas(
    django_assert_num_queries, project_lead, count
):
    _areas_with_figures(project_lead, count)
    month = month_of(MARCH, AFTER_MARCH)
    # One query: the areas, each figure a subquery on the area's row.
    with django_assert_num_queries(1):
        rows = rollout_rows(project_lead, month)
    assert len(rows) == count + 1  # and the lead's own Lambeth
    assert sum(row.arrests for row in rows) == count


def test_a_month_ahead_shows_no_nights_gone_and_no_next_link(client, project_lead):
    client.force_login(project_lead)
    ahead = timezone.localdate().replace(day=1) + dt.timedelta(days=40)

    response = client.get(PAGE, {"month": f"{ahead:%Y-%m}"})

    assert response.status_code == 200
    assert response.context["month"].nights_so_far == 0
    assert response.context["next"] is None
    assert 'rel="next"' not in response.content.decode()
