"""Sign-in works for every role; the admin is police staff's back office, and partner
users cannot even tell it exists."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .factories import PatrolFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
ROLES = ["project_lead", "sergeant", "pc", "admin_user", "partner_a"]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_signs_in_and_lands_on_home(client, request, role):
    user = request.getfixturevalue(role)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    # The second factor comes next (tests/accounts/test_mfa.py covers it in depth).
    assert client.get(reverse("home")).url.startswith(reverse("accounts:verify"))
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    client.post(reverse("accounts:verify"), {"code": f"{totp.token():06d}"})
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert user.get_full_name() in home.content.decode()


def test_wrong_password_re_renders_with_an_error(client, pc):
    response = client.post(reverse("login"), {"username": pc.username, "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_home_needs_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_home_refuses_post(client, pc):
    client.force_login(pc)
    assert client.post(reverse("home")).status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        "admin:index",
        "admin:patrols_patrol_changelist",
        "admin:patrols_intelligencereport_changelist",
        "admin:login",
    ],
)
def test_partner_user_gets_404_from_the_admin(client, partner_a, url):
    client.force_login(partner_a)
    assert client.get(reverse(url)).status_code == 404


def test_partner_user_gets_404_for_an_admin_object_page(client, partner_a):
    patrol = PatrolFactory()
    client.force_login(partner_a)
    assert client.get(reverse("admin:patrols_patrol_change", args=[patrol.pk])).status_code == 404


def test_anonymous_user_is_sent_to_admin_sign_in(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("pc", "admin:patrols_patrol_changelist", 200),
        ("pc", "admin:patrols_patrol_add", 403),
        ("sergeant", "admin:patrols_patrol_add", 403),
        ("sergeant", "admin:partners_partneragency_add", 403),
        ("project_lead", "admin:partners_partneragency_add", 200),
        ("project_lead", "admin:accounts_user_add", 403),
        ("admin_user", "admin:accounts_user_add", 200),
    ],
)
def test_admin_rights_follow_the_role(client, request, role, url, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(url)).status_code == status


def test_every_admin_page_works_on_the_demo_data(client, admin_user, settings):
    call_command("seed_demo")
    client.force_login(admin_user)
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in {
            "accounts",
            "partners",
            "patrols",
            "referrals",
            "reporting",
        }:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        assert client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200, info
        add = client.get(reverse("admin:{}_{}_add".format(*info)))
        # Records only the application makes (API tokens: their owners) have no add page.
        can_add = model_admin.has_add_permission(add.wsgi_request)
        assert add.status_code == (200 if can_add else 403), info
        obj = model.objects.first()
        if obj is not None:
            change = client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
            assert change.status_code == 200, info


def test_every_domain_model_is_in_the_admin():
    domain = {
        model
        for app in ("accounts", "partners", "patrols", "referrals", "reporting")
        for model in apps.get_app_config(app).get_models()
    }
    through_models = {model for model in domain if model._meta.auto_created}
    inline_only = {
        apps.get_model("partners", "AgencyService"),
        apps.get_model("patrols", "PatrolOfficer"),
        apps.get_model("patrols", "PartnerInvitation"),
        apps.get_model("patrols", "OfficerHours"),
        apps.get_model("patrols", "HotspotVisit"),
        apps.get_model("referrals", "ReferralStatusChange"),
        apps.get_model("patrols", "ReturnAmendment"),
        apps.get_model("referrals", "ReferralNote"),
        apps.get_model("referrals", "ReferralMove"),
    }
    # An upload job has its own page (reporting:import_job), a police.uk fetch is listed on
    # the import page, and their batches are in the admin;
    # the Evidence figures' runs are what the Evidence page shows (state, failure, figures).
    own_pages = {
        apps.get_model("reporting", "CrimeImport"),
        apps.get_model("reporting", "CrimeFetch"),  # listed on the import page
        apps.get_model("reporting", "EvidenceRun"),
        # A woman's safeguarding record: shown and changed on her police page only, so that
        # who sees which field is decided in one place (referrals.selectors_safeguarding).
        apps.get_model("referrals", "RiskLevelChange"),
        apps.get_model("referrals", "WarningMarker"),
        apps.get_model("referrals", "OnwardRoute"),
        # A randomised trial: its page only, so that no admin list can show a week's
        # allocation (or the seed) before its planning opens (patrols.selectors_trials).
        apps.get_model("patrols", "Trial"),
        apps.get_model("patrols", "TrialDeviation"),
        apps.get_model("reporting", "TrialAnalysis"),  # read by the trial's page only
    }
    # Backup codes, like django-otp's devices, are kept out of the admin: made on Your
    # account, removed by a second-factor reset (accounts:second_factor_reset).
    second_factor = {
        apps.get_model("accounts", "BackupCodeDevice"),
        apps.get_model("accounts", "BackupCode"),
    }
    # Bookkeeping of the caseload: the daily escalation's "told once" rows (its
    # notifications and audit rows say what was told) and each partner's last visit.
    caseload = {
        apps.get_model("referrals", "ReferralEscalation"),
        apps.get_model("referrals", "PortalVisit"),
    }
    outside = through_models | inline_only | own_pages | second_factor | caseload
    assert domain - outside <= set(admin.site._registry)


def test_admin_lists_run_a_constant_number_of_queries(
    client, admin_user, django_assert_max_num_queries
):
    """Each changelist shows up to 50 demo rows; a query per row would blow the budget.

    Budget: session + user, count, page of rows (with list_select_related), filter
    choices, savepoints: 6-9 today, whatever the row count.
    """
    call_command("seed_demo")
    client.force_login(admin_user)
    for model in admin.site._registry:
        if model._meta.app_label not in {
            "accounts",
            "partners",
            "patrols",
            "referrals",
            "reporting",
        }:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        with django_assert_max_num_queries(12, info=url):
            assert client.get(url).status_code == 200


def test_admin_refuses_a_police_user_without_an_area(client, admin_user, pc):
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[pc.pk])
    form = {
        "username": pc.username,
        "role": pc.role,
        "first_name": "Changed",
        "is_active": "on",
        "officer_profile-TOTAL_FORMS": "1",
        "officer_profile-INITIAL_FORMS": "1",
        "officer_profile-MIN_NUM_FORMS": "0",
        "officer_profile-MAX_NUM_FORMS": "1",
        "officer_profile-0-id": pc.officer_profile.pk,
        "officer_profile-0-user": pc.pk,
        "officer_profile-0-collar_number": pc.officer_profile.collar_number,
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "A police user works in at least one area." in response.content.decode()
    pc.refresh_from_db()
    assert pc.first_name != "Changed"

    form["areas"] = [pc.areas.get().pk]
    assert client.post(url, form).status_code == 302
    pc.refresh_from_db()
    assert pc.first_name == "Changed"
