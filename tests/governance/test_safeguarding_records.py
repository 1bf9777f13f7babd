"""A woman's safeguarding record under governance: the audit never holds its words, her
erasure blanks them, and her subject access export holds the record (unless withheld)."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from dataprotection import retention
from governance import audit
from governance.models import AuditEvent
from referrals import services as referral_services
from referrals.models import MarkerKind, OnwardRoute, RiskLevelChange, WarningMarker
from tests.governance.test_subject_access import record_request, urls
from tests.referrals.test_safeguarding import CANARY, in_a_month

pytestmark = pytest.mark.django_db


def fill(person, pc):
    referral_services.set_risk_level(
        person, pc, level="high", review_on=in_a_month(), reason=CANARY
    )
    referral_services.add_marker(
        person, pc, kind=MarkerKind.TRAFFICKING, reason=CANARY,
        nrm_referred_on=timezone.localdate(), nrm_reference=f"NRM-{CANARY}",
    )  # fmt: skip
    marker = referral_services.add_marker(person, pc, kind=MarkerKind.DRUG_USE, reason=CANARY)
    referral_services.end_marker(marker, pc, CANARY)
    route = referral_services.add_route(person, pc, service=f"GP {CANARY}", note=CANARY)
    referral_services.end_route(route, pc, CANARY)


def test_the_audit_names_the_rows_and_never_their_words(subject, pc):
    fill(subject, pc)
    created = AuditEvent.objects.filter(action="referrals.risklevelchange.created").get()
    assert created.changes["level"] == [None, "high"]
    assert created.changes["reason"] == audit.MASKED
    assert AuditEvent.objects.filter(action="referrals.warningmarker.changed").count() == 1
    text = json.dumps(list(AuditEvent.objects.values_list("changes", "detail")), default=str)
    assert CANARY not in text


def test_erasing_her_blanks_the_words_of_her_safeguarding_record(subject, pc, project_lead):
    fill(subject, pc)
    retention.erase(subject, project_lead, "Past its retention period")
    everything = [
        *RiskLevelChange.objects.values_list("reason", flat=True),
        *WarningMarker.objects.values_list("reason", "end_reason", "nrm_reference"),
        *OnwardRoute.objects.values_list("service", "note", "end_reason"),
        *AuditEvent.objects.values_list("changes", "detail"),
    ]
    assert CANARY not in json.dumps(everything, default=str)
    assert RiskLevelChange.objects.get().level == "high"  # the level stays, as statuses do
    assert WarningMarker.objects.count() == 2


def test_her_export_holds_her_safeguarding_record(client, subject, pc, project_lead):
    fill(subject, pc)
    client.force_login(project_lead)
    sar = record_request(client, subject)
    data = json.loads(client.get(urls(sar)["subject_access_json"]).content)
    record = data["safeguarding"]
    assert [r["reason"] for r in record["risk_levels"]] == [CANARY]
    assert {m["nrm_reference"] for m in record["warning_markers"]} == {f"NRM-{CANARY}", ""}
    assert record["onward_routes"][0]["end_reason"] == CANARY
    assert client.get(urls(sar)["subject_access_pdf"]).status_code == 200


def test_the_section_may_be_withheld(client, subject, pc, project_lead):
    fill(subject, pc)
    client.force_login(project_lead)
    withheld = {
        "withheld": ["safeguarding"],
        "ground": "b",
        "reason": "Synthetic",
        "tell_subject": "no",
    }
    sar = record_request(client, subject, withheld)
    data = json.loads(client.get(urls(sar)["subject_access_json"]).content)
    assert "safeguarding" not in data
    assert CANARY not in json.dumps(data)


def test_safeguarding_her_moves_her_review_date_on(subject, pc):
    type(subject).objects.filter(pk=subject.pk).update(review_on=dt.date(2020, 1, 1))
    referral_services.set_risk_level(
        subject, pc, level="medium", review_on=in_a_month(), reason="Synthetic"
    )
    subject.refresh_from_db()
    assert subject.review_on > timezone.localdate()
    type(subject).objects.filter(pk=subject.pk).update(review_on=dt.date(2020, 1, 1))
    referral_services.add_marker(subject, pc, kind=MarkerKind.DRUG_USE, reason="Synthetic")
    subject.refresh_from_db()
    assert subject.review_on > timezone.localdate()
