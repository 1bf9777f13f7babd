"""Section 2 of BENCHMARKS.md: the crime import against raw COPY of the same file, and
what storing the same rows costs, in the same run (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

# --- Crime import against raw COPY -----------------------------------------------------


HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context"
)


def write_crime_file(
    path: Path, rows: int, month: dt.date, seed: int = 7, *, forces: int = 1, months: int = 1
) -> None:
    """Synthetic street rows; with several forces and months, row n is in force-month
    n mod (forces x months), so every force-month holds about the same share."""
    rng = random.Random(seed)
    types = ["Anti-social behaviour", "Public order", "Violence and sexual offences", "Drugs"]
    names = ["Bench Import Police"] + [f"Bench Import Police {n}" for n in range(1, forces)]
    firsts = [month]
    for _ in range(1, months):
        firsts.append((firsts[-1] + dt.timedelta(days=32)).replace(day=1))
    keys = [(name, first) for first in firsts for name in names]
    with path.open("w", newline="") as f:
        f.write(HEADER + "\n")
        for n in range(rows):
            crime_id = "" if n % 4 == 0 else f"{n:064x}"[-64:]
            force, first = keys[n % len(keys)]
            f.write(
                f"{crime_id},{first:%Y-%m},{force},{force},"
                f"{-0.1 + rng.uniform(-0.05, 0.05):.6f},{51.46 + rng.uniform(-0.03, 0.03):.6f},"
                f"On or near Synthetic Road,E01003{n % 500:03},Lambeth {n % 500:03}A,"
                f"{types[n % len(types)]},,\n"
            )


@dataclass
class ImportResult:
    rows: int
    import_s: float
    copy_s: float
    force_months: int = 1
    table_s: float = 0.0  # the converted rows into the crime table's indexes alone
    bare_s: float = 0.0  # the same into a bare ordinary table: durable, no index


def import_speed(
    rows: int, *, raw_copy: bool = True, forces: int = 1, months: int = 1
) -> ImportResult:
    """The import of a fresh file, then raw COPY of the same file, in the same run."""
    from reporting.importer import import_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "2019-03-bench-street.csv"
        write_crime_file(path, rows, dt.date(2019, 3, 1), forces=forces, months=months)
        started = time.perf_counter()
        result = import_file(str(path), path.name)
        import_s = time.perf_counter() - started
        assert result.rows == rows, result.rows
        assert len(result.parts) == forces * months, len(result.parts)
        copy_s = _raw_copy(path) if raw_copy else 0.0
        table_s, bare_s = _table_floor(path) if raw_copy else (0.0, 0.0)
    return ImportResult(rows, import_s, copy_s, forces * months, table_s, bare_s)


def import_speeds(rows: int, *, raw_copy: bool = True) -> list[ImportResult]:
    """A one-month file, and the same number of rows over 130 force-months (13 forces,
    10 months), each imported into an empty crime table."""
    from reporting.models import ImportBatch

    results = []
    for forces, months in ((1, 1), (13, 10)):
        ImportBatch.objects.filter(force__startswith="Bench Import Police").delete()
        results.append(import_speed(rows, raw_copy=raw_copy, forces=forces, months=months))
    return results


def _raw_copy(path: Path) -> float:
    """PostgreSQL COPY of the same file into a bare table: the physical limit here."""
    columns = ", ".join(f"c{i} text" for i in range(12))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE bench_copy ({columns})")
        started = time.perf_counter()
        with (
            path.open("rb") as f,
            cursor.copy("COPY bench_copy FROM STDIN (FORMAT csv, HEADER)") as copy,
        ):  # noqa: E501
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy")
    return elapsed


def _table_floor(path: Path) -> tuple[float, float]:
    """The same rows, converted, by one INSERT ... SELECT into a new table with the crime
    table's columns and indexes (no foreign keys): what storing them costs, however the
    file is read; and into a bare ordinary table (written to the WAL, no index): what
    storing them durably costs at the least. The file is COPYed into a text table first,
    outside the timing."""
    from django.db import transaction

    text = ", ".join(f"c{i} text" for i in range(12))
    numbers = "round(c4::numeric, 6), round(c5::numeric, 6)"
    insert = (
        "INSERT INTO {table} (batch_id, crime_id, month, reported_by, falls_within, "
        "longitude, latitude, location, lsoa_code, lsoa_name, crime_type, last_outcome, "
        f"context) SELECT 1, coalesce(c0, ''), (c1 || '-01')::date, c2, c3, {numbers}, "
        "c6, coalesce(c7, ''), coalesce(c8, ''), c9, coalesce(c10, ''), "
        "coalesce(c11, '') FROM bench_text"
    )
    timings = []
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE bench_text ({text})")
        with (
            path.open("rb") as f,
            cursor.copy("COPY bench_text FROM STDIN (FORMAT csv, HEADER)") as copy,
        ):
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        for table, like in (("bench_crime", "INCLUDING ALL"), ("bench_bare", "")):
            cursor.execute(f"CREATE TABLE {table} (LIKE reporting_crimerecord {like})")
            if not like:  # LIKE copies NOT NULL, and the id's default only with the indexes
                cursor.execute(f"ALTER TABLE {table} ALTER COLUMN id DROP NOT NULL")
            started = time.perf_counter()
            with transaction.atomic():
                cursor.execute(insert.format(table=table))
            timings.append(time.perf_counter() - started)
            cursor.execute(f"DROP TABLE {table}")
        cursor.execute("DROP TABLE bench_text")
    return timings[0], timings[1]
