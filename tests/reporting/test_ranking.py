"""Hotspot ranking on a constructed dataset: the rising hotspot first, with its reason;
uncovered places with rising crime flagged; a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from patrols.models import Encounter, PatrolStatus, ReturnStatus, WorkReturn
from reporting.models import CrimeFileKind, CrimeRecord, ImportBatch, ImportStatus
from reporting.ranking import Windows, area_ranking, rank_hotspots, uncovered_places
from tests.factories import HotspotFactory, PatrolFactory, PersonFactory, WardFactory

pytestmark = pytest.mark.django_db

WEEK = dt.date(2025, 3, 3)  # a Monday in the past: every window ends on it
RECENT_FIRST = dt.date(2025, 2, 3)  # the last 4 weeks: 3 Feb to 2 Mar 2025
NORTH_300M = Decimal("0.002700")  # just outside the 250 m box (0.002246° of latitude)


def make_batch(kind=CrimeFileKind.WEEKLY, month=dt.date(2025, 2, 1), **fields) -> ImportBatch:
    values = {
        "filename": f"{kind}-{month:%Y-%m}.csv",
        "sha256": "x" * 64,
        "kind": kind,
        "force": "metropolitan",
        "month": month,
        "status": ImportStatus.IMPORTED,
    }
    return ImportBatch.objects.create(**values | fields)


def add_crimes(batch, n, latitude, longitude, *, first=None, month=None, **fields) -> None:
    """`n` crimes at one point: dated a day apart from `first`, or undated in `month`."""
    days = [first + dt.timedelta(days=i % 28) for i in range(n)] if first else [None] * n
    CrimeRecord.objects.bulk_create(
        CrimeRecord(
            batch=batch,
            month=month or day.replace(day=1),
            date=day,
            latitude=latitude,
            longitude=longitude,
            reported_by="Metropolitan Police Service",
            falls_within="Metropolitan Police Service",
            **{"crime_type": "Anti-social behaviour"} | fields,
        )
        for day in days
    )


def data_reaches_the_week(batch) -> None:
    """A crime of another type far away on 2 March: the extract runs to the week ranked
    (else the sheet says where the data ends; see test_crime_coverage)."""
    far = Decimal("51.300000"), Decimal("-0.300000")
    add_crimes(batch, 1, *far, first=dt.date(2025, 3, 2), crime_type="Bicycle theft")


def at(day: dt.date, hour: int = 20) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def patrolled(hotspot, day: dt.date, *, women_seen=None, status=PatrolStatus.RETURNED):
    """A patrol that had the hotspot planned; with `women_seen`, a return that visited it."""
    reason = "Synthetic: weather" if status == PatrolStatus.CANCELLED else ""
    patrol = PatrolFactory(
        ward=hotspot.ward, starts_at=at(day), status=status, cancel_reason=reason
    )
    patrol.hotspots.add(hotspot)
    if women_seen is not None:
        work_return = WorkReturn.objects.create(
            patrol=patrol,
            started_at=patrol.starts_at,
            ended_at=patrol.ends_at,
            weather="dry",
            women_seen=women_seen,
            filed_by=patrol.planned_by,
            status=ReturnStatus.SUBMITTED,
            submitted_at=patrol.ends_at,
        )
        work_return.hotspots_visited.add(hotspot)
    return patrol


@pytest.fixture
def ward(area):
    return WardFactory(area=area, name="Test Ward North")


@pytest.fixture
def batch():
    return make_batch()


@pytest.fixture
def dataset(area, other_area, ward, batch):
    rising = HotspotFactory(ward=ward, name="Rising Row", latitude=Decimal("51.460000"))
    quiet = HotspotFactory(ward=ward, name="Quiet Close", latitude=Decimal("51.470000"))
    steady = HotspotFactory(ward=ward, name="Steady Street", latitude=Decimal("51.480000"))
    lon = rising.longitude
    lsoa = {"area": area, "lsoa_code": "E01000001", "lsoa_name": "Lambeth 001A"}
    # Rising Row: 12 ASB reports in the last 4 weeks against 39 in the 6 months before
    # (6 per 4 weeks, all before the 12-week window), plus crimes that must not count.
    add_crimes(batch, 12, rising.latitude, lon, first=RECENT_FIRST, **lsoa)
    add_crimes(batch, 39, rising.latitude, lon, first=dt.date(2024, 9, 1), **lsoa)
    add_crimes(batch, 5, rising.latitude, lon, first=RECENT_FIRST, crime_type="Burglary")
    add_crimes(batch, 5, rising.latitude + NORTH_300M, lon, first=RECENT_FIRST)
    replaced = make_batch(status=ImportStatus.REPLACED)
    add_crimes(replaced, 5, rising.latitude, lon, first=RECENT_FIRST)
    data_reaches_the_week(batch)
    patrolled(rising, dt.date(2025, 2, 12), women_seen=3)  # 19 days before 3 March
    # Quiet Close: no crime, patrolled two days ago.
    patrolled(quiet, dt.date(2025, 3, 1), women_seen=0)
    # Steady Street: 4 public-order crimes in 4 weeks, as usual (26 in 6 months = 4 per 4).
    add_crimes(batch, 4, steady.latitude, lon, first=RECENT_FIRST, crime_type="Public order")
    add_crimes(batch, 26, steady.latitude, lon, first=dt.date(2024, 9, 1), crime_type="Drugs")
    add_crimes(
        batch, 26, steady.latitude, lon, first=dt.date(2024, 9, 1), crime_type="Public order"
    )
    # Hotspots that are not ranked: retired, or in another area.
    HotspotFactory(ward=ward, name="Retired Road", active=False, retired_on=dt.date(2025, 1, 1))
    HotspotFactory(ward=WardFactory(area=other_area), name="Elsewhere Lane")
    return {"rising": rising, "quiet": quiet, "steady": steady}


def test_rising_crime_ranks_first_with_the_reason_in_words(area, dataset):
    ranks = rank_hotspots(area, WEEK)

    assert [r.hotspot.name for r in ranks] == ["Rising Row", "Steady Street", "Quiet Close"]
    top = ranks[0]
    assert (top.rank, top.crimes_4w, top.crimes_12w, top.baseline_per_4w) == (1, 12, 12, 6)
    assert (top.women_seen, top.days_since_patrolled) == (3, 19)
    assert top.reason == (
        "12 anti-social behaviour reports in 4 weeks, twice the 6-month average of 6 per "
        "4 weeks; 3 women seen in 4 weeks; last patrolled 19 days ago"
    )


def test_no_crime_and_recently_patrolled_ranks_lower(area, dataset):
    ranks = {r.hotspot.name: r for r in rank_hotspots(area, WEEK)}

    quiet, steady = ranks["Quiet Close"], ranks["Steady Street"]
    assert quiet.rank == 3
    assert quiet.score < steady.score < ranks["Rising Row"].score
    assert quiet.reason == "no relevant crime within 250 m in 4 weeks; last patrolled 2 days ago"
    assert steady.reason == (
        "4 public order reports in 4 weeks, about the 6-month average of 4 per 4 weeks; "
        "not patrolled yet"
    )


def test_crime_types_are_configurable(area, dataset):
    ranks = rank_hotspots(area, WEEK, crime_types=["Burglary"])

    assert ranks[0].hotspot.name == "Rising Row"
    assert ranks[0].crimes_by_type == (("Burglary", 5),)
    assert ranks[0].reason.startswith("5 burglary reports in 4 weeks, none in the 6 months")


def test_encounters_at_the_hotspot_count_as_sightings(area, dataset, pc):
    quiet = dataset["quiet"]
    patrol = quiet.patrols.get()
    for _ in range(2):
        Encounter.objects.create(
            patrol=patrol,
            person=PersonFactory(area=area),
            hotspot=quiet,
            occurred_at=patrol.starts_at,
        )
    rank = next(r for r in rank_hotspots(area, WEEK) if r.hotspot == quiet)

    assert rank.encounters == 2
    assert "2 encounters recorded in 4 weeks" in rank.reason


def test_cancelled_and_later_patrols_do_not_count_as_patrolled(area, dataset):
    steady = dataset["steady"]
    patrolled(steady, dt.date(2025, 2, 28), status=PatrolStatus.CANCELLED)
    patrolled(steady, dt.date(2025, 3, 7), status=PatrolStatus.PLANNED)  # in the week itself

    rank = next(r for r in rank_hotspots(area, WEEK) if r.hotspot == steady)

    assert rank.last_patrolled is None
    assert rank.reason.endswith("not patrolled yet")


def test_monthly_data_counts_by_the_first_day_of_its_month(area, ward, batch):
    """police.uk rows for January (1 Jan is in the 12 weeks, not the last 4) count; rows
    for February are ignored, because February has dated rows from a weekly extract."""
    hotspot = HotspotFactory(ward=ward, name="Monthly Mews")
    add_crimes(batch, 2, hotspot.latitude, hotspot.longitude, first=RECENT_FIRST)
    january = make_batch(CrimeFileKind.STREET, dt.date(2025, 1, 1))
    add_crimes(january, 5, hotspot.latitude, hotspot.longitude, month=dt.date(2025, 1, 1))
    february = make_batch(CrimeFileKind.STREET, dt.date(2025, 2, 1))
    add_crimes(february, 7, hotspot.latitude, hotspot.longitude, month=dt.date(2025, 2, 1))

    [rank] = rank_hotspots(area, WEEK)

    assert (rank.crimes_4w, rank.crimes_12w) == (2, 7)


def test_windows_end_today_for_a_week_not_yet_begun():
    windows = Windows.for_week(dt.date(2025, 3, 10), today=dt.date(2025, 3, 6))

    assert windows.as_of == dt.date(2025, 3, 6)
    assert windows.bounds("recent") == (dt.date(2025, 2, 6), dt.date(2025, 3, 6))
    assert windows.bounds("baseline") == (dt.date(2024, 8, 8), dt.date(2025, 2, 6))


# --- Uncovered places --------------------------------------------------------------------


def test_uncovered_lsoa_with_rising_crime_is_flagged(area, other_area, dataset, batch):
    far = {"latitude": Decimal("51.450000"), "longitude": Decimal("-0.130000")}
    rising = {"area": area, "lsoa_code": "E01099999", "lsoa_name": "Lambeth 099Z"}
    add_crimes(batch, 6, first=RECENT_FIRST, **far, **rising)
    add_crimes(batch, 4, first=dt.date(2024, 10, 1), **far, **rising)
    steady = {"area": area, "lsoa_code": "E01088888", "lsoa_name": "Lambeth 088Y"}
    add_crimes(batch, 6, first=RECENT_FIRST, **far, **steady)
    add_crimes(batch, 39, first=dt.date(2024, 9, 1), **far, **steady)  # 6 per 4 weeks
    small = {"area": area, "lsoa_code": "E01077777", "lsoa_name": "Lambeth 077X"}
    add_crimes(batch, 4, first=RECENT_FIRST, **far, **small)
    elsewhere = {"area": other_area, "lsoa_code": "E01066666", "lsoa_name": "Southwark 066W"}
    add_crimes(batch, 9, first=RECENT_FIRST, **far, **elsewhere)

    places = uncovered_places(area, WEEK)

    # Lambeth 001A (Rising Row's crimes) is rising too, but has a hotspot on it.
    assert [p.lsoa_code for p in places] == ["E01099999"]
    place = places[0]
    assert (place.lsoa_name, place.crimes_4w, place.latitude) == ("Lambeth 099Z", 6, 51.45)
    assert place.reason == (
        "6 relevant crimes in 4 weeks, 10 times the 6-month average of 0.6 per 4 weeks; "
        "no hotspot within 250 m"
    )


def test_area_ranking_gathers_both_and_the_data_date(area, dataset):
    ranking = area_ranking(area, WEEK)

    assert ranking.hotspots[0].hotspot.name == "Rising Row"
    assert ranking.uncovered == []
    assert ranking.crime_data_until == dt.date(2025, 3, 2)  # the extract's latest crime
    assert not ranking.crime_data_short
    assert ranking.windows.as_of == WEEK


# --- Queries ------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 12])
def test_queries_do_not_grow_with_hotspots_or_crimes(
    area, ward, batch, count, django_assert_num_queries
):
    for n in range(count):
        hotspot = HotspotFactory(ward=ward, latitude=Decimal("51.4") + Decimal(n) / 100)
        add_crimes(batch, n + 1, hotspot.latitude, hotspot.longitude, first=RECENT_FIRST)
        add_crimes(batch, n + 1, hotspot.latitude, hotspot.longitude, first=dt.date(2024, 9, 1))
        patrolled(hotspot, dt.date(2025, 2, 20), women_seen=n)

    # 1 hotspots with sightings and last patrols (subqueries), 1 crime counts per hotspot
    # and window, 1 LSOA counts, 2 the date the crime data runs to (latest monthly batch,
    # latest exact date of a local extract).
    with django_assert_num_queries(5):
        ranking = area_ranking(area, WEEK)
    # 1 hotspots, 1 crime counts, 2 how far the crime data runs (reporting.coverage).
    with django_assert_num_queries(4):
        rank_hotspots(area, WEEK)

    assert len(ranking.hotspots) == count
    assert ranking.hotspots[0].crimes_4w == count
