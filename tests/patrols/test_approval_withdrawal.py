"""An approved patrol whose crew, ward, hotspots or times change loses its approval (it
must be approved again before it deploys), on the planning page and through the API; a
change the assessment is not about (the meeting point) keeps it."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from governance.models import AuditEvent
from patrols import services
from patrols.models import PatrolStatus, RiskAssessment
from tests.factories import HotspotFactory, OfficerFactory, WardFactory

from .cast import assess, crewed, local_pc_for, next_friday

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward(area):
    return WardFactory(area=area, name="Brixton North")


@pytest.fixture
def world(area, ward, pc, sergeant):
    local = local_pc_for(ward, area)
    patrol = crewed(ward, pc, local)
    assess(patrol, pc)
    services.approve_risk_assessment(patrol, by=sergeant)
    other_ward = WardFactory(area=area, name="Stockwell")
    return {
        "patrol": patrol,
        "pc": pc,
        "local": local,
        "second_pc": OfficerFactory(role=pc.role, areas=[area]),
        "other_ward": other_ward,
        "other_local": local_pc_for(other_ward, area),
        "hotspot": HotspotFactory(ward=ward),
    }


def page_data(world, **overrides) -> dict:
    patrol = world["patrol"]
    data = {
        "ward": patrol.ward_id,
        "date": next_friday().isoformat(),
        "start_time": "20:00",
        "end_time": "04:00",
        "meeting_point": patrol.meeting_point,
        "ephedra_pcs": [world["pc"].pk],
        "local_pcs": [world["local"].pk],
        "invitations-TOTAL_FORMS": "0",
        "invitations-INITIAL_FORMS": "0",
        "invitations-MIN_NUM_FORMS": "0",
        "invitations-MAX_NUM_FORMS": "1000",
    }
    return data | overrides


def page_changes(world) -> dict:
    return {
        "crew": {"ephedra_pcs": [world["pc"].pk, world["second_pc"].pk]},
        "ward": {"ward": world["other_ward"].pk, "local_pcs": [world["other_local"].pk]},
        "hotspots": {"hotspots": [world["hotspot"].pk]},
        "times": {"start_time": "21:00"},
    }


def api_changes(world) -> dict:
    return {
        "crew": {"ephedra_pcs": [str(world["pc"].uuid), str(world["second_pc"].uuid)]},
        "ward": {"ward": world["other_ward"].pk, "local_pcs": [str(world["other_local"].uuid)]},
        "hotspots": {"hotspots": [str(world["hotspot"].uuid)]},
        "times": {"start_time": "21:00:00"},
    }


def assert_withdrawn(patrol, part: str) -> None:
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.PLANNED
    assert not RiskAssessment.objects.get(patrol=patrol).is_approved
    event = AuditEvent.objects.get(action=services.APPROVAL_WITHDRAWN)
    assert event.object_id == str(patrol.uuid)
    assert part in event.detail


@pytest.mark.parametrize("part", ["crew", "ward", "hotspots", "times"])
def test_the_page_withdraws_the_approval_and_says_so(client, sergeant, world, part):
    client.force_login(sergeant)
    url = reverse("patrols:edit", args=[world["patrol"].uuid])

    response = client.post(url, page_data(world, **page_changes(world)[part]), follow=True)

    assert response.status_code == 200
    assert "approval was withdrawn" in response.content.decode()
    assert_withdrawn(world["patrol"], part)


@pytest.mark.parametrize("part", ["crew", "ward", "hotspots", "times"])
def test_the_api_withdraws_the_approval(client, sergeant, world, part):
    client.force_login(sergeant)
    url = reverse("api:patrol-detail", args=[world["patrol"].uuid])
    body = json.dumps(api_changes(world)[part])

    response = client.patch(url, data=body, content_type="application/json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == PatrolStatus.PLANNED
    assert_withdrawn(world["patrol"], part)


def test_a_new_meeting_point_keeps_the_approval(client, sergeant, world):
    client.force_login(sergeant)
    url = reverse("patrols:edit", args=[world["patrol"].uuid])

    response = client.post(url, page_data(world, meeting_point="Stockwell (test)"), follow=True)

    assert "approval was withdrawn" not in response.content.decode()
    world["patrol"].refresh_from_db()
    assert world["patrol"].status == PatrolStatus.APPROVED
    assert world["patrol"].meeting_point == "Stockwell (test)"
    assert not AuditEvent.objects.filter(action=services.APPROVAL_WITHDRAWN).exists()


def test_an_approved_patrol_re_crewed_cannot_deploy(world):
    patrol = world["patrol"]
    services.update_patrol(patrol, patrol.planned_by, crew=[*_crew(world), _second(world)])
    with pytest.raises(services.PatrolRuleError):
        services.mark_deployed(patrol)


def _crew(world):
    return [(world["pc"], "ephedra_pc"), (world["local"], "local_pc")]


def _second(world):
    return (world["second_pc"], "ephedra_pc")


def test_changing_the_times_by_the_service_withdraws_it(world):
    patrol = world["patrol"]
    later = patrol.starts_at + dt.timedelta(hours=1)
    update = services.update_patrol(patrol, patrol.planned_by, starts_at=later)
    assert update.approval_withdrawn
    assert_withdrawn(patrol, "times")
