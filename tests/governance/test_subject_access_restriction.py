"""The s.45(4) restriction a subject access request records, and how every download of
the request applies it: sections left out, staff names replaced by markers, the subject
told of the restriction only when the lead said so, the reason kept on the request."""

import json
import shutil
import subprocess

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from dataprotection.subject_access import sections, services
from governance.models import AuditEvent, RestrictionGround, SubjectAccessRequest, SubjectType
from referrals import services as referral_services
from tests.factories import PartnerUserFactory
from tests.governance.test_subject_access import OPEN, record_request

pytestmark = pytest.mark.django_db

REASON = "Reason (synthetic): an open investigation into a third party"
WITHHOLD = {
    "withheld": ["police_notes", "encounters", "audit_trail"],
    "ground": "b",
    "reason": REASON,
    "tell_subject": "yes",
}


def download_json(client, sar) -> tuple[dict, str]:
    response = client.get(reverse("governance:subject_access_json", args=[sar.uuid]))
    assert response.status_code == 200
    return json.loads(response.content), response.content.decode()


def test_withholding_without_ground_or_reason_shows_both_errors_at_their_fields(
    client, subject, project_lead
):
    client.force_login(project_lead)
    url = reverse("governance:subject_access", args=[subject.uuid])
    response = client.post(url, {"withheld": ["police_notes"], "tell_subject": "yes"})
    assert response.status_code == 400
    form = response.context["form"]
    assert "section 45(4)" in form.errors["ground"][0]
    assert "section 45(7)" in form.errors["reason"][0]
    assert 'href="#id_ground"' in response.content.decode()  # the error summary links there
    assert not SubjectAccessRequest.objects.exists()


def test_withholding_only_staff_names_is_a_restriction_too(client, subject, project_lead):
    client.force_login(project_lead)
    url = reverse("governance:subject_access", args=[subject.uuid])
    response = client.post(url, {"tell_subject": "yes"})  # staff names not included
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"ground", "reason"}


def test_bad_input_is_refused_at_the_field_not_with_a_500(client, subject, project_lead):
    client.force_login(project_lead)
    url = reverse("governance:subject_access", args=[subject.uuid])
    response = client.post(
        url, {**WITHHOLD, "withheld": ["no_such_section"], "ground": "z", "tell_subject": "?"}
    )
    assert response.status_code == 400
    assert {"withheld", "ground", "tell_subject"} <= set(response.context["form"].errors)


def test_the_service_checks_the_rules_itself(subject, project_lead):
    restriction = services.Restriction(withheld=["encounters"], include_staff_names=True)
    with pytest.raises(services.SubjectAccessRuleError) as error:
        services.create_request(project_lead, SubjectType.PERSON, subject, restriction)
    assert set(error.value.problems) == {"ground", "reason"}
    unknown = services.Restriction(withheld=["caution"], ground="b", reason=REASON)
    with pytest.raises(services.SubjectAccessRuleError) as error:
        services.create_request(project_lead, SubjectType.PERSON, subject, unknown)
    assert set(error.value.problems) == {"withheld"}  # an arrest's section, not a person's
    assert not SubjectAccessRequest.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"withheld": "police_notes", "include_staff_names": True, "reason": REASON},
        {"withheld": "police_notes", "include_staff_names": True, "ground": "b"},
        {"withheld": "", "include_staff_names": False, "ground": "", "reason": ""},
    ],
)
def test_the_database_refuses_a_withholding_without_ground_and_reason(
    subject, project_lead, fields
):
    with pytest.raises(IntegrityError), transaction.atomic():
        SubjectAccessRequest.objects.create(
            subject_type=SubjectType.PERSON, subject_uuid=subject.uuid, made_by=project_lead,
            **fields,
        )  # fmt: skip


def test_the_request_is_audited_without_its_reason_and_shows_the_reason_to_the_lead(
    client, subject, project_lead
):
    client.force_login(project_lead)
    sar = record_request(client, subject, WITHHOLD)
    row = AuditEvent.objects.get(action="governance.subjectaccessrequest.created")
    assert row.object_id == str(sar.uuid)
    assert row.actor == project_lead
    assert row.changes["ground"] == [None, "b"]
    assert row.changes["withheld"] == [None, "audit_trail encounters police_notes"]
    assert row.changes["reason"] == "•••"
    assert not AuditEvent.objects.filter(detail__contains="synthetic").exists()
    assert "synthetic" not in json.dumps([e.changes for e in AuditEvent.objects.all()])
    page = client.get(reverse("governance:subject_access_request", args=[sar.uuid]))
    html = page.content.decode()
    assert REASON in html
    assert RestrictionGround.CRIME.label in html
    assert sections.PERSON_SECTIONS["encounters"] in html


def test_withheld_sections_are_left_out_and_listed_when_she_is_told(client, subject, project_lead):
    client.force_login(project_lead)
    sar = record_request(client, subject, WITHHOLD)
    data, body = download_json(client, sar)
    assert "police_notes" not in data["people"][0]
    assert "encounters" not in data
    assert "audit_trail" not in data
    assert "Police note (synthetic)" not in body
    assert "Encounter note (synthetic)" not in body
    assert data["referrals"][0]["notes"][0]["text"] == "Referral note (synthetic)"  # kept
    assert data["restriction"]["ground"] == RestrictionGround.CRIME.label
    assert sections.PERSON_SECTIONS["police_notes"] in data["restriction"]["withheld"]
    assert "The names of police officers and agency staff" in data["restriction"]["withheld"]
    assert REASON not in body  # the reason stays with the police
    assert AuditEvent.objects.filter(
        action="referrals.person.exported", detail=f"Subject access request {sar.uuid}: JSON"
    ).exists()


def test_nothing_says_what_was_withheld_when_telling_would_undermine_it(
    client, subject, project_lead
):
    client.force_login(project_lead)
    sar = record_request(client, subject, {**WITHHOLD, "tell_subject": "no"})
    data, body = download_json(client, sar)
    assert "restriction" not in data
    assert "encounters" not in data
    for words in (RestrictionGround.CRIME.label, sections.PERSON_SECTIONS["encounters"], REASON):
        assert words not in body


def test_staff_names_are_marked_unless_the_request_includes_them(
    client, subject, project_lead, pc, sergeant
):
    provider_staff = PartnerUserFactory(agency=subject.referrals.get().agency)
    referral_services.add_note(subject.referrals.get(), provider_staff, "Agency note (synthetic)")
    client.force_login(project_lead)
    sar = record_request(client, subject, {"ground": "e", "reason": REASON, "tell_subject": "yes"})
    data, body = download_json(client, sar)
    for user in (pc, sergeant, project_lead, provider_staff):
        assert user.username not in body, user
    assert data["people"][0]["created_by"] == sections.POLICE_MARK
    assert data["generated_by"] == sections.POLICE_MARK
    authors = {n["text"]: n["by"] for n in data["referrals"][0]["notes"]}
    assert authors["Agency note (synthetic)"] == sections.AGENCY_MARK
    assert authors["Referral note (synthetic)"] == sections.POLICE_MARK
    who = {e["who"] for e in data["audit_trail"]}
    assert sections.POLICE_MARK in who
    assert who <= {sections.POLICE_MARK, sections.AGENCY_MARK, sections.STAFF_MARK, "The system"}
    note_rows = [e for e in data["audit_trail"] if e["action"] == "referrals.referralnote.created"]
    assert note_rows
    assert all(e["changes"]["author"] == "[withheld]" for e in note_rows)

    shown = record_request(client, subject, {**OPEN})
    data, body = download_json(client, shown)
    assert data["people"][0]["created_by"] == subject.created_by.username
    assert provider_staff.username in body
    assert sergeant.username in body


def test_the_pdf_applies_the_restriction_and_tells_her_so(client, subject, project_lead, tmp_path):
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed here; CI installs it")
    client.force_login(project_lead)
    sar = record_request(client, subject, WITHHOLD)
    response = client.get(reverse("governance:subject_access_pdf", args=[sar.uuid]))
    pdf = tmp_path / "sar.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(  # noqa: S603 - fixed argv
        [pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(text.split())
    assert "Information withheld" in text
    assert "Referral note (synthetic)" in text
    for absent in ("Police note (synthetic)", "Encounter note (synthetic)", "Audit trail", REASON):
        assert absent not in text, absent


def test_the_audit_log_links_the_request_whose_page_holds_the_reason(client, subject, project_lead):
    client.force_login(project_lead)
    sar = record_request(client, subject, WITHHOLD)
    response = client.get(
        reverse("governance:audit_log"), {"object_type": "governance.subjectaccessrequest"}
    )
    html = response.content.decode()
    assert reverse("governance:subject_access_request", args=[sar.uuid]) in html
    assert REASON not in html
