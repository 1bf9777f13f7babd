"""A partner's concern as a record the operation holds (issue 16, item 5): it has a review
date and can be erased like intelligence; intelligence graded from it belongs to the
concern's area; a woman's subject access export holds the concerns linked to her, but
neither the description of someone else nor the police grading."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from dataprotection import retention
from patrols.models import IntelligenceReport, PartnerConcern
from patrols.services.concerns import grade_concern
from tests.factories import OfficerFactory, consented_referral, sent_concern

from .test_subject_access import record_request, urls

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - dt.timedelta(days=365 * 30)
GRADE = {
    "subject_description": "Police wording (synthetic)",
    "details": "Police details (synthetic)",
    "source_evaluation": "2",
    "intelligence_assessment": "C",
    "handling_code": "P",
    "handling_conditions": "",
}


def test_a_concern_gets_a_review_date_and_is_due_in_its_area_only(
    partner_a, area, project_lead, other_area
):
    concern = sent_concern(by=partner_a, area=area)
    concern.refresh_from_db()
    assert concern.review_on is not None
    PartnerConcern.objects.filter(pk=concern.pk).update(sent_at=LONG_AGO)
    retention.refresh(concern)

    assert list(retention.due_for(project_lead, retention.CONCERN)) == [concern]
    elsewhere = OfficerFactory(role="project_lead", areas=[other_area])
    assert not retention.due_for(elsewhere, retention.CONCERN).exists()


def test_intelligence_graded_from_a_concern_is_due_in_the_concern_s_area(
    partner_a, area, sergeant, project_lead
):
    report = grade_concern(sent_concern(by=partner_a, area=area), sergeant, GRADE)
    IntelligenceReport.objects.filter(pk=report.pk).update(submitted_at=LONG_AGO)
    retention.refresh(report)

    assert list(retention.due_for(project_lead, retention.INTELLIGENCE)) == [report]


def test_erasing_a_concern_blanks_her_words_and_link_and_keeps_the_row(
    partner_a, agency_a, area, pc, project_lead
):
    woman = consented_referral(agency=agency_a, by=pc).person
    concern = sent_concern(by=partner_a, area=woman.area, person=woman)

    retention.erase(concern, project_lead)

    concern.refresh_from_db()
    assert (concern.subject_description, concern.details, concern.person) == ("", "", None)
    assert concern.erased_at is not None
    assert concern.consent_method == "verbal"  # how she agreed is no personal detail
    assert PartnerConcern.objects.count() == 1


def test_her_export_holds_what_she_shared_not_the_man_nor_the_grade(
    client, subject, partner_a, sergeant, project_lead
):
    consented_referral(agency=partner_a.agency, by=sergeant, person=subject)
    concern = sent_concern(
        by=partner_a,
        area=subject.area,
        person=subject,
        subject_description="Third party description (synthetic)",
        details="What she told us (synthetic)",
    )
    grade_concern(concern, sergeant, GRADE)
    client.force_login(project_lead)
    sar = record_request(client, subject)

    response = client.get(urls(sar)["subject_access_json"])

    data = json.loads(response.content)
    (shared,) = data["partner_concerns"]
    assert shared["details"] == "What she told us (synthetic)"
    assert shared["consent"].startswith("She agreed, verbally")
    body = response.content.decode()
    for absent in ("Third party description", "Police wording", "Police details"):
        assert absent not in body, absent
    assert client.get(urls(sar)["subject_access_pdf"]).status_code == 200


def test_the_review_page_links_a_due_concern_to_its_police_page(
    client, partner_a, area, project_lead
):
    concern = sent_concern(by=partner_a, area=area)
    PartnerConcern.objects.filter(pk=concern.pk).update(sent_at=LONG_AGO)
    retention.refresh(concern)
    client.force_login(project_lead)

    response = client.get(reverse("governance:retention_erase", args=["concern", concern.uuid]))

    assert response.status_code == 200
    assert reverse("patrols:concern", args=[concern.uuid]) in response.content.decode()
