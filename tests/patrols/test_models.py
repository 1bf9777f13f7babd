"""Database constraints on hotspots, patrols and what a patrol records."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from partners.models import AgencyKind, ServiceType
from patrols.models import (
    Arrest,
    ConditionalCaution,
    EngagementActivity,
    HandlingCode,
    Hotspot,
    IntelligenceReport,
    Offence,
    OfficerHours,
    OfficerRole,
    PartnerInvitation,
    Patrol,
    PatrolOfficer,
    PatrolStatus,
    ReturnStatus,
    RiskAssessment,
    Weather,
    WorkReturn,
)
from tests.factories import AgencyFactory, HotspotFactory, PatrolFactory

pytestmark = pytest.mark.django_db

NIGHT = dt.datetime(2025, 3, 7, 20, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def make_return(patrol: Patrol, **fields) -> WorkReturn:
    values = {
        "patrol": patrol,
        "started_at": NIGHT,
        "ended_at": NIGHT + 8 * HOUR,
        "weather": Weather.DRY,
        "filed_by": patrol.planned_by,
    }
    return WorkReturn.objects.create(**values | fields)


def make_arrest(patrol: Patrol, **fields) -> Arrest:
    values = {
        "patrol": patrol,
        "arrested_at": NIGHT + HOUR,
        "offence": Offence.KERB_CRAWLING,
        "suspect_description": "Custody record 01 (synthetic)",
        "arresting_officer": patrol.planned_by,
    }
    return Arrest.objects.create(**values | fields)


def make_caution(arrest: Arrest, **fields) -> ConditionalCaution:
    provider = AgencyFactory(
        kind=AgencyKind.DIVERSION_PROVIDER, services=[ServiceType.DIVERSION_COURSE]
    )
    values = {
        "arrest": arrest,
        "given_on": dt.date(2025, 3, 8),
        "provider": provider,
        "deadline": dt.date(2025, 6, 8),
        "booking_name": "Test Booking",
        "booking_contact": "test-booking@example.invalid",
    }
    return ConditionalCaution.objects.create(**values | fields)


def make_intelligence(patrol: Patrol, **fields) -> IntelligenceReport:
    values = {
        "patrol": patrol,
        "submitted_by": patrol.planned_by,
        "submitted_at": NIGHT + HOUR,
        "subject_description": "Synthetic subject",
        "details": "Synthetic details.",
        "source_evaluation": "1",
        "intelligence_assessment": "A",
        "handling_code": HandlingCode.LAWFUL_SHARING,
    }
    return IntelligenceReport.objects.create(**values | fields)


def make_risk_assessment(patrol: Patrol, **fields) -> RiskAssessment:
    values = {
        "patrol": patrol,
        "hazards": "Poor lighting (synthetic).",
        "controls": "Patrol in pairs.",
        "assessed_by": patrol.planned_by,
        "assessed_at": NIGHT - 2 * HOUR,
    }
    return RiskAssessment.objects.create(**values | fields)


@pytest.fixture
def patrol():
    return PatrolFactory(starts_at=NIGHT, ends_at=NIGHT + 8 * HOUR)


@pytest.fixture
def hotspot():
    return HotspotFactory()


# --- Hotspots -------------------------------------------------------------------------


@pytest.mark.parametrize(("latitude", "longitude"), [("90", "180"), ("-90", "-180"), ("0", "0")])
def test_hotspot_coordinates_on_earth_are_accepted(hotspot, latitude, longitude):
    rows = Hotspot.objects.filter(pk=hotspot.pk)
    assert rows.update(latitude=Decimal(latitude), longitude=Decimal(longitude)) == 1


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [("90.000001", "0"), ("-90.000001", "0"), ("0", "180.000001"), ("0", "-180.000001")],
)
def test_hotspot_coordinates_must_be_on_earth(hotspot, latitude, longitude):
    with pytest.raises(IntegrityError), transaction.atomic():
        Hotspot.objects.filter(pk=hotspot.pk).update(
            latitude=Decimal(latitude), longitude=Decimal(longitude)
        )


@pytest.mark.parametrize(
    ("active", "retired_on"),
    [(False, None), (True, dt.date(2025, 1, 1))],
    ids=["inactive", "retired"],
)
def test_hotspot_is_retired_iff_inactive(hotspot, active, retired_on):
    rows = Hotspot.objects.filter(pk=hotspot.pk)
    assert rows.update(active=False, retired_on=dt.date(2025, 1, 1)) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(active=active, retired_on=retired_on)


def test_hotspot_name_is_unique_in_its_ward(hotspot):
    HotspotFactory(name=hotspot.name)  # another ward
    with pytest.raises(IntegrityError), transaction.atomic():
        HotspotFactory(ward=hotspot.ward, name=hotspot.name)


# --- Patrols and their officers ---------------------------------------------------------


@pytest.mark.parametrize("ends_at", [NIGHT, NIGHT - HOUR], ids=["same-time", "before"])
def test_patrol_ends_after_it_starts(patrol, ends_at):
    rows = Patrol.objects.filter(pk=patrol.pk)
    assert rows.update(ends_at=NIGHT + HOUR) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(ends_at=ends_at)


@pytest.mark.parametrize(
    ("status", "reason"),
    [(PatrolStatus.CANCELLED, ""), (PatrolStatus.PLANNED, "Snow"), (PatrolStatus.CLOSED, "Snow")],
)
def test_patrol_has_a_cancel_reason_iff_cancelled(patrol, status, reason):
    rows = Patrol.objects.filter(pk=patrol.pk)
    assert rows.update(status=PatrolStatus.CANCELLED, cancel_reason="Snow") == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(status=status, cancel_reason=reason)


def test_officer_serves_once_per_patrol(patrol, pc):
    PatrolOfficer.objects.create(patrol=patrol, officer=pc, role=OfficerRole.EPHEDRA_PC)
    PatrolOfficer.objects.create(patrol=PatrolFactory(), officer=pc, role=OfficerRole.EPHEDRA_PC)
    with pytest.raises(IntegrityError), transaction.atomic():
        PatrolOfficer.objects.create(patrol=patrol, officer=pc, role=OfficerRole.LOCAL_PC)


def test_agency_is_invited_once_per_patrol(patrol, agency_a):
    PartnerInvitation.objects.create(
        patrol=patrol, agency=agency_a, activity=EngagementActivity.SOUP_KITCHEN
    )
    PartnerInvitation.objects.create(
        patrol=PatrolFactory(), agency=agency_a, activity=EngagementActivity.SOUP_KITCHEN
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerInvitation.objects.create(
            patrol=patrol, agency=agency_a, activity=EngagementActivity.OUTREACH
        )


# --- Risk assessment --------------------------------------------------------------------


@pytest.mark.parametrize("approved_at", [None, NIGHT - 2 * HOUR, NIGHT - HOUR])
def test_risk_assessment_may_be_unapproved_or_approved_after_assessment(
    patrol, sergeant, approved_at
):
    approved_by = sergeant if approved_at else None
    make_risk_assessment(patrol, approved_by=approved_by, approved_at=approved_at)


@pytest.mark.parametrize(
    ("with_approver", "approved_at"),
    [
        pytest.param(True, None, id="approver-without-time"),
        pytest.param(False, NIGHT - HOUR, id="time-without-approver"),
        pytest.param(True, NIGHT - 3 * HOUR, id="approved-before-assessed"),
    ],
)
def test_risk_approval_is_complete_and_after_assessment(
    patrol, sergeant, with_approver, approved_at
):
    approved_by = sergeant if with_approver else None
    with pytest.raises(IntegrityError), transaction.atomic():
        make_risk_assessment(patrol, approved_by=approved_by, approved_at=approved_at)


# --- Work returns and hours -------------------------------------------------------------


def test_patrol_has_one_work_return(patrol):
    make_return(patrol)
    make_return(PatrolFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        make_return(patrol)


@pytest.mark.parametrize("ended_at", [NIGHT, NIGHT - HOUR], ids=["same-time", "before"])
def test_work_return_ends_after_it_starts(patrol, ended_at):
    make_return(PatrolFactory(), ended_at=NIGHT + HOUR)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_return(patrol, ended_at=ended_at)


@pytest.mark.parametrize(
    ("status", "submitted_at"), [(ReturnStatus.SUBMITTED, None), (ReturnStatus.DRAFT, NIGHT)]
)
def test_work_return_has_submitted_at_iff_submitted(patrol, status, submitted_at):
    make_return(PatrolFactory(), status=ReturnStatus.SUBMITTED, submitted_at=NIGHT)
    make_return(PatrolFactory(), status=ReturnStatus.DRAFT, submitted_at=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_return(patrol, status=status, submitted_at=submitted_at)


@pytest.mark.parametrize("hours", ["0.25", "8", "24"])
def test_officer_hours_within_a_day_are_accepted(patrol, pc, hours):
    OfficerHours.objects.create(work_return=make_return(patrol), officer=pc, hours=Decimal(hours))


@pytest.mark.parametrize("hours", ["0", "-1", "24.01"])
def test_officer_hours_are_more_than_zero_and_at_most_a_day(patrol, pc, hours):
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficerHours.objects.create(
            work_return=make_return(patrol), officer=pc, hours=Decimal(hours)
        )


def test_officer_hours_recorded_once_per_officer_per_return(patrol, pc, sergeant):
    work_return = make_return(patrol)
    OfficerHours.objects.create(work_return=work_return, officer=pc, hours=8)
    OfficerHours.objects.create(work_return=work_return, officer=sergeant, hours=8)
    OfficerHours.objects.create(work_return=make_return(PatrolFactory()), officer=pc, hours=8)
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficerHours.objects.create(work_return=work_return, officer=pc, hours=1)


# --- Arrests, cautions and intelligence --------------------------------------------------


def test_arrest_for_other_offence_needs_detail(patrol):
    make_arrest(patrol, offence=Offence.OTHER, offence_detail="Public order (synthetic)")
    make_arrest(patrol, offence=Offence.KERB_CRAWLING, offence_detail="")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_arrest(patrol, offence=Offence.OTHER, offence_detail="")


@pytest.mark.parametrize("deadline", [dt.date(2025, 3, 8), dt.date(2025, 3, 7)])
def test_caution_deadline_is_after_it_is_given(patrol, deadline):
    make_caution(make_arrest(patrol), deadline=dt.date(2025, 3, 9))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_caution(make_arrest(patrol), deadline=deadline)


def test_intelligence_with_handling_conditions_states_them(patrol):
    make_intelligence(patrol, handling_code=HandlingCode.CONDITIONS, handling_conditions="No DNA")
    make_intelligence(patrol, handling_code=HandlingCode.LAWFUL_SHARING, handling_conditions="")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_intelligence(patrol, handling_code=HandlingCode.CONDITIONS, handling_conditions="")


# --- Choice fields ------------------------------------------------------------------------


@pytest.fixture
def one_of_each(patrol, pc, agency_a):
    """One saved row of every patrols model with a choice constraint."""
    PatrolOfficer.objects.create(patrol=patrol, officer=pc, role=OfficerRole.EPHEDRA_PC)
    PartnerInvitation.objects.create(
        patrol=patrol, agency=agency_a, activity=EngagementActivity.OUTREACH
    )
    make_return(patrol)
    make_caution(make_arrest(patrol))
    make_intelligence(patrol)


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Patrol, "status"),
        (PatrolOfficer, "role"),
        (PartnerInvitation, "activity"),
        (WorkReturn, "weather"),
        (WorkReturn, "status"),
        (Arrest, "offence"),
        (Arrest, "outcome"),
        (ConditionalCaution, "condition"),
        (ConditionalCaution, "status"),
        (IntelligenceReport, "source_evaluation"),
        (IntelligenceReport, "intelligence_assessment"),
        (IntelligenceReport, "handling_code"),
    ],
)
def test_choice_fields_hold_only_known_values(one_of_each, model, field):
    assert model.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.update(**{field: "x"})
