"""Subject access: everything held about one person, and who saw it, as PDF and JSON, through
a recorded request (here one withholding nothing: dataprotection's restriction is
tests/governance/test_subject_access_restriction.py's)."""

import json
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.middleware import REAUTHENTICATED_AT
from accounts.models import Role
from governance.models import AuditEvent, SubjectAccessRequest
from referrals import services as referral_services
from tests.factories import OfficerFactory, consented_referral

pytestmark = pytest.mark.django_db


OPEN = {"include_staff_names": "on", "tell_subject": "yes"}  # nothing withheld


def record_request(client, person, data=OPEN) -> SubjectAccessRequest:
    """The lead records a request on the person's page; the page sends them to it."""
    response = client.post(reverse("governance:subject_access", args=[person.uuid]), data)
    assert response.status_code == 302, response.content.decode()
    sar = SubjectAccessRequest.objects.latest("id")
    assert response.url == reverse("governance:subject_access_request", args=[sar.uuid])
    return sar


def urls(sar):
    return {
        name: reverse(f"governance:{name}", args=[sar.uuid])
        for name in ("subject_access_request", "subject_access_pdf", "subject_access_json")
    }


def test_the_person_page_offers_it_to_the_lead_only(client, subject, project_lead, sergeant):
    page = reverse("referrals:person", args=[subject.uuid])
    start = reverse("governance:subject_access", args=[subject.uuid])
    client.force_login(project_lead)
    assert start in client.get(page).content.decode()
    client.force_login(sergeant)
    assert start not in client.get(page).content.decode()


def test_the_page_names_no_one_in_its_title_and_leads_to_both_downloads(
    client, subject, project_lead
):
    client.force_login(project_lead)
    response = client.get(reverse("governance:subject_access", args=[subject.uuid]))
    assert response.status_code == 200
    html = response.content.decode()
    title = html.split("<title>")[1].split("</title>")[0]
    assert "Sarname" not in title
    assert AuditEvent.objects.filter(
        action="referrals.person.viewed", object_id=str(subject.uuid), actor=project_lead
    ).exists()
    sar = record_request(client, subject)
    html = client.get(urls(sar)["subject_access_request"]).content.decode()
    assert "Sarname" not in html.split("<title>")[1].split("</title>")[0]
    assert urls(sar)["subject_access_pdf"] in html
    assert urls(sar)["subject_access_json"] in html
    page = client.get(reverse("governance:subject_access", args=[subject.uuid])).content.decode()
    assert urls(sar)["subject_access_request"] in page  # listed for the next visit


def test_the_json_holds_her_records_and_who_saw_them(client, subject, project_lead, sergeant):
    client.force_login(project_lead)
    sar = record_request(client, subject)
    response = client.get(urls(sar)["subject_access_json"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert str(sar.uuid) in response["Content-Disposition"]
    assert "Sarname" not in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    data = json.loads(response.content)
    assert [p["working_name"] for p in data["people"]] == ["Sarname Dee", "Sarname D"]
    assert data["people"][0]["police_notes"] == "Police note (synthetic)"
    assert data["people"][1]["same_as"] == str(subject.uuid)
    assert [e["notes"] for e in data["encounters"]] == ["Encounter note (synthetic)"]
    (referral,) = data["referrals"]
    assert [n["text"] for n in referral["notes"]] == ["Referral note (synthetic)"]
    assert [s["to"] for s in referral["history"]] == ["Made", "Withdrawn"]
    assert referral["history"][1]["note"] == "Withdrawn note (synthetic)"
    trail = data["audit_trail"]
    assert {
        "who": sergeant.username,
        "action": "referrals.person.viewed",
        "record": str(subject.uuid),
    }.items() <= next(e for e in trail if e["who"] == sergeant.username).items()
    actions = {e["action"] for e in trail}
    assert {"referrals.referral.created", "referrals.referral.shared",
            "referrals.referralnote.created", "patrols.encounter.created"} <= actions  # fmt: skip
    exported = AuditEvent.objects.filter(action="referrals.person.exported", actor=project_lead)
    assert {e.object_id for e in exported} == {p["record"] for p in data["people"]}
    assert all(e.detail == f"Subject access request {sar.uuid}: JSON" for e in exported)
    assert "restriction" not in data  # nothing withheld, nothing to tell


def test_the_json_costs_the_same_queries_whatever_she_has(
    client, subject, project_lead, pc, agency_a, django_assert_num_queries
):
    client.force_login(project_lead)
    sar = record_request(client, subject)
    # Session, user, request, person; linked people, encounters, referrals and their
    # history, notes and moves, flags, retention decisions, audit trail; the export rows.
    with CaptureQueriesContext(connection) as few:
        client.get(urls(sar)["subject_access_json"])
    for _ in range(5):
        referral = consented_referral(agency=agency_a, by=pc, person=subject)
        referral_services.add_note(referral, pc, "Another note (synthetic)")
    with django_assert_num_queries(len(few)):
        response = client.get(urls(sar)["subject_access_json"])
    assert len(json.loads(response.content)["referrals"]) == 6


def test_the_pdf_holds_her_records_and_the_audit_trail(client, subject, project_lead, tmp_path):
    client.force_login(project_lead)
    sar = record_request(client, subject)
    response = client.get(urls(sar)["subject_access_pdf"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        action="referrals.person.exported", detail=f"Subject access request {sar.uuid}: PDF"
    ).exists()
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed here; CI installs it")
    pdf = tmp_path / "sar.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(  # noqa: S603 - fixed argv
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "Sarname Dee",
        "Encounter note (synthetic)",
        "Referral note (synthetic)",
        "Audit trail",
        "referrals.person.viewed",
    ):
        assert expected in text, expected


def test_downloads_ask_for_the_password_again_when_it_is_old(client, subject, project_lead):
    client.force_login(project_lead)
    sar = record_request(client, subject)
    session = client.session
    session[REAUTHENTICATED_AT] = 0  # long ago
    session.save()
    for name in ("subject_access_pdf", "subject_access_json"):
        response = client.get(urls(sar)[name])
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:confirm_identity"))
    assert not AuditEvent.objects.filter(action="referrals.person.exported").exists()


def test_partners_and_other_areas_get_404(client, subject, project_lead, partner_a, other_area):
    client.force_login(project_lead)
    sar = record_request(client, subject)
    elsewhere = OfficerFactory(role=Role.PROJECT_LEAD, areas=[other_area])
    start = reverse("governance:subject_access", args=[subject.uuid])
    for user in (partner_a, elsewhere):
        client.force_login(user)
        for url in [start, *urls(sar).values()]:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(start, OPEN).status_code == 404
    assert not AuditEvent.objects.filter(action="referrals.person.exported").exists()
    assert SubjectAccessRequest.objects.count() == 1
