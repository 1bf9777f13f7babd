"""Runs every measurement of `make bench` and writes BENCHMARKS.md from the results."""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from bench import import_speed, measure
from bench.dataset import Scale, build

# Targets from issue 8.
PAGE_P95_MS = 150
MORE_USERS = 50  # a second load run, reported beside the target's (issue 19)
PAGE_FLOOR_RATIO = 3.0
IMPORT_COPY_RATIO = 0.5  # at least half the speed of raw COPY
PDF_SECONDS = 5.0
PDF_PEAK_MB = 500
RANKING_MS = 300


IMPORT_METHOD = """\
How: the file is read once. A plain file (every police.uk file: no quotes, one line per
row) is COPYed as it is into a temporary staging table; one SQL pass checks lengths,
coordinates and Month/Date agreement and gathers the few distinct Months, forces, crime
types, outcomes and LSOAs, which the Python parser's own functions check and convert; each
force-month is then written by `INSERT ... SELECT` from the staging table (indexed by
force-month when there are several). A bad line is read again and given to the parser, so
the reason is the parser's. Each month is stored in its own partition of the crime table
(reporting 0013, `reporting.crime_partitions`: made before the month is written), so
replacing a force-month deletes from and adds to one month's indexes, not the whole
table's. The crime table's indexes and foreign keys are the rest."""


def import_missed(worst) -> str:
    """Why the import misses, with this run's references for its worse file."""
    cap = worst.copy_s / worst.bare_s if worst.bare_s else 0.0
    if cap < IMPORT_COPY_RATIO:
        bare = (
            "an import with no checks into a table with no index would reach only about "
            f"{cap:.2f} of raw COPY here"
        )
    else:
        bare = (
            f"a table with no index would allow about {cap:.2f} of raw COPY here, so what the "
            "target lacks is in the indexes"
        )
    return f"""\
Why it is missed: storing the rows durably is most of the import, and no reading of the
file can go under it. In this run the bare table (the same rows, durable, no index) took
{worst.bare_s:.2f} s against raw COPY's {worst.copy_s:.2f} s into a temporary table, which
is not written to the WAL: {bare}. The crime table's indexes are the rest
of storing ({worst.table_s:.2f} s), and each serves a query (batch: replacing a force-month;
area-month-type: every area read; LSOA-month: the API's filter; the position's GiST: the
ranking). The GiST index is the largest part: storing 100,000 rows into the 2 million of
force scale took 2.05 s without it and 5.11 s with it (by hand, 2026-12-06). Monthly
partitions keep each month's indexes as small as the month, which counts once the whole
table's indexes outgrow memory: on 6 million rows storing a month took 2.39 s partitioned
against 5.81 s (by hand, 2026-12-05); at force scale they still fit and the two measure
alike. Reaching 0.5 would need a write that skips the WAL (a month's partition made and
loaded in one transaction under `wal_level = minimal`, which rules out streaming replicas
and point-in-time recovery), its indexes built after the load, then attached."""


PAGES_HOW = """\
How the lists stay fast: each shows 50 rows out of thousands (20,000 patrols, 20,000
referrals) in the same number of queries whatever the rows. A page's keys are read first,
then those rows by their keys alone (`core.queries`: the scope and filters chose the keys
and are not evaluated again; the patrol list's SQL 290 -> 65 ms, the police referral
list's rows 6 -> 3 ms). API lists page by keyset cursor (`core.keyset`): a deep page
reads by the ordering's index from the cursor's row on, with no OFFSET and no COUNT. A
referral's arrival at its agency is a stored, indexed column (`Referral.arrived_at`:
the partner list's keys 13-40 -> 3-7 ms), and a partner's scope starts from the
agency's own referrals (granted and at the agency: the portal's counts 8.0 -> 5.6 ms).
The list pages read their rows as values and write them out without an include or a URL
reversal per row. What the partner list still costs a request: its counts by status with
the overdue ones (about 4 ms of SQL), its about 100 "viewed" audit rows, which the Data
Protection Act's log of access needs (3-4 ms), rendering (about 8 ms) and two writes (the
visit, the audit rows). Locust runs FastHttpUser: the load generator shares the two CPUs
with gunicorn and PostgreSQL, and what it spends is taken from the pages."""

PAGES_MISSED = """\
Where a page misses: two CPUs shared by the load generator, gunicorn and PostgreSQL queue
whatever a single request costs, and the floor's own p95 moves between runs by a factor
of two; the single-request column is the steadier comparison."""

PDF_MISSED = """\
Why it is missed: the report reads the stored Evidence result (it never fits a model) and
its hotspot table is one query of correlated counts (0.5-0.8 -> 0.08 s); the rest is
WeasyPrint's layout and matplotlib, each imported afresh by this fresh-process measure
(1.1-1.4 s CPU of the two imports, 2026-12-06). The header is a CSS string (no second
layout for `string-set`), the charts' SVG is slimmed (1,928 -> 649 nodes) and drawn
without `tight_layout`. What would reach it with margin: import WeasyPrint and matplotlib
once per Celery worker process (`worker_process_init`), and the charts as hand-written SVG
from the numbers. The job runs in the background (the page polls), so nobody waits."""


@dataclass
class Results:
    scale: Scale
    counts: dict[str, int]
    build_s: float
    pages: list[measure.Target]
    load: list[measure.LoadResult] | None
    users: int
    seconds: int
    imports: list[import_speed.ImportResult]
    pdf: measure.PdfResult
    ranking: measure.RankingResult
    machine: dict[str, str] = field(default_factory=dict)
    load_more: list[measure.LoadResult] | None = None  # the same at MORE_USERS, reported


def run(scale: Scale, *, load: bool, users: int, seconds: int, import_rows: int,
        progress: Callable[[str], None] = lambda message: None) -> Results:  # fmt: skip
    progress("Building the dataset")
    started = time.perf_counter()
    counts = build(scale)
    build_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE") if connection.vendor == "postgresql" else None
    world = _world()
    pages, load_results = pages_and_load(world, load, users, seconds, progress)
    load_more = None
    if load and users < MORE_USERS:
        progress(f"Load: {MORE_USERS} users for {seconds} s against gunicorn")
        load_more = more_load(world, pages, seconds)
    progress(f"Importing {import_rows:,} crime rows, and the same file by raw COPY")
    imports = import_speed.import_speeds(import_rows, raw_copy=connection.vendor == "postgresql")
    progress("Monthly PDF, and WeasyPrint alone on the same HTML")
    month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    pdf = measure.monthly_pdf(world["area"].pk, month.replace(day=1), in_process=not load)
    progress("Hotspot ranking, and its aggregate query alone")
    week = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    ranking = measure.ranking(world["area"], week)
    return Results(scale, counts, build_s, pages, load_results, users, seconds, imports, pdf,
                   ranking, _machine(), load_more)  # fmt: skip


def pages_and_load(world: dict, load: bool, users: int, seconds: int, progress) -> tuple:
    """Queries and single-request times per page; the locust run when ``load``."""
    progress("Counting queries per page")
    pages = measure.targets(world)
    clients = {who: measure.signed_in_client(world[who]) for who in ("sergeant", "partner")}
    tokens = {who: measure.api_token(world[who]) for who in ("sergeant", "partner")}
    measure.count_queries(pages, clients, tokens, samples=5 if load else 1)
    load_results = None
    if load:
        progress(f"Load: {users} users for {seconds} s against gunicorn")
        cookie = settings.SESSION_COOKIE_NAME  # __Host-sessionid here; gunicorn's is plain
        sessions = {who: client.cookies[cookie].value for who, client in clients.items()}
        load_results = measure.load_test(pages, sessions, tokens, users=users, seconds=seconds)
    return pages, load_results


def more_load(world: dict, pages: list, seconds: int) -> list:
    """The same pages under MORE_USERS users (fresh sessions: the first run's may have
    been rotated by the load)."""
    clients = {who: measure.signed_in_client(world[who]) for who in ("sergeant", "partner")}
    tokens = {who: measure.api_token(world[who]) for who in ("sergeant", "partner")}
    cookie = settings.SESSION_COOKIE_NAME
    sessions = {who: client.cookies[cookie].value for who, client in clients.items()}
    return measure.load_test(pages, sessions, tokens, users=MORE_USERS, seconds=seconds)


def world() -> dict:
    return _world()


def _world() -> dict:
    from accounts.models import Area, User
    from referrals.models import Person

    sergeant = User.objects.get(username="bench-sergeant-00")
    area = sergeant.areas.get()
    person = (
        Person.objects.filter(area=area)
        .annotate(n=Count("encounters"))
        .order_by("-n", "pk")
        .first()
    )
    partner = User.objects.get(username="bench-partner-0")
    return {"sergeant": sergeant, "partner": partner, "area": area, "person": person,
            "areas": Area.objects.count()}  # fmt: skip


def machine() -> dict[str, str]:
    return _machine()


def _machine() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT 1")
        database = str(cursor.fetchone()[0]).split(",")[0]
    return {
        "Date": timezone.localtime().strftime("%Y-%m-%d %H:%M %Z"),
        "Machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
        "Python": platform.python_version(),
        "Database": database,
    }


# --- BENCHMARKS.md ----------------------------------------------------------------------


HEADER = """\
# Benchmarks

Written by `make bench` (see `bench/`). Every figure stands beside a reference taken
in the same run on the same machine, since absolute times on shared machines drift:
the ratio is what is compared with the target. Two scales, each its own section, each
rewritten only by its own run: `make bench` (force: 32 areas, 2 million crime rows) and
`make bench SCALE=national` (every force of England and Wales, beside the same 32 areas).
"""
SCALES = ("force", "national")


def write(path: str, scale: str, section: str) -> None:
    """Replace this scale's section of BENCHMARKS.md, keeping the other scale's and what
    follows the last section (notes measured by hand)."""
    try:
        with open(path) as f:
            old = f.read()
    except FileNotFoundError:
        old = ""
    blocks = []
    for name in SCALES:
        start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
        if name == scale:
            body = section.strip()
        elif start in old and end in old:
            body = old.split(start, 1)[1].split(end, 1)[0].strip()
        else:
            body = f"*`make bench{'' if name == 'force' else ' SCALE=' + name}` not run yet.*"
        blocks += [start, body, end, ""]
    last_end = f"<!-- bench:{SCALES[-1]}:end -->"
    notes = old.split(last_end, 1)[1].strip() if last_end in old else ""
    with open(path, "w") as f:
        f.write(HEADER + "\n" + "\n".join(blocks) + (f"{notes}\n" if notes else ""))


def machine_lines(machine: dict[str, str]) -> list[str]:
    return [f"- **{k}**: {v}" for k, v in machine.items()]


def markdown(r: Results) -> str:
    """The force-scale section."""
    lines = [
        "## Force scale",
        "",
        *machine_lines(r.machine),
        f"- **Dataset** ({r.build_s:.0f} s to build): "
        + ", ".join(f"{n:,} {k}" for k, n in r.counts.items()),
        "",
        "Reproduce: `make bench` (PostgreSQL on 127.0.0.1:5432; it drops and recreates the",
        "`ephedra_bench` database, or the one `BENCH_DATABASE_URL` names).",
        "",
        *_pages(r),
        *_imports(r),
        *_pdf(r),
        *_ranking(r),
    ]
    return "\n".join(lines) + "\n"


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _pages(r: Results) -> list[str]:
    lines = [
        "### 1. Pages and API: queries per request and latency under load",
        "",
    ]
    if r.load is None:
        lines += [
            "Smoke run: queries per request and single-user latency only (no load test).",
            "",
            "| Page | Status | SQL queries | Median single request |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {t.name} | {t.status} | {t.queries} | {statistics.median(t.single_ms):.0f} ms |"
            for t in r.pages
        ]
        return [*lines, ""]
    load = {x.name: x for x in r.load}
    floor = load[r.pages[0].name]
    lines += [
        f"{r.users} concurrent users (locust, its own process) against gunicorn on loopback for",
        f"{r.seconds} s, each user pausing 2-5 s between requests (a person working through",
        "pages) and visiting every page in turn; gunicorn runs 2 x CPUs + 1 sync workers, and",
        "locust, gunicorn and PostgreSQL share the machine. The floor is a bare Django view",
        "running one trivial query (`/-/floor/`), under the same load at the same time. Single",
        "is the median of 5 requests one at a time, before the load. Targets: p95 under "
        f"{PAGE_P95_MS} ms, no errors, p95 at most {PAGE_FLOOR_RATIO:g}x the floor's.",
        "",
        "| Page | SQL queries | Single | Requests | Errors | p50 | p95 | p95 / floor | Target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for t in r.pages:
        x = load[t.name]
        ratio = x.p95_ms / floor.p95_ms if floor.p95_ms else float("nan")
        ok = x.p95_ms < PAGE_P95_MS and x.failures == 0 and ratio <= PAGE_FLOOR_RATIO
        target = "reference" if t is r.pages[0] else _met(ok)
        lines.append(
            f"| {t.name} | {t.queries} | {statistics.median(t.single_ms):.0f} ms | "
            f"{x.requests:,} | {x.failures} | {x.p50_ms:.0f} ms | "
            f"{x.p95_ms:.0f} ms | {ratio:.1f}x | {target} |"
        )
    lines += [
        "",
        "Queries per request do not grow with rows: the same pages answer with the same",
        "number of queries in the query-budget tests (5 vs 50 rows) and here, on this data.",
        "",
    ]
    lines += [PAGES_HOW, ""]
    if any("**missed**" in line for line in lines):
        lines += [PAGES_MISSED, ""]
    return [*lines, *_more_users(r)]


def _more_users(r: Results) -> list[str]:
    """The MORE_USERS run beside the target's: reported, not a target."""
    if not r.load_more:
        return []
    more = {x.name: x for x in r.load_more}
    floor = more[r.pages[0].name]
    lines = [
        f"The same pages under {MORE_USERS} users (same pauses and duration, gunicorn as "
        "above): reported beside the target's run, not a target of its own.",
        "",
        "| Page | Requests | Errors | p50 | p95 | p95 / floor |",
        "|---|---|---|---|---|---|",
    ]
    for t in r.pages:
        x = more[t.name]
        ratio = x.p95_ms / floor.p95_ms if floor.p95_ms else float("nan")
        lines.append(
            f"| {t.name} | {x.requests:,} | {x.failures} | {x.p50_ms:.0f} ms | "
            f"{x.p95_ms:.0f} ms | {ratio:.1f}x |"
        )
    return [*lines, ""]


def _imports(r: Results) -> list[str]:
    return imports_section(r.imports)


def imports_section(imports: list[import_speed.ImportResult]) -> list[str]:
    """Section 2 (also printed alone by ``python -m bench --import-only``)."""
    rows = imports[0].rows
    lines = [
        "### 2. Crime import",
        "",
        f"Two {rows:,}-row police.uk street files, one of one force-month and one spread",
        f"over {imports[-1].force_months} force-months, each imported by `reporting.importer`"
        " into the crime",
        "table (whole-file check, then each force-month replaced in its own transaction, with",
        "the batch bookkeeping), beside PostgreSQL `COPY` of the same file into a bare table of",
        "text columns, in the same run. Storing is a second reference: the same rows, already",
        "converted, stored by one `INSERT ... SELECT` into a new table with the crime table's",
        "columns and indexes (no foreign keys): what storing them costs, however the file is",
        "read; the bare table is the same rows into an ordinary table with no index, written",
        "to the WAL like every durable table: what storing them costs at the least.",
        "",
        "| File | Ephedra import (s) | Rows per second | Raw COPY (s) | Ratio | Storing (s) "
        "| Bare table (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    ratios = []
    for i in imports:
        ours = i.rows / i.import_s
        ratio = i.copy_s / i.import_s if i.copy_s else None
        ratios += [ratio] if ratio is not None else []
        shown = f"{ratio:.2f}" if ratio is not None else "n/a"
        copy_s = f"{i.copy_s:.2f}" if i.copy_s else "n/a"
        name = "1 force-month" if i.force_months == 1 else f"{i.force_months} force-months"
        table_s = f"{i.table_s:.2f}" if i.table_s else "n/a"
        bare_s = f"{i.bare_s:.2f}" if i.bare_s else "n/a"
        lines.append(
            f"| {name} | {i.import_s:.2f} | {ours:,.0f} | {copy_s} | {shown} | {table_s} "
            f"| {bare_s} |"
        )
    if ratios:
        worst = min(ratios)
        lines += [
            "",
            f"Ratio (the worse file): **{worst:.2f}** of raw COPY speed (target at least "
            f"{IMPORT_COPY_RATIO:g}: {_met(worst >= IMPORT_COPY_RATIO)}).",
            "",
            IMPORT_METHOD,
        ]
        if worst < IMPORT_COPY_RATIO:
            slowest = min(imports, key=lambda i: i.copy_s / i.import_s if i.import_s else 0)
            lines += ["", import_missed(slowest)]
    return [*lines, ""]


def _pdf(r: Results) -> list[str]:
    p = r.pdf
    ok = p.total_s < PDF_SECONDS and p.total_peak_mb < PDF_PEAK_MB
    return [
        "### 3. Monthly trend PDF (one area, 12 months)",
        "",
        "The whole job (queries, charts, HTML, PDF) in a fresh process, beside WeasyPrint",
        "rendering the same final HTML alone in another fresh process. Peak memory is the",
        "process's maximum resident set size (includes the interpreter and imports).",
        "Processor seconds (user and system time of the process) are steadier than wall",
        "time on a shared machine; the queries' time in PostgreSQL is in neither.",
        "",
        "| | Seconds | Processor seconds | Peak memory |",
        "|---|---|---|---|",
        f"| Whole report | {p.total_s:.2f} | {p.total_cpu_s:.2f} | {p.total_peak_mb:.0f} MB |",
        f"| WeasyPrint alone | {p.render_s:.2f} | {p.render_cpu_s:.2f} | "
        f"{p.render_peak_mb:.0f} MB |",
        "",
        f"Data and charts take {max(p.total_s - p.render_s, 0):.2f} s of the whole; "
        f"{p.total_s / p.render_s:.1f}x rendering alone. Target under {PDF_SECONDS:g} s and "
        f"{PDF_PEAK_MB} MB: {_met(ok)}.",
        "",
        *([] if ok else [PDF_MISSED, ""]),
    ]


def _ranking(r: Results) -> list[str]:
    k = r.ranking
    return [
        "### 4. Hotspot ranking (one area, one week)",
        "",
        f"`reporting.ranking.area_ranking` for an area with {k.hotspots} active hotspots over "
        f"{r.counts.get('crime records', 0):,} crime records ({k.queries} queries), beside the "
        "one conditional-count aggregate query it runs over the crime table, run alone.",
        "",
        "| | Median of 5 |",
        "|---|---|",
        f"| Whole ranking | {k.ranking_ms:.0f} ms |",
        f"| Aggregate query alone | {k.aggregate_ms:.0f} ms |",
        "",
        f"Ratio {k.ranking_ms / k.aggregate_ms:.1f}x. Target under {RANKING_MS} ms: "
        f"{_met(k.ranking_ms < RANKING_MS)}.",
        "",
    ]
