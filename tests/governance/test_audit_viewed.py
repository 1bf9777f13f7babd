"""Every page that shows a person, a referral, an arrest, a caution or intelligence writes
one "viewed" row per record shown: who, what, from where (Data Protection Act 2018 s.62).

`test_every_personal_page_is_listed` fails when a referrals: or patrols: URL is added
without deciding here whether it shows such records.
"""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from governance.models import AuditEvent
from referrals import services as referral_services
from referrals.models import OnwardRoute, ReferralStatus, WarningMarker
from reporting.models import GeneratedReport, ReportKind, ReportStatus
from reporting.reports.weekly import coming_monday
from tests.test_permission_matrix import MATRIX, ready_report

from .conftest import viewed_rows

pytestmark = pytest.mark.django_db


def uuid_url(name, key):
    return lambda w: reverse(name, args=[w[key].uuid])


def ending_url(name, model, **fields):
    """The URL ending a safeguarding row made for the world's person just now."""

    def url(w):
        person = w["person"]
        row = model.objects.create(
            person=person, added_by=person.created_by, added_at=timezone.now(), **fields
        )
        return reverse(name, args=[row.uuid])

    return url


# name -> (who, method, url(world), POST data, records shown (keys of `world`))
PAGES = {
    "patrols:work_return": (
        "pc",
        "get",
        uuid_url("patrols:work_return", "filed"),
        None,
        [
            "work_return",
            "encounter",
            "return_person",
            "arrest",
            "other_arrest",
            "caution",
            "caution_referral",
            "return_referral",
            "intelligence",
        ],
    ),
    "patrols:amend_return": (
        "sergeant",
        "get",
        uuid_url("patrols:amend_return", "filed"),
        None,
        ["work_return"],
    ),
    "referrals:list": ("pc", "get", lambda w: reverse("referrals:list"), None,
                       ["referral", "person", "return_referral", "return_person"]),
    "referrals:detail": ("pc", "get", uuid_url("referrals:detail", "referral"), None,
                         ["referral", "person"]),
    "referrals:withdraw": ("pc", "post", uuid_url("referrals:withdraw", "referral"), {},
                           ["referral", "person"]),  # already withdrawn: shown with the error
    "referrals:move": ("sergeant", "get", uuid_url("referrals:move", "referral"), None,
                       ["referral"]),
    "referrals:create": ("pc", "get",
                         lambda w: f"{reverse('referrals:create')}?person={w['person'].uuid}",
                         None, ["person"]),
    "referrals:people": ("pc", "get", lambda w: reverse("referrals:people"), None,
                         ["person", "return_person", "twin"]),
    "referrals:person": ("pc", "get", uuid_url("referrals:person", "person"), None,
                         ["person", "referral", "flag"]),
    # A refused safeguarding change shows her page again, with what it shows.
    "referrals:person_risk": ("pc", "post", uuid_url("referrals:person_risk", "person"), {},
                              ["person", "referral", "flag"]),
    "referrals:person_marker": ("pc", "post", uuid_url("referrals:person_marker", "person"),
                                {}, ["person", "referral", "flag"]),
    "referrals:person_route": ("pc", "post", uuid_url("referrals:person_route", "person"), {},
                               ["person", "referral", "flag"]),
    "referrals:marker_end": ("pc", "post", ending_url("referrals:marker_end", WarningMarker,
                             kind="drug_use", reason="Synthetic"), {},
                             ["person", "referral", "flag"]),
    "referrals:route_end": ("pc", "post", ending_url("referrals:route_end", OnwardRoute,
                            service="Synthetic GP"), {}, ["person", "referral", "flag"]),
    "referrals:duplicates": ("sergeant", "get", lambda w: reverse("referrals:duplicates"), None,
                             ["flag", "person", "twin"]),
    "referrals:partner_home": ("partner_a", "get", lambda w: reverse("referrals:partner_home"),
                               None, ["referral", "person"]),
    "referrals:partner_detail": ("partner_a", "get", uuid_url("referrals:partner_detail",
                                 "referral"), None, ["referral", "person"]),
    "referrals:partner_status": ("partner_a", "post", uuid_url("referrals:partner_status",
                                 "referral"), {"status-to_status": "nonsense"},
                                 ["referral", "person"]),
    "referrals:partner_note": ("partner_a", "post", uuid_url("referrals:partner_note",
                               "referral"), {"note-text": ""}, ["referral", "person"]),
    "referrals:partner_course": ("provider_user", "post", uuid_url("referrals:partner_course",
                                 "caution_referral"), {"course-step": "nonsense"},
                                 ["caution_referral", "caution"]),
    # Intelligence (issue 16, item 5): the return's report, and agency A's concern.
    "patrols:intelligence": ("sergeant", "get", lambda w: reverse("patrols:intelligence"),
                             None, ["concern", "intelligence"]),
    "patrols:concern": ("sergeant", "get", uuid_url("patrols:concern", "concern"), None,
                        ["concern", "person"]),
    "patrols:partner_concerns": ("partner_a", "get", lambda w: reverse("patrols:partner_concerns"),
                                 None, ["concern", "person"]),
    "patrols:partner_concern": ("partner_a", "get", uuid_url("patrols:partner_concern",
                                "concern"), None, ["concern", "person"]),
    # The women the agency works with, offered by name to link the concern to.
    "patrols:partner_concern_new": ("partner_a", "get",
                                    lambda w: reverse("patrols:partner_concern_new"), None,
                                    ["person"]),
}  # fmt: skip
# The return form offers everyone known in the area by name, to choose whom they met.
FORM_PEOPLE = ["person", "twin", "return_person"]

# referrals: and patrols: pages that show no record about a person, and why.
NOT_PERSONAL = {
    "patrols:list": "patrols: times, places and crews",
    "patrols:week": "patrols: times, places and crews",
    "patrols:create": "planning form",
    "patrols:copy_last_week": "POST, then back to the week",
    "patrols:detail": "the patrol's plan; the return is its own page",
    "patrols:edit": "planning form",
    "patrols:cancel": "planning form",
    "patrols:risk_assessment": "hazards and controls of the patrol",
    "patrols:approve_risk_assessment": "POST, then back to the patrol",
    "patrols:deploy": "POST, then back to the patrol",
    "patrols:close": "POST, then back to the patrol",
    "patrols:wellbeing": "officers' hours",
    "patrols:save_draft": "saves what the officer typed; answers only when it was saved",
    "patrols:hotspots": "places",
    "patrols:hotspot_create": "places",
    "patrols:hotspot_edit": "places",
    "patrols:hotspot_retire": "places",
    "referrals:invited_patrols": "when and where partners meet the patrol",
    "referrals:duplicate_decide": "POST, then back to the list (which logs)",
    "referrals:notifications": "messages that name no one",
    # Personal data, but it leaves as a file: one "exported" row per referral instead
    # (tests/referrals/test_portal_caseload.py).
    "referrals:partner_export": "the caseload's CSV, audited as exported",
}


def test_every_personal_page_is_listed():
    names = {name for name in MATRIX if name.split(":")[0] in {"patrols", "referrals"}}
    undecided = names - set(PAGES) - set(NOT_PERSONAL) - {"patrols:work_return"}
    assert not undecided, "add these pages to PAGES (with what they show) or NOT_PERSONAL"
    assert not set(PAGES) & set(NOT_PERSONAL)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_page_logs_each_record_it_shows(client, request, world, name):
    who, method, url, data, shown = PAGES[name]
    user = request.getfixturevalue(who) if who in {"pc", "sergeant", "partner_a"} else world[who]
    if name == "referrals:withdraw":
        referral_services.change_status(world["referral"], ReferralStatus.WITHDRAWN, user)
    client.force_login(user)

    response = getattr(client, method)(url(world), data)

    assert response.status_code == 200
    for key in shown:
        rows = viewed_rows(world[key], user)
        assert rows.count() == 1, f"{name}: one viewed row for {key}"
        assert rows.get().ip_address == "127.0.0.1"
        assert rows.get().actor_username == user.username


def test_the_return_form_logs_the_people_it_offers(client, pc, world):
    client.force_login(pc)

    response = client.get(reverse("patrols:work_return", args=[world["deployed"].uuid]))

    assert response.status_code == 200
    assert 'id="work-return-form"' in response.content.decode()
    for key in FORM_PEOPLE:
        assert viewed_rows(world[key], pc).count() == 1, key


def test_a_refused_page_logs_nothing(client, partner_b, world):
    client.force_login(partner_b)
    before = AuditEvent.objects.filter(action__endswith=".viewed").count()

    response = client.get(reverse("referrals:partner_detail", args=[world["referral"].uuid]))

    assert response.status_code == 404
    assert AuditEvent.objects.filter(action__endswith=".viewed").count() == before


# --- The admin ---------------------------------------------------------------------------

ADMIN_RECORDS = {
    "referrals_person": "person",
    "referrals_referral": "referral",
    "referrals_possibleduplicate": "flag",
    "patrols_workreturn": "work_return",
    "patrols_encounter": "encounter",
    "patrols_arrest": "arrest",
    "patrols_conditionalcaution": "caution",
    "patrols_intelligencereport": "intelligence",
}


@pytest.mark.parametrize("admin_name", sorted(ADMIN_RECORDS))
def test_the_admin_logs_a_record_opened(client, admin_user, world, admin_name):
    record = world[ADMIN_RECORDS[admin_name]]
    client.force_login(admin_user)

    response = client.get(reverse(f"admin:{admin_name}_change", args=[record.pk]))

    assert response.status_code == 200
    assert viewed_rows(record, admin_user).count() == 1


@pytest.mark.parametrize("admin_name", sorted(ADMIN_RECORDS))
def test_the_admin_logs_each_record_listed(client, admin_user, world, admin_name):
    record = world[ADMIN_RECORDS[admin_name]]
    client.force_login(admin_user)

    response = client.get(reverse(f"admin:{admin_name}_changelist"))

    assert response.status_code == 200
    assert viewed_rows(record, admin_user).count() == 1
    shown = len(response.context["cl"].result_list)
    label = record._meta.label_lower
    assert AuditEvent.objects.filter(action=f"{label}.viewed", actor=admin_user).count() == shown


def test_the_admin_does_not_log_records_about_no_one(client, admin_user, world):
    client.force_login(admin_user)
    client.get(reverse("admin:patrols_patrol_change", args=[world["filed"].pk]))

    assert not AuditEvent.objects.filter(action="patrols.patrol.viewed").exists()


# --- Downloads ---------------------------------------------------------------------------


def test_a_report_download_is_logged(client, project_lead, area):
    report = ready_report(area)
    client.force_login(project_lead)

    response = client.get(reverse("reporting:report_download", args=[report.uuid]))

    assert response.status_code == 200
    row = AuditEvent.objects.get(action="reporting.generatedreport.downloaded")
    assert (row.object_id, row.actor, row.ip_address) == (
        str(report.uuid),
        project_lead,
        "127.0.0.1",
    )


def test_the_weekly_sheet_pdf_download_is_logged(client, sergeant, area):
    monday = coming_monday(timezone.localdate())
    report = GeneratedReport(
        kind=ReportKind.WEEKLY_DEPLOYMENT,
        area=area,
        period_start=monday,
        period_end=monday + dt.timedelta(days=6),
        status=ReportStatus.READY,
    )
    report.file.save("sheet.pdf", ContentFile(b"%PDF-1.4 audit test"), save=False)
    report.save()
    client.force_login(sergeant)

    response = client.get(
        reverse("reporting:weekly_sheet"),
        {"area": area.pk, "week": f"{monday:%Y-%m-%d}", "download": 1},
    )

    assert response.status_code == 200
    row = AuditEvent.objects.get(action="reporting.generatedreport.downloaded")
    assert (row.object_id, row.actor) == (str(report.uuid), sergeant)
