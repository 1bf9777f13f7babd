"""Retention for offender records: arrests (MoPI group 3, or group 2 for s.52, s.53 and
brothel keeping) and conditional cautions (reviewed once the course has ended) have
review dates set by the services, come up on the lead's review page with their MoPI
group, and can be kept or erased there."""

import datetime as dt
import importlib
import json

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, Role
from dataprotection import retention, schedule
from dataprotection.tasks import list_records_due_for_review
from governance.models import AuditEvent, Decision, RetentionDecision
from patrols.models import Arrest, ConditionalCaution, Offence
from referrals import services as referral_services
from tests.factories import OfficerFactory, PartnerUserFactory

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - dt.timedelta(days=11 * 366)  # past every period


def local_day(moment):
    return timezone.localtime(moment).date()


def due_arrest(arrest):
    Arrest.objects.filter(pk=arrest.pk).update(arrested_at=LONG_AGO)
    retention.refresh(arrest)
    arrest.refresh_from_db()
    return arrest


def finished_course(world):
    """The caution's course completed by the provider (booked, attended, completed)."""
    referral, provider = world["caution_referral"], world["provider_user"]
    for step in ("booked", "attended", "completed"):
        referral_services.record_course_step(referral, step, provider)
    caution = ConditionalCaution.objects.get(pk=world["caution"].pk)
    return caution


def due_caution(world):
    caution = finished_course(world)
    ConditionalCaution.objects.filter(pk=caution.pk).update(status_changed_at=LONG_AGO)
    retention.refresh(caution)
    caution.refresh_from_db()
    return caution


# --- Review dates ------------------------------------------------------------------------


def test_the_return_gives_each_arrest_its_review_date_by_offence(world, settings):
    arrest = Arrest.objects.get(pk=world["arrest"].pk)  # kerb crawling: group 3
    assert arrest.review_on == retention.add_months(local_day(arrest.arrested_at), 72)
    assert retention.kind_of(arrest) is retention.ARREST
    Arrest.objects.filter(pk=arrest.pk).update(offence=Offence.CONTROLLING)
    arrest.refresh_from_db()
    assert retention.kind_of(arrest) is retention.ARREST_SERIOUS
    assert retention.kind_of(arrest).mopi == schedule.GROUP_2
    settings.RETENTION_ARREST_SERIOUS_MONTHS = 130  # configurable, separately
    assert retention.review_date_for(arrest) == retention.add_months(
        local_day(arrest.arrested_at), 130
    )
    retention.refresh_review_dates()
    assert Arrest.objects.get(pk=arrest.pk).review_on == retention.add_months(
        local_day(arrest.arrested_at), 130
    )


def test_a_caution_is_reviewed_once_its_course_has_ended(world, settings):
    caution = ConditionalCaution.objects.get(pk=world["caution"].pk)
    assert caution.review_on is None  # the course is still to be done
    settings.RETENTION_CAUTION_MONTHS = 60
    caution = finished_course(world)
    assert caution.review_on == retention.add_months(timezone.localdate(), 60)


def test_a_breached_caution_is_reviewed_from_the_breach(world):
    caution = world["caution"]
    ConditionalCaution.objects.filter(pk=caution.pk).update(
        deadline=caution.given_on + dt.timedelta(days=1)
    )
    referral_services.flag_missed_deadlines(timezone.localdate())
    caution.refresh_from_db()
    assert caution.status == "breached"
    assert caution.review_on == retention.add_months(timezone.localdate(), 72)


def test_the_migration_backfills_arrests_and_ended_cautions(world):
    caution = finished_course(world)
    Arrest.objects.update(review_on=None)
    ConditionalCaution.objects.update(review_on=None)
    Arrest.objects.filter(pk=world["other_arrest"].pk).update(offence=Offence.BROTHEL_KEEPING)
    migration = importlib.import_module("patrols.migrations.0008_arrest_caution_retention")
    migration.backfill(apps, None)
    for arrest in Arrest.objects.all():
        assert arrest.review_on is not None
        assert arrest.review_on == retention.review_date_for(arrest)
    serious = Arrest.objects.get(pk=world["other_arrest"].pk)
    assert serious.review_on == retention.add_months(local_day(serious.arrested_at), 120)
    caution.refresh_from_db()
    assert caution.review_on == retention.add_months(timezone.localdate(), 72)


# --- The review page and the decisions ----------------------------------------------------


def test_the_review_page_lists_arrests_and_cautions_with_their_mopi_group(
    client, world, project_lead
):
    arrest = due_arrest(world["arrest"])
    caution = due_caution(world)
    client.force_login(project_lead)
    html = client.get(reverse("governance:retention_review")).content.decode()
    for kind, record in (("arrest", arrest), ("caution", caution)):
        assert reverse("governance:retention_retain", args=[kind, record.uuid]) in html
        assert reverse("governance:retention_erase", args=[kind, record.uuid]) in html
    assert schedule.GROUP_3 in html
    assert "Custody record 03" not in html
    assert "Synthetic Name" not in html


def test_keeping_an_arrest_moves_its_review_on(client, world, project_lead):
    arrest = due_arrest(world["arrest"])
    client.force_login(project_lead)
    url = reverse("governance:retention_retain", args=["arrest", arrest.uuid])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "Open investigation (synthetic)."}).status_code == 302
    arrest.refresh_from_db()
    assert arrest.review_on == retention.add_months(timezone.localdate(), 72)
    assert RetentionDecision.objects.get().decision == Decision.RETAIN
    retention.refresh_review_dates()  # the decision holds against later refreshes
    assert Arrest.objects.get(pk=arrest.pk).review_on == arrest.review_on


def test_an_arrest_is_due_under_its_own_kind_only(client, world, project_lead):
    arrest = due_arrest(world["arrest"])  # kerb crawling: "arrest", not "arrest_serious"
    client.force_login(project_lead)
    wrong = reverse("governance:retention_erase", args=["arrest_serious", arrest.uuid])
    assert client.get(wrong).status_code == 404


def test_erasing_an_arrest_blanks_the_man_and_keeps_the_row(client, world, project_lead):
    arrest = Arrest.objects.get(pk=world["other_arrest"].pk)  # "other": detail required
    Arrest.objects.filter(pk=arrest.pk).update(custody_reference="CR 99 (synthetic)")
    due_arrest(arrest)
    client.force_login(project_lead)
    url = reverse("governance:retention_erase", args=["arrest", arrest.uuid])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 302
    arrest.refresh_from_db()
    assert (arrest.suspect_description, arrest.custody_reference, arrest.offence_detail) == (
        "", "", ""
    )  # fmt: skip
    assert (arrest.offence, arrest.erased_at is not None, arrest.review_on) == (
        Offence.OTHER, True, None
    )  # fmt: skip
    assert Arrest.objects.count() == 2  # still counted
    logged = json.dumps(list(AuditEvent.objects.values_list("changes", "detail")))
    for value in ("Custody record 04", "CR 99", "Synthetic other offence"):
        assert value not in logged
    assert AuditEvent.objects.filter(action="patrols.arrest.erased").exists()
    assert client.post(url, {"reason": ""}).status_code == 404  # no longer due


def test_erasing_a_caution_blanks_the_booking_details(client, world, project_lead):
    caution = due_caution(world)
    client.force_login(project_lead)
    url = reverse("governance:retention_erase", args=["caution", caution.uuid])
    assert "booked under" in client.get(url).content.decode()
    assert client.post(url, {"reason": ""}).status_code == 302
    caution.refresh_from_db()
    assert (caution.booking_name, caution.booking_contact) == ("", "")
    assert caution.erased_at is not None
    assert caution.status == "completed"
    logged = json.dumps(list(AuditEvent.objects.values_list("changes", "detail")))
    assert "Synthetic Name" not in logged
    assert "000 0000 0000" not in logged


def test_other_areas_and_partners_reach_no_offender_decision(client, world, other_area):
    arrest = due_arrest(world["arrest"])
    caution = due_caution(world)
    elsewhere = OfficerFactory(role=Role.PROJECT_LEAD, areas=[other_area])
    partner = world["provider_user"]
    for user in (elsewhere, partner):
        client.force_login(user)
        for kind, record in (("arrest", arrest), ("caution", caution)):
            for name in ("governance:retention_retain", "governance:retention_erase"):
                url = reverse(name, args=[kind, record.uuid])
                assert client.get(url).status_code == 404
                assert client.post(url, {"reason": "x"}).status_code == 404
    arrest.refresh_from_db()
    assert arrest.erased_at is None
    assert not RetentionDecision.objects.exists()


def test_the_monthly_job_counts_arrests_and_cautions(world, project_lead):
    due_arrest(world["arrest"])
    due_caution(world)
    assert retention.count_due(project_lead.areas.all(), timezone.localdate()) == 2
    assert list_records_due_for_review.delay().get() == 1
    assert Notification.objects.get(recipient=project_lead).message.startswith("2 records")


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("governance:retention_review")).status_code == 200
    return len(queries)


def test_the_review_page_costs_the_same_for_few_or_many_arrests(client, world, project_lead):
    client.force_login(project_lead)
    due_arrest(world["arrest"])
    few = _queries(client)
    arrest = world["arrest"]
    for n in range(12):
        Arrest.objects.create(
            patrol=arrest.patrol, arrested_at=LONG_AGO, offence=Offence.CONTROLLING,
            suspect_description=f"Custody record 1{n} (synthetic)",
            arresting_officer=arrest.arresting_officer, review_on=dt.date(2020, 1, 1),
        )  # fmt: skip
    assert _queries(client) == few
    assert (
        "/review/arrest_serious/"
        in client.get(reverse("governance:retention_review")).content.decode()
    )


def test_a_partner_is_refused_the_review_page(client, world):
    client.force_login(PartnerUserFactory(agency=world["caution"].provider))
    assert client.get(reverse("governance:retention_review")).status_code == 404
