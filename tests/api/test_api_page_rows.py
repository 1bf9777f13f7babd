"""core.queries.page_rows: a list reads its page's keys, then those rows with their
joins, in the list's order (the pager's next/previous and COUNT rules are tested with the
crime records, tests/api/test_api_reporting.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Area, Ward
from core.queries import page_rows
from tests.factories import AreaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wards():
    area = AreaFactory(name="Lambeth", code="E09000022")
    return [
        Ward.objects.create(area=area, name=f"Ward {n:02}", code=f"E0500{n:04}") for n in range(7)
    ]


def test_a_page_is_its_keys_then_its_rows_in_the_lists_order(wards):
    queryset = Ward.objects.select_related("area").order_by("-name")

    with CaptureQueriesContext(connection) as queries:
        rows = page_rows(queryset, 2, 3)

    assert [ward.name for ward in rows] == ["Ward 04", "Ward 03", "Ward 02"]
    keys, page = (query["sql"] for query in queries)
    assert "JOIN" not in keys.upper()  # the keys: no joined table's columns
    assert "JOIN" in page.upper()  # the rows with their joins
    assert "IN (" in page.upper()  # by their keys
    assert rows[0].area.name == "Lambeth"  # loaded with them, no query more


def test_past_the_end_is_no_rows_and_one_query(wards):
    with CaptureQueriesContext(connection) as queries:
        assert page_rows(Ward.objects.order_by("pk"), 50, 10) == []
    assert len(queries) == 1


def test_a_distinct_or_values_queryset_is_read_in_one_slice(wards):
    with CaptureQueriesContext(connection) as queries:
        names = page_rows(Ward.objects.order_by("name").values_list("name", flat=True), 0, 2)
        areas = page_rows(Area.objects.distinct().order_by("pk"), 0, 2)
    assert (names, len(areas), len(queries)) == (["Ward 00", "Ward 01"], 1, 2)


def test_the_rows_are_read_by_their_keys_alone(wards):
    queryset = (
        Ward.objects.select_related("area")
        .filter(area__name="Lambeth", name__in=["Ward 01", "Ward 03", "Ward 05"])
        .order_by("name")
    )

    with CaptureQueriesContext(connection) as queries:
        rows = page_rows(queryset, 1, 5)

    assert [ward.name for ward in rows] == ["Ward 03", "Ward 05"]
    keys, page = (query["sql"] for query in queries)
    assert "Ward 05" in keys  # the list's conditions chose the keys
    assert "Ward 05" not in page  # and are not read again
    assert "Lambeth" not in page
    assert rows[1].area.name == "Lambeth"


def test_through_a_join_to_many_rows_the_rows_keep_the_lists_conditions(wards):
    queryset = Area.objects.filter(wards__name__in=["Ward 02", "Ward 04"]).order_by("pk")

    with CaptureQueriesContext(connection) as queries:
        rows = page_rows(queryset, 0, 5)

    assert len(rows) == 2  # the area once per matching ward, as the list has it; not 7 times
    assert "Ward 04" in queries[1]["sql"]
