"""Every change to a record writes a "changed" row naming the fields, with the values of
personal fields masked, in the transaction of the change; bulk writes, which send no
signals, are logged by the services that make them."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from governance import audit
from governance.models import AuditEvent, object_key
from patrols import services as patrol_services
from patrols.models import CautionStatus, OfficerRole, PatrolOfficer, WorkReturn
from patrols.services.concerns import grade_concern
from referrals import services as referral_services
from referrals.models import Person, PossibleDuplicate, ReferralStatus
from tests.factories import AgencyFactory, HotspotFactory, PatrolFactory, PersonFactory

from .conftest import viewed_rows  # noqa: F401 - the world fixture comes from conftest

pytestmark = pytest.mark.django_db

# Models with no personal data, and why their changes need no row.
NOT_AUDITED = {
    "accounts.area": "a borough",
    "accounts.ward": "a ward",
    "accounts.notification": "messages that name no one, to their reader",
    "partners.agencyservice": "what an agency offers",
    "reporting.crimerecord": "public street-level crime data",
    "reporting.crimeoutcome": "public street-level crime data",
    # Its service (reporting.import_jobs) writes requested/done/failed events itself; the
    # progress counts it updates every few thousand rows are not worth a row each.
    "reporting.crimeimport": "an upload of public crime data being imported",
    # Its service (reporting.policeuk_fetch) writes one event for how each run ended.
    "reporting.crimefetch": "a fetch of public police.uk crime data",
    # Area-wide figures (counts and estimates, no one named) worked out by a job; a person
    # asking for them is audited by its service (reporting.evidence_jobs).
    "reporting.evidencerun": "the Evidence figures of an area, worked out by a job",
    # A trial's result (estimates over hotspot-weeks, no one named), worked out by that job.
    "reporting.trialanalysis": "a trial's result, worked out by the Evidence job",
    # Second-factor services (accounts.services, accounts.second_factor) write their own
    # events: enrolled, codes regenerated, a code used, a code wrong. A row per hash or
    # per throttle counter would say nothing more.
    "accounts.backupcodedevice": "a user's backup-code device (its throttle counter)",
    "accounts.backupcode": "the keyed hash of one backup code",
    # Bookkeeping for "new since your last visit": the pages read are audited as viewed.
    "referrals.portalvisit": "when a partner user last opened the portal",
}


def rows(action, obj):
    return AuditEvent.objects.filter(action=action, object_id=object_key(obj))


def test_every_model_of_ours_is_audited_or_exempt():
    ours = {"accounts", "partners", "patrols", "referrals", "reporting"}
    labels = {
        model._meta.label_lower
        for model in apps.get_models()
        if model._meta.app_label in ours and not model._meta.auto_created
    }
    missing = labels - set(audit.AUDITED) - set(NOT_AUDITED)
    assert not missing, "add these models to governance.audit.AUDITED, or to NOT_AUDITED here"
    assert set(audit.AUDITED) >= audit.PERSONAL


def test_a_change_names_the_fields_and_masks_personal_values(pc, area):
    person = PersonFactory(area=area, created_by=pc, working_name="Maskme Lou", age_band="25_34")
    person.working_name = "Maskme Lou-Ann"
    person.description = "Secret description"
    person.age_band = "35_44"
    person.save()

    row = rows("referrals.person.changed", person).get()
    assert row.changes == {
        "working_name": audit.MASKED,
        "description": audit.MASKED,
        "age_band": ["25_34", "35_44"],
    }


def test_a_new_record_lists_its_fields_with_personal_values_masked(pc, area):
    person = PersonFactory(area=area, created_by=pc, working_name="Maskme Two")

    row = rows("referrals.person.created", person).get()
    assert row.changes["working_name"] == audit.MASKED
    assert row.changes["first_seen"] == [None, "2025-01-10"]
    assert "police_notes" not in row.changes  # empty: nothing to mask


def test_saving_nothing_new_writes_no_row(pc, area):
    person = PersonFactory(area=area, created_by=pc)
    person.save()
    person.save(update_fields=["working_name"])

    assert not rows("referrals.person.changed", person).exists()


def test_a_partial_save_compares_only_the_fields_saved(pc, area, django_assert_max_num_queries):
    person = PersonFactory(area=area, created_by=pc)
    loaded = Person.objects.only("pk", "uuid", "age_band").get(pk=person.pk)
    loaded.age_band = "45_54"
    # 1 the stored values of the field saved, 2 UPDATE, 3 the audit row
    with django_assert_max_num_queries(3):
        loaded.save(update_fields=["age_band"])

    assert rows("referrals.person.changed", person).get().changes == {
        "age_band": [person.age_band, "45_54"]
    }


def test_a_deletion_is_recorded(pc):
    patrol = PatrolFactory()
    duty = PatrolOfficer.objects.create(patrol=patrol, officer=pc, role=OfficerRole.EPHEDRA_PC)
    key = object_key(duty)
    duty.delete()

    assert AuditEvent.objects.filter(action="patrols.patrolofficer.deleted", object_id=key).exists()


def test_a_status_change_is_a_changed_row_and_a_history_row(pc, world):
    referral = world["referral"]
    referral_services.change_status(referral, ReferralStatus.WITHDRAWN, pc, note="Secret note")

    row = rows("referrals.referral.changed", referral).get()
    assert row.changes["status"] == ["made", "withdrawn"]
    assert row.actor is None  # no request here: the service was called directly
    step = AuditEvent.objects.filter(action="referrals.referralstatuschange.created").order_by(
        "-id"
    )[0]
    assert step.changes["note"] == audit.MASKED
    assert step.changes["to_status"] == [None, "withdrawn"]


def test_a_note_is_recorded_without_its_text(partner_a, world):
    referral_services.add_note(world["referral"], partner_a, "Secret note text")

    row = AuditEvent.objects.get(action="referrals.referralnote.created")
    assert row.changes["text"] == audit.MASKED


def test_moving_a_referral_revokes_and_shares_by_agency(sergeant, agency_a, world):
    referral = world["referral"]
    to = AgencyFactory(name="Agency C (test)")

    referral_services.move_referral(referral, to, sergeant, "Secret reason")

    revoked = rows("referrals.referral.access_revoked", referral).get()
    assert revoked.detail == agency_a.name
    shared = rows("referrals.referral.shared", referral).order_by("-id").first()
    assert shared.detail == to.name
    assert rows("referrals.person.access_revoked", world["person"]).get().detail == agency_a.name
    assert rows("referrals.referral.changed", referral).get().changes["agency"] == [
        agency_a.pk,
        to.pk,
    ]
    move = AuditEvent.objects.get(action="referrals.referralmove.created")
    assert move.changes["reason"] == audit.MASKED


def test_a_referral_made_is_shared_with_its_agency(world, agency_a):
    assert rows("referrals.referral.shared", world["referral"]).get().detail == agency_a.name
    assert rows("referrals.person.shared", world["person"]).get().detail == agency_a.name


def test_a_filed_return_records_everything_it_created(world):
    for key in ("work_return", "encounter", "arrest", "caution", "return_referral", "intelligence"):
        label = world[key]._meta.label_lower
        assert rows(f"{label}.created", world[key]).count() == 1, key
    hours = world["work_return"].hours.get()  # bulk-created: logged by the service
    assert AuditEvent.objects.filter(
        action="patrols.officerhours.created", object_id=str(hours.pk)
    ).exists()
    arrest = rows("patrols.arrest.created", world["arrest"]).get()
    assert arrest.changes["suspect_description"] == audit.MASKED
    caution = rows("patrols.conditionalcaution.created", world["caution"]).get()
    assert caution.changes["booking_name"] == audit.MASKED


def test_an_amendment_records_the_return_s_changed_fields(sergeant, world):
    work_return = world["work_return"]
    patrol_services.amend_return(
        work_return, sergeant, "Duty sheet", {"women_seen": 3, "summary": "Secret summary"}
    )

    row = rows("patrols.workreturn.changed", work_return).get()
    assert row.changes == {"women_seen": [1, 3], "summary": audit.MASKED}
    assert AuditEvent.objects.get(action="patrols.returnamendment.created").changes["changes"] == (
        audit.MASKED
    )


def test_a_course_outcome_is_a_changed_row(world):
    caution = world["caution"]
    referral_services.record_course_step(caution, CautionStatus.BOOKED, world["provider_user"])

    row = rows("patrols.conditionalcaution.changed", caution).get()
    assert row.changes["status"] == ["issued", "booked"]


def test_linking_records_logs_every_record_that_moves(sergeant, area):
    older = PersonFactory(area=area, created_by=sergeant, first_seen=dt.date(2024, 1, 1))
    newer = PersonFactory(area=area, created_by=sergeant, first_seen=dt.date(2025, 1, 1))
    follower = PersonFactory(area=area, created_by=sergeant, same_as=newer)
    flag = PossibleDuplicate.objects.create(person=older, other=newer, reason="test")

    referral_services.decide_duplicate(flag, sergeant, link=True)

    assert rows("referrals.person.changed", newer).get().changes == {"same_as": [None, older.pk]}
    assert rows("referrals.person.changed", follower).get().changes == {
        "same_as": [newer.pk, older.pk]
    }


def test_copying_a_week_logs_the_crews_copied(sergeant, pc, area):
    patrol = PatrolFactory(ward__area=area, planned_by=sergeant)
    PatrolOfficer.objects.create(patrol=patrol, officer=pc, role=OfficerRole.EPHEDRA_PC)
    before = AuditEvent.objects.filter(action="patrols.patrolofficer.created").count()

    copies = patrol_services.duplicate_week(
        type(patrol).objects.filter(pk=patrol.pk), dt.timedelta(days=7), sergeant
    )

    duty = copies[0].officers.get()
    assert AuditEvent.objects.filter(action="patrols.patrolofficer.created").count() == before + 1
    assert rows("patrols.patrolofficer.created", duty).exists()


def test_retiring_a_hotspot_is_a_changed_row(client, sergeant, area):
    hotspot = HotspotFactory(ward__area=area)
    client.force_login(sergeant)

    client.post(reverse("patrols:hotspot_retire", args=[hotspot.uuid]))

    row = rows("patrols.hotspot.changed", hotspot).get()
    assert row.changes["active"] == [True, False]
    assert row.actor == sergeant


def test_a_change_through_a_page_names_who_and_from_where(client, pc, world):
    client.force_login(pc)
    url = reverse("referrals:withdraw", args=[world["referral"].uuid])

    response = client.post(url, {"note": "Secret withdrawal note"})

    assert response.status_code == 302
    row = rows("referrals.referral.changed", world["referral"]).get()
    assert (row.actor, row.ip_address) == (pc, "127.0.0.1")
    assert row.changes["status"] == ["made", "withdrawn"]


def test_no_personal_value_reaches_the_audit_log(client, sergeant, pc, world):
    """A day's activity, then every row searched for what must never be written."""
    referral_services.add_note(world["referral"], pc, "Note naming Secretperson")
    person = world["person"]
    person.description = "Tall, red coat (synthetic secret)"
    person.save()
    client.force_login(sergeant)
    for url in (
        reverse("referrals:person", args=[person.uuid]),
        reverse("referrals:detail", args=[world["referral"].uuid]),
        reverse("patrols:work_return", args=[world["filed"].uuid]),
        reverse("referrals:duplicates"),
    ):
        assert client.get(url).status_code == 200

    secrets = [
        person.working_name,
        "Secretperson",
        "red coat",
        world["return_person"].working_name,
        world["caution"].booking_name,
        world["caution"].booking_contact,
        world["arrest"].suspect_description,
        world["intelligence"].subject_description,
        world["intelligence"].details,
        world["encounter"].location,
    ]
    dump = json.dumps(
        list(AuditEvent.objects.values("actor_username", "object_id", "changes", "detail")),
        ensure_ascii=False,
        default=str,
    )
    assert AuditEvent.objects.count() > 50
    for secret in secrets:
        assert secret
        assert secret not in dump, secret


def test_hours_are_logged_as_numbers(world):
    row = AuditEvent.objects.get(action="patrols.officerhours.created")
    assert Decimal(row.changes["hours"][1]) == Decimal("7.5")
    assert WorkReturn.objects.count() == 1


def test_a_concern_sent_and_graded_is_logged_without_its_words(sergeant, world):
    """Sent, received and graded: each its own row; the partner's words and the police's
    never reach the log."""
    concern = world["concern"]
    report = grade_concern(
        concern,
        sergeant,
        {
            "subject_description": "Graded subject (synthetic secret)",
            "details": "Graded details (synthetic secret)",
            "source_evaluation": "1",
            "intelligence_assessment": "A",
            "handling_code": "P",
            "handling_conditions": "",
        },
    )
    for action in ("created", "sent", "received", "graded"):
        assert rows(f"patrols.partnerconcern.{action}", concern).count() == 1, action
    created = rows("patrols.partnerconcern.created", concern).get()
    assert created.changes["details"] == audit.MASKED
    assert created.changes["kind"] == [None, "controller"]
    dump = json.dumps(list(AuditEvent.objects.values("changes", "detail")), default=str)
    for secret in (concern.subject_description, concern.details, report.details):
        assert secret not in dump, secret
