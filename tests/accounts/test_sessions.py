"""Sessions end after 30 idle minutes, 12 hours after sign-in, or when the user signs out
everywhere; the next page says why."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import LAST_SEEN, SIGNED_IN_AT
from governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def shift(client, key: str, by: dt.timedelta) -> None:
    """Move one of the session's timestamps into the past."""
    session = client.session
    session[key] = session[key] - by.total_seconds()
    session.save()


def assert_signed_out(client, response, because: str) -> None:
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    page = client.get(response.url)
    assert page.status_code == 200  # the sign-in page: no longer signed in
    assert because in page.content.decode()


def test_a_recent_request_keeps_the_session(client, pc):
    client.force_login(pc)
    shift(client, LAST_SEEN, dt.timedelta(minutes=29))
    before = client.session[LAST_SEEN]
    assert client.get(reverse("home")).status_code == 200
    assert client.session[LAST_SEEN] > before  # activity moved the idle clock on


def test_idle_timeout_ends_the_session(client, pc):
    client.force_login(pc)
    shift(client, LAST_SEEN, settings.SESSION_IDLE_TIMEOUT + dt.timedelta(seconds=1))
    response = client.get(reverse("patrols:list"))
    assert_signed_out(client, response, "had not used Ephedra for a while")
    assert "next=%2Fpatrols%2F" in response.url
    assert client.get(reverse("home")).status_code == 302


def test_idle_timeout_is_configurable(client, pc, settings):
    settings.SESSION_IDLE_TIMEOUT = dt.timedelta(minutes=5)
    client.force_login(pc)
    shift(client, LAST_SEEN, dt.timedelta(minutes=6))
    assert client.get(reverse("home")).status_code == 302


def test_absolute_timeout_ends_even_an_active_session(client, pc):
    client.force_login(pc)
    shift(client, SIGNED_IN_AT, settings.SESSION_ABSOLUTE_TIMEOUT + dt.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert_signed_out(client, response, "reached its time limit")


def test_timeouts_follow_the_clock(client, pc, monkeypatch):
    """The same with the clock moved on instead of the session's stamps moved back."""
    client.force_login(pc)
    assert client.get(reverse("home")).status_code == 200
    later = timezone.now() + dt.timedelta(minutes=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_htmx_request_gets_hx_redirect(client, pc):
    client.force_login(pc)
    shift(client, LAST_SEEN, dt.timedelta(hours=1))
    response = client.get(reverse("patrols:list"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_api_request_with_an_expired_session_is_not_signed_in(client, pc):
    client.force_login(pc)
    shift(client, LAST_SEEN, dt.timedelta(hours=1))
    response = client.get("/api/v1/")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")


def test_sign_out_everywhere_ends_every_session(client, pc):
    other = Client()
    other.force_login(pc)
    assert other.get(reverse("home")).status_code == 200
    client.force_login(pc)
    response = client.post(reverse("accounts:sign_out_everywhere"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert "signed out on every device" in client.get(response.url).content.decode()
    assert client.get(reverse("home")).status_code == 302  # this one too
    assert_signed_out(other, other.get(reverse("home")), "Sign out everywhere")
    pc.refresh_from_db()
    assert pc.sessions_valid_after is not None
    assert AuditEvent.objects.filter(object_type="accounts.user").exists()


def test_a_new_sign_in_after_signing_out_everywhere_works(client, pc):
    client.force_login(pc)
    client.post(reverse("accounts:sign_out_everywhere"))
    client.force_login(pc)
    assert client.get(reverse("home")).status_code == 200


def test_removing_a_confirmed_device_anywhere_ends_the_owners_sessions(client, pc):
    """Sessions trust the device that verified them; deleting it (the admin, a shell)
    must not leave them verified."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(pc)
    assert client.get(reverse("home")).status_code == 200
    TOTPDevice.objects.create(user=pc, name="unconfirmed", confirmed=False).delete()
    assert client.get(reverse("home")).status_code == 200  # never verified anything

    TOTPDevice.objects.filter(user=pc, confirmed=True).delete()

    assert_signed_out(client, client.get(reverse("home")), "Sign out everywhere")


def test_sign_out_everywhere_needs_post(client, pc):
    client.force_login(pc)
    assert client.get(reverse("accounts:sign_out_everywhere")).status_code == 405


def test_sign_in_stamps_the_session(client, pc):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=pc, name="phone", confirmed=True)
    client.post(
        reverse("login"), {"username": pc.username, "password": "correct-horse-battery-staple"}
    )
    session = client.session
    assert abs(session[SIGNED_IN_AT] - timezone.now().timestamp()) < 60


def test_cookies_are_http_only_and_same_site():
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE in ("Lax", "Strict")
    assert settings.CSRF_COOKIE_SAMESITE in ("Lax", "Strict")
    assert settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() >= settings.SESSION_COOKIE_AGE
