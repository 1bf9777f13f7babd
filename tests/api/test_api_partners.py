"""The partner agencies API: the police see every active agency and what it offers (to
make referrals); a partner user sees their own agency and nothing of any other."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import AgencyKind, ServiceType
from tests.api.test_api_referrals import ROLES, call, rows, statuses
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

NOT_ALLOWED = statuses(405, 405, 405, 405, 405, 405)

# (URL name, method, {role: status}); the detail URL names agency A.
API_MATRIX = [
    ("api:partner-agency-list", "GET", statuses(200, 200, 200, 200, 200, 403)),
    ("api:partner-agency-list", "POST", NOT_ALLOWED),
    ("api:partner-agency-detail", "GET", statuses(200, 404, 200, 200, 200, 403)),
    ("api:partner-agency-detail", "PUT", NOT_ALLOWED),
    ("api:partner-agency-detail", "PATCH", NOT_ALLOWED),
    ("api:partner-agency-detail", "DELETE", NOT_ALLOWED),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "expected"), API_MATRIX, ids=[f"{n} {m}" for n, m, _ in API_MATRIX]
)
def test_status_for_each_role(client, request, agency_a, agency_b, name, method, expected, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    url = reverse(name) if name.endswith("-list") else reverse(name, args=[agency_a.uuid])

    response = call(client, method, url, {} if method != "GET" else None)

    assert response.status_code == expected[role], response.content[:300]


def test_the_matrix_covers_every_route_and_method_of_the_viewset():
    from ephedra.api_urls import build_router
    from partners.api import PartnerAgencyViewSet

    covered = {(name, method) for name, method, _ in API_MATRIX}
    for url in build_router().urls:
        if getattr(url.callback, "cls", None) is PartnerAgencyViewSet:
            for method in url.callback.actions:
                if method != "head":
                    assert (f"api:{url.name}", method.upper()) in covered, url.name


def test_the_police_see_active_agencies_and_their_services(client, pc, agency_a):
    AgencyFactory(name="Closed agency (test)", active=False)
    AgencyFactory(name="Clinic (test)", services=[ServiceType.MEDICAL, ServiceType.SEXUAL_HEALTH])
    client.force_login(pc)

    listed = rows(client.get(reverse("api:partner-agency-list")))

    assert [a["name"] for a in listed] == ["Agency A (test)", "Clinic (test)"]
    assert [s["service"] for s in listed[1]["services"]] == ["medical", "sexual_health"]
    offering = rows(client.get(f"{reverse('api:partner-agency-list')}?service=medical"))
    assert [a["name"] for a in offering] == ["Clinic (test)"]


def test_an_inactive_agency_is_not_offered(client, pc):
    closed = AgencyFactory(active=False)
    client.force_login(pc)

    response = client.get(reverse("api:partner-agency-detail", args=[closed.uuid]))

    assert response.status_code == 404


def test_a_partner_sees_their_own_agency_only(client, partner_a, agency_a, agency_b):
    client.force_login(partner_a)

    listed = rows(client.get(reverse("api:partner-agency-list")))
    other = client.get(reverse("api:partner-agency-detail", args=[agency_b.uuid]))
    filtered = client.get(f"{reverse('api:partner-agency-list')}?kind={AgencyKind.CHARITY}")

    assert [a["uuid"] for a in listed] == [str(agency_a.uuid)]
    assert other.status_code == 404
    assert agency_b.name not in other.content.decode()
    assert [a["uuid"] for a in rows(filtered)] == [str(agency_a.uuid)]


def test_a_bad_filter_is_400_by_field(client, pc):
    client.force_login(pc)

    response = client.get(f"{reverse('api:partner-agency-list')}?service=banana")

    assert response.status_code == 400
    assert "service" in response.json()["errors"]


def test_the_agency_list_costs_the_same_for_5_and_50(client, pc, django_assert_max_num_queries):
    client.force_login(pc)
    url = reverse("api:partner-agency-list")

    def measure(n_more: int) -> tuple[int, int]:
        for _ in range(n_more):
            AgencyFactory(services=[ServiceType.HOUSING, ServiceType.MEDICAL])
        client.get(url)  # the session's first request saves it
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return len(queries), len(rows(response))

    small, shown_small = measure(5)
    large, shown_large = measure(45)

    assert (shown_small, shown_large) == (5, 50)
    assert large == small
    # session, user, OTP device, count, rows, services, areas (+ savepoints)
    with django_assert_max_num_queries(10):
        client.get(url)
