"""A token follows its person (issue 13 item 6): a second-factor reset, signing out
everywhere, deactivation and a new password each revoke every active API token of the
user, with one audit row per token saying why; and a token works only while its user is
active and has a second factor."""

import uuid

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services, tokens
from accounts.models import ApiToken, Role, User
from governance.models import AuditEvent
from tests.api.conftest import bearer
from tests.factories import api_token, backup_codes, confirmed_app

pytestmark = pytest.mark.django_db

API = "/api/v1/intelligence/"
NEW_PASSWORD = "a-new-synthetic-passphrase-42"  # noqa: S105 (a test password)


@pytest.fixture(autouse=True)
def _fresh_throttle_cache(settings):
    """The token throttles count in the cache: a count left by one test must not
    throttle the next."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"tokens-follow-{uuid.uuid4()}",
        }
    }


@pytest.fixture
def working(client, pc) -> tokens.NewToken:
    """Two tokens of the PC's, proven to work before anything happens to them."""
    api_token(pc, "Spare")
    made = api_token(pc, "Case system sync")
    assert client.get(API, **bearer(made.secret)).status_code == 200
    return made


def assert_refused(client, made: tokens.NewToken) -> None:
    response = client.get(API, **bearer(made.secret))
    assert response.status_code == 401
    assert response.json()["detail"] == "The token is not valid, or has expired or been revoked."


def assert_all_revoked(user, reason: str, actor=None) -> None:
    """Every token of the user is revoked, each with one 'revoked' row giving the reason
    (and no secret), and no second row for the same revocation."""
    assert not ApiToken.objects.active().filter(user=user).exists()
    rows = AuditEvent.objects.filter(action="accounts.apitoken.revoked")
    assert {row.object_id for row in rows} == {
        str(pk) for pk in ApiToken.objects.filter(user=user).values_list("pk", flat=True)
    }
    assert {(row.detail, row.actor) for row in rows} == {(reason, actor)}
    assert all(set(row.changes) == {"revoked_at"} for row in rows)
    assert not AuditEvent.objects.filter(action="accounts.apitoken.changed").exists()


# --- A token works only for an active user with a second factor -------------------------


def test_a_token_of_an_active_user_with_an_app_works(client, pc):
    made = api_token(pc)
    assert client.get(API, **bearer(made.secret)).status_code == 200


def test_a_token_of_a_user_with_only_backup_codes_left_works(client, pc):
    made = api_token(pc)
    TOTPDevice.objects.filter(user=pc).delete()
    backup_codes(pc, "abcde23456")

    assert client.get(API, **bearer(made.secret)).status_code == 200


def test_a_token_of_a_user_without_a_second_factor_is_refused(client, pc):
    made = tokens.create_token(pc, "Never enrolled")
    TOTPDevice.objects.create(user=pc, name="Unconfirmed", confirmed=False)
    backup_codes(pc)  # no codes left
    backup_codes(pc, "abcde23456", confirmed=False)  # half set up

    assert_refused(client, made)
    confirmed_app(pc)  # the same token, once the user has enrolled
    assert client.get(API, **bearer(made.secret)).status_code == 200


def test_a_token_of_an_inactive_user_is_refused_even_when_not_revoked(client, pc):
    made = api_token(pc)
    User.objects.filter(pk=pc.pk).update(is_active=False)  # no save, so no revocation

    assert_refused(client, made)
    assert ApiToken.objects.active().filter(pk=made.token.pk).exists()


def test_checking_a_token_takes_one_query(pc):
    made = api_token(pc)
    with CaptureQueriesContext(connection) as queries:
        assert tokens.verify(made.secret) == made.token
    assert len(queries) == 1


# --- The four events that revoke every token ---------------------------------------------


def test_a_second_factor_reset_by_a_sergeant_revokes_the_tokens(client, sergeant, pc, working):
    client.force_login(sergeant)
    client.post(reverse("accounts:second_factor_reset", args=[pc.uuid]))
    client.logout()
    confirmed_app(pc)  # even once they enrol again, the old tokens stay revoked

    assert_refused(client, working)
    assert_all_revoked(pc, "second factor reset", actor=sergeant)
    assert AuditEvent.objects.filter(action="accounts.user.second_factor_reset").exists()


def test_signing_out_everywhere_revokes_the_tokens(client, pc, working):
    client.force_login(pc)
    response = client.post(reverse("accounts:sign_out_everywhere"))
    assert response.status_code == 302

    assert_refused(client, working)
    assert_all_revoked(pc, "signed out everywhere", actor=pc)
    pc.refresh_from_db()
    assert pc.sessions_valid_after is not None


def test_deactivation_through_the_service_revokes_the_tokens(client, pc, admin_user, working):
    services.deactivate(pc, by=admin_user)

    pc.refresh_from_db()
    assert not pc.is_active
    User.objects.filter(pk=pc.pk).update(is_active=True)  # re-activated: still revoked
    assert_refused(client, working)
    assert_all_revoked(pc, "account deactivated", actor=admin_user)


def test_deactivation_in_the_admin_revokes_the_tokens(client, pc, admin_user, working):
    client.force_login(admin_user)
    url = f"/admin/accounts/user/{pc.pk}/change/"
    data = admin_form_data(client.get(url))
    del data["is_active"]  # the box unticked

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    pc.refresh_from_db()
    assert not pc.is_active
    User.objects.filter(pk=pc.pk).update(is_active=True)  # re-activated: still revoked
    client.logout()
    assert_refused(client, working)
    assert_all_revoked(pc, "account deactivated", actor=admin_user)


def test_saving_an_inactive_user_again_revokes_nothing_new(pc):
    services.deactivate(pc)
    made = api_token(pc, "Made while inactive")  # refused anyway: the user is inactive

    pc.first_name = "Renamed"
    pc.save()

    assert ApiToken.objects.active().filter(pk=made.token.pk).exists()


def test_a_new_password_saved_revokes_the_tokens(client, pc, working):
    pc.set_password(NEW_PASSWORD)
    pc.save()

    assert_refused(client, working)
    assert_all_revoked(pc, "password changed")


def test_a_new_password_saved_with_update_fields_revokes_the_tokens(client, pc, working):
    pc.set_password(NEW_PASSWORD)
    pc.save(update_fields=["password"])

    assert_refused(client, working)
    assert_all_revoked(pc, "password changed")


def test_a_password_changed_in_the_admin_revokes_the_tokens(client, pc, admin_user, working):
    client.force_login(admin_user)
    url = f"/admin/accounts/user/{pc.pk}/password/"
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}

    response = client.post(url, data)

    assert response["Location"] == f"/admin/accounts/user/{pc.pk}/change/"
    pc.refresh_from_db()
    assert pc.check_password(NEW_PASSWORD)
    client.logout()
    assert_refused(client, working)
    assert_all_revoked(pc, "password changed", actor=admin_user)


def test_a_password_removed_in_the_admin_revokes_the_tokens(client, pc, admin_user, working):
    client.force_login(admin_user)
    url = f"/admin/accounts/user/{pc.pk}/password/"

    response = client.post(url, {"usable_password": "false", "unset-password": "Disable"})

    assert response.status_code == 302
    assert response["Location"] == f"/admin/accounts/user/{pc.pk}/change/"
    pc.refresh_from_db()
    assert not pc.has_usable_password()
    client.logout()
    assert_refused(client, working)
    assert_all_revoked(pc, "password changed", actor=admin_user)


class FewRoundsHasher(PBKDF2PasswordHasher):
    """A preferred hasher other than the tests' MD5, cheap enough for a test."""

    algorithm = "pbkdf2_few_rounds"
    iterations = 2


def test_a_password_hash_upgraded_at_sign_in_is_no_change(pc, settings):
    made = api_token(pc)
    settings.PASSWORD_HASHERS = [
        f"{__name__}.FewRoundsHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    before = pc.password

    assert pc.check_password("correct-horse-battery-staple")  # rehashes and saves

    pc.refresh_from_db()
    assert pc.password != before
    assert ApiToken.objects.active().filter(pk=made.token.pk).exists()


def test_other_changes_to_a_user_revoke_nothing(pc):
    made = api_token(pc)
    pc.first_name = "Renamed"
    pc.role = Role.SERGEANT
    pc.save()

    assert ApiToken.objects.active().filter(pk=made.token.pk).exists()
    assert not AuditEvent.objects.filter(action="accounts.apitoken.revoked").exists()


def test_only_the_users_own_tokens_are_revoked(client, pc, sergeant, working):
    theirs = api_token(sergeant, "Sergeant's sync")

    services.sign_out_everywhere(pc)

    assert client.get(API, **bearer(theirs.secret)).status_code == 200


def test_a_new_user_saved_with_a_password_revokes_nothing():
    user = User(username="newcomer", role=Role.PC)
    user.set_password(NEW_PASSWORD)
    user.save()  # adding: there are no tokens to revoke

    assert not AuditEvent.objects.filter(action="accounts.apitoken.revoked").exists()


# --- The admin's change form, as a browser would post it back unchanged ------------------


def admin_form_data(response) -> dict:
    """The admin change form's current values (main form and inlines), as posted back."""
    data: dict = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({formset.add_prefix(k): v for k, v in formset.management_form.initial.items()})
        forms.extend(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            if field.disabled:
                continue
            value = form[name].value()
            if value is True:
                data[form.add_prefix(name)] = "on"
            elif isinstance(value, list | tuple):
                data[form.add_prefix(name)] = [str(v) for v in value]
            elif value not in (None, False):
                data[form.add_prefix(name)] = str(value)
    return data
