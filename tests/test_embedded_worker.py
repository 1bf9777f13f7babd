"""`make run`'s worker: with EMBEDDED_WORKER the web side queues a report build as a file
(no Redis, not inline) and a real `celery worker` beside it builds the PDF.

Both sides run as their own processes with the environment `make run` gives them, against
this test's database (SQLite file or PostgreSQL), so the settings' Celery block is what is
tested, not a reconfigured app.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from reporting.models import GeneratedReport, ReportKind, ReportStatus
from tests.factories import OfficerFactory, PatrolFactory, WardFactory

ROOT = Path(__file__).resolve().parent.parent
# seconds: a cold worker imports Django, matplotlib and WeasyPrint first, then fits the
# Evidence models for the monthly report; a busy two-core machine needs minutes, not one.
TIMEOUT = 240

REQUEST = """
import datetime as dt
from accounts.models import Area, User
from reporting import services
from reporting.models import ReportKind
area = Area.objects.get(pk={area})
first, last = dt.date.fromisoformat("{first}"), dt.date.fromisoformat("{last}")
report = services.request_report(ReportKind.MONTHLY_TREND, area, first, last,
                                 by=User.objects.get(pk={lead}))
print(report.pk)
"""


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("postgresql"):
        host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        return f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def _embedded_env(folder: Path) -> dict[str, str]:
    """The environment `make run` gives runserver and the worker, on this test's database."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "REDIS_CACHE_URL")}
    env.update(
        EMBEDDED_WORKER="true",
        EMBEDDED_WORKER_FOLDER=str(folder / "celery"),
        DATABASE_URL=_database_url(),
        MEDIA_ROOT=str(folder / "media"),
        DEBUG="true",
    )
    return env


def _last_month() -> tuple[dt.date, dt.date]:
    last = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def _wait_until_built(report: GeneratedReport, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in (ReportStatus.READY, ReportStatus.FAILED):
            return
        assert worker.poll() is None, f"the worker exited with code {worker.returncode}"
        time.sleep(0.5)
    pytest.fail(f"the report was still {report.status} after {TIMEOUT} s")


@pytest.mark.embedded_worker
@pytest.mark.django_db(transaction=True)
def test_make_run_queues_a_report_and_its_worker_builds_it(tmp_path, area):
    lead = OfficerFactory(role="project_lead", areas=[area])
    PatrolFactory(ward=WardFactory(area=area, name="Riverside"), status="closed")
    first, last = _last_month()
    env = _embedded_env(tmp_path)

    # The web side asks for the report: it is queued as a file, not built inline.
    code = REQUEST.format(area=area.pk, lead=lead.pk, first=first, last=last)
    asked = subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )
    report = GeneratedReport.objects.get(pk=int(asked.stdout.strip().splitlines()[-1]))
    assert report.kind == ReportKind.MONTHLY_TREND
    assert report.status == ReportStatus.PENDING
    assert list((tmp_path / "celery" / "queue").glob("*.msg")), "nothing was queued"

    # Then the worker `make run` starts picks it up from the folder and builds the PDF.
    worker = subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
        [
            *(sys.executable, "-m", "celery", "-A", "ephedra", "worker", "--pool=solo"),
            *("--loglevel=WARNING", "--without-gossip", "--without-mingle"),
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_until_built(report, worker)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert report.status == ReportStatus.READY, report.last_error or report.status
    assert report.finished_at >= report.started_at
    pdf = (tmp_path / "media" / report.file.name).read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert not list((tmp_path / "celery" / "queue").glob("*.msg")), "the message was not taken"


def _stop(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


@pytest.mark.embedded_worker
@pytest.mark.django_db(transaction=True)
def test_make_run_works_out_the_evidence_the_demo_seed_asked_for(tmp_path, area):
    """seed_demo asks for each area's Evidence figures without sending them (it runs with
    tasks inline, and must stay quick): the worker `make run` starts sends them at once."""
    from reporting.evidence_jobs import request_evidence
    from reporting.models import EvidenceStatus

    run = request_evidence(area, send=False)
    worker = subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
        [
            *(sys.executable, "-m", "celery", "-A", "ephedra", "worker", "--pool=solo"),
            *("--loglevel=WARNING", "--without-gossip", "--without-mingle"),
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=_embedded_env(tmp_path),
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status in (EvidenceStatus.READY, EvidenceStatus.FAILED):
                break
            assert worker.poll() is None, f"the worker exited with code {worker.returncode}"
            time.sleep(0.5)
    finally:
        _stop(worker)
    assert run.status == EvidenceStatus.READY, run.error or run.status
