"""Single sign-on for police users (accounts/oidc.py), end to end through the test client
and a small OpenID provider on loopback (tests/accounts/oidc_provider.py)."""

from urllib.parse import urlsplit

import pytest
import requests
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from accounts import oidc
from accounts.middleware import REAUTHENTICATED_AT
from accounts.models import Role
from ephedra import env
from governance.models import AuditEvent
from tests.factories import PartnerUserFactory

from .oidc_provider import Provider, switch_on

pytestmark = pytest.mark.django_db

UNKNOWN = "Your force account is not registered in Ephedra. Ask your administrator to invite you."
BUTTON = "Sign in with your force account"


@pytest.fixture(scope="session")
def provider():
    running = Provider().start()
    yield running
    running.stop()


@pytest.fixture
def oidc_on(settings, provider):
    return switch_on(settings, provider)


@pytest.fixture
def officer(pc):
    pc.email = "pc.one@force.example"
    pc.save(update_fields=["email"])
    return pc


def sign_in_through_provider(client, provider, email: str, start_query: str = "", **person):
    """Start on Ephedra, go through the provider, come back: the callback's response."""
    provider.person = {"email": email, **person}
    start = client.get(reverse("oidc_authentication_init") + start_query)
    assert start.status_code == 302
    assert start["Location"].startswith(provider.url + "/authorize?")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5)
    callback = urlsplit(back.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def refusals():
    return list(AuditEvent.objects.filter(action="accounts.user.sso_refused"))


# --- Who may sign in ------------------------------------------------------------------


def test_known_police_officer_signs_in_and_reaches_home(client, oidc_on, officer):
    response = sign_in_through_provider(client, oidc_on, "PC.One@Force.Example")  # any case

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user_id(client) == str(officer.pk)
    assert client.get(reverse("home")).status_code == 200  # the provider's mfa counted
    row = AuditEvent.objects.get(action="accounts.user.signed_in_with_sso")
    assert row.actor_username == officer.username
    assert "identity provider" in row.detail


def test_unknown_person_is_refused_with_a_message(client, oidc_on, officer):
    response = sign_in_through_provider(client, oidc_on, "stranger@force.example")

    assert response.status_code == 302
    assert response["Location"] == reverse("login")  # nothing about the person in the URL
    assert signed_in_user_id(client) is None
    page = client.get(response["Location"])
    assert UNKNOWN in page.content.decode()
    assert [row.detail for row in refusals()] == ["unknown"]
    assert not AuditEvent.objects.filter(action="accounts.user.sign_in_failed").exists()
    assert not AccessAttempt.objects.exists()  # no password was guessed: no lockout count


def test_a_locked_out_address_cannot_sign_in_through_the_provider(
    client, oidc_on, officer, settings
):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post(reverse("login"), {"username": "someone", "password": "wrong password"})

    response = sign_in_through_provider(client, oidc_on, officer.email)

    assert response.status_code == 429
    assert "Sign-in is paused" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_disabled_account_is_refused_with_its_own_message(client, oidc_on, officer):
    officer.is_active = False
    officer.save(update_fields=["is_active"])

    response = sign_in_through_provider(client, oidc_on, officer.email)

    assert signed_in_user_id(client) is None
    assert "Your Ephedra account is disabled." in client.get(response["Location"]).content.decode()
    assert [(row.detail, row.object_id) for row in refusals()] == [("disabled", str(officer.uuid))]


@pytest.mark.parametrize("kind", ["partner", "admin"])
def test_partners_and_administrators_keep_their_own_sign_in(client, oidc_on, kind, admin_user):
    user = PartnerUserFactory() if kind == "partner" else admin_user
    user.email = f"{kind}@agency.example"
    user.save(update_fields=["email"])

    response = sign_in_through_provider(client, oidc_on, user.email)

    assert signed_in_user_id(client) is None
    page = client.get(response["Location"]).content.decode()
    assert "Single sign-on is for police officers." in page
    assert [row.detail for row in refusals()] == ["not_police"]


def test_the_audit_log_reads_sso_events_in_words(client, oidc_on, officer, project_lead):
    sign_in_through_provider(client, oidc_on, "stranger@force.example")
    sign_in_through_provider(client, oidc_on, officer.email)
    client.force_login(project_lead)

    def shown(action):
        rows = client.get(reverse("governance:audit_log"), {"action": action}).context["rows"]
        return {(row.who, row.what) for row in rows}

    assert shown("sso_refused") == {("Someone not signed in", "Refused single sign-on")}
    assert shown("signed_in_with_sso") == {
        (officer.username, "Signed in with the force's single sign-on")
    }


def test_two_accounts_with_one_address_are_refused(client, oidc_on, officer, sergeant):
    sergeant.email = officer.email.upper()
    sergeant.save(update_fields=["email"])

    sign_in_through_provider(client, oidc_on, officer.email)

    assert signed_in_user_id(client) is None
    assert [row.detail for row in refusals()] == ["ambiguous"]


def test_another_claim_can_name_the_account(client, oidc_on, officer, settings):
    settings.OIDC_MATCH_CLAIM = "upn"

    sign_in_through_provider(client, oidc_on, "someone.else@example", upn=officer.email)

    assert signed_in_user_id(client) == str(officer.pk)


def test_roles_and_areas_stay_ephedras_own(client, oidc_on, officer):
    areas = set(officer.areas.all())

    sign_in_through_provider(client, oidc_on, officer.email, role="admin", groups=["admins"])

    officer.refresh_from_db()
    assert officer.role == Role.PC
    assert set(officer.areas.all()) == areas


def test_session_ends_when_the_account_is_disabled(client, oidc_on, officer):
    sign_in_through_provider(client, oidc_on, officer.email)
    officer.is_active = False
    officer.save(update_fields=["is_active"])

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))  # signed out, not to enrol


# --- Forged and replayed answers --------------------------------------------------------


@pytest.mark.parametrize(
    "spoil",
    [
        {"nonce": "another-nonce"},
        {"state": "another-state"},
        {"signature": True},
        {"iss": "https://elsewhere.example"},
        {"aud": "another-client"},
        {"lifetime": -60},
    ],
    ids=["nonce", "state", "signature", "issuer", "audience", "expired"],
)
def test_forged_answers_are_refused(client, oidc_on, officer, spoil):
    oidc_on.spoil = spoil

    response = sign_in_through_provider(client, oidc_on, officer.email)

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert signed_in_user_id(client) is None
    page = client.get(response["Location"]).content.decode()
    assert "Signing in with your force account did not work." in page
    assert [row.detail.split(":")[0] for row in refusals()] == ["failed"]


def test_a_callback_cannot_be_replayed(client, oidc_on, officer):
    oidc_on.person = {"email": officer.email}
    start = client.get(reverse("oidc_authentication_init"))
    provider_answer = requests.get(start["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(provider_answer.headers["Location"])
    assert client.get(f"{back.path}?{back.query}")["Location"] == reverse("home")
    client.logout()

    again = client.get(f"{back.path}?{back.query}")

    assert again["Location"] == reverse("login")
    assert signed_in_user_id(client) is None


def test_an_unreachable_provider_is_a_refusal_not_an_error(client, oidc_on, officer, settings):
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"  # discard port: nobody there

    response = sign_in_through_provider(client, oidc_on, officer.email)

    assert response["Location"] == reverse("login")
    assert signed_in_user_id(client) is None
    assert [row.detail for row in refusals()] == ["failed: ConnectionError"]


# --- The second factor ------------------------------------------------------------------


def test_without_the_providers_mfa_ephedras_second_factor_is_asked(client, oidc_on, officer):
    sign_in_through_provider(client, oidc_on, officer.email, amr=["pwd"])

    assert signed_in_user_id(client) == str(officer.pk)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:enrol"))


def test_a_provider_trusted_for_mfa_counts_without_saying_so(client, oidc_on, officer, settings):
    settings.OIDC_TRUST_PROVIDER_MFA = True

    sign_in_through_provider(client, oidc_on, officer.email, amr=["pwd"])

    assert client.get(reverse("home")).status_code == 200


def test_the_providers_word_never_verifies_a_partner_or_a_password_session(partner_a, pc):
    session = {oidc.PROVIDER_VERIFIED: partner_a.pk, "_auth_user_backend": oidc.BACKEND}
    assert not oidc.provider_verified(session, partner_a)
    password = {
        oidc.PROVIDER_VERIFIED: pc.pk,
        "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
    }
    assert not oidc.provider_verified(password, pc)
    assert oidc.provider_verified(password | {"_auth_user_backend": oidc.BACKEND}, pc)


def test_confirm_it_is_you_through_the_provider(client, oidc_on, officer):
    sign_in_through_provider(client, oidc_on, officer.email)
    session = client.session
    session[REAUTHENTICATED_AT] = 0  # long ago
    session.save()
    page = client.get(reverse("accounts:confirm_identity"), {"next": "/account/"})
    assert "Confirm with your force account" in page.content.decode()

    response = sign_in_through_provider(
        client, oidc_on, officer.email, start_query="?confirm=1&next=/account/"
    )

    assert oidc_on.last_authorize["prompt"] == "login"  # the provider asks again
    assert response["Location"] == "/account/"
    assert client.session[REAUTHENTICATED_AT] > 0


def test_a_password_session_confirms_with_the_password(client, oidc_on, officer):
    client.force_login(officer)

    page = client.get(reverse("accounts:confirm_identity")).content.decode()

    assert "Confirm with your force account" not in page
    assert 'name="password"' in page


# --- Off by default ---------------------------------------------------------------------


def test_when_off_the_pages_are_not_found_and_no_button(client, settings):
    settings.OIDC_ENABLED = False

    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    callback = client.get(reverse("oidc_authentication_callback"), {"code": "x", "state": "y"})
    assert callback.status_code == 404
    assert BUTTON not in client.get(reverse("login")).content.decode()


def test_when_on_the_sign_in_page_offers_the_force_account(client, oidc_on):
    page = client.get(reverse("login"), {"next": "/patrols/"}).content.decode()

    assert BUTTON in page
    assert reverse("oidc_authentication_init") + "?next=/patrols/" in page
    assert 'name="password"' in page  # partners still sign in here


# --- Settings ---------------------------------------------------------------------------


def test_no_provider_settings_means_off(monkeypatch):
    for name in env.OIDC_REQUIRED:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_FILE", raising=False)
    assert env.oidc() is None


def test_half_a_provider_stops_start_up(monkeypatch):
    for name in env.OIDC_REQUIRED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OIDC_RP_CLIENT_ID", "ephedra")
    monkeypatch.setenv("OIDC_ISSUER", "https://login.force.example")

    with pytest.raises(ImproperlyConfigured, match="OIDC_RP_CLIENT_SECRET, OIDC_OP_AUTHORIZATION"):
        env.oidc()


def test_provider_addresses_must_be_https_off_loopback(monkeypatch, provider, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    for name, value in provider.settings().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("OIDC_RP_CLIENT_SECRET")
    monkeypatch.setenv("OIDC_RP_CLIENT_SECRET_FILE", str(secret))
    assert env.oidc()["OIDC_RP_CLIENT_SECRET"] == "from-a-file"

    monkeypatch.setenv("OIDC_OP_TOKEN_ENDPOINT", "http://login.force.example/token")
    with pytest.raises(ImproperlyConfigured, match="OIDC_OP_TOKEN_ENDPOINT must be an https"):
        env.oidc()
