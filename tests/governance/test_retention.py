"""Retention and review: review dates kept right, the monthly job, keeping and erasing."""

import datetime as dt
import importlib
import json

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, Role
from dataprotection import retention
from dataprotection.tasks import list_records_due_for_review
from governance.models import AuditEvent, Decision, RetentionDecision
from patrols.models import ConditionalCaution, Encounter, IntelligenceReport
from referrals import services as referral_services
from referrals.models import (
    Person,
    PossibleDuplicate,
    Referral,
    ReferralNote,
    ReferralStatus,
    ReferralStatusChange,
)
from reporting import metrics
from tests.factories import OfficerFactory, PartnerUserFactory, PersonFactory, consented_referral
from tests.patrols.test_return_views import NIGHT

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - dt.timedelta(days=7 * 366)  # more than six years


def today():
    return timezone.localdate()


def make_due(*objects):
    """Push the records' activity back beyond their review period, then refresh."""
    for obj in objects:
        if isinstance(obj, Person):
            Person.objects.filter(pk=obj.pk).update(created_at=LONG_AGO)
            Encounter.objects.filter(person=obj).update(occurred_at=LONG_AGO)
            Referral.objects.filter(person=obj).update(made_at=LONG_AGO)
        elif isinstance(obj, IntelligenceReport):
            IntelligenceReport.objects.filter(pk=obj.pk).update(submitted_at=LONG_AGO)
        else:
            ReferralStatusChange.objects.filter(referral=obj).update(changed_at=LONG_AGO)
    retention.refresh(*objects)
    for obj in objects:
        obj.refresh_from_db()


# --- Review dates --------------------------------------------------------------------------


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert retention.add_months(dt.date(2024, 2, 29), 72) == dt.date(2030, 2, 28)
    assert retention.add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)
    assert retention.add_months(dt.date(2025, 1, 15), 12) == dt.date(2026, 1, 15)


def test_services_set_review_dates_when_records_are_written(world, pc):
    """A return's people and intelligence: six years on; an open referral: none."""
    six_years = retention.add_months(today(), 72)
    assert Person.objects.get(pk=world["return_person"].pk).review_on == six_years
    assert IntelligenceReport.objects.get().review_on == six_years
    assert Referral.objects.get(pk=world["return_referral"].pk).review_on is None


def test_a_referral_is_reviewed_a_year_after_it_closes(world, pc, settings):
    referral = world["referral"]
    referral_services.change_status(referral, ReferralStatus.WITHDRAWN, pc)
    referral.refresh_from_db()
    assert referral.review_on == retention.add_months(today(), 12)
    settings.RETENTION_REFERRAL_MONTHS = 18  # configurable
    assert retention.review_date_for(referral) == retention.add_months(today(), 18)


def test_a_person_is_reviewed_six_years_after_her_latest_activity(area, pc, agency_a):
    person = PersonFactory(area=area, created_by=pc)
    Person.objects.filter(pk=person.pk).update(created_at=LONG_AGO)
    assert retention.review_date_for(person) == retention.add_months(
        timezone.localtime(LONG_AGO).date(), 72
    )
    consented_referral(agency=agency_a, by=pc, person=person)  # activity today
    person.refresh_from_db()
    assert person.review_on == retention.add_months(today(), 72)


def test_the_monthly_refresh_catches_records_written_another_way(area, pc):
    person = PersonFactory(area=area, created_by=pc)  # straight to the database
    assert Person.objects.get(pk=person.pk).review_on is None
    assert retention.refresh_review_dates() >= 1
    assert Person.objects.get(pk=person.pk).review_on == retention.add_months(today(), 72)
    assert retention.refresh_review_dates() == 0  # nothing left to change


def test_the_data_migrations_backfill_existing_rows(world):
    Person.objects.update(review_on=None)
    IntelligenceReport.objects.update(review_on=None)
    referral = world["referral"]
    ReferralStatusChange.objects.create(
        referral=referral, from_status="made", to_status="withdrawn",
        changed_by=referral.referred_by, changed_at=timezone.now(),
    )  # fmt: skip
    Referral.objects.filter(pk=referral.pk).update(status="withdrawn", review_on=None)
    importlib.import_module("referrals.migrations.0004_backfill_review_dates").backfill(apps, None)
    importlib.import_module("patrols.migrations.0005_backfill_review_dates").backfill(apps, None)
    for person in Person.objects.all():
        assert person.review_on == retention.review_date_for(person)
    assert IntelligenceReport.objects.get().review_on == retention.add_months(today(), 72)
    assert Referral.objects.get(pk=referral.pk).review_on == retention.add_months(today(), 12)


# --- What is due, and the monthly job --------------------------------------------------------


def test_a_record_past_its_review_date_is_due_in_its_area_only(world, project_lead, other_area):
    person = world["person"]
    make_due(person)
    assert person.review_on < today()
    assert list(retention.due_for(project_lead, retention.PERSON)) == [person]
    elsewhere = OfficerFactory(role=Role.PROJECT_LEAD, areas=[other_area])
    assert not retention.due_for(elsewhere, retention.PERSON).exists()


def test_the_review_page_lists_due_records_without_names(client, world, project_lead):
    make_due(world["person"], world["intelligence"])
    client.force_login(project_lead)
    response = client.get(reverse("governance:retention_review"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("governance:retention_retain", args=["person", world["person"].uuid]) in html
    assert (
        reverse("governance:retention_erase", args=["intelligence", world["intelligence"].uuid])
        in html
    )
    assert world["person"].working_name not in html
    assert "Grey van" not in html
    assert reverse("governance:retention_review") in html  # in the lead's menu


def _due_people(area, pc, n):
    people = [PersonFactory(area=area, created_by=pc) for _ in range(n)]
    Person.objects.filter(pk__in=[p.pk for p in people]).update(review_on=dt.date(2020, 1, 1))


def _queries_for_review_page(client, user) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("governance:retention_review")).status_code == 200
    return len(queries)


def test_the_review_page_costs_the_same_for_5_or_50_records(
    client, area, pc, project_lead, django_assert_max_num_queries
):
    client.force_login(project_lead)
    _due_people(area, pc, 5)
    few = _queries_for_review_page(client, project_lead)
    _due_people(area, pc, 45)
    # session, user, second factor, navigation; per kind: the count and the rows (3 × 2)
    with django_assert_max_num_queries(few):
        response = client.get(reverse("governance:retention_review"))
    assert response.content.decode().count("/keep/") == 50


def test_the_monthly_job_tells_each_lead_once_without_personal_data(
    world, project_lead, other_area, django_capture_on_commit_callbacks
):
    make_due(world["person"])
    quiet_lead = OfficerFactory(role=Role.PROJECT_LEAD, areas=[other_area], email="q@example.org")
    project_lead.email = "lead@example.org"
    project_lead.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert list_records_due_for_review.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert list_records_due_for_review.delay().get() == 0  # idempotent
    told = Notification.objects.filter(recipient=project_lead)
    assert told.count() == 1
    assert told.get().url == reverse("governance:retention_review")
    assert "due for retention review" in told.get().message
    assert world["person"].working_name not in told.get().message
    assert not Notification.objects.filter(recipient=quiet_lead).exists()
    assert len(mail.outbox) == 1
    assert world["person"].working_name not in mail.outbox[0].subject + mail.outbox[0].body


# --- Keeping a record ----------------------------------------------------------------------


def test_keeping_needs_a_reason_and_moves_the_date_on(client, world, project_lead):
    person = world["person"]
    make_due(person)
    url = reverse("governance:retention_retain", args=["person", person.uuid])
    client.force_login(project_lead)
    assert client.get(url).status_code == 200

    response = client.post(url, {"reason": "   "})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert (
        'id="reason-error"' in response.content.decode()
        or "govuk-error-message" in response.content.decode()
    )
    assert not RetentionDecision.objects.exists()

    reason = "Still seen on patrols (synthetic)."
    response = client.post(url, {"reason": reason})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.review_on == retention.add_months(today(), 72)
    decision = RetentionDecision.objects.get()
    assert (decision.decision, decision.reason, decision.decided_by) == (
        Decision.RETAIN, reason, project_lead
    )  # fmt: skip
    assert not retention.due_for(project_lead, retention.PERSON).exists()
    assert client.get(url).status_code == 404  # no longer due
    row = AuditEvent.objects.get(action="referrals.person.retained")
    assert reason not in json.dumps(row.changes) + row.detail
    # Later refreshes respect the decision.
    retention.refresh_review_dates()
    person.refresh_from_db()
    assert person.review_on == retention.add_months(today(), 72)


def test_decisions_answer_404_outside_the_leads_areas(client, world, other_area):
    make_due(world["person"])
    elsewhere = OfficerFactory(role=Role.PROJECT_LEAD, areas=[other_area])
    client.force_login(elsewhere)
    for name in ("governance:retention_retain", "governance:retention_erase"):
        url = reverse(name, args=["person", world["person"].uuid])
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "x"}).status_code == 404
    assert (
        client.get(
            reverse("governance:retention_erase", args=["nothing", world["person"].uuid])
        ).status_code
        == 404
    )


# --- Erasing a record ----------------------------------------------------------------------

PERSONAL_VALUES = [
    "Erasename Lou",
    "Erasable description (synthetic)",
    "Police only note (synthetic)",
    "Note from the agency (synthetic)",
    "History note (synthetic)",
    "Decline detail (synthetic)",
    "Corner 0",
    "Encounter note (synthetic)",
    "Synthetic Name",
    "000 0000 0000",
    "Grey van (synthetic)",
    "Seen twice.",
]


def _counts(area) -> dict:
    """Every number the monthly report shows, for the month of the return and this one."""
    return {
        month: {k: v for k, v in metrics.collect(area, month).items() if k != "crimes"}
        for month in (NIGHT.date(), today())
    }


def _fill_in_personal_text(world, pc, partner):
    person = world["return_person"]
    Person.objects.filter(pk=person.pk).update(
        working_name="Erasename Lou",
        description="Erasable description (synthetic)",
        police_notes="Police only note (synthetic)",
    )
    Encounter.objects.filter(person=person).update(notes="Encounter note (synthetic)")
    referral = world["return_referral"]
    referral_services.add_note(referral, partner, "Note from the agency (synthetic)")
    referral_services.change_status(referral, "received", partner, note="History note (synthetic)")
    referral_services.change_status(
        referral, "declined", partner, decline_reason="other",
        decline_detail="Decline detail (synthetic)",
    )  # fmt: skip
    person.refresh_from_db()
    return person


def test_erasure_keeps_the_counts_and_leaves_no_personal_field_readable(
    client, world, pc, project_lead, area
):
    partner = PartnerUserFactory(agency=world["return_referral"].agency)
    person = _fill_in_personal_text(world, pc, partner)
    PossibleDuplicate.objects.create(
        person=person, other=world["person"], reason="Same working name 'Erasename Lou'"
    )
    caution_referral = world["caution_referral"]
    intelligence = world["intelligence"]
    make_due(person, intelligence, caution_referral)
    referral_services.change_status(caution_referral, "withdrawn", pc)
    make_due(caution_referral)
    before = _counts(area)

    client.force_login(project_lead)
    for kind, record in (
        ("person", person), ("intelligence", intelligence), ("referral", caution_referral)
    ):  # fmt: skip
        url = reverse("governance:retention_erase", args=[kind, record.uuid])
        assert client.get(url).status_code == 200
        assert client.post(url, {"reason": ""}).status_code == 302

    assert _counts(area) == before
    person.refresh_from_db()
    assert person.working_name == retention.ERASED_NAME
    assert (person.description, person.police_notes, person.review_on) == ("", "", None)
    assert person.erased_at is not None
    assert Encounter.objects.filter(person=person).count() == 1
    referral = Referral.objects.get(pk=world["return_referral"].pk)
    assert referral.erased_at is not None
    assert (referral.consent_method, referral.consent_given_at, referral.decline_detail) == (
        "", None, ""
    )  # fmt: skip
    assert referral.status == ReferralStatus.DECLINED  # counts by status stay right
    # Nowhere in the database's personal fields, nor in any audit row.
    everywhere = [
        *Person.objects.values_list("working_name", "description", "police_notes"),
        *Encounter.objects.values_list("notes", "location"),
        *ReferralNote.objects.values_list("text", flat=True),
        *ReferralStatusChange.objects.values_list("note", flat=True),
        *Referral.objects.values_list("decline_detail", flat=True),
        *ConditionalCaution.objects.values_list("booking_name", "booking_contact"),
        *IntelligenceReport.objects.values_list("subject_description", "details"),
        *PossibleDuplicate.objects.values_list("reason", flat=True),
        *AuditEvent.objects.values_list("changes", "detail"),
    ]
    text = json.dumps(everywhere, default=str)
    for value in PERSONAL_VALUES:
        assert value not in text, value
    erased = AuditEvent.objects.filter(action__endswith=".erased")
    assert {e.action for e in erased} == {
        "referrals.person.erased", "referrals.referral.erased", "patrols.intelligencereport.erased"
    }  # fmt: skip
    assert all(e.changes == {} and e.actor == project_lead for e in erased)
    assert RetentionDecision.objects.filter(decision=Decision.ERASE).count() == 3
    assert client.get(reverse("governance:retention_review")).status_code == 200


def test_erasing_twice_is_refused(world, project_lead):
    intelligence = world["intelligence"]
    retention.erase(intelligence, project_lead)
    with pytest.raises(retention.RetentionError):
        retention.erase(intelligence, project_lead)
    with pytest.raises(retention.RetentionError):
        retention.retain(intelligence, project_lead, "Because (synthetic).")
