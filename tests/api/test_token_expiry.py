"""API tokens expire API_TOKEN_DAYS (default 90) after they are made: the owner sees when
on the token page, and an expired token is refused like a revoked one (401, JSON)."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts import tokens
from accounts.models import ApiToken
from tests.factories import api_token

from .conftest import bearer

pytestmark = pytest.mark.django_db

LIST = "/account/api-tokens/"
API = "/api/v1/crime-records/"


def expire(made: tokens.NewToken, ago: dt.timedelta = dt.timedelta(seconds=1)) -> None:
    ApiToken.objects.filter(pk=made.token.pk).update(expires_at=timezone.now() - ago)


def test_a_token_works_until_its_expiry_and_is_refused_after(client, pc):
    made = api_token(pc, "Sync")
    assert client.get(API, **bearer(made.secret)).status_code == 200

    expire(made)
    response = client.get(API, **bearer(made.secret))

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["status"], body["code"]) == (401, "authentication_failed")
    assert "expired" in body["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_expires_after_90_days_by_default(pc):
    before = timezone.now()

    made = api_token(pc)

    lifetime = made.token.expires_at - before
    assert dt.timedelta(days=90) <= lifetime < dt.timedelta(days=90, minutes=1)


def test_the_setting_changes_the_lifetime(pc, settings):
    settings.API_TOKEN_DAYS = 7
    before = timezone.now()

    made = api_token(pc)

    lifetime = made.token.expires_at - before
    assert dt.timedelta(days=7) <= lifetime < dt.timedelta(days=7, minutes=1)


def test_the_page_shows_each_tokens_expiry(client, pc, settings):
    settings.API_TOKEN_DAYS = 30
    fresh = api_token(pc, "Fresh")
    old = api_token(pc, "Old")
    expire(old, dt.timedelta(days=2))
    client.force_login(pc)

    response = client.get(LIST)

    expiry = timezone.localtime(fresh.token.expires_at)
    assert f"{expiry:%-d %b %Y, %H:%M}" in response.text
    assert "stops working 30 days after it is made" in response.text
    assert "Expired" in response.text
    # No revoke link for a token that no longer works; one for the fresh token.
    assert f"/account/api-tokens/{fresh.token.prefix}/revoke/" in response.text
    assert f"/account/api-tokens/{old.token.prefix}/revoke/" not in response.text


def test_making_a_token_says_until_when_it_works(client, pc):
    client.force_login(pc)

    response = client.post(LIST, {"name": "Case system sync"})

    expiry = timezone.localtime(response.context["new_token"].token.expires_at)
    assert f"It works until {expiry:%-d %B %Y, %H:%M}" in response.text


def test_an_expired_token_does_not_count_against_the_limit_of_active_tokens(client, pc):
    from accounts.views_tokens import MAX_ACTIVE

    for number in range(MAX_ACTIVE):
        expire(api_token(pc, f"Old {number}"))
    client.force_login(pc)

    response = client.post(LIST, {"name": "New"})

    assert response.context["new_token"] is not None
