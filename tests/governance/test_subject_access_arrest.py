"""Subject access for an arrested or cautioned man: found by custody reference in the
lead's areas, his arrest, caution and diversion course exported through a request."""

import json
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from dataprotection.subject_access import sections
from governance.models import AuditEvent, SubjectAccessRequest
from patrols.models import Arrest, Offence
from referrals import services as referral_services
from tests.factories import AgencyFactory, OfficerFactory, PartnerUserFactory, course_referral

pytestmark = pytest.mark.django_db

SEARCH = reverse("governance:subject_access_search")
OPEN = {"include_staff_names": "on", "tell_subject": "yes"}


@pytest.fixture
def course(area, pc):
    """A man's arrest, conditional caution and course referral, with a provider's note."""
    provider = AgencyFactory(name="Course provider (test)")
    referral = course_referral(provider=provider, referred_by=pc, arresting_officer=pc, area=area)
    referral_services.add_note(
        referral, PartnerUserFactory(agency=provider), "Course note (synthetic)"
    )
    return referral


@pytest.fixture
def arrest(course):
    Arrest.objects.filter(pk=course.caution.arrest_id).update(offence_detail="Detail (synthetic)")
    return Arrest.objects.get(pk=course.caution.arrest_id)


def record_request(client, arrest, data=OPEN) -> SubjectAccessRequest:
    response = client.post(reverse("governance:subject_access_arrest", args=[arrest.uuid]), data)
    assert response.status_code == 302, response.content.decode()
    return SubjectAccessRequest.objects.latest("id")


def json_of(client, sar) -> dict:
    response = client.get(reverse("governance:subject_access_json", args=[sar.uuid]))
    assert response.status_code == 200
    return json.loads(response.content)


def more_arrests(arrest, count: int) -> None:
    for n in range(count):
        Arrest.objects.create(
            patrol=arrest.patrol,
            arrested_at=arrest.arrested_at,
            offence=Offence.KERB_CRAWLING,
            suspect_description=f"Synthetic suspect {n}",
            custody_reference=arrest.custody_reference,
            arresting_officer=arrest.arresting_officer,
        )


def test_the_lead_finds_the_arrest_by_custody_reference(client, arrest, project_lead):
    client.force_login(project_lead)
    response = client.get(SEARCH, {"custody_reference": "  syn-course-1 "})
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("governance:subject_access_arrest", args=[arrest.uuid]) in html
    assert "Synthetic suspect" not in html.split("<title>")[1]
    assert AuditEvent.objects.filter(
        action="patrols.arrest.viewed", object_id=str(arrest.uuid), actor=project_lead
    ).exists()
    assert client.get(SEARCH, {"custody_reference": "SYN-COURSE"}).context["arrests"] == []


def test_other_areas_find_nothing_and_partners_and_pcs_are_refused(
    client, arrest, other_area, partner_a, pc
):
    client.force_login(OfficerFactory(role=Role.PROJECT_LEAD, areas=[other_area]))
    response = client.get(SEARCH, {"custody_reference": arrest.custody_reference})
    assert response.status_code == 200
    assert response.context["arrests"] == []
    client.force_login(partner_a)
    assert client.get(SEARCH, {"custody_reference": arrest.custody_reference}).status_code == 404
    client.force_login(pc)
    assert client.get(SEARCH, {"custody_reference": arrest.custody_reference}).status_code == 403


def test_a_bad_search_shows_the_error_at_the_field(client, project_lead):
    client.force_login(project_lead)
    response = client.get(SEARCH, {"custody_reference": "x" * 51})
    assert response.status_code == 400
    assert "custody_reference" in response.context["form"].errors
    assert client.get(SEARCH, {"custody_reference": ""}).status_code == 400


def test_the_search_costs_the_same_queries_for_one_arrest_or_several(
    client, arrest, project_lead, django_assert_num_queries
):
    client.force_login(project_lead)
    query = {"custody_reference": arrest.custody_reference}
    # Session, user, the lead's areas, the arrests (with area and caution), the viewed rows.
    with CaptureQueriesContext(connection) as one:
        client.get(SEARCH, query)
    more_arrests(arrest, 4)
    with django_assert_num_queries(len(one)):
        response = client.get(SEARCH, query)
    assert len(response.context["arrests"]) == 5


def test_his_export_holds_the_arrest_caution_and_course(client, arrest, course, project_lead, pc):
    client.force_login(project_lead)
    sar = record_request(client, arrest)
    data = json_of(client, sar)
    assert data["subject_type"] == "arrest"
    assert data["subject"] == str(arrest.uuid)
    assert data["arrest"]["suspect_description"] == "Synthetic suspect"
    assert data["arrest"]["custody_reference"] == "SYN-COURSE-1"
    assert data["arrest"]["offence_detail"] == "Detail (synthetic)"
    assert data["arrest"]["arresting_officer"] == pc.username  # names included
    assert data["caution"]["booking_name"] == "Booking Synthname"
    assert data["course"]["record"] == str(course.uuid)
    assert [n["text"] for n in data["course"]["notes"]] == ["Course note (synthetic)"]
    assert data["course"]["history"][0]["to"] == "Made"
    actions = {e["action"] for e in data["audit_trail"]}
    assert {"patrols.arrest.created", "referrals.referralnote.created"} <= actions
    exported = AuditEvent.objects.filter(action__endswith=".exported", actor=project_lead)
    assert {(e.object_type, e.object_id) for e in exported} == {
        ("patrols.arrest", str(arrest.uuid)),
        ("patrols.conditionalcaution", str(course.caution.uuid)),
        ("referrals.referral", str(course.uuid)),
    }
    assert all(str(sar.uuid) in e.detail for e in exported)


def test_his_export_applies_the_restriction(client, arrest, project_lead, pc):
    client.force_login(project_lead)
    withhold = {"withheld": ["offence_detail", "course_notes", "patrol"], "ground": "a",
                "reason": "Reason (synthetic)", "tell_subject": "yes"}  # fmt: skip
    data = json_of(client, record_request(client, arrest, withhold))
    body = json.dumps(data)
    assert "offence_detail" not in data["arrest"]
    assert "patrol" not in data["arrest"]
    assert "notes" not in data["course"]
    assert "Detail (synthetic)" not in body
    assert "Course note (synthetic)" not in body
    assert data["arrest"]["arresting_officer"] == sections.POLICE_MARK
    assert pc.username not in body
    assert sections.ARREST_SECTIONS["course_notes"] in data["restriction"]["withheld"]


def test_his_export_costs_the_same_queries_whatever_his_course_holds(
    client, arrest, course, project_lead, pc, django_assert_num_queries
):
    client.force_login(project_lead)
    sar = record_request(client, arrest)
    url = reverse("governance:subject_access_json", args=[sar.uuid])
    # Session, user, request, arrest; arrest shaped, course referral with its history and
    # notes, retention decisions, audit trail; the export rows.
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(4):
        referral_services.add_note(course, pc, f"Another note {n} (synthetic)")
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert len(json.loads(response.content)["course"]["notes"]) == 5


def test_other_areas_and_partners_get_404_on_his_pages(client, arrest, project_lead, other_area):
    client.force_login(project_lead)
    sar = record_request(client, arrest)
    urls = [
        reverse("governance:subject_access_arrest", args=[arrest.uuid]),
        *(reverse(f"governance:{n}", args=[sar.uuid]) for n in
          ("subject_access_request", "subject_access_pdf", "subject_access_json")),
    ]  # fmt: skip
    elsewhere = OfficerFactory(role=Role.PROJECT_LEAD, areas=[other_area])
    for user in (elsewhere, PartnerUserFactory(agency=arrest.caution.provider)):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    assert not AuditEvent.objects.filter(action__endswith=".exported").exists()


def test_his_pdf_holds_the_records(client, arrest, project_lead, tmp_path):
    client.force_login(project_lead)
    sar = record_request(client, arrest)
    response = client.get(reverse("governance:subject_access_pdf", args=[sar.uuid]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed here; CI installs it")
    pdf = tmp_path / "sar.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(  # noqa: S603 - fixed argv
        [pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(text.split())
    for expected in ("SYN-COURSE-1", "Booking Synthname", "Course note (synthetic)", "Audit trail"):
        assert expected in text, expected
