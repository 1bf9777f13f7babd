"""`make bench SCALE=national`: the national measurements and their BENCHMARKS.md section,
with the Headroom table (what going ten times further would take), from the run's numbers."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from bench import import_speed, measure, report
from bench.national import FORCES, National, build_national
from reporting.models import CrimeOutcome, CrimeRecord

ISSUE_ROWS = 25_000_000  # issue 19: every police.uk street row of five years, about
THINK_S = 3.5  # the locust users' mean pause between requests (2-5 s)

BUILD_METHOD = """\
How the rows are made: in PostgreSQL, by one `SELECT` over `generate_series` per force
(types, outcomes, LSOAs and positions drawn there), streamed out by `COPY ... TO STDOUT`
on a second connection and straight into `COPY ... FROM STDIN` (psycopg 3
`cursor.copy()`, chunks as they come; no rows held in Python), then each force's outcomes
the same way from its new crime rows. Measured while writing it, on 69,556 rows of one
force on this machine under load: `INSERT ... SELECT generate_series` 2.57 s, Python
writing the rows into `COPY FROM STDIN` 1.41 s; COPY's multi-row insert wins, and
making the rows in the server saves Python's formatting too. The secondary indexes of
both tables are dropped for the load and built after it, and foreign-key triggers are
off during it (the rows are consistent by construction); an ImportBatch per force-month
and kind (street, outcomes) records them as the importer would. The 32 operational areas
are the Met's boroughs: the Met's rows carry their area and sit around their hotspots."""


@dataclass
class NationalResults:
    national: National
    counts: dict[str, int]
    build_s: float
    crime_bytes: int
    outcome_bytes: int
    ranking: measure.RankingResult
    plan: measure.AggregatePlan | None
    pages: list[measure.Target]
    load: list[measure.LoadResult] | None
    users: int
    seconds: int
    imports: list[import_speed.ImportResult]
    machine: dict[str, str]
    load_more: list[measure.LoadResult] | None = None  # report.MORE_USERS, beside the target's


def run(n: National, *, load: bool, users: int, seconds: int, import_rows: int,
        progress: Callable[[str], None] = lambda message: None,
        built_s: float | None = None) -> NationalResults:  # fmt: skip
    """``built_s``: the dataset is already built (that long, by an earlier run whose
    measurements did not finish): measure it as it is."""
    postgres = connection.vendor == "postgresql"
    if built_s is None:
        progress(f"Building the national dataset: {n.forces} forces x {n.months} months")
        started = time.perf_counter()
        counts = build_national(n, today=timezone.localdate(), progress=progress)
        build_s = time.perf_counter() - started
    else:
        counts, build_s = _recount(), built_s
    if postgres:
        progress("ANALYZE")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    sizes = [measure.table_bytes(m) if postgres else 0 for m in (CrimeRecord, CrimeOutcome)]
    world = report.world()
    progress("Hotspot ranking, and its aggregate query alone")
    week = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    ranking = measure.ranking(world["area"], week)
    plan = measure.aggregate_plan(world["area"], week) if postgres else None
    pages, load_results = report.pages_and_load(world, load, users, seconds, progress)
    load_more = None
    if load:
        progress(f"Load: {report.MORE_USERS} users for {seconds} s against gunicorn")
        load_more = report.more_load(world, pages, seconds)
    progress(f"Importing {import_rows:,} crime rows into the national table, and raw COPY")
    imports = import_speed.import_speeds(import_rows, raw_copy=postgres)
    return NationalResults(n, counts, build_s, *sizes, ranking, plan, pages, load_results,
                           users, seconds, imports, report.machine(), load_more)  # fmt: skip


def _recount() -> dict[str, int]:
    from reporting.models import ImportBatch

    batches = ImportBatch.objects.exclude(force__startswith="Bench")
    return {
        "street batches": batches.filter(kind="street").count(),
        "outcome batches": batches.filter(kind="outcomes").count(),
        "crime records": CrimeRecord.objects.count(),
        "crime outcomes": CrimeOutcome.objects.count(),
    }


# --- The section ------------------------------------------------------------------------


def markdown(r: NationalResults) -> str:
    n, crimes = r.national, r.counts.get("crime records", 0)
    lines = [
        "## National scale",
        "",
        *report.machine_lines(r.machine),
        f"- **Dataset** ({r.build_s:.0f} s to build, {crimes / r.build_s:,.0f} crime rows a "
        "second with their outcomes and the operational data): "
        + ", ".join(f"{v:,} {k}" for k, v in r.counts.items()),
        f"- **Ran**: {n.forces} forces x {n.months} months x {n.rows_per_month:,} street rows "
        f"a month (the Met {_met_share(n):.0%} of them), outcomes for "
        f"{n.outcome_share:.0%} of the crimes with a Crime ID.",
        "",
        *_reduced(n, crimes),
        "Reproduce: `make bench SCALE=national` (drops and recreates the database "
        "`BENCH_DATABASE_URL` names, by default `ephedra_bench`).",
        "",
        BUILD_METHOD,
        "",
        *_tables(r),
        *_ranking(r),
        *_retitled(
            report.imports_section(r.imports), "### N3. Crime import into the national table"
        ),  # fmt: skip
        *_retitled(report._pages(r), "### N4. Pages and API at national scale"),
        *_no_load(r),
        *headroom(r),
    ]
    return "\n".join(lines) + "\n"


def _met_share(n: National) -> float:
    forces = FORCES[: n.forces]
    return forces[0][3] / sum(f[3] for f in forces)


def _reduced(n: National, crimes: int) -> list[str]:
    if crimes >= 0.9 * ISSUE_ROWS:
        return []
    return [
        f"**Reduced run**: {crimes:,} crime rows, {crimes / ISSUE_ROWS:.0%} of the issue's "
        f"about {ISSUE_ROWS:,} (43 forces x 60 months x about 420,000), so that the build",
        "fits the time this shared two-CPU machine had; the rows per month are the knob",
        "(`python -m bench --scale national --rows-per-month N`).",
        "",
    ]


def _no_load(r: NationalResults) -> list[str]:
    if r.load is not None:
        return []
    return [
        "No load test in this run (`--no-load`, or locust not installed): single requests",
        "only, which is what the Headroom line for pages reads.",
        "",
    ]


def _retitled(lines: list[str], title: str) -> list[str]:
    return [title, *lines[1:]]


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n < 2**30 else f"{n / 2**30:,.1f} GB"


def _tables(r: NationalResults) -> list[str]:
    crimes, outcomes = r.counts.get("crime records", 0), r.counts.get("crime outcomes", 0)
    shape = "a plain table"
    if r.plan and r.plan.partitions:
        shape = f"{r.plan.partitions} partitions"
    return [
        "### N1. Tables",
        "",
        f"The crime table is {shape}. Size is `pg_total_relation_size` (table, indexes and",
        "TOAST), summed over partitions, after the build and before the import below.",
        "",
        "| Table | Rows | Size | Bytes per row |",
        "|---|---|---|---|",
        f"| Crime records | {crimes:,} | {_mb(r.crime_bytes)} | "
        f"{r.crime_bytes / max(crimes, 1):,.0f} |",
        f"| Crime outcomes | {outcomes:,} | {_mb(r.outcome_bytes)} | "
        f"{r.outcome_bytes / max(outcomes, 1):,.0f} |",
        "",
    ]


def _ranking(r: NationalResults) -> list[str]:
    k, p = r.ranking, r.plan
    read = ""
    if p:
        read = (
            f" The aggregate read {p.rows_read:,} crime rows from {p.relations} "
            f"relation(s) and touched {p.buffers_mb:,.0f} MB of buffers (EXPLAIN ANALYZE)."
        )
    return [
        "### N2. Hotspot ranking at national scale (one Met area, one week)",
        "",
        f"`reporting.ranking.area_ranking` for an area with {k.hotspots} active hotspots "
        f"over {r.counts.get('crime records', 0):,} crime records ({k.queries} queries), "
        "beside the one conditional-count aggregate query it runs, alone." + read,
        "",
        "| | Median of 5 |",
        "|---|---|",
        f"| Whole ranking | {k.ranking_ms:.0f} ms |",
        f"| Aggregate query alone | {k.aggregate_ms:.0f} ms |",
        "",
        f"Ratio {k.ranking_ms / max(k.aggregate_ms, 0.001):.1f}x. Target under "
        f"{report.RANKING_MS} ms: {report._met(k.ranking_ms < report.RANKING_MS)}.",
        "",
    ]


# --- Headroom (issue 19, item 6) -----------------------------------------------------------


def headroom(r: NationalResults) -> list[str]:
    """For each figure, what going ten times further would take, and the one measurement
    of this run that backs the claim."""
    n, crimes = r.national, max(r.counts.get("crime records", 0), 1)
    rows = [_ranking_room(r, crimes), _import_room(r, n), _pages_room(r), _size_room(r, crimes)]
    return [
        "### Headroom: what ten times further would take",
        "",
        "Each line: the figure now, what would have to change for ten times as much, and the",
        "one measurement of this run behind the claim (written by `bench/report_national.py`",
        "from the numbers above).",
        "",
        "| Figure | Now | Ten times further needs | Backed by |",
        "|---|---|---|---|",
        *rows,
        "",
    ]


def _ranking_room(r: NationalResults, crimes: int) -> str:
    k, p = r.ranking, r.plan
    now = f"{k.ranking_ms:.0f} ms over {crimes:,} rows"
    if p is None:
        return f"| Ranking, 10x rows | {now} | (PostgreSQL only) | - |"
    share = p.rows_read / crimes
    if p.partitions:
        needs = (
            f"nothing new while pruning holds: {p.relations} of {p.partitions} monthly "
            "partitions read, and ten times the forces or years adds partitions the query "
            "never opens (the Met's own months grow only with the Met)"
        )
    else:
        needs = (
            "partition pruning by month (or BRIN on month): a plain table's box index "
            "finds rows of every month in the box, so ten times the years means about ten "
            "times the rows read"
        )
    return (
        f"| Ranking, 10x rows | {now} | {needs} | the aggregate read {p.rows_read:,} rows "
        f"({share:.2%} of the table), {p.buffers_mb:,.0f} MB of buffers |"
    )


def _import_room(r: NationalResults, n: National) -> str:
    worst = min(r.imports, key=lambda i: i.rows / i.import_s)
    rate = worst.rows / worst.import_s
    month_s = n.rows_per_month / rate
    return (
        f"| Import, 10x files | {rate:,.0f} rows/s; a national month ({n.rows_per_month:,} "
        f"rows) in {month_s:,.0f} s | more Celery workers, one per force-month file (each "
        "force-month is its own transaction, so they do not wait on each other); ten times "
        f"the files on one worker would take {10 * month_s / 60:,.0f} min a month | the "
        f"{worst.force_months}-force-month file at {rate:,.0f} rows/s into the national table |"
    )


def _pages_room(r: NationalResults) -> str:
    slowest = max(r.pages[1:] or r.pages, key=lambda t: statistics.median(t.single_ms))
    single = statistics.median(slowest.single_ms)
    cpus = os.cpu_count() or 1
    capacity = cpus * 1000 / max(single, 0.001)
    demand = 10 * r.users / THINK_S if r.users else 10 * 20 / THINK_S
    users = 10 * (r.users or 20)
    loaded = ""
    if r.load:
        worst = max(r.load[1:], key=lambda x: x.p95_ms)
        loaded = f"; under {r.users} users its p95 was {worst.p95_ms:.0f} ms ({worst.name})"
    return (
        f"| Pages, 10x users | {r.users or 20} users | {users} users ask about "
        f"{demand:,.0f} requests/s; the slowest page allows about {capacity:,.0f}/s on "
        f"{cpus} CPUs, so: more gunicorn hosts, PgBouncer in front of PostgreSQL (each "
        "worker holds a connection) and read replicas for the list pages and reports | "
        f"{slowest.name}: {single:.0f} ms a single request{loaded} |"
    )


def _size_room(r: NationalResults, crimes: int) -> str:
    per_row = r.crime_bytes / crimes
    return (
        f"| Storage, 10x rows | {_mb(r.crime_bytes)} for crimes | {_mb(10 * r.crime_bytes)}: "
        "monthly partitions so an old month is detached or dropped without a table scan and "
        "VACUUM works a month at a time; disk for ten times the size | "
        f"{per_row:,.0f} bytes per crime row with its indexes |"
    )
