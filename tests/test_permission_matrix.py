"""Every page × every role → the status it must answer. Adding a URL without an entry
here fails `test_every_url_is_in_the_matrix`, so no page escapes the wall by accident.

Partner users get 404 from every police page (they must not learn it exists); police
roles without the right get 403; anonymous visitors are sent to sign in (302).
"""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts import tokens
from accounts.models import Role
from governance.models import SubjectAccessRequest, SubjectType
from patrols.models import Arrest, Offence, OfficerRole, PatrolOfficer
from patrols.services.trials import record_deviations
from referrals import services as referral_services
from referrals.models import Person
from reporting.models import CrimeImport, GeneratedReport, ReportKind, ReportStatus
from tests.factories import (
    HotspotFactory,
    OfficerFactory,
    PatrolFactory,
    PersonFactory,
    WardFactory,
    consented_referral,
    sent_concern,
)
from tests.patrols.trials import patrol_in_week
from tests.patrols.trials import register as register_trial

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "partner_a", "partner_b", "pc", "sergeant", "project_lead", "admin_user"]


def row(anonymous, partner, pc, sergeant, lead, admin, *, other_agency=None):
    """Statuses by role; agency B's user answers like agency A's unless `other_agency` says
    otherwise (404 for what was shared with agency A only)."""
    statuses = [anonymous, partner, partner if other_agency is None else other_agency]
    return dict(zip(ROLES, [*statuses, pc, sergeant, lead, admin], strict=True))


# One entry per named URL: (kind of object in the URL or None, expected statuses for GET).
POLICE_READ = row(302, 404, 200, 200, 200, 403)
SUPERVISOR_PAGE = row(302, 404, 403, 200, 200, 403)
SUPERVISOR_POST_ONLY = row(302, 404, 403, 405, 405, 403)
PORTAL_PAGE = row(302, 200, 403, 403, 403, 403)
LEAD_PAGE = row(302, 404, 403, 403, 200, 403)
AUDIT_PAGE = row(302, 404, 403, 403, 200, 200)  # the project lead and the administrator
PORTAL_POST_ONLY = row(302, 405, 403, 403, 403, 403)
POLICE_POST_ONLY = row(302, 404, 405, 405, 405, 403)
ADMIN_PAGE = row(302, 404, 403, 403, 403, 200)
MATRIX = {
    "home": (None, row(302, 200, 200, 200, 200, 200)),
    "floor": (None, row(200, 200, 200, 200, 200, 200)),  # liveness: "ok", nothing else
    "login": (None, row(200, 302, 302, 302, 302, 302)),
    "logout": (None, row(405, 405, 405, 405, 405, 405)),
    # Single sign-on is off by default: its pages are not there (tests/accounts/test_oidc.py).
    "oidc_authentication_init": (None, row(404, 404, 404, 404, 404, 404)),
    "oidc_authentication_callback": (None, row(404, 404, 404, 404, 404, 404)),
    "patrols:list": (None, POLICE_READ),
    "patrols:week": (None, POLICE_READ),
    "patrols:create": (None, SUPERVISOR_PAGE),
    "patrols:copy_last_week": (None, SUPERVISOR_POST_ONLY),
    "patrols:detail": ("patrol", POLICE_READ),
    "patrols:edit": ("patrol", SUPERVISOR_PAGE),
    "patrols:cancel": ("patrol", SUPERVISOR_PAGE),
    "patrols:risk_assessment": ("patrol", POLICE_READ),
    "patrols:approve_risk_assessment": ("patrol", SUPERVISOR_POST_ONLY),
    "patrols:deploy": ("patrol", SUPERVISOR_POST_ONLY),
    "patrols:close": ("patrol", SUPERVISOR_POST_ONLY),
    "patrols:wellbeing": (None, SUPERVISOR_PAGE),
    # The patrol is deployed and the PC is on it: the return form is theirs to fill.
    "patrols:work_return": ("deployed", POLICE_READ),
    "patrols:save_draft": ("deployed", row(302, 404, 405, 405, 405, 403)),
    # No return filed yet, so there is nothing to amend: supervisors are sent back.
    "patrols:amend_return": ("deployed", row(302, 404, 403, 302, 302, 403)),
    "patrols:hotspots": (None, POLICE_READ),
    "patrols:hotspot_create": (None, SUPERVISOR_PAGE),
    "patrols:hotspot_edit": ("hotspot", SUPERVISOR_PAGE),
    "patrols:hotspot_retire": ("hotspot", SUPERVISOR_PAGE),
    # Intelligence (issue 16, item 5): supervisors of the area grade what partners sent.
    "patrols:intelligence": (None, SUPERVISOR_PAGE),
    "patrols:concern": ("concern", SUPERVISOR_PAGE),
    # Concerns partners send: the agency's own; another agency's answers 404.
    "patrols:partner_concerns": (None, PORTAL_PAGE),
    "patrols:partner_concern_new": (None, PORTAL_PAGE),
    "patrols:partner_concern": ("concern", row(302, 200, 403, 403, 403, 403, other_agency=404)),
    "admin:index": (None, row(302, 404, 200, 200, 200, 200)),
    # The partner portal: agency A's referral, granted to agency A's group.
    "referrals:partner_home": (None, PORTAL_PAGE),
    "referrals:invited_patrols": (None, PORTAL_PAGE),
    # The caseload's CSV (re-authenticated: force_login counts as a fresh sign-in).
    "referrals:partner_export": (None, PORTAL_PAGE),
    "referrals:partner_detail": ("referral", row(302, 200, 403, 403, 403, 403, other_agency=404)),
    # POST-only: the method is refused before any lookup, so nothing is revealed.
    "referrals:partner_status": ("referral", PORTAL_POST_ONLY),
    "referrals:partner_note": ("referral", PORTAL_POST_ONLY),
    "referrals:partner_course": ("referral", PORTAL_POST_ONLY),
    # Police referral pages.
    "referrals:list": (None, POLICE_READ),
    "referrals:create": ("person_query", POLICE_READ),
    "referrals:detail": ("referral", POLICE_READ),
    "referrals:withdraw": ("referral", row(302, 404, 405, 405, 405, 403)),
    "referrals:move": ("referral", SUPERVISOR_PAGE),
    "referrals:people": (None, POLICE_READ),
    "referrals:person": ("person", POLICE_READ),
    # A woman's safeguarding record: POST only, police of her area.
    "referrals:person_risk": ("person", POLICE_POST_ONLY),
    "referrals:person_marker": ("person", POLICE_POST_ONLY),
    "referrals:person_route": ("person", POLICE_POST_ONLY),
    "referrals:marker_end": ("marker", POLICE_POST_ONLY),
    "referrals:route_end": ("route", POLICE_POST_ONLY),
    "referrals:duplicates": (None, SUPERVISOR_PAGE),
    "referrals:duplicate_decide": ("flag", SUPERVISOR_POST_ONLY),
    "referrals:notifications": (None, row(302, 200, 200, 200, 200, 200)),
    # Crime data and reports.
    "reporting:import": (None, LEAD_PAGE),
    "reporting:import_job": ("crime_import", LEAD_PAGE),
    "reporting:import_job_status": ("crime_import", LEAD_PAGE),
    "reporting:reports": (None, LEAD_PAGE),
    "reporting:report_status": ("report", LEAD_PAGE),
    "reporting:report": ("report", LEAD_PAGE),
    "reporting:report_download": ("report", LEAD_PAGE),
    "reporting:weekly_sheet": (None, SUPERVISOR_PAGE),
    "reporting:ranking": (None, POLICE_READ),
    "reporting:evidence": (None, LEAD_PAGE),
    "reporting:rollout": (None, LEAD_PAGE),
    "reporting:evidence_status": (None, LEAD_PAGE),
    # Trials (issue 18, item 6): the lead registers; supervisors follow and explain.
    "reporting:trial_register": (None, LEAD_PAGE),
    "reporting:trial": ("trial", SUPERVISOR_PAGE),
    "reporting:trial_deviation": ("deviation", SUPERVISOR_POST_ONLY),
    # Account security (issue 7). force_login signs in with both factors, so enrolment and
    # verification send everyone on; reset pages: sergeants for their areas, admins for all.
    "accounts:enrol": (None, row(302, 302, 302, 302, 302, 302)),
    "accounts:verify": (None, row(302, 302, 302, 302, 302, 302)),
    "accounts:security": (None, row(302, 200, 200, 200, 200, 200)),
    "accounts:backup_codes": (None, row(302, 405, 405, 405, 405, 405)),
    "accounts:sign_out_everywhere": (None, row(302, 405, 405, 405, 405, 405)),
    "accounts:confirm_identity": (None, row(302, 200, 200, 200, 200, 200)),
    "accounts:password_change": (None, row(302, 200, 200, 200, 200, 200)),
    "accounts:training": (None, SUPERVISOR_PAGE),
    # Set-password links work signed out (a dead link says so, for anyone).
    "accounts:set_password_help": (None, row(200, 200, 200, 200, 200, 200)),
    "accounts:set_password": ("set_password_link", row(200, 200, 200, 200, 200, 200)),
    "accounts:users": (None, row(302, 404, 403, 200, 200, 200)),
    "accounts:second_factor_reset": ("officer", row(302, 404, 403, 200, 200, 200)),
    # Inviting people (issue 20): admins anyone, the lead and sergeants police of their areas.
    "accounts:invite": (None, row(302, 404, 403, 200, 200, 200)),
    "accounts:invite_upload": (None, row(302, 404, 403, 200, 200, 200)),
    "accounts:resend_invite": ("officer", row(302, 405, 405, 405, 405, 405)),
    "accounts:deactivate": ("officer", row(302, 404, 403, 200, 200, 200)),
    "accounts:lockouts": (None, row(302, 404, 403, 403, 403, 200)),
    # Add a borough (issue 20): the system administrator only; confirming is POST only.
    "accounts:borough_new": (None, ADMIN_PAGE),
    "accounts:borough_create": (None, row(302, 404, 403, 403, 403, 405)),
    "accounts:borough": ("area", ADMIN_PAGE),
    "accounts:lockout_lift": ("lockout", row(302, 405, 405, 405, 405, 405)),
    # The audit log: read-only, as in the admin.
    "governance:audit_log": (None, AUDIT_PAGE),
    "governance:audit_export": (None, AUDIT_PAGE),
    # Retention review and subject access: the project lead of the person's area only.
    "governance:retention_review": (None, LEAD_PAGE),
    "governance:retention_retain": ("due_person", LEAD_PAGE),
    "governance:retention_erase": ("due_person", LEAD_PAGE),
    "governance:subject_access_search": (None, LEAD_PAGE),
    "governance:subject_access": ("person", LEAD_PAGE),
    "governance:subject_access_arrest": ("arrest", LEAD_PAGE),
    "governance:subject_access_request": ("sar", LEAD_PAGE),
    "governance:subject_access_pdf": ("sar", LEAD_PAGE),
    "governance:subject_access_json": ("sar", LEAD_PAGE),
    # API tokens (issue 6): everyone's own; the token in the URL is the PC's.
    "tokens:list": (None, row(302, 200, 200, 200, 200, 200)),
    "tokens:revoke": ("token", row(302, 404, 200, 404, 404, 404, other_agency=404)),
    # The API's HTML docs; the rest of /api/ is tests/api/test_api_matrix.py's.
    "api:docs": (None, row(302, 200, 200, 200, 200, 200)),
    "api:redoc": (None, row(302, 200, 200, 200, 200, 200)),
}
API_HTML_PAGES = {"api:docs", "api:redoc"}


def named_urls(resolver=None, namespace="") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                names.add("admin:index")  # the admin is covered by its own tests
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= named_urls(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_url_is_in_the_matrix():
    pages = {n for n in named_urls() if not n.startswith("api:") or n in API_HTML_PAGES}
    assert pages == set(MATRIX), "add new URLs to MATRIX with their expected statuses"


@pytest.fixture
def objects(area, pc, agency_a, partner_a, project_lead):
    ward = WardFactory(area=area)
    trial = register_trial(project_lead, area)
    patrol_in_week(trial, 1, list(trial.hotspots.all()))
    planned, deployed = PatrolFactory(ward=ward), PatrolFactory(ward=ward, status="deployed")
    for patrol in (planned, deployed):
        PatrolOfficer.objects.create(patrol=patrol, officer=pc, role=OfficerRole.EPHEDRA_PC)
    person = PersonFactory(area=area, working_name="Testname Jay", created_by=pc)
    twin = PersonFactory(area=area, working_name="Testname Jay", created_by=pc)
    referral = consented_referral(agency=agency_a, by=pc, person=person)
    objects = {
        "area": area,
        "patrol": planned,
        "deployed": deployed,
        "hotspot": HotspotFactory(ward=ward),
        "person": person,
        "referral": referral,
        "flag": referral_services.flag_possible_duplicates(twin)[0],
        "marker": referral_services.add_marker(person, pc, kind="drug_use", reason="Synthetic"),
        "route": referral_services.add_route(person, pc, service="Synthetic GP"),
        "report": ready_report(area),
        "crime_import": CrimeImport.objects.create(original_name="2026-10-street.csv"),
        "officer": OfficerFactory(role=Role.PC, areas=[area]),
        "lockout": failed_sign_ins(),
        "token": tokens.create_token(pc, "Matrix").token,
        "arrest": Arrest.objects.create(
            patrol=planned,
            arrested_at=planned.starts_at,
            offence=Offence.KERB_CRAWLING,
            suspect_description="Synthetic suspect",
            custody_reference="SYN-MATRIX-1",
            arresting_officer=pc,
        ),
        "concern": sent_concern(by=partner_a, area=area),
        "trial": trial,
        "deviation": record_deviations(trial, trial.starts_on)[0],
        "sar": SubjectAccessRequest.objects.create(
            subject_type=SubjectType.PERSON,
            subject_uuid=person.uuid,
            made_by=pc,
            include_staff_names=True,
        ),
    }
    # Due for review (after the safeguarding entries above, which move her review on).
    Person.objects.filter(pk=person.pk).update(review_on=dt.date(2020, 1, 1))
    return objects


def failed_sign_ins() -> AccessAttempt:
    return AccessAttempt.objects.create(
        username="someone",
        ip_address="192.0.2.1",
        user_agent="",
        http_accept="",
        path_info="/sign-in/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )


def ready_report(area) -> GeneratedReport:
    report = GeneratedReport(
        kind=ReportKind.MONTHLY_TREND,
        area=area,
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 10, 31),
        status=ReportStatus.READY,
    )
    report.file.save("monthly.pdf", ContentFile(b"%PDF-1.4 matrix test"), save=False)
    report.save()
    return report


def url_for(name: str, kind: str | None, objects: dict) -> str:
    if kind == "person_query":
        return f"{reverse(name)}?person={objects['person'].uuid}"
    if kind == "token":
        return reverse(name, args=[objects["token"].prefix])
    if kind == "area":
        return reverse(name, args=[objects[kind].code])
    if kind == "lockout":
        return reverse(name, args=[objects[kind].pk])
    if kind == "set_password_link":
        return reverse(name, args=["MQ", "made-up-token"])
    if kind == "deviation":
        return reverse(name, args=[objects["trial"].uuid, objects[kind].pk])
    if kind == "due_person":
        return reverse(name, args=["person", objects["person"].uuid])
    return reverse(name, args=[objects[kind].uuid] if kind else [])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_status_for_each_role(client, request, objects, name, role):
    kind, expected = MATRIX[name]
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    assert client.get(url_for(name, kind, objects)).status_code == expected[role]
