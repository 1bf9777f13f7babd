"""Erasure also revokes the agencies' grants on the record and withdraws the generated
reports of its area whose period includes its dates (dataprotection.erasure)."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from dataprotection import retention
from governance.models import AuditEvent
from reporting.models import GeneratedReport, ReportKind, ReportStatus

pytestmark = pytest.mark.django_db


def report(area, start: dt.date, end: dt.date, kind=ReportKind.MONTHLY_TREND) -> GeneratedReport:
    made = GeneratedReport(
        kind=kind, area=area, period_start=start, period_end=end, status=ReportStatus.READY
    )
    made.file.save("monthly.pdf", ContentFile(b"%PDF-1.4 erasure test"), save=False)
    made.save()
    return made


def test_erasing_a_referral_revokes_the_agencys_grants(client, world, partner_a, project_lead):
    referral = world["referral"]
    assert partner_a.has_perm("referrals.view_referral", referral)
    retention.erase(referral, project_lead)
    partner_a = type(partner_a).objects.get(pk=partner_a.pk)  # no cached permissions
    assert not partner_a.has_perm("referrals.view_referral", referral)
    assert not partner_a.has_perm("referrals.change_referral", referral)
    client.force_login(partner_a)
    assert client.get(reverse("referrals:partner_detail", args=[referral.uuid])).status_code == 404
    assert AuditEvent.objects.filter(
        action="referrals.referral.access_revoked", object_id=str(referral.uuid)
    ).exists()


def test_erasing_a_person_revokes_grants_on_her_and_her_referrals(world, partner_a, project_lead):
    person, referral = world["person"], world["referral"]
    assert partner_a.has_perm("referrals.view_person", person)
    retention.erase(person, project_lead)
    partner_a = type(partner_a).objects.get(pk=partner_a.pk)
    assert not partner_a.has_perm("referrals.view_person", person)
    assert not partner_a.has_perm("referrals.view_referral", referral)


def test_erasure_withdraws_the_areas_reports_covering_the_record_and_no_others(
    world, project_lead, area, other_area, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    covering = report(area, today - dt.timedelta(days=3), today + dt.timedelta(days=3))
    earlier = report(area, dt.date(2001, 1, 1), dt.date(2001, 1, 31))  # before her records
    elsewhere = report(other_area, today - dt.timedelta(days=3), today + dt.timedelta(days=3))
    stored = covering.file.name
    assert covering.file.storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        retention.erase(world["person"], project_lead)
    covering.refresh_from_db()
    assert covering.status == ReportStatus.FAILED
    assert covering.superseded
    assert "erased" in covering.last_error
    assert not covering.file
    assert not covering.file.storage.exists(stored)
    for untouched in (earlier, elsewhere):
        untouched.refresh_from_db()
        assert untouched.status == ReportStatus.READY, untouched
        assert not untouched.superseded
    assert AuditEvent.objects.filter(
        action="reporting.generatedreport.withdrawn", object_id=str(covering.uuid)
    ).exists()
    # The lead can ask for the same period again.
    report(area, covering.period_start, covering.period_end)


def test_a_failed_erasure_deletes_no_file(world, project_lead, area, monkeypatch):
    today = timezone.localdate()
    covering = report(area, today - dt.timedelta(days=3), today + dt.timedelta(days=3))

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure after the reports were withdrawn")

    monkeypatch.setattr(retention.RetentionDecision.objects, "create", broken)
    with pytest.raises(RuntimeError):
        retention.erase(world["person"], project_lead)
    covering.refresh_from_db()
    assert covering.status == ReportStatus.READY
    assert covering.file.storage.exists(covering.file.name)
