"""A double booking that slips past the form's check (another planner saved the same
officer or agency a moment earlier, and the database's unique constraint refuses the
second) is a refusal at the field on the page and a 400 in the API, never a 500."""

import json

import pytest
from django.db import IntegrityError
from django.urls import reverse

from patrols.models import Patrol
from patrols.services import planning
from tests.factories import WardFactory

from .cast import local_pc_for, next_friday

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward(area):
    return WardFactory(area=area, name="Brixton North")


@pytest.fixture
def local(area, ward):
    return local_pc_for(ward, area)


@pytest.fixture
def raced(monkeypatch):
    """The crew's INSERT meets the row another planner wrote since the check."""

    def lose_the_race(patrol, crew):
        raise IntegrityError('duplicate key value violates unique constraint "patrol_officer_once"')

    monkeypatch.setattr(planning, "_write_crew", lose_the_race)


def test_the_page_shows_the_race_at_the_crew_field(client, sergeant, ward, pc, local, raced):
    client.force_login(sergeant)
    data = {
        "ward": ward.pk,
        "date": next_friday().isoformat(),
        "start_time": "20:00",
        "end_time": "04:00",
        "ephedra_pcs": [pc.pk],
        "local_pcs": [local.pk],
        "invitations-TOTAL_FORMS": "0",
        "invitations-INITIAL_FORMS": "0",
        "invitations-MIN_NUM_FORMS": "0",
        "invitations-MAX_NUM_FORMS": "1000",
    }

    response = client.post(reverse("patrols:create"), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert "double-booked" in " ".join(form.errors["ephedra_pcs"])
    assert not Patrol.objects.exists()


def test_the_api_answers_the_race_with_a_400_at_the_field(client, sergeant, ward, pc, local, raced):
    client.force_login(sergeant)
    body = {
        "ward": ward.pk,
        "date": next_friday().isoformat(),
        "start_time": "20:00",
        "end_time": "04:00",
        "ephedra_pcs": [str(pc.uuid)],
        "local_pcs": [str(local.uuid)],
    }

    response = client.post(
        reverse("api:patrol-list"), data=json.dumps(body), content_type="application/json"
    )

    assert response.status_code == 400, response.content
    assert "double-booked" in " ".join(response.json()["errors"]["ephedra_pcs"])
    assert not Patrol.objects.exists()
