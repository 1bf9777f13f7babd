"""Passwords people can manage: a change page for everyone (partners too) that ends the
other sessions and the API tokens, and a one-time set-password link, e-mailed through
the notification outbox, that works once, expires, and names no one."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services, set_password
from accounts.models import ApiToken, Notification
from governance.models import AuditEvent, object_key
from tests.factories import OfficerFactory, api_token

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"  # tests/factories.py
NEW_PASSWORD = "violet-kettle-moorland-41"
CHANGE = reverse("accounts:password_change")
LINK = re.compile(r"https?://\S+/set-password/[^/\s]+/[^/\s]+/")


def change(client, old=PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        CHANGE, {"old_password": old, "new_password1": new, "new_password2": again or new}
    )


# --- Changing your password ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["pc", "partner_a"])
def test_a_password_change_ends_other_sessions_and_tokens_but_not_this_one(client, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    elsewhere = Client()
    elsewhere.force_login(user)
    token = api_token(user)
    assert client.get(CHANGE).status_code == 200

    response = change(client)

    assert response.status_code == 302
    assert response.url == reverse("accounts:security")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:security")).status_code == 200  # still signed in
    assert elsewhere.get(reverse("accounts:security")).status_code == 302
    assert ApiToken.objects.get(prefix=token.token.prefix).revoked_at is not None
    row = AuditEvent.objects.get(action="accounts.user.password_changed")
    assert (row.actor, row.object_id) == (user, object_key(user))


def test_the_change_says_so(client, pc):
    client.force_login(pc)
    page = client.get(change(client).url)
    assert "Your password has been changed" in page.content.decode()


def test_a_wrong_current_password_is_shown_at_the_field(client, pc):
    client.force_login(pc)
    response = change(client, old="not-my-password-at-all")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Your current password is not right" in content
    assert 'id="old_password-error"' in content or "govuk-error-message" in content
    assert "<title>Error: " in content
    pc.refresh_from_db()
    assert pc.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="accounts.user.password_changed").exists()


@pytest.mark.parametrize(
    ("weak", "message"),
    [
        ("password1234", "too common"),
        ("short-1", "too short"),
        ("839201746352", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(client, pc, weak, message):
    client.force_login(pc)
    response = change(client, new=weak)
    assert message in response.content.decode()
    pc.refresh_from_db()
    assert pc.check_password(PASSWORD)


def test_the_password_check_is_no_weaker_than_before():
    names = {v["NAME"].rsplit(".", 1)[-1]: v for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    } <= set(names)
    assert names["MinimumLengthValidator"]["OPTIONS"]["min_length"] >= 12


def test_the_account_page_links_to_the_change(client, partner_a):
    client.force_login(partner_a)
    assert CHANGE in client.get(reverse("accounts:security")).content.decode()


def test_the_change_page_needs_a_sign_in(client):
    response = client.get(CHANGE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- Set-password links ------------------------------------------------------------------


@pytest.fixture
def newcomer(area):
    user = OfficerFactory(areas=[area], email="newcomer@police.example", first_name="Ada")
    user.set_unusable_password()
    user.save()
    return user


def send_and_read_link(user, by, django_capture_on_commit_callbacks) -> str:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_set_password_link(user, by)
    assert len(mail.outbox) == 1
    return LINK.search(mail.outbox[0].body).group(0)


def set_with(client, link, password=NEW_PASSWORD):
    return client.post(link, {"new_password1": password, "new_password2": password})


def test_the_link_sets_the_password_once(
    client, newcomer, sergeant, django_capture_on_commit_callbacks
):
    link = send_and_read_link(newcomer, sergeant, django_capture_on_commit_callbacks)

    page = client.get(link)
    assert page.status_code == 200
    assert newcomer.username in page.content.decode()  # on the page, not in the e-mail
    response = set_with(client, link)

    assert response.status_code == 302
    assert response.url == reverse("login")
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(
        action="accounts.user.password_set_with_link", object_id=object_key(newcomer)
    ).exists()
    # Used: refused, and the password stays as set.
    again = set_with(client, link, "another-fine-passphrase-77")
    assert again.status_code == 200
    assert "This link does not work" in again.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)


def test_after_the_link_the_sign_in_asks_for_the_second_factor(
    client, newcomer, sergeant, django_capture_on_commit_callbacks
):
    set_with(client, send_and_read_link(newcomer, sergeant, django_capture_on_commit_callbacks))
    response = client.post(
        reverse("login"), {"username": newcomer.username, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").url.startswith(reverse("accounts:enrol"))


def test_the_link_expires(
    client, newcomer, sergeant, settings, django_capture_on_commit_callbacks, monkeypatch
):
    link = send_and_read_link(newcomer, sergeant, django_capture_on_commit_callbacks)
    later = set_password.tokens._now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1)
    monkeypatch.setattr(set_password.tokens, "_now", lambda: later)
    response = set_with(client, link)
    assert "This link does not work" in response.content.decode()
    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password()


def test_a_sign_in_since_the_link_was_sent_spends_it(
    client, pc, sergeant, django_capture_on_commit_callbacks
):
    pc.email = "pc@police.example"
    pc.save()
    link = send_and_read_link(pc, sergeant, django_capture_on_commit_callbacks)
    client.post(reverse("login"), {"username": pc.username, "password": PASSWORD})
    assert "This link does not work" in Client().get(link).content.decode()


@pytest.mark.parametrize(
    ("uidb64", "token"),
    [
        ("x", "y"),
        ("%%%", "abc-def"),
        (urlsafe_base64_encode(force_bytes(10**12)), "1-2"),
        ("MQ", "c0ffee-notatoken"),  # a real key, a made-up token
    ],
)
def test_a_made_up_link_is_refused_without_error(client, uidb64, token):
    url = reverse("accounts:set_password", kwargs={"uidb64": uidb64, "token": token})
    response = client.get(url)
    assert response.status_code == 200
    assert "This link does not work" in response.content.decode()


def test_the_e_mail_has_the_link_and_nothing_personal(
    newcomer, sergeant, django_capture_on_commit_callbacks
):
    link = send_and_read_link(newcomer, sergeant, django_capture_on_commit_callbacks)
    sent = mail.outbox[0]
    text = f"{sent.subject}\n{sent.body}"
    assert sent.to == ["newcomer@police.example"]
    for personal in [newcomer.username, "Ada", newcomer.last_name, sergeant.username, "newcomer@"]:
        assert personal not in text
    assert link.startswith(settings.SITE_URL)
    assert not text.lower().startswith(("dear", "hello", "hi "))
    # The link is made when the e-mail is sent and never stored.
    token = link.rstrip("/").rsplit("/", 1)[-1]
    stored = " ".join(Notification.objects.values_list("message", "url").first())
    assert token not in stored
    row = AuditEvent.objects.get(action="accounts.user.set_password_link_sent")
    assert (row.actor, row.object_id) == (sergeant, object_key(newcomer))


def test_the_in_app_notice_leads_to_help_not_a_link(client, newcomer, sergeant):
    services.send_set_password_link(newcomer, sergeant)
    notice = Notification.objects.get(recipient=newcomer)
    page = client.get(notice.url)
    assert page.status_code == 200
    assert "We sent you an e-mail" in page.content.decode()


def test_a_sergeant_may_not_send_a_link_to_a_partner(sergeant, partner_a):
    partner_a.email = "partner@agency.example"
    partner_a.save()
    with pytest.raises(services.AccountRuleError):
        services.send_set_password_link(partner_a, sergeant)
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action="accounts.user.set_password_link_sent").exists()


def test_a_pc_may_not_send_a_link(pc, sergeant):
    sergeant.email = "sergeant@police.example"
    sergeant.save()
    with pytest.raises(services.AccountRuleError):
        services.send_set_password_link(sergeant, pc)


def test_no_link_without_an_address(newcomer, sergeant):
    newcomer.email = ""
    newcomer.save()
    with pytest.raises(services.AccountRuleError, match="no e-mail address"):
        services.send_set_password_link(newcomer, sergeant)


def test_the_admin_action_sends_the_link(
    client, admin_user, partner_a, django_capture_on_commit_callbacks
):
    partner_a.email = "partner@agency.example"
    partner_a.save()
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "send_set_password_link", "_selected_action": [partner_a.pk]},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert LINK.search(mail.outbox[0].body)
    assert AuditEvent.objects.filter(
        action="accounts.user.set_password_link_sent", actor=admin_user
    ).exists()
