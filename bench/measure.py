"""What `make bench` measures. Each figure is taken beside its reference in the same run,
since absolute times on shared machines drift: the ratio is what we compare with a target.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.core import signals
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


# --- Who signs in -----------------------------------------------------------------------


def signed_in_client(user) -> Client:
    """A browser session past both factors, as after a real sign-in."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(HTTP_HOST="127.0.0.1")  # the test client's "testserver" is not allowed
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def api_token(user) -> str:
    from accounts.tokens import create_token

    return create_token(user, name="bench").secret


# --- Pages: queries per request --------------------------------------------------------


@dataclass
class Target:
    name: str
    path: str
    who: str  # "sergeant" or "partner"
    api: bool = False
    queries: int | None = None
    status: int | None = None
    single_ms: list[float] = field(default_factory=list)


def targets(world) -> list[Target]:
    """The pages the issue names, their API equivalents and the floor of the stack."""
    person = world["person"]
    return [
        Target("Floor: bare view, one query", reverse("floor"), "anonymous"),
        Target("Sergeant home", reverse("home"), "sergeant"),
        Target("Patrol list", reverse("patrols:list"), "sergeant"),
        Target("Partner referral list", reverse("referrals:partner_home"), "partner"),
        Target("Person timeline", reverse("referrals:person", args=[person.uuid]), "sergeant"),
        Target("API: patrol list", "/api/v1/patrols/", "sergeant", api=True),
        Target("API: referral list (partner)", "/api/v1/referrals/", "partner", api=True),
        Target("API: person", f"/api/v1/people/{person.uuid}/", "sergeant", api=True),
        Target("API: referral list (police)", "/api/v1/referrals/", "sergeant", api=True),
    ]


def count_queries(items: list[Target], clients: dict, tokens: dict, samples: int = 5) -> None:
    # Outside the test runner each request closes the connection at its end, and the
    # count would start again on a new one: keep one connection, as the tests do.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        _count_queries(items, clients, tokens, samples)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _count_queries(items: list[Target], clients: dict, tokens: dict, samples: int) -> None:
    for target in items:
        client = clients.get(target.who) or Client(HTTP_HOST="127.0.0.1")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[target.who]}"} if target.api else {}
        client.get(target.path, **headers)  # warm caches, as a second visit would be
        with CaptureQueriesContext(connection) as queries:
            response = client.get(target.path, **headers)
        target.status, target.queries = response.status_code, len(queries)
        if target.status != 200:
            raise RuntimeError(f"{target.name}: HTTP {target.status}, not a page to measure")
        for _ in range(samples):
            started = time.perf_counter()
            client.get(target.path, **headers)
            target.single_ms.append((time.perf_counter() - started) * 1000)


# --- Pages: latency under load (gunicorn + locust, each its own process) ----------------


@dataclass
class LoadResult:
    name: str
    requests: int
    failures: int
    p50_ms: float
    p95_ms: float


def load_test(items: list[Target], sessions: dict, tokens: dict, *, users: int, seconds: int):
    port = 8765
    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "false",
        "STATIC_MANIFEST": "false",
        # Twenty simulated people share two tokens here; the limits are per person.
        "API_RATE_BURST": "1000000/min",
        "API_RATE_SUSTAINED": "1000000/hour",
    }
    server = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [
            sys.executable, "-m", "gunicorn", "ephedra.wsgi", "--bind", f"127.0.0.1:{port}",
            "--workers", str(2 * (os.cpu_count() or 1) + 1), "--no-control-socket",
            "--log-level", "warning",
        ],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        _wait_for(port)
        _warm_up(port, items, sessions, tokens)
        plan = [
            {
                "name": t.name,
                "path": t.path,
                "session": None if t.api else sessions.get(t.who),
                "token": tokens[t.who] if t.api else None,
            }
            for t in items
        ]
        with tempfile.TemporaryDirectory() as tmp:
            plan_file = Path(tmp) / "plan.json"
            plan_file.write_text(json.dumps(plan))
            subprocess.run(  # noqa: S603
                [
                    sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
                    "--headless", "--users", str(users), "--spawn-rate", str(users),
                    "--run-time", f"{seconds}s", "--host", f"http://127.0.0.1:{port}",
                    "--csv", str(Path(tmp) / "load"), "--only-summary", "--loglevel", "WARNING",
                ],
                cwd=ROOT, env={**os.environ, "BENCH_PLAN": str(plan_file)}, check=False,
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
            return _read_locust(Path(tmp) / "load_stats.csv")
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(port: int) -> None:
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/-/floor/", timeout=1)  # noqa: S310
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _warm_up(port: int, items: list[Target], sessions: dict, tokens: dict) -> None:
    """One request per page and worker first: imports and connections are not the load."""
    import urllib.request

    for _ in range(2 * (os.cpu_count() or 1) + 1):
        for t in items:
            headers = {"Authorization": f"Bearer {tokens[t.who]}"} if t.api else {}
            if not t.api and sessions.get(t.who):
                headers["Cookie"] = f"sessionid={sessions[t.who]}"
            request = urllib.request.Request(f"http://127.0.0.1:{port}{t.path}", headers=headers)
            urllib.request.urlopen(request, timeout=30).read()  # noqa: S310


def _read_locust(path: Path) -> list[LoadResult]:
    with path.open() as f:
        rows = [r for r in csv.DictReader(f) if r["Name"] != "Aggregated"]
    return [
        LoadResult(
            name=r["Name"],
            requests=int(r["Request Count"]),
            failures=int(r["Failure Count"]),
            p50_ms=float(r["50%"]),
            p95_ms=float(r["95%"]),
        )
        for r in rows
    ]


# --- Monthly PDF: the whole job against WeasyPrint alone ---------------------------------


@dataclass
class PdfResult:
    total_s: float
    total_peak_mb: float
    render_s: float
    render_peak_mb: float
    pages_bytes: int
    # Processor seconds of each side, and of the whole job's data and charts/HTML stages.
    total_cpu_s: float = 0.0
    render_cpu_s: float = 0.0
    stages_cpu_s: dict = field(default_factory=dict)


def monthly_pdf(area_pk: int, month: dt.date, *, in_process: bool = False) -> PdfResult:
    """Each side runs in a fresh process so its peak memory is its own."""
    if in_process:
        from bench import probes

        whole = probes.whole_report(area_pk, month)
        alone = probes.render_only(whole.pop("html"))
        whole["peak_mb"] = alone["peak_mb"] = probes.peak_mb()  # this process: not separable
    else:
        whole = _probe("whole_report", area_pk, month.isoformat())
        alone = _probe("render_only_from", whole["html_file"])
    return PdfResult(
        total_s=whole["seconds"],
        total_peak_mb=whole["peak_mb"],
        render_s=alone["seconds"],
        render_peak_mb=alone["peak_mb"],
        pages_bytes=whole["bytes"],
        total_cpu_s=whole["cpu_s"],
        render_cpu_s=alone["cpu_s"],
        stages_cpu_s={k: v for k, v in whole.items() if k.endswith("_cpu_s")},
    )


def _probe(*args) -> dict:
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.probes", *map(str, args)],
        cwd=ROOT, env=os.environ.copy(), check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- Hotspot ranking against its one aggregate query -------------------------------------


@dataclass
class RankingResult:
    hotspots: int
    ranking_ms: float
    aggregate_ms: float
    queries: int


def ranking(area, week_start: dt.date, repeats: int = 5) -> RankingResult:
    from reporting import ranking as r

    r.area_ranking(area, week_start)  # warm the database's caches, as on a Monday morning
    timings = []
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = r.area_ranking(area, week_start)
            timings.append((time.perf_counter() - started) * 1000)
    windows = r.Windows.for_week(week_start)
    hotspots = list(r._annotated_hotspots(area, windows))
    sql = _aggregate_sql(r, hotspots, windows)
    aggregate = []
    with connection.cursor() as cursor:
        for _ in range(repeats):
            started = time.perf_counter()
            cursor.execute(*sql)
            cursor.fetchall()
            aggregate.append((time.perf_counter() - started) * 1000)
    return RankingResult(
        hotspots=len(result.hotspots),
        ranking_ms=statistics.median(timings),
        aggregate_ms=statistics.median(aggregate),
        queries=len(queries),
    )


def _aggregate_sql(r, hotspots, windows) -> tuple[str, tuple]:
    """The conditional-count query the ranking runs over the crime records, on its own."""
    from django.db.models import Count

    columns = {
        f"h{h.pk}_{name}": Count(
            "pk", filter=r._near(h.latitude, h.longitude) & windows.crime_filter(name)
        )
        for h in hotspots
        for name in r._WINDOW_NAMES
    }
    queryset = (
        r.relevant_crimes(r.DEFAULT_RELEVANT, windows)
        .filter(r._near_any(hotspots))
        .values("crime_type")
        .annotate(**columns)
        .order_by()
    )
    return queryset.query.sql_with_params()


# --- National scale: what the ranking's aggregate reads, and how big the tables are ------


@dataclass
class AggregatePlan:
    rows_read: int  # rows the scans of the crime table returned
    buffers_mb: float  # shared buffers hit or read
    relations: int  # tables or partitions of the crime table scanned
    partitions: int  # partitions the crime table has (0: a plain table)


def aggregate_plan(area, week_start: dt.date) -> AggregatePlan:
    """EXPLAIN (ANALYZE, BUFFERS) of the ranking's aggregate query (PostgreSQL only)."""
    from reporting import ranking as r
    from reporting.models import CrimeRecord

    windows = r.Windows.for_week(week_start)
    hotspots = list(r._annotated_hotspots(area, windows))
    sql, params = _aggregate_sql(r, hotspots, windows)
    table = CrimeRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
        cursor.execute(
            "SELECT c.relname FROM pg_partition_tree(%s::regclass) t "
            "JOIN pg_class c ON c.oid = t.relid",
            [table],
        )
        tree = {row[0] for row in cursor.fetchall()}  # empty for a plain table
    plan = json.loads(plan) if isinstance(plan, str) else plan
    top = plan[0]["Plan"]
    scans, stack = [], [top]
    while stack:
        node = stack.pop()
        stack += node.get("Plans", [])
        if node.get("Relation Name") in (tree | {table}):
            scans.append(node)
    blocks = top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
    return AggregatePlan(
        rows_read=sum(int(s.get("Actual Rows", 0)) * int(s.get("Actual Loops", 1)) for s in scans),
        buffers_mb=blocks * 8 / 1024,
        relations=len({s.get("Relation Name") for s in scans}),
        partitions=max(len(tree) - 1, 0),
    )


def table_bytes(model) -> int:
    """pg_total_relation_size of a table, summed over its partitions if it has any."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce((SELECT sum(pg_total_relation_size(relid)) FROM "
            "pg_partition_tree(%s::regclass)), pg_total_relation_size(%s::regclass))",
            [model._meta.db_table] * 2,
        )
        return int(cursor.fetchone()[0] or 0)
