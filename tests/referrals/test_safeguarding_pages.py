"""The safeguarding section: the police person page (forms, errors at the field, nothing
written on bad input, her timeline) and the shared part on the partner's referral page,
with a canary in every police-only field that no partner page may show."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from governance.models import AuditEvent
from referrals import services
from referrals.models import MarkerKind, RiskLevel, RiskLevelChange, WarningMarker
from tests.factories import PersonFactory, UserFactory
from tests.referrals.test_safeguarding import CANARY, in_a_month, refer

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(area, pc):
    return PersonFactory(area=area, created_by=pc)


@pytest.fixture
def full_record(person, pc):
    services.set_risk_level(person, pc, level=RiskLevel.HIGH, review_on=in_a_month(), reason=CANARY)
    services.add_marker(person, pc, kind=MarkerKind.VIOLENT_CLIENT, reason=CANARY)
    services.add_marker(
        person, pc, kind=MarkerKind.TRAFFICKING, reason=CANARY,
        nrm_referred_on=timezone.localdate(), nrm_reference=f"NRM-{CANARY}",
    )  # fmt: skip
    services.add_route(person, pc, service="Local GP practice", note=CANARY)
    return person


def person_url(person) -> str:
    return reverse("referrals:person", args=[person.uuid])


def post_urls(person, marker, route) -> list[str]:
    return [
        reverse("referrals:person_risk", args=[person.uuid]),
        reverse("referrals:person_marker", args=[person.uuid]),
        reverse("referrals:person_route", args=[person.uuid]),
        reverse("referrals:marker_end", args=[marker.uuid]),
        reverse("referrals:route_end", args=[route.uuid]),
    ]


# --- The police page ----------------------------------------------------------------------


def test_the_person_page_shows_her_record_and_its_changes_on_her_timeline(
    client, full_record, sergeant
):
    client.force_login(sergeant)
    response = client.get(person_url(full_record))
    page = response.content.decode()
    assert "Safeguarding" in page
    assert "Review by" in page
    assert "Trafficking or modern slavery indicators" in page
    assert f"NRM-{CANARY}" in page
    kinds = [event.kind for event in response.context["events"]]
    assert kinds.count("marker") == 2
    assert "risk" in kinds
    assert "route" in kinds
    viewed = AuditEvent.objects.filter(action="referrals.risklevelchange.viewed")
    assert viewed.count() == 1


def test_an_overdue_review_is_flagged(client, full_record, sergeant):
    RiskLevelChange.objects.update(review_on=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(sergeant)
    assert "Review overdue" in client.get(person_url(full_record)).content.decode()


def test_an_officer_sets_the_risk_level(client, person, pc):
    client.force_login(pc)
    response = client.post(
        reverse("referrals:person_risk", args=[person.uuid]),
        {"risk-level": "medium", "risk-review_on": in_a_month().isoformat(), "risk-reason": "r"},
    )
    assert response.status_code == 302
    assert RiskLevelChange.objects.get().level == RiskLevel.MEDIUM


def test_a_refused_risk_level_shows_at_the_field_and_writes_nothing(client, person, pc):
    client.force_login(pc)
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("referrals:person_risk", args=[person.uuid]),
        {"risk-level": "high", "risk-review_on": today, "risk-reason": "r"},
    )
    assert response.status_code == 200
    assert response.context["risk_form"].errors == {
        "review_on": ["The review date must be after today."]
    }
    assert 'href="#id_risk-review_on"' in response.content.decode()
    assert not RiskLevelChange.objects.exists()


def test_a_refused_marker_shows_at_the_field(client, person, pc):
    client.force_login(pc)
    response = client.post(
        reverse("referrals:person_marker", args=[person.uuid]),
        {"marker-kind": "drug_use", "marker-reason": "r", "marker-nrm_reference": "N1"},
    )
    assert "nrm_referred_on" in response.context["marker_form"].errors
    assert not WarningMarker.objects.exists()


def test_ending_a_marker_keeps_it_in_her_history(client, full_record, pc):
    marker = WarningMarker.objects.get(kind=MarkerKind.VIOLENT_CLIENT)
    client.force_login(pc)
    url = reverse("referrals:marker_end", args=[marker.uuid])
    response = client.post(url, {"end-reason": ""})
    assert response.context["end_form"].errors == {"reason": ["Say why it ends"]}
    response = client.post(url, {"end-reason": "Client arrested"})
    assert response.status_code == 302
    marker.refresh_from_db()
    assert marker.ended_by == pc
    kinds = [e.kind for e in client.get(person_url(full_record)).context["events"]]
    assert "marker_ended" in kinds


def test_outsiders_get_404_and_get_is_405(client, full_record, partner_a, agency_a, pc, other_area):
    refer(full_record, agency_a, pc)  # even the agency working with her
    marker, route = full_record.warning_markers.first(), full_record.onward_routes.first()
    elsewhere = UserFactory(role="sergeant", areas=[other_area])
    for user in (User.objects.get(pk=partner_a.pk), elsewhere):
        client.force_login(user)
        for url in post_urls(full_record, marker, route):
            assert client.post(url, {"end-reason": "x"}).status_code == 404
    client.force_login(pc)
    for url in post_urls(full_record, marker, route):
        assert client.get(url).status_code == 405
    assert RiskLevelChange.objects.count() == 1


# --- The partner's referral page ---------------------------------------------------------


def test_the_agency_working_with_her_sees_the_shared_part_and_no_canary(
    client, full_record, agency_a, partner_a, pc
):
    referral = refer(full_record, agency_a, pc)
    client.force_login(partner_a)
    page = client.get(reverse("referrals:partner_detail", args=[referral.uuid])).content.decode()
    assert "Safeguarding" in page
    assert "High" in page
    assert "Violent client reported" in page
    assert "Local GP practice" in page
    assert CANARY not in page
    assert "rafficking" not in page
    assert "NRM" not in page


def test_a_closed_referral_page_shows_no_safeguarding(client, full_record, agency_a, partner_a, pc):
    referral = refer(full_record, agency_a, pc)
    services.change_status(referral, "withdrawn", pc)
    client.force_login(partner_a)
    page = client.get(reverse("referrals:partner_detail", args=[referral.uuid])).content.decode()
    assert 'id="safeguarding"' not in page


# --- The API ------------------------------------------------------------------------------


def test_the_police_person_detail_holds_her_record_and_the_partners_does_not(
    client, full_record, sergeant, agency_a, partner_a, pc
):
    client.force_login(sergeant)
    data = client.get(reverse("api:person-detail", args=[full_record.uuid])).json()
    record = data["safeguarding"]
    assert record["risks"][0]["level"] == "high"
    assert {m["kind"] for m in record["markers"]} == {"violent_client", "trafficking"}
    assert record["routes"][0]["status"] == "Active"
    refer(full_record, agency_a, pc)
    client.force_login(User.objects.get(pk=partner_a.pk))
    response = client.get(reverse("api:person-detail", args=[full_record.uuid]))
    assert response.status_code == 200
    assert "safeguarding" not in response.json()
    assert CANARY not in response.content.decode()


def test_the_agencys_referral_detail_holds_the_shared_part_and_no_canary(
    client, full_record, agency_a, partner_a, pc
):
    referral = refer(full_record, agency_a, pc)
    client.force_login(partner_a)

    response = client.get(reverse("api:referral-detail", args=[referral.uuid]))

    assert response.status_code == 200
    shared = response.json()["safeguarding"]
    assert shared["risk"]["level"] == "high"
    assert shared["risk"]["review_on"] == in_a_month().isoformat()
    assert [m["label"] for m in shared["markers"]] == ["Violent client reported"]
    assert [(r["label"], r["status"]) for r in shared["routes"]] == [
        ("Local GP practice", "Active")
    ]
    assert set(shared["risk"]) == {"level", "label", "review_on", "set_at"}
    body = response.content.decode()
    assert CANARY not in body
    assert "rafficking" not in body


def test_a_closed_referrals_api_detail_holds_no_safeguarding(
    client, full_record, agency_a, partner_a, pc
):
    referral = refer(full_record, agency_a, pc)
    services.change_status(referral, "withdrawn", pc)
    client.force_login(partner_a)

    response = client.get(reverse("api:referral-detail", args=[referral.uuid]))

    assert response.json()["safeguarding"] is None
    assert "Violent client" not in response.content.decode()


def test_the_agencys_referral_list_holds_no_safeguarding(
    client, full_record, agency_a, partner_a, pc
):
    refer(full_record, agency_a, pc)
    client.force_login(partner_a)

    (row,) = client.get(reverse("api:referral-list")).json()["results"]

    assert "safeguarding" not in row
