"""The evaluation read from the database: the crime panel around real Lambeth LSOAs, the
diversion counts and the support funnel, on small hand-made worlds."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from partners.models import ServiceType
from patrols.models import (
    Arrest,
    CautionStatus,
    ConditionalCaution,
    Encounter,
    Offence,
    ReturnStatus,
    Weather,
    WorkReturn,
)
from referrals.models import ClosedOutcome, DeclineReason, ReferralStatus, ReferralStatusChange
from reporting.evaluation import evaluate, queries, rules
from reporting.evaluation.funnel import funnel
from reporting.evaluation.places import area_lsoas, catchment, metres
from reporting.models import CrimeFileKind, CrimeRecord, ImportBatch, ImportStatus
from tests.factories import (
    AgencyFactory,
    HotspotFactory,
    PatrolFactory,
    PersonFactory,
    ReferralFactory,
    WardFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)
FIRST_MONTH = dt.date(2024, 9, 1)  # 21 months to May 2026
PATROLS_BEGIN = dt.datetime(2025, 9, 5, 21, 0)  # month 13 of 21: 12 before, 8 after


def month(n: int) -> dt.date:
    m = FIRST_MONTH.month - 1 + n
    return dt.date(FIRST_MONTH.year + m // 12, m % 12 + 1, 1)


def at(moment: dt.datetime) -> dt.datetime:
    return timezone.make_aware(moment)


def submitted_return(patrol, hotspots, started_at, hours=8):
    work_return = WorkReturn.objects.create(
        patrol=patrol,
        started_at=started_at,
        ended_at=started_at + dt.timedelta(hours=hours),
        weather=Weather.DRY,
        status=ReturnStatus.SUBMITTED,
        filed_by=patrol.planned_by,
        submitted_at=started_at + dt.timedelta(hours=hours + 1),
    )
    work_return.hotspots_visited.set(hotspots)
    return work_return


def crimes(area, counts: dict[str, list[int]], lsoas) -> None:
    batch = ImportBatch.objects.create(
        filename="synthetic-test.csv",
        sha256="0" * 64,
        kind=CrimeFileKind.STREET,
        force="Synthetic test force",
        month=FIRST_MONTH,
        status=ImportStatus.IMPORTED,
    )
    # Imported before the day evaluated (an evaluation "as of" a day sees only files
    # imported by then).
    ImportBatch.objects.filter(pk=batch.pk).update(imported_at=at(dt.datetime(2026, 6, 10)))
    rows = [
        CrimeRecord(
            batch=batch,
            area=area,
            month=month(n),
            reported_by="Synthetic test force",
            falls_within="Synthetic test force",
            latitude=Decimal(f"{lsoas[code].latitude:.6f}"),
            longitude=Decimal(f"{lsoas[code].longitude:.6f}"),
            lsoa_code=code,
            lsoa_name=lsoas[code].name,
            crime_type=rules.RELEVANT_CRIME_TYPES[k % len(rules.RELEVANT_CRIME_TYPES)],
        )
        for code, series in counts.items()
        for n, count in enumerate(series)
        for k in range(count)
    ]
    CrimeRecord.objects.bulk_create(rows, batch_size=1000)


@pytest.fixture
def lambeth(area):
    return area_lsoas(area)


def make_patrolled(area, lambeth, sergeant, weeks=42):
    """One hotspot at a Lambeth LSOA's centre, patrolled fortnightly from September 2025
    (to the week of the day evaluated: still patrolled then)."""
    code = sorted(lambeth)[40]
    centre = lambeth[code]
    ward = WardFactory(area=area, name="Synthetic ward")
    hotspot = HotspotFactory(
        ward=ward,
        name="Synthetic arches",
        latitude=Decimal(f"{centre.latitude:.6f}"),
        longitude=Decimal(f"{centre.longitude:.6f}"),
    )
    for week in range(0, weeks, 2):
        starts = at(PATROLS_BEGIN + dt.timedelta(weeks=week))
        patrol = PatrolFactory(ward=ward, planned_by=sergeant, starts_at=starts)
        submitted_return(patrol, [hotspot], starts)
    return hotspot


@pytest.fixture
def patrolled(area, lambeth, sergeant):
    return make_patrolled(area, lambeth, sergeant)


def planted_counts(lambeth, hotspot, *, drop: float, seed: int = 5, mean: float = 8.0):
    """Crime in the hotspot's catchment (with ``drop`` after patrols began) and in 24 far
    places (none): 21 months each, from a fixed seed."""
    rng = np.random.default_rng(seed)
    lat, lon = float(hotspot.latitude), float(hotspot.longitude)
    near = catchment(lat, lon, lambeth)
    far = sorted(c for c, s in lambeth.items() if metres(lat, lon, s.latitude, s.longitude) > 1500)
    after = np.array([month(n) > dt.date(2025, 9, 1) for n in range(21)])
    counts = {}
    for code in [*sorted(near), *far[:24]]:
        rate = mean * rng.lognormal(0, 0.4) * np.where(after & (code in near), drop, 1.0)
        counts[code] = [int(v) for v in rng.poisson(rate * rng.gamma(10, 0.1, 21))]
    return counts, near


def test_evaluate_finds_a_drop_planted_in_the_crime_records(area, lambeth, patrolled):
    counts, near = planted_counts(lambeth, patrolled, drop=0.5, mean=14)
    crimes(area, counts, lambeth)
    evidence = evaluate(area, TODAY)
    assert evidence.crime_months == (month(0), month(20))
    (hotspot,) = evidence.hotspots
    assert hotspot.name == "Synthetic arches"
    assert hotspot.first_visit == PATROLS_BEGIN.date()
    assert hotspot.places == len(near)
    assert hotspot.pooled
    effect = evidence.pooled
    assert effect.conclusive, effect.reason
    assert (effect.months_before, effect.months_after) == (12, 8)
    assert effect.estimate.covers(0.5)
    assert effect.estimate.high < 1
    assert effect.crimes_before == sum(counts[c][n] for c in near for n in range(12))
    # Dosage: a return every fortnight, 8 hours each, only this hotspot.
    assert hotspot.stopped is None
    assert hotspot.dose.visits == 21
    assert hotspot.dose.minutes == 21 * 8 * 60
    assert hotspot.dose.visits_per_week == pytest.approx(
        21 / ((TODAY - PATROLS_BEGIN.date()).days + 1) * 7
    )


def test_too_little_crime_data_is_inconclusive(area, lambeth, patrolled):
    counts, _ = planted_counts(lambeth, patrolled, drop=0.6)
    crimes(area, {code: series[10:15] for code, series in counts.items()}, lambeth)
    evidence = evaluate(area, TODAY)
    assert not evidence.pooled.conclusive
    assert evidence.pooled.estimate is None
    assert "months of crime data" in evidence.pooled.reason


def test_no_crime_data_and_no_patrols_say_so(area):
    evidence = evaluate(area, TODAY)
    assert not evidence.pooled.conclusive
    assert "No police.uk street-level crime data" in evidence.pooled.reason
    assert evidence.hotspots == ()


def test_minutes_are_shared_among_the_hotspots_a_return_visited(area, sergeant):
    ward = WardFactory(area=area)
    first, second = HotspotFactory(ward=ward), HotspotFactory(ward=ward)
    patrol = PatrolFactory(
        ward=ward, planned_by=sergeant, starts_at=at(dt.datetime(2026, 5, 1, 20))
    )
    submitted_return(patrol, [first, second], patrol.starts_at, hours=6)
    alone = PatrolFactory(ward=ward, planned_by=sergeant, starts_at=at(dt.datetime(2026, 5, 8, 20)))
    submitted_return(alone, [first], alone.starts_at, hours=2)
    rows = {r["name"]: r for r in queries.patrolled_hotspots(area, TODAY)}
    assert rows[first.name]["visits"] == 2
    assert rows[first.name]["time"] == dt.timedelta(hours=5)  # 3 + 2
    assert rows[second.name]["time"] == dt.timedelta(hours=3)


# --- Diversion --------------------------------------------------------------------------------


def caution(patrol, officer, agency, days_ago, status, reference, description):
    arrested_at = at(dt.datetime.combine(TODAY, dt.time(1))) - dt.timedelta(days=days_ago)
    arrest = Arrest.objects.create(
        patrol=patrol,
        arrested_at=arrested_at,
        offence=Offence.KERB_CRAWLING,
        suspect_description=description,
        custody_reference=reference,
        arresting_officer=officer,
    )
    ConditionalCaution.objects.create(
        arrest=arrest,
        given_on=arrested_at.date() + dt.timedelta(days=1),
        provider=agency,
        deadline=arrested_at.date() + dt.timedelta(days=90),
        booking_name="Synthetic",
        booking_contact="Synthetic",
        status=status,
    )
    return arrest


def again(patrol, officer, first: Arrest, days_later, reference="", description="Other man"):
    Arrest.objects.create(
        patrol=patrol,
        arrested_at=first.arrested_at + dt.timedelta(days=days_later),
        offence=Offence.KERB_CRAWLING,
        suspect_description=description,
        custody_reference=reference,
        arresting_officer=officer,
    )


def test_diversion_counts_on_a_hand_made_example(area, other_area, sergeant, pc):
    agency = AgencyFactory()
    patrol = PatrolFactory(ward=WardFactory(area=area), planned_by=sergeant)
    elsewhere = PatrolFactory(ward=WardFactory(area=other_area), planned_by=sergeant)
    s = CautionStatus
    a = caution(patrol, pc, agency, 400, s.COMPLETED, "REF-A", "Man A")
    b = caution(patrol, pc, agency, 400, s.COMPLETED, "REF-B", "Man B in a blue van")
    caution(patrol, pc, agency, 400, s.BREACHED, "REF-C", "Man C")
    d = caution(patrol, pc, agency, 200, s.DID_NOT_ATTEND, "REF-D", "Man D")
    caution(patrol, pc, agency, 300, s.BOOKED, "REF-E", "Man E")  # still open
    caution(patrol, pc, agency, 100, s.COMPLETED, "REF-F", "Man F")  # too recent for 6 months
    g = caution(patrol, pc, agency, 400, s.BREACHED, "", "Man G")
    caution(elsewhere, pc, agency, 400, s.COMPLETED, "REF-H", "Man H")  # another area
    again(elsewhere, pc, a, 100, reference="REF-A")  # re-arrested anywhere: counts
    again(patrol, pc, b, 300, description="  man b IN a blue van ")  # after 6, within 12
    again(patrol, pc, d, 30, reference="REF-D")
    again(patrol, pc, g, 10, reference="")  # a blank reference matches nothing
    again(patrol, pc, d, 400, reference="REF-D")  # after today: not yet happened

    counts = queries.diversion_counts(area, TODAY, rules.FOLLOW_UP_DAYS)
    assert counts == {
        "given": 7,
        "completed": 3,
        "not_completed": 3,
        "completed_6_men": 2,  # A, B
        "completed_6_again": 1,  # A
        "not_completed_6_men": 3,  # C, D, G
        "not_completed_6_again": 1,  # D
        "completed_12_men": 2,
        "completed_12_again": 2,  # A, B
        "not_completed_12_men": 2,  # C, G
        "not_completed_12_again": 0,
    }


# --- The support funnel -------------------------------------------------------------------------


def history(referral, steps, by):
    previous = ""
    for status, days in steps:
        ReferralStatusChange.objects.create(
            referral=referral,
            from_status=previous,
            to_status=status,
            changed_by=by,
            changed_at=referral.made_at + dt.timedelta(days=days),
        )
        previous = status


def test_funnel_counts_and_median_days(area, sergeant, pc):
    patrol = PatrolFactory(ward=WardFactory(area=area), planned_by=sergeant)
    person = PersonFactory(area=area)
    made = at(dt.datetime(2026, 3, 1, 22))
    encounters = [
        Encounter.objects.create(patrol=patrol, person=person, occurred_at=made, engaged=n < 2)
        for n in range(4)
    ]
    housing, health = AgencyFactory(name="Housing (test)"), AgencyFactory(name="Health (test)")
    R = ReferralStatus
    one = ReferralFactory(
        person=person,
        agency=housing,
        service=ServiceType.HOUSING,
        referred_by=pc,
        made_at=made,
        encounter=encounters[0],
        status=R.CLOSED,
        closed_outcome=ClosedOutcome.SUPPORT_COMPLETED,
    )
    history(one, [(R.MADE, 0), (R.RECEIVED, 1), (R.ENGAGED, 3), (R.CLOSED, 10)], pc)
    two = ReferralFactory(
        person=person,
        agency=housing,
        service=ServiceType.HOUSING,
        referred_by=pc,
        made_at=made,
        status=R.DECLINED,
        decline_reason=DeclineReason.NO_CAPACITY,
    )
    history(two, [(R.MADE, 0), (R.RECEIVED, 2), (R.DECLINED, 4)], pc)
    three = ReferralFactory(
        person=person,
        agency=health,
        service=ServiceType.MEDICAL,
        referred_by=pc,
        made_at=made,
        status=R.WITHDRAWN,
    )
    history(three, [(R.MADE, 0), (R.WITHDRAWN, 1)], pc)
    ReferralFactory(person=PersonFactory(), agency=health, referred_by=pc)  # another area

    result = funnel(queries.encounter_counts(area, TODAY), queries.referral_steps(area, TODAY))
    assert (result.encounters, result.spoken_with, result.encounters_referred) == (4, 2, 1)
    total = result.total
    assert (total.made, total.received, total.engaged, total.closed_positive) == (3, 2, 1, 1)
    assert (total.days_to_receive, total.days_to_engage, total.days_to_close) == (1.5, 2, 7)
    services = {row.label: row.stage for row in result.by_service}
    assert services["Housing and homelessness"].made == 2
    assert services["Medical"].received == 0
    agencies = {row.label: row.stage.made for row in result.by_agency}
    assert agencies == {"Housing (test)": 2, "Health (test)": 1}
