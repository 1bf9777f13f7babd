"""Disabling a leaver (issue 20) ends their sessions and API tokens, from the users page,
for those who look after the account; and an invited person who has not signed in yet is
shown so, with the link sent again on request."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import ApiToken, Role
from governance.models import AuditEvent, object_key
from tests.factories import OfficerFactory, api_token

pytestmark = pytest.mark.django_db
USERS = reverse("accounts:users")


def disable_url(user) -> str:
    return reverse("accounts:deactivate", args=[user.uuid])


def resend_url(user) -> str:
    return reverse("accounts:resend_invite", args=[user.uuid])


@pytest.mark.parametrize("who", ["admin_user", "sergeant", "project_lead"])
def test_disabling_ends_the_leavers_session_and_tokens(client, request, who, pc):
    by = request.getfixturevalue(who)
    leaver_browser = Client()
    leaver_browser.force_login(pc)
    assert leaver_browser.get("/").status_code == 200
    token = api_token(pc)
    api = Client(headers={"authorization": f"Bearer {token.secret}"})
    assert api.get("/api/v1/patrols/").status_code == 200

    client.force_login(by)
    page = client.get(disable_url(pc))
    assert page.status_code == 200
    assert "Disable account" in page.content.decode()
    response = client.post(disable_url(pc))

    assert response.status_code == 302
    pc.refresh_from_db()
    assert not pc.is_active
    assert pc.sessions_valid_after is not None
    assert leaver_browser.get("/").status_code == 302  # signed out
    assert api.get("/api/v1/patrols/").status_code in (401, 403)
    assert ApiToken.objects.get(prefix=token.token.prefix).revoked_at is not None
    row = AuditEvent.objects.get(action="accounts.user.deactivated")
    assert (row.actor, row.object_id) == (by, object_key(pc))


def test_the_service_ends_sessions_even_without_the_page(pc, admin_user):
    other = Client()
    other.force_login(pc)
    services.deactivate(pc, by=admin_user)
    assert other.get("/").status_code == 302


def test_a_sergeant_may_not_disable_outside_their_areas(client, sergeant, other_area, partner_a):
    stranger = OfficerFactory(role=Role.PC, areas=[other_area])
    client.force_login(sergeant)
    for target in (stranger, partner_a):
        assert client.get(disable_url(target)).status_code == 404
        assert client.post(disable_url(target)).status_code == 404
        target.refresh_from_db()
        assert target.is_active
    with pytest.raises(services.AccountRuleError):
        services.deactivate(stranger, by=sergeant)
    stranger.refresh_from_db()
    assert stranger.is_active


def test_a_pc_is_refused_and_a_partner_is_not_told(client, pc, sergeant, partner_a):
    client.force_login(pc)
    assert client.post(disable_url(sergeant)).status_code == 403
    client.force_login(partner_a)
    assert client.post(disable_url(sergeant)).status_code == 404
    sergeant.refresh_from_db()
    assert sergeant.is_active


def test_disabling_needs_a_post(client, sergeant, pc):
    client.force_login(sergeant)
    client.get(disable_url(pc))
    pc.refresh_from_db()
    assert pc.is_active


# --- Invited, not yet signed in ---------------------------------------------------------


@pytest.fixture
def invited(area):
    user = OfficerFactory(areas=[area], email="invited@example.org", last_login=None)
    user.set_unusable_password()
    user.save()
    return user


def test_the_users_page_shows_who_has_not_signed_in(client, sergeant, invited, pc):
    pc.last_login = pc.date_joined
    pc.save(update_fields=["last_login"])
    client.force_login(sergeant)
    content = client.get(USERS).content.decode()
    assert "Invited — has not signed in" in content
    assert resend_url(invited) in content
    assert resend_url(pc) not in content
    assert disable_url(pc) in content


def test_the_link_is_sent_again(client, sergeant, invited, django_capture_on_commit_callbacks):
    client.force_login(sergeant)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(invited))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/set-password/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(
        action="accounts.user.set_password_link_sent", actor=sergeant
    ).exists()


def test_the_link_is_not_sent_outside_ones_areas(client, sergeant, other_area):
    stranger = OfficerFactory(areas=[other_area], email="stranger@example.org")
    client.force_login(sergeant)
    assert client.post(resend_url(stranger)).status_code == 404
    assert not mail.outbox


def test_the_users_list_runs_a_constant_number_of_queries(
    client, admin_user, area, django_assert_max_num_queries
):
    client.force_login(admin_user)
    OfficerFactory.create_batch(5, areas=[area])
    client.get(USERS)
    with django_assert_max_num_queries(12) as few:
        client.get(USERS)
    OfficerFactory.create_batch(45, areas=[area])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(USERS)


def test_a_sergeant_never_disables_the_project_lead(client, sergeant, project_lead, admin_user):
    client.force_login(sergeant)
    assert disable_url(project_lead) not in client.get(USERS).content.decode()
    assert client.post(disable_url(project_lead)).status_code == 404
    with pytest.raises(services.AccountRuleError):
        services.deactivate(project_lead, by=sergeant)
    project_lead.refresh_from_db()
    assert project_lead.is_active
    client.force_login(admin_user)
    assert disable_url(project_lead) in client.get(USERS).content.decode()


def test_the_audit_log_says_it_in_words(pc, admin_user):
    from dataprotection.views.audit import what

    services.deactivate(pc, by=admin_user)
    row = AuditEvent.objects.get(action="accounts.user.deactivated")
    assert what(row).startswith("Disabled the account of ")  # ("an user": _with_article)
