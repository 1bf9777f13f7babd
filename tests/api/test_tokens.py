"""API tokens: the pages where a user makes, sees and revokes theirs, and the tokens at
work — hashed at rest, refused when revoked or unknown, last use noted. Expiry and rate
limits: test_token_expiry.py, test_rate_limit.py."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import tokens
from accounts.models import ApiToken
from governance.models import AuditEvent
from tests.factories import api_token

from .conftest import bearer

pytestmark = pytest.mark.django_db

LIST = "/account/api-tokens/"
API = "/api/v1/crime-records/"


def test_the_pages_are_where_the_readme_says():
    assert reverse("tokens:list") == LIST


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_no_tokens_yet(client, pc):
    client.force_login(pc)
    response = client.get(LIST)
    assert response.status_code == 200
    assert "You have no API tokens." in response.text


def test_making_a_token_shows_it_once_and_stores_only_its_hash(client, pc):
    client.force_login(pc)

    response = client.post(LIST, {"name": "Case system sync"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=pc)
    secret = response.context["new_token"].secret
    assert secret.startswith(f"eph_{token.prefix}_")
    assert secret in response.text
    assert token.name == "Case system sync"
    assert token.secret_hash == tokens.hash_secret(secret)
    secret_part = secret.split("_", 2)[2]
    stored = [
        str(v)
        for v in ApiToken.objects.values_list(
            *[f.attname for f in ApiToken._meta.concrete_fields]
        ).get()
    ]
    assert not any(secret_part in value for value in stored)
    audit = list(
        AuditEvent.objects.filter(object_type="accounts.apitoken").values("changes", "detail")
    )
    assert audit
    assert secret_part not in str(audit)
    assert token.secret_hash not in str(audit)
    # Shown once: the list afterwards names it, but never shows the secret again.
    again = client.get(LIST)
    assert "Case system sync" in again.text
    assert secret_part not in again.text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ({"name": ""}, "Enter a name for the token"),
        ({}, "Enter a name for the token"),
        ({"name": "x" * 101}, "Name must be 100 characters or fewer"),
    ],
)
def test_a_bad_name_is_shown_next_to_the_field(client, pc, name, message):
    client.force_login(pc)

    response = client.post(LIST, name)

    assert response.status_code == 200
    assert message in response.text
    assert 'href="#id_name"' in response.text
    assert response.context["new_token"] is None
    assert not ApiToken.objects.exists()


def test_names_are_unique_among_a_users_active_tokens(client, pc):
    api_token(pc, "Sync")
    client.force_login(pc)

    response = client.post(LIST, {"name": "sync"})

    assert "You already have a token with this name" in response.text
    assert ApiToken.objects.count() == 1


def test_the_list_shows_only_the_users_own_tokens(client, pc, sergeant):
    api_token(pc, "Mine")
    api_token(sergeant, "Not mine")
    client.force_login(pc)

    response = client.get(LIST)

    assert "Mine" in response.text
    assert "Not mine" not in response.text


def token_page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_runs_a_constant_number_of_queries(client, pc):
    client.force_login(pc)
    for n in range(2):
        api_token(pc, f"Token {n}")
    small = token_page_queries(client)
    for n in range(2, 12):
        tokens.revoke(api_token(pc, f"Token {n}").token)
    assert token_page_queries(client) == small


def test_revoking_asks_first_then_the_token_stops_working(client, pc):
    made = api_token(pc, "Old laptop")
    client.force_login(pc)
    url = reverse("tokens:revoke", args=[made.token.prefix])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Revoke “Old laptop”?" in confirm.text
    assert client.get(API, **bearer(made.secret)).status_code == 200

    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == LIST
    made.token.refresh_from_db()
    assert made.token.revoked_at is not None
    client.logout()
    refused = client.get(API, **bearer(made.secret))
    assert refused.status_code == 401
    assert refused.json()["code"] == "authentication_failed"
    row = AuditEvent.objects.get(action="accounts.apitoken.revoked")
    assert (row.object_id, row.actor, row.detail) == (str(made.token.pk), pc, "revoked by hand")
    assert set(row.changes) == {"revoked_at"}
    assert not AuditEvent.objects.filter(action="accounts.apitoken.changed").exists()


def test_another_users_token_cannot_be_revoked(client, pc, sergeant):
    theirs = api_token(sergeant, "Theirs").token
    client.force_login(pc)
    url = reverse("tokens:revoke", args=[theirs.prefix])

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


# --- Tokens at work ----------------------------------------------------------------------


def test_a_token_authenticates_its_user_and_notes_its_last_use(client, pc):
    made = api_token(pc, "Sync")

    response = client.get(API, **bearer(made.secret))

    assert response.status_code == 200
    made.token.refresh_from_db()
    assert made.token.last_used_at is not None
    assert not AuditEvent.objects.filter(action="accounts.apitoken.changed").exists()


def test_last_use_is_written_at_most_once_a_minute():
    token = ApiToken(pk=None, last_used_at=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        tokens.record_use(token, now=token.last_used_at + dt.timedelta(seconds=30))
    assert len(queries) == 0


def test_last_use_is_written_again_after_a_minute(pc):
    made = api_token(pc, "Sync")
    earlier = timezone.now() - dt.timedelta(minutes=5)
    ApiToken.objects.filter(pk=made.token.pk).update(last_used_at=earlier)

    token = tokens.verify(made.secret)
    tokens.record_use(token)

    made.token.refresh_from_db()
    assert made.token.last_used_at > earlier


@pytest.mark.parametrize(
    "header",
    [
        "Bearer eph_0123456789_not-a-real-secret",  # unknown prefix
        "Bearer eph_short_x",  # malformed
        "Bearer",  # no token
        "Bearer two parts",
        "Bearer caf\u00e9",  # not ASCII
    ],
)
def test_an_unknown_or_malformed_token_is_refused(client, pc, header):
    response = client.get(API, HTTP_AUTHORIZATION=header.encode().decode("latin-1"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    body = response.json()
    assert body["status"] == 401
    assert body["errors"] == {}
    assert body["detail"]


def test_a_wrong_secret_with_a_real_prefix_is_refused(client, pc):
    made = api_token(pc, "Sync")
    forged = made.secret[:-4] + ("AAAA" if not made.secret.endswith("AAAA") else "BBBB")

    assert client.get(API, **bearer(forged)).status_code == 401


def test_an_inactive_users_token_is_refused(client, pc):
    made = api_token(pc, "Sync")
    pc.is_active = False
    pc.save()

    assert client.get(API, **bearer(made.secret)).status_code == 401
