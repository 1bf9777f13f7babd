"""s.62: failed attempts at access are logged, and a failing request cannot roll the row
back. A partner asking for another agency's referral (404, by design the same answer as a
record that does not exist) and a police officer refused a page (403) each leave one row,
written after the request's transaction has ended."""

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from governance import audit
from governance.middleware import AuditContextMiddleware
from governance.models import AuditEvent
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def refusals():
    return list(AuditEvent.objects.filter(action__startswith="access.").order_by("pk"))


def test_a_partner_asking_for_another_agency_s_referral_is_logged(client, partner_a, agency_b):
    theirs_not = ReferralFactory(agency=agency_b)
    client.force_login(partner_a)
    url = reverse("referrals:partner_detail", args=[theirs_not.uuid])

    assert client.get(url).status_code == 404

    (row,) = refusals()
    assert (row.action, row.actor) == ("access.not_found", partner_a)
    assert row.detail == f"GET {url}"
    assert row.ip_address == "127.0.0.1"


def test_a_police_officer_refused_a_page_is_logged(client, pc):
    client.force_login(pc)
    url = reverse("governance:audit_log")
    assert client.get(url, {"user": "someone"}).status_code == 403
    (row,) = refusals()
    assert (row.action, row.actor, row.detail) == ("access.forbidden", pc, f"GET {url}")


def test_the_api_s_404_is_logged_too(client, partner_a, agency_b):
    client.force_login(partner_a)
    referral = ReferralFactory(agency=agency_b)
    assert client.get(f"/api/v1/referrals/{referral.uuid}/").status_code == 404
    assert [r.action for r in refusals()] == ["access.not_found"]


def test_anonymous_visitors_and_answers_that_are_not_refusals_are_not_logged(client, pc):
    assert client.get("/no-such-page/").status_code == 404  # not signed in
    client.force_login(pc)
    assert client.get(reverse("home")).status_code == 200
    assert refusals() == []


@pytest.mark.django_db(transaction=True)
def test_a_lasting_row_outlives_the_request_s_rollback(pc):
    """A view that records a lasting row and then fails: its transaction rolls back (as
    ATOMIC_REQUESTS does), the lasting row is still written; an ordinary row is not."""

    def view_that_raises(request):
        try:
            with transaction.atomic():
                audit.record("test.ordinary", user=pc)
                audit.record_lasting("test.lasting", user=pc)
                raise RuntimeError("the request fails")
        except RuntimeError:
            return HttpResponse(status=500)

    request = RequestFactory().get("/somewhere/")
    request.user = pc
    AuditContextMiddleware(view_that_raises)(request)

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert "test.lasting" in actions
    assert "test.ordinary" not in actions  # rolled back with the request


@pytest.mark.parametrize("path", ["/api/v1/referrals/%00/", "/people/%00%0a%1b/", "/x%0d%0ay/"])
def test_a_refusal_for_a_path_with_control_characters_is_logged_not_a_500(client, pc, path):
    """A NUL in the path (PostgreSQL refuses it in text) or a line break (a forged line in
    an exported log) is written as U+FFFD, never a 500."""
    client.force_login(pc)
    response = client.get(path)
    assert response.status_code == 404
    (row,) = refusals()
    assert row.detail.startswith("GET /")
    assert all(ch.isprintable() for ch in row.detail)
    assert "\ufffd" in row.detail
