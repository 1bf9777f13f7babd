"""The crime table's monthly partitions, on PostgreSQL.

``reporting_crimerecord`` is partitioned by range of ``month``: one partition a month
(``reporting_crimerecord_m201903``) and a default partition for rows of a month that has
none yet. Replacing a force-month then touches one month's small indexes instead of the
whole table's, and every read that names its months (the ranking, the evaluation, the
monthly report) reads only those partitions.

The import creates a month's partition before it writes the month (``ensure_months``),
in a short transaction of its own: attaching takes the default partition's lock, which
readers of the whole table wait for. Rows written to a month before it had a partition
(tests, the demo's few rows) are in the default partition; they move to the month's
partition when it is created. SQLite has no partitions and the functions do nothing.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction

TABLE = "reporting_crimerecord"
DEFAULT = f"{TABLE}_default"
# One key for every creation of a partition: two imports of a new month never both create it.
LOCK_KEY = 0x63726D65  # "crme"


def partition_name(month: dt.date) -> str:
    return f"{TABLE}_m{month:%Y%m}"


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def is_partitioned(cursor) -> bool:
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
    row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def ensure_months(months: Iterable[dt.date]) -> list[dt.date]:
    """Create the partition of each month that has none; the months created."""
    if connection.vendor != "postgresql":
        return []
    wanted = sorted({month.replace(day=1) for month in months})
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        if not is_partitioned(cursor):
            return []
        missing = [month for month in wanted if not _exists(cursor, month)]
        if not missing:
            return []
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        for month in missing:
            if not _exists(cursor, month):
                _create(cursor, month)
                created.append(month)
    return created


def _exists(cursor, month: dt.date) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [partition_name(month)])
    return cursor.fetchone()[0]


def _create(cursor, month: dt.date) -> None:
    """The month's partition, with any rows of the month the default partition held."""
    name, start, end = partition_name(month), month, _next_month(month)
    # Names of our own and dates: no value from a user.
    cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    cursor.execute(
        f"WITH moved AS (DELETE FROM {DEFAULT} WHERE month >= %s AND month < %s RETURNING *) "  # noqa: S608
        f"INSERT INTO {name} SELECT * FROM moved",
        [start, end],
    )
    cursor.execute(
        f"ALTER TABLE {TABLE} ATTACH PARTITION {name} "
        f"FOR VALUES FROM ('{start:%Y-%m-%d}') TO ('{end:%Y-%m-%d}')"
    )
