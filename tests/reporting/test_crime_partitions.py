"""The crime table's monthly partitions (reporting migration 0013, reporting.crime_partitions):
on PostgreSQL an import stores each month in that month's own partition, a row written
before its month had one waits in the default partition and moves when it is made, and a
read or a replacement that names its month touches only that month. SQLite has no
partitions: the same imports store the same rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting import crime_partitions
from reporting.importer import import_file
from reporting.models import CrimeRecord, ImportBatch, ImportStatus

from .test_import_staging import text_of
from .test_ranking import add_crimes, make_batch

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"
on_postgresql = pytest.mark.skipif(not POSTGRES, reason="partitions are PostgreSQL's")


def _partition_of_each_row() -> dict[str, int]:
    """Each partition's name and how many of the crime rows it holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text, count(*) FROM reporting_crimerecord GROUP BY 1"
        )
        return dict(cursor.fetchall())


def _import(tmp_path, rows: list[dict], name="street.csv"):
    path = tmp_path / name
    path.write_bytes(text_of(rows))
    return import_file(path, path.name)


@on_postgresql
def test_the_crime_table_is_partitioned_by_month_with_a_default_partition():
    with connection.cursor() as cursor:
        assert crime_partitions.is_partitioned(cursor)
        cursor.execute("SELECT to_regclass('reporting_crimerecord_default') IS NOT NULL")
        assert cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_get_partkeydef('reporting_crimerecord'::regclass), "
            "pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'reporting_crimerecord'::regclass AND contype = 'p'"
        )
        assert cursor.fetchone() == ("RANGE (month)", "PRIMARY KEY (id, month)")


@on_postgresql
def test_an_import_stores_each_month_in_its_own_partition(tmp_path):
    _import(tmp_path, [{"Month": "2031-01"}] * 2 + [{"Month": "2031-02"}] * 3)

    assert _partition_of_each_row() == {
        "reporting_crimerecord_m203101": 2,
        "reporting_crimerecord_m203102": 3,
    }


@on_postgresql
def test_rows_in_the_default_partition_move_when_their_month_gets_one(tmp_path):
    month = dt.date(2032, 5, 1)
    add_crimes(make_batch(month=month), 2, None, None, month=month)
    add_crimes(make_batch(month=dt.date(2032, 6, 1)), 1, None, None, month=dt.date(2032, 6, 1))
    assert _partition_of_each_row() == {"reporting_crimerecord_default": 3}

    assert crime_partitions.ensure_months([month, month.replace(day=9)]) == [month]

    assert _partition_of_each_row() == {
        "reporting_crimerecord_m203205": 2,
        "reporting_crimerecord_default": 1,
    }
    assert crime_partitions.ensure_months([month]) == []  # made once
    assert CrimeRecord.objects.filter(month=month).count() == 2


@on_postgresql
def test_ids_still_come_from_one_sequence_across_partitions(tmp_path):
    _import(tmp_path, [{"Month": "2033-01"}, {"Month": "2033-02"}])
    add_crimes(make_batch(month=dt.date(2033, 3, 1)), 1, None, None, month=dt.date(2033, 3, 1))

    ids = list(CrimeRecord.objects.values_list("pk", flat=True))
    assert len(ids) == len(set(ids)) == 3
    assert CrimeRecord.objects.get(pk=max(ids)).month == dt.date(2033, 3, 1)


@on_postgresql
def test_replacing_a_force_month_reads_only_that_months_partition(tmp_path):
    _import(tmp_path, [{"Month": "2034-01"}] * 2 + [{"Month": "2034-02"}] * 2, "first.csv")
    old = ImportBatch.objects.get(month=dt.date(2034, 1, 1), status=ImportStatus.IMPORTED)
    sql, params = CrimeRecord.objects.filter(batch=old, month=old.month).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "reporting_crimerecord_m203401" in plan
    assert "reporting_crimerecord_m203402" not in plan

    with CaptureQueriesContext(connection) as queries:
        _import(tmp_path, [{"Month": "2034-01", "Crime type": "Drugs"}] * 3, "second.csv")

    (delete,) = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert '"reporting_crimerecord"."month" = ' in delete

    assert _partition_of_each_row() == {
        "reporting_crimerecord_m203401": 3,
        "reporting_crimerecord_m203402": 2,
    }
    assert set(CrimeRecord.objects.filter(month=old.month).values_list("crime_type")) == {
        ("Drugs",)
    }


def test_the_same_import_stores_the_same_rows_on_every_database(tmp_path):
    _import(tmp_path, [{"Month": "2035-01"}] * 2 + [{"Month": "2035-02"}])
    assert sorted(CrimeRecord.objects.values_list("month", flat=True)) == [
        dt.date(2035, 1, 1),
        dt.date(2035, 1, 1),
        dt.date(2035, 2, 1),
    ]
    assert crime_partitions.ensure_months([dt.date(2035, 3, 1)]) == (
        [dt.date(2035, 3, 1)] if POSTGRES else []
    )


def test_partition_names_are_the_months():
    assert crime_partitions.partition_name(dt.date(2019, 3, 1)) == "reporting_crimerecord_m201903"
