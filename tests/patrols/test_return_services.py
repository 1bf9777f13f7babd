"""Work return services: submitting a return in one transaction, drafts, amendments."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from partners.models import ServiceType
from patrols import services
from patrols.models import (
    Arrest,
    ArrestOutcome,
    ConditionalCaution,
    Encounter,
    HandlingCode,
    IntelligenceReport,
    Offence,
    OfficerHours,
    OfficerRole,
    PatrolOfficer,
    PatrolStatus,
    ReturnAmendment,
    ReturnDraft,
    ReturnStatus,
    Weather,
    WorkReturn,
)
from patrols.services import PatrolRuleError
from referrals.models import AgeBand, ConsentMethod, Person, Referral, ReferralStatusChange
from tests.factories import (
    AgencyFactory,
    HotspotFactory,
    OfficerFactory,
    PatrolFactory,
    PersonFactory,
    WardFactory,
)

pytestmark = pytest.mark.django_db

NIGHT = dt.datetime(2025, 3, 7, 20, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
WRITTEN = (
    WorkReturn,
    OfficerHours,
    Person,
    Encounter,
    Arrest,
    ConditionalCaution,
    Referral,
    ReferralStatusChange,
    IntelligenceReport,
)


@pytest.fixture
def ward(area):
    return WardFactory(area=area)


@pytest.fixture
def hotspot(ward):
    return HotspotFactory(ward=ward)


@pytest.fixture
def local_pc(area, ward):
    return OfficerFactory(role=Role.PC, areas=[area], profile__home_ward=ward)


@pytest.fixture
def patrol(ward, pc, local_pc):
    patrol = PatrolFactory(
        ward=ward, starts_at=NIGHT, ends_at=NIGHT + 8 * HOUR, status=PatrolStatus.DEPLOYED
    )
    PatrolOfficer.objects.create(patrol=patrol, officer=pc, role=OfficerRole.EPHEDRA_PC)
    PatrolOfficer.objects.create(patrol=patrol, officer=local_pc, role=OfficerRole.LOCAL_PC)
    return patrol


@pytest.fixture
def provider():
    return AgencyFactory(name="Diversion provider (test)", services=[ServiceType.DIVERSION_COURSE])


def quiet_night(patrol, pc, **fields) -> dict:
    """A night with no one seen: times, weather, hours and a summary."""
    return_fields = {
        "started_at": NIGHT,
        "ended_at": NIGHT + 8 * HOUR,
        "weather": Weather.HEAVY_RAIN,
        "hotspots_visited": [],
        "women_seen": 0,
        "kerb_crawlers_seen": 0,
        "engagement_count": 0,
        "summary": "Heavy rain; no one out.",
    }
    return {"return_fields": return_fields | fields, "hours": {pc: Decimal("8")}}


def busy_night(patrol, pc, hotspot, agency, provider) -> dict:
    known = PersonFactory(area=patrol.area, created_by=pc)
    return quiet_night(patrol, pc, weather=Weather.DRY, hotspots_visited=[hotspot]) | {
        "encounters": [
            {
                "new_person": {
                    "working_name": "Testname New",
                    "description": "Synthetic.",
                    "age_band": AgeBand.AGE_25_34,
                },
                "hotspot": hotspot,
                "location": "",
                "occurred_at": NIGHT + HOUR,
                "engaged": True,
                "new_to_area": True,
                "notes": "",
            },
            {
                "person": known,
                "hotspot": None,
                "location": "By the bus stop",
                "occurred_at": NIGHT + 2 * HOUR,
                "engaged": False,
                "new_to_area": False,
                "notes": "",
            },
        ],
        "arrests": [
            {
                "arrested_at": NIGHT + 3 * HOUR,
                "arresting_officer": pc,
                "offence": Offence.KERB_CRAWLING,
                "offence_detail": "",
                "suspect_description": "Custody record 01 (synthetic)",
                "custody_reference": "CU/0001",
                "outcome": ArrestOutcome.CONDITIONAL_CAUTION,
                "caution": {
                    "given_on": NIGHT.date() + dt.timedelta(days=1),
                    "deadline": NIGHT.date() + dt.timedelta(days=60),
                    "provider": provider,
                    "booking_name": "Synthetic Name",
                    "booking_contact": "000 0000 0000",
                },
            }
        ],
        "referrals": [
            {
                "encounter": 0,
                "service": ServiceType.EXIT_SUPPORT,
                "agency": agency,
                "consent_method": ConsentMethod.VERBAL,
                "consent_given_at": NIGHT + HOUR,
            }
        ],
        "intelligence": [
            {
                "subject_description": "Man in a grey van (synthetic)",
                "details": "Seen dropping off two women.",
                "source_evaluation": "1",
                "intelligence_assessment": "B",
                "handling_code": HandlingCode.LAWFUL_SHARING,
                "handling_conditions": "",
            }
        ],
    }


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in WRITTEN}


def assert_nothing_written(before: dict, patrol) -> None:
    assert counts() == before
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.DEPLOYED


# --- submit_return ---------------------------------------------------------------------


def test_a_quiet_night_is_a_return(patrol, pc):
    ReturnDraft.objects.create(patrol=patrol, data={"summary": ["typing"]}, saved_by=pc)

    work_return = services.submit_return(patrol, pc, **quiet_night(patrol, pc))

    assert work_return.status == ReturnStatus.SUBMITTED
    assert work_return.submitted_at is not None
    assert work_return.filed_by == pc
    assert [(h.officer, h.hours) for h in work_return.hours.all()] == [(pc, Decimal("8.00"))]
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.RETURNED
    assert not ReturnDraft.objects.exists()
    assert not Encounter.objects.exists()
    assert not Referral.objects.exists()


def test_a_busy_night_writes_everything(patrol, pc, hotspot, agency_a, provider):
    data = busy_night(patrol, pc, hotspot, agency_a, provider)

    work_return = services.submit_return(patrol, pc, **data)

    assert list(work_return.hotspots_visited.all()) == [hotspot]
    new_person = Person.objects.get(working_name="Testname New")
    assert (new_person.area, new_person.first_seen, new_person.created_by) == (
        patrol.area,
        NIGHT.date(),
        pc,
    )
    assert Encounter.objects.filter(patrol=patrol).count() == 2
    caution = ConditionalCaution.objects.get(arrest__patrol=patrol)
    diversion = Referral.objects.get(caution=caution)
    assert (diversion.agency, diversion.service, diversion.person) == (
        provider,
        ServiceType.DIVERSION_COURSE,
        None,
    )
    support = Referral.objects.get(service=ServiceType.EXIT_SUPPORT)
    assert (support.person, support.encounter.person, support.consent_recorded_by) == (
        new_person,
        new_person,
        pc,
    )
    assert support.patrol == patrol
    assert ReferralStatusChange.objects.count() == 2
    assert IntelligenceReport.objects.get().submitted_by == pc


def test_one_refused_referral_rolls_everything_back(patrol, pc, hotspot, agency_a, provider):
    data = busy_night(patrol, pc, hotspot, agency_a, provider)
    data["referrals"].append(data["referrals"][0] | {"service": ServiceType.HOUSING})
    ReturnDraft.objects.create(patrol=patrol, data={"summary": ["typing"]}, saved_by=pc)
    before = counts()

    with pytest.raises(PatrolRuleError, match="Referral 2: .* does not offer housing"):
        services.submit_return(patrol, pc, **data)

    assert_nothing_written(before, patrol)
    assert ReturnDraft.objects.exists()


def test_a_caution_provider_not_offering_the_course_rolls_back(
    patrol, pc, hotspot, agency_a, provider
):
    data = busy_night(patrol, pc, hotspot, agency_a, provider)
    data["arrests"][0]["caution"]["provider"] = agency_a
    before = counts()

    with pytest.raises(PatrolRuleError, match="Arrest 1: .* does not offer diversion"):
        services.submit_return(patrol, pc, **data)
    assert_nothing_written(before, patrol)


def test_a_second_submission_is_refused(patrol, pc):
    services.submit_return(patrol, pc, **quiet_night(patrol, pc))

    with pytest.raises(PatrolRuleError, match="already been submitted"):
        services.submit_return(patrol, pc, **quiet_night(patrol, pc))
    assert WorkReturn.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (PatrolStatus.CANCELLED, "cancelled, so it has no work return"),
        (PatrolStatus.PLANNED, "once the patrol has deployed"),
        (PatrolStatus.APPROVED, "once the patrol has deployed"),
    ],
)
def test_only_a_deployed_patrol_has_a_return(patrol, pc, status, message):
    patrol.status = status
    patrol.cancel_reason = "Severe weather warning." if status == PatrolStatus.CANCELLED else ""
    patrol.save()

    with pytest.raises(PatrolRuleError, match=message):
        services.submit_return(patrol, pc, **quiet_night(patrol, pc))
    assert not WorkReturn.objects.exists()


def test_a_patrol_longer_than_16_hours_is_refused(patrol, pc):
    data = quiet_night(patrol, pc, ended_at=NIGHT + 17 * HOUR)

    with pytest.raises(PatrolRuleError, match="more than 16 hours"):
        services.submit_return(patrol, pc, **data)
    assert not WorkReturn.objects.exists()


def test_hours_only_for_officers_on_the_patrol(patrol, pc, sergeant):
    data = quiet_night(patrol, pc) | {"hours": {sergeant: Decimal("8")}}

    with pytest.raises(PatrolRuleError, match="only for the officers on the patrol"):
        services.submit_return(patrol, pc, **data)
    assert not WorkReturn.objects.exists()


def test_a_return_needs_someone_s_hours(patrol, pc):
    with pytest.raises(PatrolRuleError, match="at least one officer"):
        services.submit_return(patrol, pc, **quiet_night(patrol, pc) | {"hours": {}})


def test_people_and_hotspots_from_another_area_are_refused(patrol, pc, other_area, hotspot):
    elsewhere = PersonFactory(area=other_area)
    data = busy_night(patrol, pc, hotspot, AgencyFactory(), AgencyFactory())
    data["encounters"][1]["person"] = elsewhere
    before = counts()

    with pytest.raises(PatrolRuleError, match="already known in Lambeth"):
        services.submit_return(patrol, pc, **data)
    assert_nothing_written(before, patrol)

    away = HotspotFactory(ward=WardFactory(area=other_area))
    with pytest.raises(PatrolRuleError, match="Only hotspots in Lambeth"):
        services.submit_return(patrol, pc, **quiet_night(patrol, pc, hotspots_visited=[away]))


def test_code_c_intelligence_needs_its_conditions(patrol, pc, hotspot, agency_a, provider):
    data = busy_night(patrol, pc, hotspot, agency_a, provider)
    data["intelligence"][0]["handling_code"] = HandlingCode.CONDITIONS
    before = counts()

    with pytest.raises(PatrolRuleError, match="conditions stated"):
        services.submit_return(patrol, pc, **data)
    assert_nothing_written(before, patrol)


# --- save_draft ------------------------------------------------------------------------


def test_a_draft_is_saved_and_replaced(patrol, pc, local_pc):
    services.save_draft(patrol, pc, {"summary": ["first"]})
    draft = services.save_draft(patrol, local_pc, {"summary": ["second"]})

    assert ReturnDraft.objects.get() == draft
    assert (draft.data, draft.saved_by) == ({"summary": ["second"]}, local_pc)


def test_no_draft_once_the_return_is_submitted(patrol, pc):
    services.submit_return(patrol, pc, **quiet_night(patrol, pc))

    with pytest.raises(PatrolRuleError, match="already been submitted"):
        services.save_draft(patrol, pc, {"summary": ["late"]})
    assert not ReturnDraft.objects.exists()


# --- amend_return ----------------------------------------------------------------------


@pytest.fixture
def work_return(patrol, pc):
    return services.submit_return(patrol, pc, **quiet_night(patrol, pc))


def test_an_amendment_records_before_and_after(work_return, sergeant, hotspot):
    amendment = services.amend_return(
        work_return,
        sergeant,
        "  Checked against the duty sheet.  ",
        {
            "ended_at": NIGHT + 7 * HOUR,
            "weather": Weather.RAIN,
            "women_seen": 2,
            "hotspots_visited": [hotspot],
            "summary": work_return.summary,  # unchanged, so not recorded
        },
    )

    assert amendment.reason == "Checked against the duty sheet."
    assert amendment.amended_by == sergeant
    assert amendment.changes == {
        "ended_at": ["2025-03-08 04:00", "2025-03-08 03:00"],
        "weather": ["Heavy rain", "Rain"],
        "women_seen": ["0", "2"],
        "hotspots_visited": ["", str(hotspot)],
    }
    work_return.refresh_from_db()
    assert work_return.weather == Weather.RAIN
    assert work_return.ended_at == NIGHT + 7 * HOUR
    assert list(work_return.hotspots_visited.all()) == [hotspot]


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_amendment_needs_a_reason(work_return, sergeant, reason):
    with pytest.raises(PatrolRuleError, match="reason"):
        services.amend_return(work_return, sergeant, reason, {"women_seen": 3})
    assert not ReturnAmendment.objects.exists()


def test_an_amendment_must_change_something(work_return, sergeant):
    with pytest.raises(PatrolRuleError, match="Nothing was changed"):
        services.amend_return(work_return, sergeant, "Checked.", {"women_seen": 0})
    assert not ReturnAmendment.objects.exists()


def test_only_the_main_fields_are_amended(work_return, sergeant):
    with pytest.raises(PatrolRuleError, match="cannot be amended: filed_by"):
        services.amend_return(work_return, sergeant, "Checked.", {"filed_by": sergeant})


def test_an_amendment_keeps_the_time_rules(work_return, sergeant):
    with pytest.raises(PatrolRuleError, match="more than 16 hours"):
        services.amend_return(work_return, sergeant, "Checked.", {"ended_at": NIGHT + 20 * HOUR})
    work_return.refresh_from_db()
    assert work_return.ended_at == NIGHT + 8 * HOUR
    assert not ReturnAmendment.objects.exists()


def test_shift_length_counts_the_hour_the_clocks_go_back():
    start = timezone.make_aware(dt.datetime(2025, 10, 25, 20, 0))
    end = timezone.make_aware(dt.datetime(2025, 10, 26, 4, 0))
    assert services.shift_length(start, end) == 9 * HOUR
