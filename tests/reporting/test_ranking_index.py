"""The hotspot ranking's spatial index (reporting migration 0012): on PostgreSQL a GiST
index on each mapped crime's point, which the ranking's box reads; on SQLite the B-tree on
(latitude, longitude). The counts are the same either way, edges included."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting import ranking
from reporting.models import CrimeFileKind
from tests.factories import HotspotFactory, WardFactory

from .test_ranking import RECENT_FIRST, WEEK, add_crimes, data_reaches_the_week, make_batch

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"


def _indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "reporting_crimerecord")
    return {name: info.get("type", "") for name, info in found.items() if info["index"]}


@pytest.mark.skipif(not POSTGRES, reason="GiST is PostgreSQL's")
def test_postgres_has_a_gist_index_on_the_crime_point_and_no_position_btree():
    indexes = _indexes()
    assert indexes.get("crime_point") == "gist"
    assert "crime_position" not in indexes


@pytest.mark.skipif(POSTGRES, reason="SQLite keeps the B-tree")
def test_sqlite_keeps_the_position_btree():
    assert "crime_position" in _indexes()


def test_the_first_cut_is_a_point_in_a_box_on_postgres_only(area):
    hotspot = HotspotFactory(
        ward=WardFactory(area=area), latitude=Decimal("51.480000"), longitude=Decimal("-0.110000")
    )
    batch = make_batch(kind=CrimeFileKind.WEEKLY)
    add_crimes(batch, 3, hotspot.latitude, hotspot.longitude, first=RECENT_FIRST)
    data_reaches_the_week(batch)
    with CaptureQueriesContext(connection) as queries:
        (ranked,) = ranking.rank_hotspots(area, WEEK)
    counting = [q["sql"] for q in queries.captured_queries if "FILTER" in q["sql"]]
    assert counting
    assert any("<@ box(point(" in sql for sql in counting) is POSTGRES
    assert ranked.crimes_4w == 3


def test_a_crime_on_the_edge_of_the_box_counts_on_every_database(area):
    """The box's edge belongs to the box for the numbers and for the points alike."""
    hotspot = HotspotFactory(
        ward=WardFactory(area=area), latitude=Decimal("51.480000"), longitude=Decimal("-0.110000")
    )
    dlat, dlon = ranking._box_half_sides(hotspot.latitude)
    batch = make_batch(kind=CrimeFileKind.WEEKLY)
    corner = hotspot.latitude + dlat, hotspot.longitude - dlon
    add_crimes(batch, 2, *corner, first=RECENT_FIRST)
    outside = hotspot.latitude + dlat + Decimal("0.000001"), hotspot.longitude
    add_crimes(batch, 5, *outside, first=RECENT_FIRST)
    data_reaches_the_week(batch)
    windows = ranking.Windows.for_week(WEEK)
    counts = ranking._crime_counts([hotspot], ranking.DEFAULT_RELEVANT, windows)
    assert sum(counts[hotspot.pk]["recent"].values()) == 2
