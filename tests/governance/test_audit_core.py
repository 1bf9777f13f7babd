"""The audit log itself: append-only in the application and in PostgreSQL, written in the
caller's transaction, and naming the right actor and address wherever it is written from."""

import ipaddress

import pytest
from django.contrib.auth import authenticate
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.authentication import BaseAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from core.http import client_ip
from governance import audit
from governance.models import AuditEvent
from referrals.services import flag_missed_deadlines

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger exists on PostgreSQL only (CI runs PostgreSQL)",
)


@pytest.fixture
def row(pc):
    return audit.record("referrals.person.viewed", None, user=pc, object_type="referrals.person")


# --- Append-only ---------------------------------------------------------------------------


def test_a_saved_row_cannot_be_saved_again(row):
    row.detail = "rewritten"
    with pytest.raises(TypeError, match="append-only"):
        row.save()


def test_a_row_cannot_be_deleted(row):
    with pytest.raises(TypeError, match="append-only"):
        row.delete()


@pytest.mark.parametrize("bulk", ["update", "delete"])
def test_rows_cannot_be_updated_or_deleted_in_bulk(row, bulk):
    rows = AuditEvent.objects.filter(pk=row.pk)
    with pytest.raises(TypeError, match="append-only"):
        rows.update(detail="x") if bulk == "update" else rows.delete()
    assert AuditEvent.objects.get(pk=row.pk).detail == ""


@on_postgresql
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE governance_auditevent SET detail = 'rewritten' WHERE id = %s",
        "DELETE FROM governance_auditevent WHERE id = %s",
    ],
)
def test_postgresql_refuses_update_and_delete_whoever_asks(row, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [row.pk])
    assert AuditEvent.objects.get(pk=row.pk).detail == ""


# --- In the transaction of what it records ----------------------------------------------


class Refused(Exception):
    pass


def test_rows_roll_back_with_a_failed_transaction(pc, area):
    from tests.factories import PersonFactory

    before = AuditEvent.objects.count()

    def make_then_fail():
        with transaction.atomic():
            PersonFactory(area=area, created_by=pc)
            assert AuditEvent.objects.filter(action="referrals.person.created").exists()
            raise Refused

    with pytest.raises(Refused):
        make_then_fail()

    assert AuditEvent.objects.count() == before


def test_a_failed_request_leaves_no_row(client, sergeant, area):
    """ATOMIC_REQUESTS: a view that fails after writing rolls its rows back too."""
    from tests.factories import PersonFactory

    person = PersonFactory(area=area, created_by=sergeant)
    client.force_login(sergeant)
    client.raise_request_exception = False
    before = AuditEvent.objects.count()
    from referrals.views import person as police

    original = police.render

    def broken(*args, **kwargs):
        raise Refused

    police.render = broken
    try:
        response = client.get(reverse("referrals:person", args=[person.uuid]))
    finally:
        police.render = original

    assert response.status_code == 500
    assert AuditEvent.objects.count() == before


# --- Who and from where --------------------------------------------------------------------


def test_a_scheduled_job_is_recorded_as_the_system(world):
    caution = world["caution"]

    flag_missed_deadlines(caution.deadline.replace(year=caution.deadline.year + 1))

    row = AuditEvent.objects.get(action="patrols.conditionalcaution.changed")
    assert row.actor is None
    assert row.actor_username == ""
    assert row.ip_address is None
    assert row.changes["status"] == ["issued", "breached"]


class _Token(BaseAuthentication):
    """Stands in for the API's token authentication: the user is known only in the view."""

    user = None

    def authenticate(self, request):
        return (self.user, None)


class _Api(APIView):
    authentication_classes = [_Token]
    permission_classes = []

    def get(self, request):
        audit.record("referrals.person.viewed", None, object_type="referrals.person")
        return Response({})


def test_an_api_request_records_the_token_s_user(pc):
    """The middleware holds the Django request; DRF sets its user after authenticating."""
    _Token.user = pc
    request = RequestFactory().get("/api/v1/people/", REMOTE_ADDR="192.0.2.7")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()  # what AuthenticationMiddleware gave: no session
    token = audit.set_request(request)
    try:
        _Api.as_view()(request)
    finally:
        audit.reset_request(token)

    row = AuditEvent.objects.get(action="referrals.person.viewed")
    assert (row.actor, row.actor_username, row.ip_address) == (pc, pc.username, "192.0.2.7")


@pytest.mark.parametrize(
    ("proxied", "forwarded", "expected"),
    [
        (False, "198.51.100.1", "192.0.2.1"),  # no proxy: the header is anyone's claim
        (True, "198.51.100.1", "198.51.100.1"),
        (True, "203.0.113.9, 198.51.100.1", "198.51.100.1"),  # the entry our proxy added
        (True, "", "192.0.2.1"),
        (True, "not-an-address", "192.0.2.1"),  # a proxy misconfigured: the peer
        (True, "198.51.100.1, not-an-address", "192.0.2.1"),  # never an earlier claim
        (True, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_the_address_behind_our_proxy(settings, proxied, forwarded, expected):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if proxied else None
    request = HttpRequest()
    request.META = {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": forwarded}

    assert client_ip(request) == expected


@pytest.mark.parametrize("proxied", [False, True])
def test_the_address_is_never_empty(settings, proxied):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if proxied else None
    request = HttpRequest()
    request.META = {"REMOTE_ADDR": "unix:/run/gunicorn.sock", "HTTP_X_FORWARDED_FOR": "x"}

    assert ipaddress.ip_address(client_ip(request)).is_unspecified  # known to be unknown


# --- Signing in ----------------------------------------------------------------------------


def test_signing_in_and_out_is_recorded(client, pc):
    client.post(
        reverse("login"), {"username": pc.username, "password": "correct-horse-battery-staple"}
    )
    client.post(reverse("logout"))

    actions = list(
        AuditEvent.objects.filter(actor=pc).order_by("id").values_list("action", flat=True)
    )
    assert actions[:1] == ["accounts.user.signed_in"]
    assert actions[-1] == "accounts.user.signed_out"


def test_a_failed_sign_in_names_the_account_tried(client, pc):
    response = client.post(reverse("login"), {"username": pc.username, "password": "wrong"})

    assert response.status_code == 200
    row = AuditEvent.objects.get(action="accounts.user.sign_in_failed")
    assert row.actor is None
    assert row.ip_address == "127.0.0.1"
    assert (row.object_type, row.object_id) == ("accounts.user", str(pc.uuid))


def test_a_failed_sign_in_never_writes_an_unknown_username(client, pc):
    typed = "correct-horse-battery-staple-typed-as-username"
    client.post(reverse("login"), {"username": typed, "password": "whatever"})

    row = AuditEvent.objects.get(action="accounts.user.sign_in_failed")
    assert row.object_id == ""
    assert row.object_type == ""
    assert row.detail == "No account has that username."
    for event in AuditEvent.objects.all():
        assert (
            typed not in f"{event.actor_username} {event.object_id} {event.detail} {event.changes}"
        )


def test_a_failed_check_outside_a_request_is_still_recorded(pc):
    assert authenticate(HttpRequest(), username=pc.username, password="wrong") is None

    assert AuditEvent.objects.filter(action="accounts.user.sign_in_failed").count() == 1
