"""A report job always ends: ready, or failed with a reason — after a dead worker, a lost
broker, a build past its time limit or a lost database connection. The builder is a
stand-in here (the real PDFs are tested beside their builders); what is tested is the
job's lifecycle in reporting/services.py."""

import datetime as dt
import os
import signal
import threading
import time

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, Role
from reporting import reports, services, tasks
from reporting.models import GeneratedReport, ReportKind, ReportStatus
from tests.conftest import start_worker
from tests.factories import OfficerFactory

WEEK = (dt.date(2026, 11, 30), dt.date(2026, 12, 6))
MONTH = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def builder(monkeypatch, media):
    """A builder that counts its calls and does what the test says."""
    calls = []
    behaviour = {"raise": None}

    def build(report):
        calls.append(report.pk)
        if behaviour["raise"] is not None:
            raise behaviour["raise"]
        return "report.pdf", b"%PDF-1.7 stand-in %%EOF"

    monkeypatch.setattr(reports, "builder_for", lambda kind: build)
    return {"calls": calls, "behaviour": behaviour}


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.build_report, "delay", refuse)


def _running(area, started_ago: dt.timedelta, attempts: int = 1) -> GeneratedReport:
    return GeneratedReport.objects.create(
        kind=ReportKind.MONTHLY_TREND,
        area=area,
        period_start=MONTH[0],
        period_end=MONTH[1],
        status=ReportStatus.RUNNING,
        started_at=timezone.now() - started_ago,
        attempts=attempts,
    )


def _later(report: GeneratedReport) -> GeneratedReport:
    report.refresh_from_db()
    return report


# --- A worker that died ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_report_whose_worker_died_is_rebuilt_by_the_sweep(area, builder):
    report = _running(area, services.stale_after() + dt.timedelta(seconds=1))

    assert services.sweep()["requeued"] == 1

    report = _later(report)
    assert report.status == ReportStatus.READY
    assert report.attempts == 2
    assert builder["calls"] == [report.pk]


@pytest.mark.django_db
def test_a_build_still_within_its_time_limit_is_left_alone(area, builder):
    report = _running(area, services.stale_after() - dt.timedelta(seconds=5))

    assert services.sweep() == {"failed": 0, "requeued": 0, "enqueued": 0}
    services.build(report.pk)  # a duplicate message: the build is someone else's

    assert _later(report).status == ReportStatus.RUNNING
    assert builder["calls"] == []


@pytest.mark.django_db
def test_a_redelivered_message_for_a_dead_build_rebuilds_it(area, builder):
    report = _running(area, services.stale_after() + dt.timedelta(seconds=1))

    services.build(report.pk)

    assert _later(report).status == ReportStatus.READY


@pytest.mark.django_db
def test_after_repeated_deaths_the_report_fails_with_a_reason(area, builder):
    report = _running(
        area, services.stale_after() + dt.timedelta(seconds=1), attempts=services.MAX_ATTEMPTS
    )

    assert services.sweep()["failed"] == 1

    report = _later(report)
    assert report.status == ReportStatus.FAILED
    assert f"interrupted {services.MAX_ATTEMPTS} times" in report.last_error
    assert builder["calls"] == []


@pytest.mark.django_db
def test_a_ready_or_superseded_report_is_never_rebuilt(area, builder):
    report = _running(area, services.stale_after() + dt.timedelta(seconds=1))
    GeneratedReport.objects.filter(pk=report.pk).update(superseded=True)

    services.sweep()
    services.build(report.pk)

    assert builder["calls"] == []


# --- The broker is down ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_made_while_the_broker_is_down_is_kept_and_built_later(
    area, builder, broker_down, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.request_report(ReportKind.MONTHLY_TREND, area, *MONTH)
    assert _later(report).status == ReportStatus.PENDING

    monkeypatch.undo()  # the broker is back (and the stand-in builder goes too)
    monkeypatch.setattr(reports, "builder_for", lambda kind: lambda r: ("r.pdf", b"%PDF-"))
    services.sweep(now=timezone.now() + services.QUEUE_GRACE + dt.timedelta(seconds=1))

    assert _later(report).status == ReportStatus.READY


@pytest.mark.django_db
def test_a_pending_report_is_not_sent_twice_within_its_grace(area, builder, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.build_report, "delay", sent.append)
    report = GeneratedReport.objects.create(
        kind=ReportKind.MONTHLY_TREND, area=area, period_start=MONTH[0], period_end=MONTH[1]
    )

    services.sweep()
    assert sent == []
    services.sweep(now=timezone.now() + services.QUEUE_GRACE + dt.timedelta(seconds=1))
    assert sent == [report.pk]


@pytest.mark.django_db
def test_the_reports_page_keeps_a_request_made_while_the_broker_is_down(
    client, area, broker_down, django_capture_on_commit_callbacks
):
    lead = OfficerFactory(role=Role.PROJECT_LEAD, areas=[area])
    client.force_login(lead)
    form = {"kind": ReportKind.MONTHLY_TREND, "area": area.pk, "month": "2026-10"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:reports"), form, follow=True)

    assert response.status_code == 200
    report = GeneratedReport.objects.get()
    assert report.status == ReportStatus.PENDING
    assert "Waiting to start" in response.content.decode()


# --- Failures with reasons -------------------------------------------------------------


@pytest.mark.django_db
def test_a_build_past_its_soft_time_limit_fails_with_that_reason(area, builder, settings):
    builder["behaviour"]["raise"] = SoftTimeLimitExceeded()
    report = GeneratedReport.objects.create(
        kind=ReportKind.MONTHLY_TREND, area=area, period_start=MONTH[0], period_end=MONTH[1]
    )

    services.build(report.pk)

    report = _later(report)
    assert report.status == ReportStatus.FAILED
    assert f"longer than {settings.REPORT_SOFT_TIME_LIMIT} seconds" in report.last_error


def test_the_build_task_has_time_limits(settings):
    assert tasks.build_report.soft_time_limit == settings.REPORT_SOFT_TIME_LIMIT
    assert tasks.build_report.time_limit > tasks.build_report.soft_time_limit


@pytest.mark.django_db
def test_marking_a_failure_survives_a_lost_connection(area, monkeypatch):
    report = _running(area, dt.timedelta(seconds=1))
    original = QuerySet.update
    lost = {"once": True}

    def update(self, **values):
        if lost.pop("once", False):
            raise DatabaseError("server closed the connection unexpectedly")
        return original(self, **values)

    monkeypatch.setattr(QuerySet, "update", update)
    closed = []
    monkeypatch.setattr(connection, "close", lambda: closed.append(True))

    services.mark_failed(report.pk, "OSError: disk full")

    assert closed == [True]
    assert _later(report).status == ReportStatus.FAILED


# --- Scheduled requests and their notifications ----------------------------------------


@pytest.mark.django_db
def test_the_schedule_asks_once_per_period(area, builder):
    assert services.schedule_report(ReportKind.WEEKLY_DEPLOYMENT, area, *WEEK) is not None
    assert services.schedule_report(ReportKind.WEEKLY_DEPLOYMENT, area, *WEEK) is None
    assert GeneratedReport.objects.count() == 1


@pytest.mark.django_db
def test_the_schedule_asks_again_after_a_failure(area, builder):
    first = services.schedule_report(ReportKind.WEEKLY_DEPLOYMENT, area, *WEEK)
    services.mark_failed(first.pk, "RuntimeError: fonts")

    assert services.schedule_report(ReportKind.WEEKLY_DEPLOYMENT, area, *WEEK) is not None
    assert _later(first).superseded


@pytest.mark.django_db
def test_the_weekly_sheet_is_announced_when_built_never_before(
    area, builder, django_capture_on_commit_callbacks
):
    sergeant = OfficerFactory(role=Role.SERGEANT, areas=[area])
    builder["behaviour"]["raise"] = RuntimeError("a bug")
    with django_capture_on_commit_callbacks(execute=True):
        report = services.schedule_report(ReportKind.WEEKLY_DEPLOYMENT, area, *WEEK)
    assert _later(report).status == ReportStatus.FAILED
    assert not Notification.objects.filter(recipient=sergeant).exists()

    builder["behaviour"]["raise"] = None
    services.build(report.pk)

    assert _later(report).status == ReportStatus.READY
    assert Notification.objects.filter(recipient=sergeant, message__contains="is ready").count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_schedules_at_the_same_moment_ask_once(area, monkeypatch):
    monkeypatch.setattr(services, "enqueue", lambda pk: True)
    barrier = threading.Barrier(2)
    answers, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            answers.append(services.schedule_report(ReportKind.WEEKLY_DEPLOYMENT, area, *WEEK))
        except Exception as error:  # pragma: no cover - the assertion reports it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(answer is not None for answer in answers) == 1
    assert GeneratedReport.objects.count() == 1


# --- A real worker killed mid-build ----------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_report_survives_its_worker_being_killed(area, tmp_path):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: a real Celery worker runs on Redis (CI sets it)")
    OfficerFactory(role=Role.PROJECT_LEAD, areas=[area])
    doomed = start_worker(tmp_path / "doomed.pid", queues="doomed")
    report = GeneratedReport.objects.create(
        kind=ReportKind.MONTHLY_TREND, area=area, period_start=MONTH[0], period_end=MONTH[1]
    )
    try:
        tasks.build_report.apply_async(args=[report.pk], queue="doomed")
        _wait_for(report, {ReportStatus.RUNNING}, timeout=60)
    finally:  # killed whatever happens: a worker left behind would take later messages
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)
    assert _later(report).status == ReportStatus.RUNNING  # nobody will finish it

    rescuer = start_worker(tmp_path / "rescuer.pid")
    try:
        services.sweep(now=timezone.now() + services.stale_after() + dt.timedelta(seconds=1))
        _wait_for(report, {ReportStatus.READY, ReportStatus.FAILED}, timeout=90)
    finally:
        rescuer.terminate()
        rescuer.wait(timeout=20)
    report = _later(report)
    assert report.status == ReportStatus.READY, report.last_error
    assert report.attempts == 2
    report.file.delete(save=False)


def _wait_for(report, statuses, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _later(report).status in statuses:
            return
        time.sleep(0.05)
    pytest.fail(f"report still {report.status} after {timeout} s")
