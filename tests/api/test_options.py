"""OPTIONS under /api/: the docs answer it (no 500), and on a record's address it is
answered only to those who may read that record — an outsider gets 404, as for GET, and
never learns from a 403 or a description that the record exists (core.api.RulePermission)."""

import pytest
from django.urls import reverse

from tests.factories import PatrolFactory, PersonFactory, consented_referral

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_the_docs_answer_options(client, sergeant, name):
    client.force_login(sergeant)

    response = client.options(reverse(name))

    assert response.status_code == 200
    assert "GET" in response["Allow"]


def test_options_of_the_docs_for_a_visitor_is_sign_in(client):
    response = client.options(reverse("api:docs"))

    assert response.status_code == 302


def test_a_partner_gets_404_for_another_agencys_record(client, partner_a, agency_a, agency_b):
    client.force_login(partner_a)

    theirs = client.options(reverse("api:partner-agency-detail", args=[agency_b.uuid]))
    own = client.options(reverse("api:partner-agency-detail", args=[agency_a.uuid]))

    assert theirs.status_code == 404
    assert theirs.json()["code"] == "not_found"
    assert own.status_code == 200


def test_a_partner_gets_404_for_a_referral_not_shared_with_them(
    client, pc, partner_a, agency_a, agency_b
):
    shared = consented_referral(agency=agency_a, by=pc, person=PersonFactory(area=pc.areas.get()))
    hidden = consented_referral(agency=agency_b, by=pc, person=PersonFactory(area=pc.areas.get()))
    client.force_login(partner_a)

    refused = client.options(reverse("api:referral-detail", args=[hidden.uuid]))
    person = client.options(reverse("api:person-detail", args=[hidden.person.uuid]))
    allowed = client.options(reverse("api:referral-detail", args=[shared.uuid]))

    assert (refused.status_code, person.status_code) == (404, 404)
    assert allowed.status_code == 200
    assert allowed.json()["name"]


def test_a_partner_gets_404_not_403_on_police_only_addresses(client, partner_a, area):
    patrol = PatrolFactory(area=area)
    client.force_login(partner_a)

    for url in (reverse("api:patrol-list"), reverse("api:patrol-detail", args=[patrol.uuid])):
        assert client.options(url).status_code == 404, url


def test_an_officer_of_another_area_gets_404(client, sergeant, other_area):
    theirs = PatrolFactory(area=other_area)
    own = PatrolFactory(area=sergeant.areas.get())
    client.force_login(sergeant)

    assert client.options(reverse("api:patrol-detail", args=[theirs.uuid])).status_code == 404
    assert client.options(reverse("api:patrol-detail", args=[own.uuid])).status_code == 200


def test_options_lists_a_write_only_for_those_who_may_make_it(client, pc, project_lead):
    """DRF's metadata describes PUT/POST when the user may use them: the same rules."""
    url = reverse("api:hotspot-list")
    client.force_login(pc)
    officer = client.options(url).json()
    client.force_login(project_lead)
    lead = client.options(url).json()

    assert "POST" not in officer.get("actions", {})
    assert "POST" in lead.get("actions", {})
