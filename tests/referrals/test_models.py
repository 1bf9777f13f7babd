"""Database constraints on people, referrals and referral history."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from partners.models import AgencyKind, ServiceType
from patrols.models import Arrest, ConditionalCaution, Offence
from referrals.models import (
    ClosedOutcome,
    ConsentMethod,
    DeclineReason,
    Person,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
)
from tests.factories import AgencyFactory, PatrolFactory, PersonFactory, ReferralFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 8, 1, 0, tzinfo=dt.UTC)
NO_CONSENT = {"consent_method": "", "consent_given_at": None, "consent_recorded_by": None}


@pytest.fixture
def consented(pc, agency_a):
    """The fields of a valid referral of a person, made with recorded consent."""
    return {
        "person": PersonFactory(created_by=pc),
        "agency": agency_a,
        "service": ServiceType.EXIT_SUPPORT,
        "consent_method": ConsentMethod.VERBAL,
        "consent_given_at": NOW,
        "consent_recorded_by": pc,
        "referred_by": pc,
        "made_at": NOW,
        "arrived_at": NOW,
    }


@pytest.fixture
def caution(pc):
    """A conditional caution given to a man arrested on a patrol."""
    arrest = Arrest.objects.create(
        patrol=PatrolFactory(),
        arrested_at=NOW,
        offence=Offence.KERB_CRAWLING,
        suspect_description="Custody record 01 (synthetic)",
        arresting_officer=pc,
    )
    return ConditionalCaution.objects.create(
        arrest=arrest,
        given_on=dt.date(2025, 3, 8),
        provider=AgencyFactory(kind=AgencyKind.DIVERSION_PROVIDER),
        deadline=dt.date(2025, 6, 8),
        booking_name="Test Booking",
        booking_contact="test-booking@example.invalid",
    )


@pytest.fixture
def diversion(consented, caution):
    """The fields of a valid diversion-course referral of a cautioned man: no person, no consent."""
    return (
        consented
        | NO_CONSENT
        | {
            "person": None,
            "service": ServiceType.DIVERSION_COURSE,
            "caution": caution,
        }
    )


def test_diversion_referral_of_a_cautioned_man_needs_no_person_or_consent(diversion):
    Referral.objects.create(**diversion)


@pytest.mark.parametrize(
    "change",
    [
        {"service": ServiceType.EXIT_SUPPORT},
        {"service": ServiceType.DIVERSION_COURSE, "caution": None},
    ],
    ids=["other-service", "diversion-without-caution"],
)
def test_referral_needs_a_person_unless_diversion_with_caution(consented, change):
    Referral.objects.create(**consented)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(**consented | {"person": None} | change)


@pytest.mark.parametrize(
    "change",
    [
        {"consent_method": ""},
        {"consent_given_at": None},
        {"consent_recorded_by": None},
        NO_CONSENT | {"service": ServiceType.DIVERSION_COURSE},
    ],
    ids=["no-method", "no-time", "no-recorder", "diversion-without-caution"],
)
def test_referral_needs_consent_unless_diversion_with_caution(consented, change):
    Referral.objects.create(**consented)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(**consented | change)


def test_caution_only_on_diversion_referrals(consented, caution):
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(**consented | {"caution": caution})
    Referral.objects.create(
        **consented | {"caution": caution, "service": ServiceType.DIVERSION_COURSE}
    )


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(ReferralStatus.CLOSED, ""), (ReferralStatus.ENGAGED, ClosedOutcome.EXITED)],
)
def test_referral_has_an_outcome_iff_closed(status, outcome):
    rows = Referral.objects.filter(pk=ReferralFactory().pk)
    assert rows.update(status=ReferralStatus.CLOSED, closed_outcome=ClosedOutcome.EXITED) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(status=status, closed_outcome=outcome)


@pytest.mark.parametrize(
    ("status", "reason"),
    [(ReferralStatus.DECLINED, ""), (ReferralStatus.RECEIVED, DeclineReason.NO_CAPACITY)],
)
def test_referral_has_a_decline_reason_iff_declined(status, reason):
    rows = Referral.objects.filter(pk=ReferralFactory().pk)
    assert (
        rows.update(status=ReferralStatus.DECLINED, decline_reason=DeclineReason.NO_CAPACITY) == 1
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(status=status, decline_reason=reason)


def test_status_change_changes_the_status(pc):
    referral = ReferralFactory()
    for before, after in [
        ("", ReferralStatus.MADE),
        (ReferralStatus.MADE, ReferralStatus.RECEIVED),
    ]:
        ReferralStatusChange.objects.create(
            referral=referral, from_status=before, to_status=after, changed_by=pc, changed_at=NOW
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralStatusChange.objects.create(
            referral=referral,
            from_status=ReferralStatus.RECEIVED,
            to_status=ReferralStatus.RECEIVED,
            changed_by=pc,
            changed_at=NOW,
        )


@pytest.mark.parametrize(
    ("model", "field"),
    [(Person, "age_band"), (Referral, "service"), (Referral, "status")],
)
def test_choice_fields_hold_only_known_values(model, field):
    ReferralFactory()
    assert model.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.update(**{field: "x"})
