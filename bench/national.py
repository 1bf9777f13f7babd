"""`make bench SCALE=national`: every police.uk street row of England and Wales, synthetic.

43 forces over 60 months, about 420,000 street rows a month (the Met about a fifth), with
an outcomes row for most crimes that have a Crime ID, beside the force-scale operational
data of 32 areas. The 32 areas are the Met's boroughs: the Met's rows carry their area and
sit around their centres and hotspots, so the ranking of one area reads real rows among
millions of other forces' rows elsewhere in the country.

On PostgreSQL the rows are made in the server by ``INSERT ... SELECT`` over
``generate_series`` (one statement per force, crimes and their outcomes in one pass through
a writable CTE); measured against Python writing the same rows through ``COPY FROM
STDIN`` on one million rows, it was faster (see ``BENCHMARKS.md``). The crime table's
secondary indexes are dropped for the load and built again after it, and foreign-key
triggers are off for the load (``session_replication_role``): the rows are consistent by
construction, and the same load through the importer is measured separately. Only column
names are used, so the table may be plain or partitioned. On SQLite (the smoke test) the
same shapes go in through the ORM.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.db import connection

from bench.dataset import Scale, build
from reporting import crime_partitions
from reporting.models import CrimeFileKind, CrimeOutcome, CrimeRecord, ImportBatch, ImportStatus

MET = "Metropolitan Police Service"
# (force, centre latitude, centre longitude, thousands of street rows a month): the 43
# territorial forces of England and Wales, sizes roughly as police.uk publishes them.
FORCES = [
    (MET, 51.50, -0.12, 80), ("Greater Manchester Police", 53.48, -2.24, 32),
    ("West Midlands Police", 52.48, -1.89, 28), ("West Yorkshire Police", 53.80, -1.55, 28),
    ("Kent Police", 51.27, 0.52, 15), ("South Yorkshire Police", 53.38, -1.47, 14),
    ("Thames Valley Police", 51.75, -1.26, 14), ("Essex Police", 51.74, 0.47, 13),
    ("Hampshire Constabulary", 50.90, -1.40, 13), ("Northumbria Police", 54.97, -1.61, 13),
    ("Lancashire Constabulary", 53.76, -2.70, 12), ("Merseyside Police", 53.41, -2.98, 12),
    ("Avon and Somerset Constabulary", 51.45, -2.59, 11), ("South Wales Police", 51.48, -3.18, 11),
    ("Sussex Police", 50.83, -0.14, 11), ("Devon & Cornwall Police", 50.72, -3.53, 9),
    ("Nottinghamshire Police", 52.95, -1.15, 9), ("Humberside Police", 53.74, -0.33, 8),
    ("Leicestershire Police", 52.63, -1.13, 8), ("Staffordshire Police", 52.81, -2.12, 8),
    ("West Mercia Police", 52.19, -2.22, 8), ("Derbyshire Constabulary", 52.92, -1.47, 7),
    ("Hertfordshire Constabulary", 51.75, -0.34, 7), ("Cheshire Constabulary", 53.19, -2.89, 6.5),
    ("Cleveland Police", 54.57, -1.23, 6.5), ("Surrey Police", 51.32, -0.56, 6),
    ("Cambridgeshire Constabulary", 52.20, 0.12, 5.5), ("Norfolk Constabulary", 52.63, 1.30, 5.5),
    ("Northamptonshire Police", 52.24, -0.90, 5.5), ("Durham Constabulary", 54.78, -1.57, 5),
    ("Lincolnshire Police", 53.23, -0.54, 5), ("Bedfordshire Police", 52.13, -0.47, 4.5),
    ("Gwent Police", 51.59, -3.00, 4.5), ("North Wales Police", 53.14, -3.80, 4.5),
    ("North Yorkshire Police", 54.00, -1.08, 4.5), ("Suffolk Constabulary", 52.06, 1.15, 4.5),
    ("Dorset Police", 50.72, -1.88, 4), ("Wiltshire Police", 51.35, -1.99, 4),
    ("Gloucestershire Constabulary", 51.86, -2.24, 3.5), ("Warwickshire Police", 52.28, -1.58, 3.5),
    ("Cumbria Constabulary", 54.89, -2.93, 2.5), ("Dyfed-Powys Police", 52.00, -4.00, 2.5),
    ("City of London Police", 51.515, -0.09, 0.6),
]  # fmt: skip
# Crime types, each as often as police.uk has it (out of 100); near hotspots, the relevant.
TYPES = (
    ["Violence and sexual offences"] * 33 + ["Anti-social behaviour"] * 17
    + ["Criminal damage and arson"] * 8 + ["Other theft"] * 8 + ["Shoplifting"] * 7
    + ["Public order"] * 7 + ["Vehicle crime"] * 6 + ["Burglary"] * 5 + ["Drugs"] * 3
    + ["Other crime"] * 2 + ["Robbery"] + ["Theft from the person"] + ["Bicycle theft"]
    + ["Possession of weapons"]
)  # fmt: skip
NEAR_HOTSPOT = ["Anti-social behaviour", "Public order", "Violence and sexual offences"] * 3 + [
    "Other crime"
]
OUTCOMES = (
    ["Investigation complete; no suspect identified"] * 40 + ["Unable to prosecute suspect"] * 30
    + ["Under investigation"] * 8 + ["Awaiting court outcome"] * 5 + ["Local resolution"] * 4
    + ["Status update unavailable"] * 4 + ["Offender given a caution"] * 2
    + ["Further investigation is not in the public interest"] * 3
    + ["Action to be taken by another organisation"] * 2 + ["Court result unavailable"] * 2
)  # fmt: skip
STREETS = ["High Street", "Station Road", "Church Lane", "Park Road", "Mill Lane", "London Road"]
STREETS += ["Supermarket", "Parking Area", "Petrol Station", "Shopping Area", "Nightclub"]


@dataclass(frozen=True)
class National:
    forces: int = 43
    months: int = 60
    rows_per_month: int = 420_000  # England and Wales, all forces
    outcome_share: float = 0.6  # of the crimes with a Crime ID, those with an outcomes row
    operational: Scale = field(default_factory=lambda: replace(Scale(), crimes=0))

    @classmethod
    def tiny(cls) -> National:
        """The smoke test's: two forces (the Met and one other) over two months."""
        return cls(forces=2, months=2, rows_per_month=600,
                   operational=replace(Scale.tiny(), crimes=0))  # fmt: skip

    def plan(self, last_month: dt.date) -> list[tuple[int, dt.date, int]]:
        """(force index, month, street rows) per force-month, a little more in summer."""
        forces = FORCES[: self.forces]
        total = sum(f[3] for f in forces)
        months = [last_month]
        while len(months) < self.months:
            months.insert(0, (months[0] - dt.timedelta(days=1)).replace(day=1))
        return [
            (i, m, round(self.rows_per_month * f[3] / total * _season(m)))
            for m in months
            for i, f in enumerate(forces)
        ]


def _season(month: dt.date) -> float:
    return 1 + 0.08 * math.sin(2 * math.pi * (month.month - 4) / 12)


def build_national(
    n: National, *, today: dt.date, progress: Callable[[str], None] = lambda m: None
) -> dict[str, int]:
    """Operational data, then the national crime and outcome rows. Returns the counts."""
    counts = build(n.operational, today=today)
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    plan = n.plan(last_month)
    crime_partitions.ensure_months(month for _, month, _ in plan)
    batches = _batches(plan)
    areas = _areas()
    if connection.vendor == "postgresql":
        crimes, outcomes = _load_in_server(n, plan, batches, areas, last_month, progress)
    else:
        crimes, outcomes = _load_by_orm(n, plan, batches, areas, last_month)
    counts["street batches"] = len(plan)
    counts["outcome batches"] = len(plan)
    counts["crime records"] = crimes
    counts["crime outcomes"] = outcomes
    return counts


def _batches(plan) -> dict[tuple[str, int, dt.date], int]:
    """One street and one outcomes batch per force-month, as the importer records them."""
    rows = [
        ImportBatch(
            filename=f"{m:%Y-%m}-{_slug(FORCES[i][0])}-{kind}.csv",
            sha256=uuid.uuid4().hex * 2,
            kind=kind,
            force=FORCES[i][0],
            month=m,
            row_count=rows,
            status=ImportStatus.IMPORTED,
        )
        for i, m, rows in plan
        for kind in (CrimeFileKind.STREET, CrimeFileKind.OUTCOMES)
    ]
    made = ImportBatch.objects.bulk_create(rows, batch_size=5000)
    return {(b.kind, FORCES.index(_force(b.force)), b.month): b.pk for b in made}


def _force(name: str) -> tuple:
    return next(f for f in FORCES if f[0] == name)


def _slug(name: str) -> str:
    return name.lower().replace(" & ", "-").replace(" ", "-")


def _areas() -> list[tuple[int, float, float, list[tuple[float, float]]]]:
    """(area pk, centre latitude, centre longitude, hotspot positions) of each area."""
    from accounts.models import Area
    from patrols.models import Hotspot

    out = []
    for area in Area.objects.order_by("pk"):
        spots = [
            (float(h.latitude), float(h.longitude))
            for h in Hotspot.objects.filter(ward__area=area).order_by("pk")
        ]
        lat = sum(s[0] for s in spots) / len(spots)
        lon = sum(s[1] for s in spots) / len(spots)
        out.append((area.pk, lat, lon, spots))
    return out


# --- PostgreSQL: rows made in the server --------------------------------------------------

CRIME_COLUMNS = (
    "batch_id, area_id, crime_id, month, reported_by, falls_within, longitude, latitude, "
    "location, lsoa_code, lsoa_name, crime_type, last_outcome, context"
)
OUTCOME_COLUMNS = (
    "batch_id, area_id, crime_id, month, reported_by, falls_within, longitude, latitude, "
    "location, lsoa_code, lsoa_name, outcome_type"
)


def _sql_array(values: list[str]) -> str:
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"(ARRAY[{quoted}]::text[])"


def _load_in_server(n, plan, batches, areas, last_month, progress) -> tuple[int, int]:
    table = CrimeRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET session_replication_role = replica")  # no FK triggers: see above
        indexes = _drop_secondary_indexes(cursor, table)
        indexes += _drop_secondary_indexes(cursor, CrimeOutcome._meta.db_table)
        _helper_tables(cursor, plan, batches, areas)
        crimes, outcomes = table, CrimeOutcome._meta.db_table
        with _second_connection() as source:
            for i, force in enumerate(FORCES[: n.forces]):
                started = time.perf_counter()
                parts = _sql_parts(n, last_month, areas)
                cursor.execute(f"SELECT coalesce(max(id), 0) FROM {crimes}")
                after = cursor.fetchone()[0]
                _relay(source, cursor, _CRIMES_SQL.format(force=i, **parts), crimes,
                       CRIME_COLUMNS)  # fmt: skip
                _relay(source, cursor, _OUTCOMES_SQL.format(after=after, **parts), outcomes,
                       OUTCOME_COLUMNS)  # fmt: skip
                progress(f"  {force[0]}: {time.perf_counter() - started:.0f} s")
        cursor.execute("SET session_replication_role = origin")
        progress(f"Building the {len(indexes)} secondary indexes of crimes and outcomes again")
        for sql in indexes:
            cursor.execute(sql)
        cursor.execute("DROP TABLE bench_plan, bench_area")
        cursor.execute(f"SELECT (SELECT count(*) FROM {crimes}), (SELECT count(*) FROM {outcomes})")
        return cursor.fetchone()


def _drop_secondary_indexes(cursor, table: str) -> list[str]:
    """Drop the indexes no constraint owns (plain or partitioned table); return their SQL."""
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conindid = i.indexrelid)",
        [table],
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f"DROP INDEX {name}")
    # A partitioned table's index reads "ON ONLY": made again, it must reach the partitions.
    return [sql.replace(" ON ONLY ", " ON ", 1) for _, sql in found]


def _helper_tables(cursor, plan, batches, areas) -> None:
    cursor.execute(
        "CREATE UNLOGGED TABLE bench_plan (force int, month date, rows int, street int, "
        "outcomes int, name text, lat float8, lon float8)"
    )
    with cursor.copy("COPY bench_plan FROM STDIN") as copy:
        for i, m, rows in plan:
            force = FORCES[i]
            copy.write_row(
                (i, m, rows, batches[("street", i, m)], batches[("outcomes", i, m)],
                 force[0], force[1], force[2])
            )  # fmt: skip
    cursor.execute(
        "CREATE UNLOGGED TABLE bench_area (idx int, hot int, area int, lat float8, lon float8)"
    )
    with cursor.copy("COPY bench_area FROM STDIN") as copy:
        for idx, (pk, lat, lon, spots) in enumerate(areas):
            copy.write_row((idx, -1, pk, lat, lon))
            for k, (h_lat, h_lon) in enumerate(spots):
                copy.write_row((idx, k, pk, h_lat, h_lon))
    cursor.execute("CREATE INDEX ON bench_plan (force)")
    cursor.execute("CREATE INDEX ON bench_area (idx, hot)")


def _sql_parts(n: National, last_month: dt.date, areas) -> dict[str, str]:
    return {
        "crimes": CrimeRecord._meta.db_table,
        "outcomes_table": CrimeOutcome._meta.db_table,
        "crime_columns": CRIME_COLUMNS,
        "outcome_columns": OUTCOME_COLUMNS,
        "types": _sql_array(TYPES),
        "near": _sql_array(NEAR_HOTSPOT),
        "outcomes": _sql_array(OUTCOMES),
        "streets": _sql_array(STREETS),
        "share": f"{n.outcome_share:.3f}",
        "last_month": f"'{last_month.isoformat()}'::date",
        "n_areas": str(max(len(areas), 1)),
        "n_hot": str(max(len(areas[0][3]), 1) if areas else 1),
    }


# One force, every month: a row per generate_series value, its randoms drawn once (r1..r4).
# The Met's rows go to the 32 areas in turn; a third of them cluster around a hotspot.
_CRIMES_SQL = """
WITH made AS (
  SELECT p.street AS batch_id, a.area AS area_id, p.month, p.name, g, r1, r2, r3, r4,
         CASE WHEN h.lat IS NOT NULL THEN h.lat + (r1 + r2 + r3 - 1.5) * 0.003
              WHEN a.lat IS NOT NULL THEN a.lat + (r1 - 0.5) * 0.06
              ELSE p.lat + (r1 + r2 + r3 - 1.5) * 0.3 END AS lat,
         CASE WHEN h.lat IS NOT NULL THEN h.lon + (r2 + r3 + r4 - 1.5) * 0.004
              WHEN a.lat IS NOT NULL THEN a.lon + (r2 - 0.5) * 0.08
              ELSE p.lon + (r2 + r3 + r4 - 1.5) * 0.45 END AS lon,
         CASE WHEN h.lat IS NOT NULL THEN {near}[1 + (r4 * 10)::int % 10]
              ELSE {types}[1 + (r4 * 100)::int % 100] END AS crime_type,
         CASE WHEN a.area IS NOT NULL THEN 'E01' || lpad((50000 + a.idx * 100 + g % 60)::text,
              6, '0') ELSE 'E01' || lpad((p.force * 1000 + g % 700)::text, 6, '0') END AS lsoa
  FROM bench_plan p
  CROSS JOIN LATERAL generate_series(1, p.rows) AS g
  CROSS JOIN LATERAL (SELECT random() AS r1, random() AS r2, random() AS r3,
                      random() AS r4 OFFSET 0 * g) AS r
  LEFT JOIN bench_area a ON p.name = 'Metropolitan Police Service'
       AND a.idx = g % {n_areas} AND a.hot = -1
  LEFT JOIN bench_area h ON a.area IS NOT NULL AND g % 3 = 0 AND h.idx = a.idx
       AND h.hot = (g / 3 / {n_areas}) % {n_hot}
  WHERE p.force = {force}
)
SELECT batch_id, area_id,
       CASE WHEN crime_type = 'Anti-social behaviour' THEN ''
            ELSE md5(batch_id || '-' || g) || md5(g || '-' || batch_id) END,
       month, name, name, round(lon::numeric, 6), round(lat::numeric, 6),
       'On or near ' || {streets}[1 + g % 11], lsoa, 'Bench ' || lsoa, crime_type,
       CASE WHEN crime_type = 'Anti-social behaviour' THEN ''
            WHEN month > {last_month} - 62 AND r3 < 0.5 THEN 'Under investigation'
            ELSE {outcomes}[1 + (r3 * 100)::int % 100] END,
       ''
FROM made
"""

# The outcomes of the force's crimes just written (ids above the last before it): most
# crimes with a Crime ID, recorded in the crime's month or up to two months after.
_OUTCOMES_SQL = """
SELECT o.outcomes, c.area_id, c.crime_id, o.month, c.reported_by, c.falls_within,
       c.longitude, c.latitude, c.location, c.lsoa_code, c.lsoa_name, c.last_outcome
FROM {crimes} c
JOIN bench_plan s ON s.street = c.batch_id
JOIN bench_plan o ON o.force = s.force
     AND o.month = least(c.month + (get_byte(decode(substr(c.crime_id, 1, 2), 'hex'), 0) % 3)
                         * interval '1 month', {last_month})
WHERE c.id > {after} AND c.crime_id <> '' AND c.last_outcome <> ''
  AND get_byte(decode(substr(c.crime_id, 3, 2), 'hex'), 0) < 256 * {share}
"""


def _relay(source, cursor, select: str, table: str, columns: str) -> None:
    """Rows made by the server (COPY TO on a second connection) into COPY FROM STDIN."""
    with (
        source.cursor() as out_cursor,
        out_cursor.copy(f"COPY ({select}) TO STDOUT") as out,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as into,
    ):
        for data in out:
            into.write(data)


def _second_connection():
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"] or None,
        host=s["HOST"] or None, port=s["PORT"] or None, autocommit=True,
    )  # fmt: skip


# --- SQLite (the smoke test): the same shapes through the ORM ----------------------------


def _load_by_orm(n, plan, batches, areas, last_month) -> tuple[int, int]:
    rng = random.Random(2026)
    crimes, outcomes = [], []
    for i, month, rows in plan:
        name, f_lat, f_lon, _ = FORCES[i]
        for g in range(1, rows + 1):
            area = areas[g % len(areas)] if name == MET else None
            if area and g % 3 == 0:
                lat, lon = area[3][(g // 3 // 32) % len(area[3])]
                lat, lon, kind = lat + rng.gauss(0, 0.0015), lon + rng.gauss(0, 0.002), None
                kind = rng.choice(NEAR_HOTSPOT)
            elif area:
                lat, lon = area[1] + rng.uniform(-0.03, 0.03), area[2] + rng.uniform(-0.04, 0.04)
                kind = rng.choice(TYPES)
            else:
                lat, lon = f_lat + rng.gauss(0, 0.15), f_lon + rng.gauss(0, 0.2)
                kind = rng.choice(TYPES)
            asb = kind == "Anti-social behaviour"
            lsoa = f"E01{(50000 + areas.index(area) * 100 if area else i * 1000) + g % 60:06}"
            crime = CrimeRecord(
                batch_id=batches[("street", i, month)], area_id=area[0] if area else None,
                crime_id="" if asb else uuid.uuid4().hex * 2, month=month, reported_by=name,
                falls_within=name, latitude=round(lat, 6), longitude=round(lon, 6),
                location=f"On or near {STREETS[g % len(STREETS)]}", lsoa_code=lsoa,
                lsoa_name=f"Bench {lsoa}", crime_type=kind,
                last_outcome="" if asb else rng.choice(OUTCOMES),
            )  # fmt: skip
            crimes.append(crime)
            if not asb and rng.random() < n.outcome_share:
                outcomes.append(
                    CrimeOutcome(
                        batch_id=batches[("outcomes", i, month)], area_id=crime.area_id,
                        crime_id=crime.crime_id, month=month, reported_by=name,
                        falls_within=name, latitude=crime.latitude, longitude=crime.longitude,
                        location=crime.location, lsoa_code=lsoa, lsoa_name=crime.lsoa_name,
                        outcome_type=crime.last_outcome,
                    )
                )  # fmt: skip
    CrimeRecord.objects.bulk_create(crimes, batch_size=2000)
    CrimeOutcome.objects.bulk_create(outcomes, batch_size=2000)
    return len(crimes), len(outcomes)
