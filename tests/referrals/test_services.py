"""make_referral: the rules every referral obeys, and its first history step."""

import datetime as dt

import pytest

from partners.models import ServiceType
from patrols.models import Arrest, ConditionalCaution, Offence
from referrals.models import ConsentMethod, Referral, ReferralStatus, ReferralStatusChange
from referrals.services import ReferralRuleError, make_referral
from tests.factories import AgencyFactory, PatrolFactory, PersonFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 8, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def consented(pc, agency_a):
    """The arguments of a referral of a woman who agreed to it."""
    return {
        "person": PersonFactory(created_by=pc),
        "agency": agency_a,  # offers exit support
        "service": ServiceType.EXIT_SUPPORT,
        "referred_by": pc,
        "made_at": NOW,
        "consent_method": ConsentMethod.VERBAL,
        "consent_given_at": NOW - dt.timedelta(minutes=10),
        "consent_recorded_by": pc,
    }


@pytest.fixture
def caution(pc):
    provider = AgencyFactory(services=[ServiceType.DIVERSION_COURSE])
    arrest = Arrest.objects.create(
        patrol=PatrolFactory(),
        arrested_at=NOW,
        offence=Offence.KERB_CRAWLING,
        suspect_description="Custody record 01 (synthetic)",
        arresting_officer=pc,
    )
    return ConditionalCaution.objects.create(
        arrest=arrest,
        given_on=NOW.date(),
        provider=provider,
        deadline=NOW.date() + dt.timedelta(days=60),
        booking_name="Synthetic Name",
        booking_contact="000 0000 0000",
    )


def assert_nothing_written():
    assert not Referral.objects.exists()
    assert not ReferralStatusChange.objects.exists()


def test_a_consented_referral_is_made_with_its_first_history_step(consented, pc):
    referral = make_referral(**consented)

    assert referral.status == ReferralStatus.MADE
    assert referral.consent_recorded_by == pc
    (step,) = referral.history.all()
    assert (step.from_status, step.to_status, step.changed_by, step.changed_at) == (
        "",
        ReferralStatus.MADE,
        pc,
        NOW,
    )


def test_a_caution_is_the_basis_of_a_diversion_referral_without_consent(caution, pc):
    referral = make_referral(
        person=None,
        agency=caution.provider,
        service=ServiceType.DIVERSION_COURSE,
        referred_by=pc,
        made_at=NOW,
        caution=caution,
    )

    assert referral.caution == caution
    assert referral.consent_method == ""
    assert referral.history.count() == 1


def test_an_inactive_agency_is_refused(consented, agency_a):
    agency_a.active = False
    agency_a.save()

    with pytest.raises(ReferralRuleError, match="no longer an active partner"):
        make_referral(**consented)
    assert_nothing_written()


def test_an_agency_not_offering_the_service_is_refused(consented):
    with pytest.raises(ReferralRuleError, match="does not offer housing"):
        make_referral(**consented | {"service": ServiceType.HOUSING})
    assert_nothing_written()


@pytest.mark.parametrize(
    "missing",
    [
        {"consent_method": ""},
        {"consent_given_at": None},
        {"consent_recorded_by": None},
    ],
)
def test_a_referral_without_full_consent_is_refused(consented, missing):
    with pytest.raises(ReferralRuleError, match="needs the person's consent"):
        make_referral(**consented | missing)
    assert_nothing_written()


def test_a_diversion_referral_without_a_caution_needs_consent(consented):
    provider = AgencyFactory(services=[ServiceType.DIVERSION_COURSE])
    no_consent = {"consent_method": "", "consent_given_at": None, "consent_recorded_by": None}
    arguments = consented | no_consent | {"agency": provider}

    with pytest.raises(ReferralRuleError, match="consent"):
        make_referral(**arguments | {"service": ServiceType.DIVERSION_COURSE})
    assert_nothing_written()


def test_a_caution_is_no_basis_for_another_service(caution, pc):
    provider = caution.provider
    provider.services.create(service=ServiceType.EXIT_SUPPORT)

    with pytest.raises(ReferralRuleError, match="only be the basis of a diversion"):
        make_referral(
            person=None,
            agency=provider,
            service=ServiceType.EXIT_SUPPORT,
            referred_by=pc,
            made_at=NOW,
            caution=caution,
        )
    assert_nothing_written()


def test_a_caution_has_one_referral(caution, pc):
    arguments = {
        "person": None,
        "agency": caution.provider,
        "service": ServiceType.DIVERSION_COURSE,
        "referred_by": pc,
        "made_at": NOW,
        "caution": caution,
    }
    make_referral(**arguments)

    with pytest.raises(ReferralRuleError, match="already has its referral"):
        make_referral(**arguments)
    assert Referral.objects.count() == 1


def test_a_referral_needs_a_person_unless_a_caution(consented):
    with pytest.raises(ReferralRuleError, match="needs the person referred"):
        make_referral(**consented | {"person": None})
    assert_nothing_written()


def test_messages_never_name_the_person(consented):
    consented["person"].working_name = "Syntheticname"
    with pytest.raises(ReferralRuleError) as refusal:
        make_referral(**consented | {"consent_method": ""})
    assert "Syntheticname" not in str(refusal.value)


def test_the_referral_and_its_history_are_written_together(consented, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ReferralStatusChange.objects, "create", fail)

    with pytest.raises(RuntimeError):
        make_referral(**consented)
    assert_nothing_written()
