"""Lockout (django-axes): after N failed sign-ins even the right password is refused, with
a clear message that reveals nothing, until an administrator lifts it (or time passes)."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from governance.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"  # tests/factories.py
LIMIT = 3


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def fail_until_locked(client, username):
    for _ in range(LIMIT):
        sign_in(client, username, "wrong password")


def test_failures_below_the_limit_do_not_lock(client, pc):
    for _ in range(LIMIT - 1):
        response = sign_in(client, pc.username, "wrong password")
        assert response.status_code == 200
        assert "Sign-in is paused" not in response.content.decode()
    assert sign_in(client, pc.username, PASSWORD).status_code == 302


def test_lockout_blocks_the_right_password(client, pc):
    fail_until_locked(client, pc.username)
    response = sign_in(client, pc.username, PASSWORD)
    assert response.status_code == 429
    content = response.content.decode()
    assert "Sign-in is paused" in content
    assert "too many failed attempts" in content
    assert 'name="username"' in content  # the sign-in page, not a bare error page
    assert "<title>Error: Sign in" in content
    assert client.get(reverse("home")).status_code == 302  # not signed in


def test_lockout_message_is_the_same_for_an_unknown_username(client, pc):
    fail_until_locked(client, "nobody-by-this-name")
    unknown = sign_in(client, "nobody-by-this-name", PASSWORD)
    fail_until_locked(client.__class__(REMOTE_ADDR="192.0.2.10"), pc.username)
    known = client.__class__(REMOTE_ADDR="192.0.2.10").post(
        reverse("login"), {"username": pc.username, "password": PASSWORD}
    )
    assert unknown.status_code == known.status_code == 429
    assert pc.username not in known.content.decode()


def test_lockout_applies_to_the_address_too(client, pc, sergeant):
    """Many usernames from one address: the address is locked out (per-address rule)."""
    for n in range(LIMIT):
        sign_in(client, f"guess-{n}", "wrong password")
    assert sign_in(client, sergeant.username, PASSWORD).status_code == 429


PROXY = "10.0.0.2"  # the reverse proxy in front (docker-compose.yml): every request's peer


def behind_proxy(client_address: str):
    """A browser at ``client_address`` whose requests reach us through our TLS proxy, which
    appends the address it saw to whatever X-Forwarded-For the client sent."""
    from django.test import Client

    return Client(
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_FOR=f"198.51.100.99, {client_address}",  # the first is a lie
    )


def test_behind_the_proxy_one_client_s_failures_lock_out_only_that_client(settings, pc, sergeant):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    attacker = behind_proxy("203.0.113.66")
    for n in range(LIMIT):
        sign_in(attacker, f"guess-{n}", "wrong password")
    assert sign_in(attacker, sergeant.username, PASSWORD).status_code == 429

    colleague = behind_proxy("203.0.113.7")  # same proxy, another officer's address
    assert sign_in(colleague, pc.username, PASSWORD).status_code == 302
    counted = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert counted == {"203.0.113.66"}  # never the proxy's, never the client's own claim


def test_behind_the_proxy_the_audit_names_the_client(settings, pc):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    sign_in(behind_proxy("203.0.113.7"), pc.username, "wrong password")
    failed = AuditEvent.objects.filter(action__contains="failed").latest("pk")
    assert failed.ip_address == "203.0.113.7"


def test_admin_sees_the_lockout_and_lifts_it(client, pc, admin_user):
    fail_until_locked(client, pc.username)
    admin = client.__class__()
    admin.force_login(admin_user)
    page = admin.get(reverse("accounts:lockouts"))
    content = page.content.decode()
    assert pc.username in content
    assert "Locked" in content
    attempt = AccessAttempt.objects.get(username=pc.username)
    response = admin.post(reverse("accounts:lockout_lift", args=[attempt.pk]))
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=pc.username).exists()
    row = AuditEvent.objects.get(action="accounts.user.lockout_lifted")
    assert row.actor == admin_user
    assert row.object_type == "accounts.user"
    # Lifted: the right password works again.
    assert sign_in(client, pc.username, PASSWORD).status_code == 302


def test_lifting_a_lockout_for_a_non_account_names_no_username(client, admin_user):
    fail_until_locked(client, "my-password-typed-here")
    client.force_login(admin_user)
    attempt = AccessAttempt.objects.get(username="my-password-typed-here")
    client.post(reverse("accounts:lockout_lift", args=[attempt.pk]))
    row = AuditEvent.objects.get(action="accounts.user.lockout_lifted")
    assert "my-password-typed-here" not in f"{row.detail} {row.object_id} {row.changes}"


@pytest.mark.parametrize(("role", "status"), [("sergeant", 403), ("pc", 403), ("partner_a", 404)])
def test_only_admins_see_and_lift_lockouts(client, request, role, status):
    attempt = AccessAttempt.objects.create(
        username="someone",
        ip_address="192.0.2.1",
        user_agent="",
        http_accept="",
        path_info="/sign-in/",
        get_data="",
        post_data="",
        failures_since_start=LIMIT,
    )
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("accounts:lockouts")).status_code == status
    assert client.post(reverse("accounts:lockout_lift", args=[attempt.pk])).status_code == status
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


@pytest.mark.parametrize("count", [5, 50])
def test_lockouts_page_runs_constant_queries(client, admin_user, count, django_assert_num_queries):
    for n in range(count):
        AccessAttempt.objects.create(
            username=f"user-{n}",
            ip_address="192.0.2.1",
            user_agent="",
            http_accept="",
            path_info="/sign-in/",
            get_data="",
            post_data="",
            failures_since_start=n,
        )
    client.force_login(admin_user)
    # savepoint, session, user, attempts, release savepoint
    # ... and the header's count of unread notifications (every signed-in page).
    with django_assert_num_queries(6):
        assert client.get(reverse("accounts:lockouts")).status_code == 200


def test_wrong_password_on_confirm_it_is_you_counts_towards_lockout(client, pc):
    client.force_login(pc)
    for _ in range(LIMIT):
        client.post(reverse("accounts:confirm_identity"), {"password": "wrong"})
    assert AccessAttempt.objects.filter(username=pc.username).exists()
