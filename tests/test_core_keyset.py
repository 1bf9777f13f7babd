"""core.keyset: a list's ordering as keys (total, NULLs last), the cursor's round trip of
each value type, and the filter that gives exactly the rows after (or before) a row."""

import base64
import datetime as dt
import decimal
import json
import uuid
from itertools import product

import pytest
from django.db import models
from django.db.models import F
from django.utils import timezone

from core import keyset
from core.keyset import InvalidCursor, Key
from partners.models import PartnerAgency
from reporting.models import CrimeRecord, ImportBatch, ImportStatus
from tests.factories import AgencyFactory, AreaFactory

# --- Cursor values -------------------------------------------------------------------------

AWARE = dt.datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=dt.UTC)  # microseconds kept


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (models.DateTimeField(), AWARE),
        (models.DateTimeField(), timezone.localtime(AWARE)),  # an offset kept
        (models.DateField(), dt.date(2024, 2, 29)),
        (models.TimeField(), dt.time(23, 59, 59, 999999)),
        (models.DecimalField(max_digits=9, decimal_places=6), decimal.Decimal("-0.115001")),
        (models.UUIDField(), uuid.UUID("12345678-1234-5678-1234-567812345678")),
        (models.DurationField(), dt.timedelta(days=2, microseconds=7)),
        (models.BooleanField(), False),
        (models.BigIntegerField(), 2**62),
        (models.FloatField(), 0.1),
        (models.CharField(), "Ward 07 — Brixton ‘Hill’"),
        (models.DateField(null=True), None),
    ],
)
def test_each_value_type_comes_back_as_it_went(field, value):
    keys = [Key("x", False, field, field.null), Key("pk", True, models.BigAutoField(), False)]

    cursor = keyset.position_cursor(keys, [value, 7], backwards=True)
    position = keyset.read_position(cursor, keys)

    assert position.values == [value, 7]
    assert type(position.values[0]) is type(value)
    assert position.backwards
    assert not set(cursor) & set("=+/")  # URL-safe


def test_a_cursor_is_base64_of_compact_json():
    keys = [Key("month", True, models.DateField(), False)]
    cursor = keyset.position_cursor(keys, [dt.date(2026, 9, 1)], backwards=False)
    payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert payload == {"s": keyset.signature(["-month"]), "k": ["2026-09-01"]}


def encoded(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


DATE_PK = [
    Key("date", False, models.DateField(null=True), True),
    Key("pk", False, models.BigAutoField(), False),
]
SIGNED = keyset.signature(["date", "pk"])


@pytest.mark.parametrize(
    "cursor",
    [
        "***",  # not base64
        "bm90IGpzb24",  # base64 of "not json"
        encoded([1, 2]),  # not an object
        encoded({"s": SIGNED, "k": ["2026-01-01"]}),  # too few values
        encoded({"s": SIGNED, "k": ["2026-01-01", 1, 2]}),  # too many
        encoded({"s": SIGNED, "k": ["someday", 1]}),  # not a date
        encoded({"s": SIGNED, "k": ["2026-01-01", "one"]}),  # not a key
        encoded({"s": SIGNED, "k": ["2026-01-01", None]}),  # NULL where none can be
        encoded({"s": SIGNED, "k": ["2026-01-01", 2**64]}),  # no database integer
        encoded({"s": SIGNED, "k": [["2026-01-01"], 1]}),  # not a plain value
        encoded({"s": SIGNED, "k": ["2026-01-01", 1], "b": 2}),
        encoded({"s": SIGNED, "k": ["2026-01-01", 1], "extra": 1}),
        encoded({"s": keyset.signature(["-date", "-pk"]), "k": ["2026-01-01", 1]}),  # another order
        encoded({"k": ["2026-01-01", 1]}),  # no signature
        encoded({"s": SIGNED, "o": 50}),  # an offset where a position is expected
        "A" * 3000,  # longer than any cursor made here
    ],
)
def test_a_cursor_not_made_here_for_this_ordering_is_refused(cursor):
    with pytest.raises(InvalidCursor):
        keyset.read_position(cursor, DATE_PK)


def test_the_cursors_own_values_pass():
    assert keyset.read_position(encoded({"s": SIGNED, "k": [None, 1]}), DATE_PK).values == [None, 1]


def test_a_naive_datetime_was_not_made_here():
    keys = [Key("at", False, models.DateTimeField(), False), DATE_PK[1]]
    signed = keyset.signature(["at", "pk"])
    with pytest.raises(InvalidCursor):
        keyset.read_position(encoded({"s": signed, "k": ["2026-03-29T01:30:00", 1]}), keys)


@pytest.mark.parametrize("offset", [-1, 1.5, "5", True, 10**12])
def test_an_offset_cursor_holds_a_whole_number_in_range(offset):
    with pytest.raises(InvalidCursor):
        keyset.read_offset(encoded({"s": keyset.signature(["?"]), "o": offset}), ["?"], 10**9)
    assert keyset.read_offset(keyset.offset_cursor(["?"], 50), ["?"], 10**9) == 50
    with pytest.raises(InvalidCursor):
        keyset.read_offset(keyset.offset_cursor(["?"], 50), ["name"], 10**9)


# --- The ordering as keys ------------------------------------------------------------------


def terms(keys):
    return None if keys is None else [key.term for key in keys]


@pytest.mark.django_db
def test_the_ordering_is_made_total_with_the_pk_in_the_last_keys_direction():
    crimes = CrimeRecord.objects.all()
    assert terms(keyset.keys_for(crimes.order_by("-month"))) == ["-month", "-pk"]
    assert terms(keyset.keys_for(crimes.order_by("crime_type", "-date"))) == [
        "crime_type",
        "-date",
        "-pk",
    ]
    assert terms(keyset.keys_for(crimes.order_by("-month", "id", "date"))) == ["-month", "pk"]
    assert terms(keyset.keys_for(crimes.order_by())) == ["pk"]
    assert terms(keyset.keys_for(crimes)) == ["-month", "-pk"]  # Meta.ordering, made total


@pytest.mark.django_db
def test_nullable_keys_say_where_nulls_go_and_others_keep_plain_terms():
    keys = keyset.keys_for(CrimeRecord.objects.order_by("date", "area__name", "month"))
    assert [key.nullable for key in keys] == [True, True, False, False]  # area is nullable
    assert keys[2].order() == "month"
    assert keys[0].order() == F("date").asc(nulls_last=True)
    assert keys[0].reversed().order() == F("date").desc(nulls_first=True)


@pytest.mark.django_db
def test_a_record_with_a_uuid_is_named_by_it_not_by_its_integer_key():
    key = keyset.keys_for(PartnerAgency.objects.order_by("name"))[-1]
    assert (key.name, key.read, type(key.field)) == ("pk", "uuid", models.UUIDField)
    assert keyset.keys_for(CrimeRecord.objects.order_by("month"))[-1].read == "pk"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "queryset",
    [
        lambda: CrimeRecord.objects.order_by(F("month").desc()),  # an expression
        lambda: CrimeRecord.objects.order_by("?"),
        lambda: CrimeRecord.objects.order_by("month__year"),  # a transform
        lambda: CrimeRecord.objects.order_by("area"),  # a relation: its model's ordering
        lambda: ImportBatch.objects.order_by("crimes__month"),  # many-valued
        lambda: CrimeRecord.objects.values("month").order_by("month"),
        lambda: CrimeRecord.objects.order_by("month").union(CrimeRecord.objects.all()),
        lambda: CrimeRecord.objects.extra(order_by=["month"]),
        lambda: CrimeRecord.objects.distinct("month").order_by("month"),
        lambda: [1, 2, 3],
    ],
)
def test_what_cannot_be_keyed_is_paged_by_offset(queryset):
    assert keyset.keys_for(queryset()) is None


@pytest.mark.django_db
def test_a_plain_distinct_is_keyed():
    assert terms(keyset.keys_for(CrimeRecord.objects.distinct().order_by("date"))) == [
        "date",
        "pk",
    ]


@pytest.mark.django_db
def test_only_the_fields_a_view_allows_are_keyed():
    crimes = CrimeRecord.objects.order_by("-month", "crime_id")
    assert keyset.keys_for(crimes, allowed={"month"}) is None
    assert terms(keyset.keys_for(crimes, allowed={"month", "crime_id"}))[:2] == [
        "-month",
        "crime_id",
    ]


# --- After this row ------------------------------------------------------------------------

DATES = [None, dt.date(2026, 9, 3), dt.date(2026, 9, 1), None, dt.date(2026, 9, 3), None]
TYPES = ["Drugs", "Robbery", "Drugs", "Drugs", "Drugs", "Robbery"]


@pytest.fixture
def rows(db):
    """Six crimes: NULL dates, tied dates, tied types; one without an area (LEFT JOIN)."""
    area = AreaFactory(name="Lambeth", code="E09000022")
    source = ImportBatch.objects.create(
        filename="x.csv",
        sha256="0" * 64,
        kind="street",
        force="metropolitan",
        month=dt.date(2026, 9, 1),
        status=ImportStatus.IMPORTED,
    )
    return [
        CrimeRecord.objects.create(
            batch=source,
            area=area if n != 4 else None,
            crime_id=f"c{n}",
            month=dt.date(2026, 9, 1),
            date=date,
            crime_type=kind,
            reported_by="x",
            falls_within="x",
        )
        for n, (date, kind) in enumerate(zip(DATES, TYPES, strict=True))
    ]


def value_of(row, name):
    if name == "area__name":
        return row.area.name if row.area else None
    return getattr(row, name)


def expected_order(rows, terms):
    """The rule, in Python: each field ascending or descending, NULLs last either way."""
    ordered = list(rows)
    for term in reversed(terms):  # stable sorts, the last field first
        name = term.removeprefix("-")
        present = [row for row in ordered if value_of(row, name) is not None]
        absent = [row for row in ordered if value_of(row, name) is None]
        present.sort(key=lambda row, name=name: value_of(row, name), reverse=term != name)
        ordered = present + absent
    return ordered


ORDERINGS = [[f"{a}date", f"{b}crime_type"] for a, b in product(["", "-"], repeat=2)] + [
    ["-area__name", "date"],
    ["area__name"],
    ["-date"],
]


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_the_order_puts_nulls_last_both_ways_and_after_gives_exactly_the_rows_after(rows, ordering):
    queryset = CrimeRecord.objects.order_by(*ordering)
    keys = keyset.keys_for(queryset)
    names = [key.read for key in keys]
    listed = list(queryset.order_by(*(key.order() for key in keys)))

    assert listed == expected_order(rows, [key.term for key in keys])
    for index, row in enumerate(listed):
        values = list(CrimeRecord.objects.filter(pk=row.pk).values_list(*names).get())
        after = queryset.order_by(*(k.order() for k in keys)).filter(keyset.after(keys, values))
        assert list(after) == listed[index + 1 :], (ordering, index)
        back = [key.reversed() for key in keys]
        before = queryset.order_by(*(k.order() for k in back)).filter(keyset.after(back, values))
        assert list(before) == listed[:index][::-1], (ordering, index)


@pytest.mark.django_db
def test_a_uuid_in_the_cursor_is_read_back_as_its_row_inside_the_scope():
    agencies = [AgencyFactory(name=f"Agency {n}") for n in range(4)]
    everything = PartnerAgency.objects.order_by("name")
    keys = keyset.keys_for(everything)
    edge = ["Agency 1", agencies[1].uuid]

    within = everything.filter(keyset.after(keys, keyset.at_uuids(everything, keys, edge)))
    assert list(within) == agencies[2:]
    outside = everything.exclude(pk=agencies[1].pk)  # the named row is not in the scope
    later = outside.filter(keyset.after(keys, keyset.at_uuids(outside, keys, edge)))
    assert list(later) == agencies[2:]  # no row is placed by it: nothing more is shown


@pytest.mark.django_db
def test_the_first_key_bounds_the_scan_where_it_cannot_be_null():
    queryset = CrimeRecord.objects.order_by("-month", "date")
    keys = keyset.keys_for(queryset)
    sql = str(queryset.filter(keyset.after(keys, [dt.date(2026, 9, 1), None, 5])).query)
    assert 'WHERE ("reporting_crimerecord"."month" <= 2026-09-01 AND' in sql
    nullable = keyset.keys_for(queryset.order_by("date", "month"))
    sql = str(queryset.filter(keyset.after(nullable, [dt.date(2026, 9, 1), None, 5])).query)
    assert ">= 2026-09-01" not in sql
