"""Keyset pages (core.api_defaults.Pagination, core.keyset), walked through the crime
records list: ``next`` gives every row once in order, ``previous`` gives the same pages
back, for the list's own ordering and a client's ``?ordering=`` with ties and NULLs; a
cursor not made here, or made for another ordering, is 404; a page costs the same
queries however long the list. An ordering that cannot be keyed pages by offset."""

import base64
import datetime as dt
import json

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.api_defaults import Pagination
from reporting.models import CrimeRecord, ImportBatch, ImportStatus

from .conftest import bearer

pytestmark = pytest.mark.django_db

URL = "/api/v1/crime-records/"
D1, D2, D3 = dt.date(2026, 9, 3), dt.date(2026, 9, 10), dt.date(2026, 9, 20)
# Seven crimes: two months, tied months and dates, three without a date.
MONTHS = [dt.date(2026, 9, 1)] * 4 + [dt.date(2026, 8, 1)] * 3
DATES = [None, D2, D1, None, D2, D3, None]
TYPES = ["Drugs", "Robbery", "Drugs", "Burglary", "Robbery", "Drugs", "Drugs"]


@pytest.fixture
def pc_token(pc, make_token):
    return make_token(pc)


def add_crimes(area, months, dates=None, types=None):
    source = ImportBatch.objects.get_or_create(
        month=dt.date(2026, 9, 1),
        defaults={
            "filename": "x.csv",
            "sha256": "0" * 64,
            "kind": "street",
            "force": "metropolitan",
            "status": ImportStatus.IMPORTED,
        },
    )[0]
    start = CrimeRecord.objects.count()
    return CrimeRecord.objects.bulk_create(
        CrimeRecord(
            batch=source,
            area=area,
            crime_id=f"c{start + n}",
            month=month,
            date=dates[n] if dates else None,
            crime_type=types[n] if types else "Drugs",
            reported_by="x",
            falls_within="x",
        )
        for n, month in enumerate(months)
    )


@pytest.fixture
def seven(area):
    add_crimes(area, MONTHS, DATES, TYPES)
    return list(CrimeRecord.objects.all())


def get(client, token, url, query=None):
    response = client.get(url, query or {}, **bearer(token))
    assert response.status_code == 200, response.content
    return response.json()


def walk(client, token, query):
    """Every page, following next from the first; then previous back from the last."""
    pages = [get(client, token, URL, query)]
    while pages[-1]["next"]:
        assert len(pages) < 20
        pages.append(get(client, token, pages[-1]["next"]))
    back = [pages[-1]]
    while back[-1]["previous"]:
        assert len(back) < 20
        back.append(get(client, token, back[-1]["previous"]))
    return pages, back[::-1]


def nulls_last(rows, *terms):
    """The rule in Python: each field either way with NULLs last, stable sorts."""
    ordered = list(rows)
    for term in reversed(terms):
        name = term.removeprefix("-")
        present = [row for row in ordered if getattr(row, name) is not None]
        absent = [row for row in ordered if getattr(row, name) is None]
        present.sort(key=lambda row, name=name: getattr(row, name), reverse=term != name)
        ordered = present + absent
    return [row.pk for row in ordered]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        (None, ("-month", "id")),  # the list's own: its queryset's, already total
        ("date", ("date", "id")),  # pk appended in the last key's direction
        ("-date", ("-date", "-id")),
        ("crime_type,-date", ("crime_type", "-date", "-id")),
        ("-crime_type,date", ("-crime_type", "date", "id")),
    ],
)
def test_next_gives_every_row_once_in_order_and_previous_the_same_pages_back(
    client, pc_token, seven, ordering, expected
):
    query = {"page_size": 2} | ({"ordering": ordering} if ordering else {})

    pages, back = walk(client, pc_token, query)

    listed = [row["id"] for page in pages for row in page["results"]]
    assert listed == nulls_last(seven, *expected)
    assert [len(page["results"]) for page in pages] == [2, 2, 2, 1]
    assert pages[0]["previous"] is None
    assert [page["results"] for page in back] == [page["results"] for page in pages]
    assert all("cursor=" in page["next"] for page in pages[:-1])
    assert all("page_size=2" in page["next"] for page in pages[:-1])
    if ordering:
        assert all(f"ordering={ordering.replace(',', '%2C')}" in p["next"] for p in pages[:-1])


def test_an_empty_list_has_no_links(client, pc_token):
    assert get(client, pc_token, URL) == {"next": None, "previous": None, "results": []}


def test_a_page_exactly_full_has_no_next(client, pc_token, area):
    add_crimes(area, [dt.date(2026, 9, 1)] * 2)
    first = get(client, pc_token, URL, {"page_size": 2})
    assert (len(first["results"]), first["next"], first["previous"]) == (2, None, None)


def next_cursor(client, token, query) -> str:
    link = get(client, token, URL, query)["next"]
    return link.split("cursor=")[1].split("&")[0]


def payload(cursor: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def encoded(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_the_cursor_holds_the_last_rows_ordering_values_only(client, pc_token, seven):
    query = {"page_size": 2, "ordering": "-date"}
    last = CrimeRecord.objects.get(pk=get(client, pc_token, URL, query)["results"][-1]["id"])
    assert payload(next_cursor(client, pc_token, query))["k"] == [last.date.isoformat(), last.pk]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c[:-3],  # cut
        lambda c: c + "!",  # not base64
        lambda c: encoded(payload(c) | {"k": ["not a date", 1]}),  # a value that does not convert
        lambda c: encoded(payload(c) | {"k": payload(c)["k"][:1]}),  # too few values
        lambda c: encoded(payload(c) | {"k": [*payload(c)["k"], 3]}),  # too many
        lambda c: encoded(payload(c) | {"s": "000000000000"}),  # another ordering's
        lambda c: encoded({"s": payload(c)["s"], "o": 2}),  # an offset for a keyed list
        lambda c: base64.urlsafe_b64encode(b"{not json").decode(),
    ],
)
def test_a_tampered_cursor_is_404_in_the_error_shape(client, pc_token, seven, tamper):
    cursor = tamper(next_cursor(client, pc_token, {"page_size": 2, "ordering": "date"}))

    response = client.get(URL, {"ordering": "date", "cursor": cursor}, **bearer(pc_token))

    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "code": "not_found",
        "detail": "Invalid cursor.",
        "errors": {},
    }


@pytest.mark.parametrize("other", [{"ordering": "-date"}, {"ordering": "crime_type"}, {}])
def test_a_cursor_made_for_another_ordering_is_404(client, pc_token, seven, other):
    cursor = next_cursor(client, pc_token, {"page_size": 2, "ordering": "date"})

    response = client.get(URL, other | {"cursor": cursor}, **bearer(pc_token))

    assert response.status_code == 404
    assert response.json()["detail"] == "Invalid cursor."


def test_a_cursor_narrows_the_scope_never_widens_it(client, pc_token, pc, area, other_area):
    add_crimes(area, [dt.date(2026, 9, 1)] * 3)
    theirs = add_crimes(other_area, [dt.date(2026, 10, 1)] * 3)
    signed = payload(next_cursor(client, pc_token, {"page_size": 1}))["s"]
    forged = encoded({"s": signed, "k": ["2026-11-01", 0]})  # before every row, theirs too

    rows = get(client, pc_token, URL, {"cursor": forged})["results"]

    assert len(rows) == 3
    assert not {row["id"] for row in rows} & {crime.pk for crime in theirs}


def test_the_page_size_is_still_capped(client, pc_token, area):
    add_crimes(area, [dt.date(2026, 9, 1)] * 203)
    page = get(client, pc_token, URL, {"page_size": 1000})
    assert len(page["results"]) == 200
    assert len(get(client, pc_token, page["next"])["results"]) == 3


def page_queries(client, token, query) -> int:
    with CaptureQueriesContext(connection) as queries:
        get(client, token, URL, query)
    return len(queries)


def test_a_page_costs_the_same_queries_for_5_and_50_rows(client, pc_token, area):
    add_crimes(area, [dt.date(2026, 9, 1)] * 5)
    get(client, pc_token, URL)  # the token's first use is written once
    cursor = next_cursor(client, pc_token, {"page_size": 2})
    small = page_queries(client, pc_token, {"page_size": 200, "ordering": "date"})
    small_next = page_queries(client, pc_token, {"page_size": 2, "cursor": cursor})
    add_crimes(area, [dt.date(2026, 8, 1)] * 45)
    large = page_queries(client, pc_token, {"page_size": 200, "ordering": "date"})
    large_next = page_queries(client, pc_token, {"page_size": 2, "cursor": cursor})

    assert small == large
    assert small_next == large_next == small  # a cursor adds no query (its filter is SQL)


# --- Offset where an ordering cannot be keyed -----------------------------------------------


def paginate(query: dict, queryset):
    request = Request(APIRequestFactory().get(URL, query))
    pager = Pagination()
    rows = pager.paginate_queryset(queryset, request)
    return rows, pager.get_next_link(), pager.get_previous_link()


def test_an_ordering_by_an_expression_pages_by_an_offset_in_its_cursor(area):
    add_crimes(area, MONTHS, DATES, TYPES)
    queryset = CrimeRecord.objects.order_by(F("date").desc(nulls_last=True), "pk")
    expected = list(queryset)

    rows, following, previous = paginate({"page_size": 3}, queryset)
    pages = [rows]
    while following:
        cursor = following.split("cursor=")[1].split("&")[0]
        assert set(payload(cursor)) == {"s", "o"}
        rows, following, previous = paginate({"page_size": 3, "cursor": cursor}, queryset)
        pages.append(rows)

    assert [row for page in pages for row in page] == expected
    assert "cursor=" in previous
    other = CrimeRecord.objects.order_by(F("date").asc(), "pk")
    with pytest.raises(NotFound, match="Invalid cursor"):
        paginate({"cursor": cursor}, other)


def test_a_cursor_never_carries_a_field_the_view_does_not_let_clients_order_by(area):
    """A list ordered by a field outside the view's ``ordering_fields`` and ``ordering``
    (crime_type here) is paged by offset: its values never reach a cursor."""
    from types import SimpleNamespace

    add_crimes(area, MONTHS, DATES, TYPES)
    view = SimpleNamespace(ordering_fields=["date"], ordering=["-month"])
    request = Request(APIRequestFactory().get(URL, {"page_size": 3}))
    pager = Pagination()
    pager.paginate_queryset(CrimeRecord.objects.order_by("crime_type", "pk"), request, view)
    cursor = pager.get_next_link().split("cursor=")[1].split("&")[0]
    assert set(payload(cursor)) == {"s", "o"}
