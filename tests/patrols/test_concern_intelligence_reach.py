"""Intelligence graded from a partner's concern reaches the police wherever intelligence
is read (issue 16, item 5): the API's intelligence list and record, and the weekly sheet
of the concern's area; never a partner, another area, nor an officer who does not grade."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from patrols.services.concerns import grade_concern
from reporting.reports.weekly import weekly_sheet
from tests.factories import OfficerFactory, sent_concern
from tests.patrols.test_partner_concerns import GRADE as GRADING

pytestmark = pytest.mark.django_db

LIST = "api:intelligence-list"
DETAIL = "api:intelligence-detail"


@pytest.fixture
def graded(partner_a, area, sergeant):
    concern = sent_concern(by=partner_a, area=area)
    return grade_concern(concern, sergeant, GRADING)


def listed(client, user, **params) -> list[dict]:
    client.force_login(user)
    response = client.get(reverse(LIST), params)
    assert response.status_code == 200, response.content[:300]
    return response.json()["results"]


def test_the_areas_sergeant_finds_it_in_the_api_list_and_opens_it(
    client, graded, sergeant, agency_a
):
    (row,) = listed(client, sergeant)

    assert row["uuid"] == str(graded.uuid)
    assert row["patrol"] is None
    assert row["partner_concern"] == str(graded.partner_concern.uuid)
    assert row["from_agency"] == agency_a.name
    response = client.get(reverse(DETAIL, args=[graded.uuid]))
    assert response.status_code == 200
    assert response.json()["details"] == GRADING["details"]


def test_the_list_filters_by_where_it_came_from(client, graded, sergeant):
    assert [r["uuid"] for r in listed(client, sergeant, from_partner="true")] == [str(graded.uuid)]
    assert listed(client, sergeant, from_partner="false") == []


def test_the_project_lead_of_the_area_reads_it_too(client, graded, project_lead):
    assert [r["uuid"] for r in listed(client, project_lead)] == [str(graded.uuid)]


def test_another_areas_sergeant_neither_lists_nor_opens_it(client, graded, other_area):
    outsider = OfficerFactory(role=Role.SERGEANT, areas=[other_area])

    assert listed(client, outsider) == []
    assert client.get(reverse(DETAIL, args=[graded.uuid])).status_code == 404


def test_a_pc_of_the_area_who_does_not_grade_is_refused(client, graded, pc):
    assert listed(client, pc) == []
    assert client.get(reverse(DETAIL, args=[graded.uuid])).status_code == 403


def test_a_partner_gets_404_even_from_the_agency_that_sent_it(client, graded, partner_a):
    client.force_login(partner_a)

    assert client.get(reverse(LIST)).status_code == 404
    assert client.get(reverse(DETAIL, args=[graded.uuid])).status_code == 404


def test_the_weekly_sheet_of_the_concerns_area_holds_it_and_no_other_does(
    graded, area, other_area, sergeant
):
    # The grader also covers another area: the line belongs to the concern's area only.
    sergeant.areas.add(other_area)
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())

    lines = weekly_sheet(area, monday).intelligence
    assert [line.record.uuid for line in lines] == [graded.uuid]
    assert lines[0].subject == GRADING["subject_description"]
    assert weekly_sheet(other_area, monday).intelligence == []
