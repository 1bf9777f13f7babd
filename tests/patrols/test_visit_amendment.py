"""A supervisor corrects the timed visits of a submitted return (services.amend_return,
``visits``), with the reason: the rules of submission hold (services.visits), against the
shift as amended; the change is in the amendment history and the audit log; nothing is
half-written when refused; the API takes the same change."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from governance.models import AuditEvent
from patrols import services
from patrols.models import HotspotVisit, ReturnAmendment
from patrols.services import PatrolRuleError
from tests.patrols.visits import HOUR, NIGHT, submit, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(patrol, pc, hotspot):
    """A submitted return with one timed visit, 21:00 to 21:15."""
    return submit(patrol, pc, [visit(hotspot, 60, 75)])


def times(work_return) -> list[tuple]:
    return list(work_return.visits.values_list("hotspot__name", "arrived_at", "left_at"))


def test_a_supervisor_corrects_a_visit_s_times_with_the_reason(filed, sergeant, hotspot):
    amendment = services.amend_return(
        filed,
        sergeant,
        "Times checked against the radio log.",
        {"visits": [visit(hotspot, 65, 95)]},
    )

    assert times(filed) == [
        (hotspot.name, NIGHT + dt.timedelta(minutes=65), NIGHT + dt.timedelta(minutes=95))
    ]
    before, after = amendment.changes["visits"]
    assert before.startswith("Test Street North ")
    assert after.startswith("Test Street North ")
    assert before.endswith("21:15")
    assert after.endswith("21:35")
    assert amendment.reason == "Times checked against the radio log."
    assert AuditEvent.objects.filter(action="patrols.hotspotvisit.deleted").count() == 1
    assert AuditEvent.objects.filter(action="patrols.hotspotvisit.created").count() == 2
    assert AuditEvent.objects.filter(action="patrols.returnamendment.created").exists()


def test_a_corrected_visit_is_refused_by_the_rules_of_submission(filed, sergeant, hotspot):
    with pytest.raises(PatrolRuleError, match="Visit 1: the departure must be after") as caught:
        services.amend_return(filed, sergeant, "Typo.", {"visits": [visit(hotspot, 90, 80)]})

    assert caught.value.field == "visits"
    assert times(filed) == [(hotspot.name, NIGHT + HOUR, NIGHT + dt.timedelta(minutes=75))]
    assert not ReturnAmendment.objects.exists()


def test_a_shorter_shift_must_still_hold_the_visits(filed, sergeant):
    """The visits are checked against the shift as amended, even when not themselves changed."""
    with pytest.raises(PatrolRuleError, match="Visit 1: the departure must be within the shift"):
        services.amend_return(filed, sergeant, "Ended early.", {"ended_at": NIGHT + HOUR})

    filed.refresh_from_db()
    assert filed.ended_at == NIGHT + 8 * HOUR
    assert not ReturnAmendment.objects.exists()


def test_a_visit_added_counts_its_hotspot_as_visited(filed, sergeant, hotspot, other_hotspot):
    visits = [visit(hotspot, 60, 75), visit(other_hotspot, 120, 130)]
    amendment = services.amend_return(filed, sergeant, "Second stop left off.", {"visits": visits})

    assert set(filed.hotspots_visited.all()) == {hotspot, other_hotspot}
    assert "Test Street South" in amendment.changes["hotspots_visited"][1]
    assert HotspotVisit.objects.filter(work_return=filed).count() == 2


def test_the_api_takes_the_corrected_visits(client, filed, sergeant, hotspot):
    url = reverse("api:patrol-amend-return", args=[filed.patrol.uuid])
    client.force_login(sergeant)

    def post(arrived, left):
        body = {
            "reason": "Radio log.",
            "visits": [
                {
                    "hotspot": str(hotspot.uuid),
                    "arrived_at": (NIGHT + dt.timedelta(minutes=arrived)).isoformat(),
                    "left_at": (NIGHT + dt.timedelta(minutes=left)).isoformat(),
                }
            ],
        }
        return client.post(url, json.dumps(body), content_type="application/json")

    refused = post(90, 80)
    amended = post(65, 95)

    assert refused.status_code == 400
    assert "Visit 1: the departure must be after" in json.dumps(refused.json())
    assert amended.status_code == 200, amended.content
    assert times(filed)[0][1:] == (
        NIGHT + dt.timedelta(minutes=65),
        NIGHT + dt.timedelta(minutes=95),
    )
    assert ReturnAmendment.objects.get().amended_by == sergeant
