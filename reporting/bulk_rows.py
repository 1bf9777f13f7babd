"""Writing a force-month's rows fast: PostgreSQL COPY through psycopg 3, or batched INSERTs
on SQLite (the embedded default); rows already staged in the database are written by the
staging table's own ``INSERT ... SELECT``."""

import itertools
from collections.abc import Iterable

from django.db import connection

INSERT_BATCH_SIZE = 5_000


class RowsInDatabase:
    """A force-month's rows already in the database (a staging table)."""

    def insert_into(self, model, fields: tuple[str, ...], batch_id: int) -> int:
        raise NotImplementedError


def insert_rows(
    model, fields: tuple[str, ...], batch_id: int, rows: Iterable[tuple] | RowsInDatabase
) -> int:
    if isinstance(rows, RowsInDatabase):
        return rows.insert_into(model, fields, batch_id)
    if connection.vendor == "postgresql":
        return copy_rows(model, fields, batch_id, rows)
    written = 0
    for chunk in itertools.batched(rows, INSERT_BATCH_SIZE):
        model.objects.bulk_create(
            [model(batch_id=batch_id, **dict(zip(fields, row, strict=True))) for row in chunk]
        )
        written += len(chunk)
    return written


def copy_rows(model, fields: tuple[str, ...], batch_id: int, rows: Iterable[tuple]) -> int:
    """PostgreSQL COPY through psycopg 3: several times faster than INSERTs."""
    quote = connection.ops.quote_name
    columns = [model._meta.get_field("batch").column]
    columns += [model._meta.get_field(name).column for name in fields]
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN"
    written = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row((batch_id, *row))
            written += 1
    return written
