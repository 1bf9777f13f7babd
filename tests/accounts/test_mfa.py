"""The second factor: nothing but enrolment and verification until it is given; TOTP
enrolment, verification, one-time backup codes, resets by sergeants and admins."""

import base64
import re

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo_codes import DEMO_TOTP_KEY
from accounts.models import BackupCode, BackupCodeDevice, Role
from governance.models import AuditEvent
from tests.factories import OfficerFactory, PartnerUserFactory, backup_codes

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"  # tests/factories.py
SHOWN_CODE = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in_with_password(client, user) -> None:
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password step failed"


@pytest.fixture
def app_device(pc):
    return TOTPDevice.objects.create(user=pc, name="phone", confirmed=True)


# Pages of every kind: police, partner, supervisor, admin, account pages, the API.
GUARDED = [
    "/",
    "/patrols/",
    "/referrals/",
    "/reports/",
    "/deployment/",
    "/hotspot-ranking/",
    "/audit-log/",
    "/account/",
    "/account/confirm/",
    "/users/",
    "/lockouts/",
    "/admin/",
    "/admin/patrols/patrol/",
    "/admin/accounts/user/",
    "/admin/login/",
]
API = ["/api/v1/", "/api/v1/patrols/", "/api/schema/"]


@pytest.mark.parametrize("url", GUARDED)
def test_password_alone_reaches_only_verification(client, pc, app_device, url):
    sign_in_with_password(client, pc)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:verify"))


@pytest.mark.parametrize("url", GUARDED)
def test_password_alone_without_a_device_reaches_only_enrolment(client, pc, url):
    sign_in_with_password(client, pc)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:enrol"))


@pytest.mark.parametrize("url", API)
def test_api_with_an_unverified_session_answers_json_403(client, pc, app_device, url):
    sign_in_with_password(client, pc)
    response = client.get(url)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "second factor" in response.json()["detail"]


def test_posts_are_refused_too(client, pc, app_device):
    sign_in_with_password(client, pc)
    response = client.post(reverse("accounts:sign_out_everywhere"))
    assert response.url.startswith(reverse("accounts:verify"))
    pc.refresh_from_db()
    assert pc.sessions_valid_after is None


def test_api_without_a_session_is_left_to_the_api(client):
    response = client.get("/api/v1/")
    assert response.status_code in (401, 403)
    assert "second factor" not in response.content.decode()


def test_htmx_requests_get_hx_redirect(client, pc, app_device):
    sign_in_with_password(client, pc)
    response = client.get("/patrols/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("accounts:verify"))


def test_unverified_user_may_sign_out(client, pc, app_device):
    sign_in_with_password(client, pc)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").url.startswith(reverse("login"))


def test_admin_sign_in_page_leads_to_ours(client):
    response = client.get(reverse("admin:login"), {"next": "/admin/patrols/"})
    assert response.status_code == 302
    assert response.url == reverse("login") + "?next=%2Fadmin%2Fpatrols%2F"


def test_admin_sign_in_page_cannot_be_posted_to(client, admin_user):
    response = client.post(
        reverse("admin:login"), {"username": admin_user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302  # not signed in


# --- Enrolment --------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_secret_and_confirms_with_a_code(client, pc):
    sign_in_with_password(client, pc)
    page = client.get(reverse("accounts:enrol"), {"next": "/patrols/"})
    content = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in content
    assert "<script>" not in content
    device = TOTPDevice.objects.get(user=pc)
    assert not device.confirmed
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', content).group(1).replace(" ", "")
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    # Reloading keeps the same secret (the QR code the user may already have scanned).
    client.get(reverse("accounts:enrol"))
    assert TOTPDevice.objects.filter(user=pc).count() == 1

    response = client.post(
        reverse("accounts:enrol"), {"code": current_code(device), "next": "/patrols/"}
    )
    assert response.status_code == 200
    codes = SHOWN_CODE.findall(response.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert BackupCode.objects.filter(device__user=pc).count() == 10
    assert 'href="/patrols/"' in response.content.decode()
    assert client.get("/patrols/").status_code == 200


def test_enrolment_wrong_code_re_renders_with_the_error(client, pc):
    sign_in_with_password(client, pc)
    client.get(reverse("accounts:enrol"))
    response = client.post(reverse("accounts:enrol"), {"code": "12345x"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Enter the code as 6 digits" in content
    assert 'value="12345x"' in content
    assert "govuk-error-summary" in content
    assert not TOTPDevice.objects.get(user=pc).confirmed
    assert client.get("/").url.startswith(reverse("accounts:enrol"))


def test_enrolment_with_a_confirmed_device_goes_to_verification(client, pc, app_device):
    sign_in_with_password(client, pc)
    assert client.get(reverse("accounts:enrol")).url.startswith(reverse("accounts:verify"))


# --- Verification -----------------------------------------------------------------------


def test_verification_with_the_app_code_lets_the_user_in(client, pc, app_device):
    sign_in_with_password(client, pc)
    response = client.post(
        reverse("accounts:verify"), {"code": current_code(app_device), "next": "/patrols/"}
    )
    assert response.status_code == 302
    assert response.url == "/patrols/"
    assert client.get("/patrols/").status_code == 200


def test_the_menu_appears_only_once_the_second_factor_is_done(client, pc, app_device):
    sign_in_with_password(client, pc)
    page = client.get(reverse("accounts:verify")).content.decode()
    assert 'href="/patrols/"' not in page
    assert "Your account" not in page
    assert "Sign out" in page  # still possible

    client.post(reverse("accounts:verify"), {"code": current_code(app_device)})
    page = client.get(reverse("home")).content.decode()
    assert 'href="/patrols/"' in page
    assert "Your account" in page


def test_verification_never_follows_an_unsafe_next(client, pc, app_device):
    sign_in_with_password(client, pc)
    response = client.post(
        reverse("accounts:verify"),
        {"code": current_code(app_device), "next": "https://evil.example/"},
    )
    assert response.url == reverse("home")


def test_wrong_code_re_renders_with_the_error(client, pc, app_device):
    sign_in_with_password(client, pc)
    response = client.post(reverse("accounts:verify"), {"code": "000000"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "The code is not right" in content
    assert "govuk-error-summary" in content
    assert "<title>Error: " in content
    assert client.get("/").status_code == 302


def test_empty_code_re_renders_with_the_error(client, pc, app_device):
    sign_in_with_password(client, pc)
    response = client.post(reverse("accounts:verify"), {"code": ""})
    assert "Enter the code from your authenticator app or a backup code" in (
        response.content.decode()
    )


def test_a_backup_code_works_once(client, pc, app_device):
    backup_codes(pc, "abcde23456")
    sign_in_with_password(client, pc)
    response = client.post(reverse("accounts:verify"), {"code": "ABCDE-23456"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post(reverse("logout"))

    sign_in_with_password(client, pc)
    response = client.post(reverse("accounts:verify"), {"code": "abcde23456"})
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert client.get("/").status_code == 302


def test_new_backup_codes_replace_the_old_ones(client, pc):
    from accounts import backup_codes as hashing

    client.force_login(pc)
    old = backup_codes(pc, "oldcode234")
    response = client.post(reverse("accounts:backup_codes"))
    codes = SHOWN_CODE.findall(response.content.decode())
    assert len(codes) == 10
    stored = set(BackupCode.objects.filter(device__user=pc).values_list("digest", flat=True))
    assert stored == {hashing.digest(old.pk, code) for code in codes}
    assert AuditEvent.objects.filter(action="accounts.user.backup_codes_regenerated").exists()


def test_account_page_shows_second_factor_state(client, pc):
    client.force_login(pc)
    response = client.get(reverse("accounts:security"))
    content = response.content.decode()
    assert "Sign out everywhere" in content
    assert "Unused backup codes" in content
    assert "Reset a user's second factor" not in content  # a PC resets nobody


def test_demo_code_is_shown_only_for_demo_secret_with_demo_passwords(client, pc, settings):
    device = TOTPDevice.objects.create(user=pc, name="demo", key=DEMO_TOTP_KEY, confirmed=True)
    sign_in_with_password(client, pc)
    settings.DEMO_PASSWORDS = True
    content = client.get(reverse("accounts:verify")).content.decode()
    assert "Demo only" in content
    assert current_code(device) in content
    settings.DEMO_PASSWORDS = False
    assert "Demo only" not in client.get(reverse("accounts:verify")).content.decode()


def test_demo_code_is_not_shown_for_an_ordinary_secret(client, pc, app_device, settings):
    settings.DEMO_PASSWORDS = True
    sign_in_with_password(client, pc)
    assert "Demo only" not in client.get(reverse("accounts:verify")).content.decode()


# --- Resets by a sergeant or an administrator ---------------------------------------------


def test_sergeant_resets_a_pc_in_their_area(client, sergeant, pc, app_device):
    backup_codes(pc, "abcde23456")
    client.force_login(sergeant)
    url = reverse("accounts:second_factor_reset", args=[pc.uuid])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=pc).exists()
    assert not BackupCodeDevice.objects.filter(user=pc).exists()
    pc.refresh_from_db()
    assert pc.sessions_valid_after is not None
    row = AuditEvent.objects.get(action="accounts.user.second_factor_reset")
    assert row.actor == sergeant
    assert row.object_type == "accounts.user"
    assert row.object_id == str(pc.uuid) or row.object_id == str(pc.pk)


def test_after_a_reset_the_user_re_enrols_at_next_sign_in(client, sergeant, pc, app_device):
    pc_client = client.__class__()
    pc_client.force_login(pc)
    client.force_login(sergeant)
    client.post(reverse("accounts:second_factor_reset", args=[pc.uuid]))
    assert pc_client.get("/").url.startswith(reverse("login"))  # their session ended
    sign_in_with_password(pc_client, pc)
    assert pc_client.get("/").url.startswith(reverse("accounts:enrol"))


def test_admin_resets_anyone(client, admin_user, partner_a):
    TOTPDevice.objects.create(user=partner_a, name="phone", confirmed=True)
    client.force_login(admin_user)
    response = client.post(reverse("accounts:second_factor_reset", args=[partner_a.uuid]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=partner_a).exists()
    assert AuditEvent.objects.filter(action="accounts.user.second_factor_reset").count() == 1


def test_pc_gets_403(client, pc, sergeant):
    client.force_login(pc)
    assert (
        client.post(reverse("accounts:second_factor_reset", args=[sergeant.uuid])).status_code
        == 403
    )
    assert not AuditEvent.objects.filter(action="accounts.user.second_factor_reset").exists()


def test_partner_gets_404(client, partner_a, pc):
    client.force_login(partner_a)
    assert client.post(reverse("accounts:second_factor_reset", args=[pc.uuid])).status_code == 404
    assert client.get(reverse("accounts:users")).status_code == 404


def test_sergeant_cannot_reset_another_areas_user(client, sergeant, other_area):
    stranger = OfficerFactory(role=Role.PC, areas=[other_area])
    TOTPDevice.objects.create(user=stranger, name="phone", confirmed=True)
    client.force_login(sergeant)
    url = reverse("accounts:second_factor_reset", args=[stranger.uuid])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert TOTPDevice.objects.filter(user=stranger).exists()


def test_sergeant_cannot_reset_a_partner_user(client, sergeant, partner_a):
    client.force_login(sergeant)
    url = reverse("accounts:second_factor_reset", args=[partner_a.uuid])
    assert client.get(url).status_code == 404


def test_user_list_is_searchable_by_username(client, sergeant, area):
    OfficerFactory(role=Role.PC, areas=[area], username="pc-alpha")
    OfficerFactory(role=Role.PC, areas=[area], username="pc-bravo")
    client.force_login(sergeant)
    content = client.get(reverse("accounts:users"), {"q": "alph"}).content.decode()
    assert "pc-alpha" in content
    assert "pc-bravo" not in content


def test_user_list_shows_only_the_sergeants_areas(client, sergeant, other_area, area):
    OfficerFactory(role=Role.PC, areas=[area], username="pc-here")
    OfficerFactory(role=Role.PC, areas=[other_area], username="pc-elsewhere")
    PartnerUserFactory(username="partner-person")
    client.force_login(sergeant)
    content = client.get(reverse("accounts:users")).content.decode()
    assert "pc-here" in content
    assert "pc-elsewhere" not in content
    assert "partner-person" not in content


@pytest.mark.parametrize("count", [5, 50])
def test_user_list_runs_constant_queries(
    client, admin_user, area, count, django_assert_num_queries
):
    for _ in range(count):
        officer = OfficerFactory(role=Role.PC, areas=[area])
        TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    client.force_login(admin_user)
    # savepoint, session, user, users (with has-second-factor), release savepoint
    # ... and the header's count of unread notifications (every signed-in page).
    with django_assert_num_queries(6):
        response = client.get(reverse("accounts:users"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_confirming_an_app_is_one_audited_service(pc):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import services
    from governance.models import AuditEvent, object_key

    device = services.pending_app_device(pc)
    stray = TOTPDevice.objects.create(user=pc, name="Abandoned", confirmed=False)
    assert services.pending_app_device(pc) in {device, stray}  # one pending is reused

    codes = services.confirm_app_device(pc, device)

    device.refresh_from_db()
    assert device.confirmed
    assert not TOTPDevice.objects.filter(user=pc, confirmed=False).exists()
    assert len(codes) == services.BACKUP_CODE_COUNT == len(set(codes))
    assert AuditEvent.objects.filter(
        action="accounts.user.second_factor_enrolled", object_id=object_key(pc)
    ).exists()
