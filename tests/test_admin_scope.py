"""The admin cannot go around the application's rules.

On the demo world (Lambeth and Southwark), a sergeant whose only area is Southwark meets
every Lambeth record in the admin as if it did not exist (404 on its change, history and
delete pages; absent from lists and autocomplete), while a system administrator reads
everything. Police users who are not system administrators cannot change casework
records there at all: their state changes are admin actions that call the services.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Area, Role, User
from patrols.models import Patrol, PatrolStatus
from referrals.models import Referral, ReferralStatus, ReferralStatusChange

from .factories import OfficerFactory

pytestmark = pytest.mark.django_db

# How each record reaches its area. A model registered in the admin without an entry
# here (or in one of the sets below) fails ``test_every_admin_model_has_a_scope_entry``.
AREA_PATH: dict[str, str] = {
    "accounts.area": "",
    "accounts.ward": "area",
    "accounts.trainingsession": "area",
    "patrols.hotspot": "ward__area",
    "patrols.patrol": "area",
    "patrols.riskassessment": "patrol__area",
    "patrols.workreturn": "patrol__area",
    "patrols.returndraft": "patrol__area",
    "patrols.encounter": "patrol__area",
    "patrols.arrest": "patrol__area",
    "patrols.conditionalcaution": "arrest__patrol__area",
    "patrols.intelligencereport": "patrol__area",
    "patrols.partnerconcern": "area",
    "referrals.person": "area",
    "referrals.referral": "person__area",
    "referrals.possibleduplicate": "person__area",
    "reporting.crimerecord": "area",
    "reporting.crimeoutcome": "area",
    "reporting.generatedreport": "area",
}
# The operation's directory: every police user reads it.
DIRECTORY = {"partners.partneragency"}
# Accounts: colleagues who share an area, one's own notifications and tokens.
ACCOUNTS = {
    "accounts.user",
    "accounts.officerprofile",
    "accounts.notification",
    "accounts.apitoken",
}
# Public crime data's import rows: the project lead and administrators only.
LEAD_ONLY = {"reporting.importbatch"}
# Records written only by the services: no one adds, changes or deletes them here.
SERVICE_OWNED = {
    *AREA_PATH.keys() - {"accounts.area", "accounts.ward", "patrols.hotspot"},
    "reporting.importbatch",
}
DOMAIN_APPS = {"accounts", "partners", "patrols", "referrals", "reporting"}


def _registered():
    return {
        model._meta.label_lower: (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in DOMAIN_APPS
    }


def _url(model, page: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def _in_area(model, label: str, area_name: str):
    path = AREA_PATH[label]
    lookup = f"{path}__name" if path else "name"
    return model.objects.filter(**{lookup: area_name}).order_by("pk").first()


@pytest.fixture
def demo_world(db):
    call_command("seed_demo")


@pytest.fixture
def southwark_sergeant(demo_world):
    return OfficerFactory(role=Role.SERGEANT, areas=[Area.objects.get(name="Southwark")])


@pytest.fixture
def lambeth_sergeant(demo_world):
    return User.objects.get(username="demo-sergeant")


@pytest.fixture
def system_admin(demo_world):
    return User.objects.get(username="demo-admin")


def test_every_admin_model_has_a_scope_entry():
    assert set(_registered()) == AREA_PATH.keys() | DIRECTORY | ACCOUNTS | LEAD_ONLY


def test_library_internals_are_not_in_the_admin(client, system_admin):
    client.force_login(system_admin)
    index = client.get(reverse("admin:index")).content.decode()
    for words in ("Access attempts", "TOTP devices", "Static devices", "Groups"):
        assert words not in index
    assert "People and referrals" in index
    labels = {model._meta.app_label for model in admin.site._registry}
    assert labels.isdisjoint({"auth", "otp_totp", "otp_static", "axes"})


def test_another_areas_records_answer_404_on_every_admin_page(client, southwark_sergeant):
    client.force_login(southwark_sergeant)
    checked = 0
    for label, (model, _) in _registered().items():
        if label not in AREA_PATH:
            continue
        lambeth = _in_area(model, label, "Lambeth")
        if lambeth is None:
            continue
        for page in ("change", "history", "delete"):
            response = client.get(_url(model, page, lambeth.pk))
            assert response.status_code == 404, (label, page)
        listing = client.get(_url(model, "changelist"))
        assert listing.status_code == 200, label
        shown = {obj.pk for obj in listing.context_data["cl"].result_list}
        assert lambeth.pk not in shown, label
        checked += 1
    assert checked >= 12  # the demo world has Lambeth records of most kinds


def test_own_areas_records_open_for_a_sergeant_of_that_area(client, southwark_sergeant):
    """The positive control: the same pages work inside the sergeant's area."""
    client.force_login(southwark_sergeant)
    checked = 0
    for label, (model, _) in _registered().items():
        if label not in AREA_PATH:
            continue
        southwark = _in_area(model, label, "Southwark")
        if southwark is None:
            continue
        assert client.get(_url(model, "change", southwark.pk)).status_code == 200, label
        checked += 1
    assert checked >= 5


def test_a_system_administrator_reads_every_area(client, system_admin):
    client.force_login(system_admin)
    for label, (model, _) in _registered().items():
        if label in AREA_PATH and (obj := _in_area(model, label, "Lambeth")) is not None:
            assert client.get(_url(model, "change", obj.pk)).status_code == 200, label


def test_accounts_records_of_others_are_out_of_reach(client, southwark_sergeant):
    client.force_login(southwark_sergeant)
    lambeth_only = User.objects.get(username="demo-sergeant")
    assert client.get(_url(User, "change", lambeth_only.pk)).status_code == 404
    own = client.get(_url(User, "change", southwark_sergeant.pk))
    assert own.status_code == 200
    for label in ("accounts.notification", "accounts.apitoken", "reporting.importbatch"):
        model = apps.get_model(label)
        for obj in model.objects.all()[:3]:
            assert client.get(_url(model, "change", obj.pk)).status_code == 404, label


def test_autocomplete_lists_only_colleagues(client, southwark_sergeant):
    client.force_login(southwark_sergeant)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "accounts", "model_name": "officerprofile", "field_name": "user"},
    )
    assert response.status_code == 200
    ids = {int(row["id"]) for row in response.json()["results"]}
    colleagues = set(
        User.objects.filter(areas__name="Southwark").values_list("pk", flat=True).distinct()
    )
    assert southwark_sergeant.pk in ids
    assert ids <= colleagues
    assert User.objects.get(username="demo-sergeant").pk not in ids


@pytest.mark.parametrize("username", ["demo-sergeant", "demo-lead", "demo-admin"])
def test_nobody_adds_changes_or_deletes_casework_in_the_admin(client, demo_world, username):
    user = User.objects.get(username=username)
    client.force_login(user)
    checked = 0
    for label, (model, _) in _registered().items():
        if label not in SERVICE_OWNED:
            continue
        assert client.get(_url(model, "add")).status_code == 403, label
        obj = _in_area(model, label, "Lambeth") if label in AREA_PATH else model.objects.first()
        if obj is None or client.get(_url(model, "change", obj.pk)).status_code != 200:
            continue  # nothing of this kind that this user may read
        assert client.get(_url(model, "delete", obj.pk)).status_code == 403, label
        before = model.objects.filter(pk=obj.pk).values().get()
        assert client.post(_url(model, "change", obj.pk), {}).status_code == 403, label
        assert model.objects.filter(pk=obj.pk).values().get() == before, label
        checked += 1
    assert checked >= 10


def test_a_sergeant_cannot_change_reference_data(client, lambeth_sergeant):
    client.force_login(lambeth_sergeant)
    area = Area.objects.get(name="Lambeth")
    response = client.post(_url(Area, "change", area.pk), {"name": "Renamed", "code": area.code})
    assert response.status_code == 403
    area.refresh_from_db()
    assert area.name == "Lambeth"


def _withdrawable(area_name: str) -> Referral:
    return Referral.objects.filter(
        person__area__name=area_name,
        status__in=[ReferralStatus.MADE, ReferralStatus.RECEIVED],
    ).first()


def test_withdrawing_in_the_admin_goes_through_the_service(client, lambeth_sergeant):
    referral = _withdrawable("Lambeth")
    client.force_login(lambeth_sergeant)
    url = _url(Referral, "changelist")
    form = {"action": "withdraw", "_selected_action": [referral.pk]}
    asked = client.post(url, form)
    assert asked.status_code == 200
    assert "Reason" in asked.content.decode()
    referral.refresh_from_db()
    assert referral.status != ReferralStatus.WITHDRAWN  # nothing yet: a reason is needed

    refused = client.post(url, {**form, "apply": "1", "reason": ""})
    assert refused.status_code == 200
    referral.refresh_from_db()
    assert referral.status != ReferralStatus.WITHDRAWN

    client.post(url, {**form, "apply": "1", "reason": "Entered twice by mistake"})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    history = ReferralStatusChange.objects.get(referral=referral, to_status="withdrawn")
    assert history.changed_by == lambeth_sergeant
    assert history.note == "Entered twice by mistake"


def test_an_action_never_reaches_another_areas_record(client, southwark_sergeant):
    referral = _withdrawable("Lambeth")
    client.force_login(southwark_sergeant)
    client.post(
        _url(Referral, "changelist"),
        {
            "action": "withdraw",
            "_selected_action": [referral.pk],
            "apply": "1",
            "reason": "Not mine to withdraw",
        },
    )
    referral.refresh_from_db()
    assert referral.status != ReferralStatus.WITHDRAWN


def test_cancelling_in_the_admin_needs_the_planning_right(client, demo_world):
    patrol = Patrol.objects.filter(area__name="Lambeth", status=PatrolStatus.PLANNED).first()
    form = {
        "action": "cancel",
        "_selected_action": [patrol.pk],
        "apply": "1",
        "reason": "Storm warning",
    }
    client.force_login(User.objects.get(username="demo-pc"))
    client.post(_url(Patrol, "changelist"), form)
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.PLANNED

    client.force_login(User.objects.get(username="demo-sergeant"))
    client.post(_url(Patrol, "changelist"), form)
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.CANCELLED
    assert patrol.cancel_reason == "Storm warning"


def test_a_refused_action_says_why_and_changes_nothing(client, lambeth_sergeant):
    patrol = Patrol.objects.filter(area__name="Lambeth", status=PatrolStatus.PLANNED).first()
    client.force_login(lambeth_sergeant)
    response = client.post(
        _url(Patrol, "changelist"),
        {"action": "mark_deployed", "_selected_action": [patrol.pk]},
        follow=True,
    )
    assert "cannot deploy" in response.content.decode()
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.PLANNED


def test_a_change_in_the_admin_is_audited(client, system_admin):
    from governance.models import AuditEvent

    area = Area.objects.get(name="Lambeth")
    client.force_login(system_admin)
    data = {
        "name": "Lambeth",
        "code": area.code,
        "overtime_threshold_hours": area.overtime_threshold_hours + 4,
        "wards-TOTAL_FORMS": "0",
        "wards-INITIAL_FORMS": "0",
        "wards-MIN_NUM_FORMS": "0",
        "wards-MAX_NUM_FORMS": "1000",
    }
    response = client.post(_url(Area, "change", area.pk), data)
    assert response.status_code == 302
    row = AuditEvent.objects.get(action="accounts.area.changed", object_id=str(area.pk))
    assert row.actor_username == "demo-admin"
    assert "Extended-shift hours" in row.detail or "overtime" in row.detail.lower()
