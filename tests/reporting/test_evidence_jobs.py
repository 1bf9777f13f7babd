"""The Evidence figures are a job that always ends (reporting/evidence_jobs.py): asked for
once per area at a time, claimed once, ready with the figures stored, or failed with a
reason in words; runs whose worker died are taken back by the sweep, at most three times.
The tasks, the nightly schedule and the request after each crime import are here too."""

import datetime as dt

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings as django_settings
from django.db import DatabaseError, IntegrityError
from django.db.models import QuerySet
from django.utils import timezone

from core import jobs
from governance.models import AuditEvent
from reporting import evidence_jobs, tasks
from reporting.evaluation import Evidence, stored
from reporting.models import EvidenceRun, EvidenceStatus
from reporting.selectors import evidence_state, latest_evidence

pytestmark = pytest.mark.django_db
Status = EvidenceStatus
PAST_LIMIT = EvidenceRun.STALE_AFTER + dt.timedelta(seconds=1)


@pytest.fixture
def sent(monkeypatch):
    """The runs sent to the broker (none run): their ids, in order."""
    ids = []

    def delay(run_id):
        ids.append(run_id)

    monkeypatch.setattr(tasks.evaluate_evidence, "delay", delay)
    return ids


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.evaluate_evidence, "delay", refuse)


@pytest.fixture
def failing(monkeypatch):
    """The evaluation raises what the test says."""

    def use(error):
        def evaluate(area, as_of):
            raise error

        monkeypatch.setattr(evidence_jobs, "evaluate", evaluate)

    return use


def later(run: EvidenceRun) -> EvidenceRun:
    run.refresh_from_db()
    return run


def make_run(area, status=Status.PENDING, *, ago=dt.timedelta(0), attempts=0, **fields):
    now = timezone.now()
    fields.setdefault("as_of", now.date())
    run = EvidenceRun.objects.create(area=area, status=status, **fields)
    EvidenceRun.objects.filter(pk=run.pk).update(
        created_at=now - ago,
        started_at=now - ago if status != Status.PENDING else None,
        attempts=attempts,
    )
    return later(run)


def ready_run(area, *, finished=None, result=None, result_format=stored.FORMAT) -> EvidenceRun:
    run = make_run(area, Status.READY, result=result or {}, finished_at=finished or timezone.now())
    EvidenceRun.objects.filter(pk=run.pk).update(result_format=result_format)
    return later(run)


# --- Asking ------------------------------------------------------------------------------


def test_asking_twice_is_one_request_sent_once(area, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = evidence_jobs.request_evidence(area)
        second = evidence_jobs.request_evidence(area)
    assert first == second
    assert EvidenceRun.objects.filter(area=area).count() == 1
    assert (first.status, first.as_of) == (Status.PENDING, timezone.localdate())
    assert sent == [first.pk]


def test_a_request_is_sent_only_after_commit(area, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        evidence_jobs.request_evidence(area)
    assert sent == []
    assert len(callbacks) == 1


def test_the_database_keeps_one_waiting_request_per_area(area, other_area):
    make_run(area)
    make_run(other_area)  # another area's: no clash
    with pytest.raises(IntegrityError):
        make_run(area)


def test_asking_while_a_run_is_under_way_queues_one_to_follow_it(area, sent):
    running = make_run(area, Status.RUNNING, attempts=1)
    follower = evidence_jobs.request_evidence(area)
    assert follower != running
    assert follower.status == Status.PENDING
    assert evidence_jobs.request_evidence(area) == follower


def test_a_person_asking_is_audited_a_schedule_is_not(area, project_lead, sent):
    evidence_jobs.request_evidence(area)
    assert not AuditEvent.objects.filter(action="reporting.evidencerun.requested").exists()
    EvidenceRun.objects.all().delete()
    run = evidence_jobs.request_evidence(area, by=project_lead)
    event = AuditEvent.objects.get(action="reporting.evidencerun.requested")
    assert (event.actor, event.object_id) == (project_lead, str(run.pk))


def test_the_broker_down_leaves_the_request_pending_never_an_error(
    area, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = evidence_jobs.request_evidence(area)
    assert later(run).status == Status.PENDING
    assert evidence_jobs.enqueue(run.pk) is False


# --- Working it out ----------------------------------------------------------------------


def test_a_run_stores_the_figures_as_json_and_ends_ready(area):
    run = make_run(area, as_of=dt.date(2020, 1, 1))
    evidence_jobs.run(run.pk)
    run = later(run)
    assert (run.status, run.attempts, run.error) == (Status.READY, 1, "")
    assert run.as_of == timezone.localdate()  # the data up to the day it ran
    assert run.finished_at
    assert run.result_format == stored.FORMAT
    evidence = stored.from_data(Evidence, run.result)
    assert (evidence.area, evidence.as_of) == (area.name, run.as_of)


def test_a_run_is_worked_out_once_however_often_it_is_sent(area, monkeypatch):
    calls = []
    real = evidence_jobs.evaluate
    monkeypatch.setattr(evidence_jobs, "evaluate", lambda *a: calls.append(a) or real(*a))
    run = make_run(area)
    evidence_jobs.run(run.pk)
    evidence_jobs.run(run.pk)
    evidence_jobs.run(run.pk + 1000)  # missing: nothing to do
    assert len(calls) == 1
    assert later(run).attempts == 1


def test_a_run_waits_its_turn_while_another_of_the_area_is_under_way(area, other_area, sent):
    under_way = make_run(area, Status.RUNNING, attempts=1)
    waiting = make_run(area)
    elsewhere = make_run(other_area)
    evidence_jobs.run(waiting.pk)
    evidence_jobs.run(elsewhere.pk)
    assert later(waiting).status == Status.PENDING
    assert later(elsewhere).status == Status.READY  # another area's run does not wait
    assert later(under_way).status == Status.RUNNING


def test_the_run_that_waited_is_sent_when_the_one_under_way_ends(
    area, sent, django_capture_on_commit_callbacks
):
    under_way = make_run(area, Status.RUNNING, attempts=1)
    waiting = make_run(area)
    with django_capture_on_commit_callbacks(execute=True):
        evidence_jobs._finish(under_way, {})
    assert sent == [waiting.pk]
    sent.clear()
    failed = make_run(area, Status.RUNNING, attempts=1)
    evidence_jobs._failed(failed, "Stopped.")
    assert sent == [waiting.pk]


def test_a_run_whose_worker_died_is_claimed_again(area):
    dead = make_run(area, Status.RUNNING, ago=PAST_LIMIT, attempts=1)
    evidence_jobs.run(dead.pk)
    assert (later(dead).status, later(dead).attempts) == (Status.READY, 2)


def test_a_run_under_way_is_not_claimed_twice(area):
    alive = make_run(area, Status.RUNNING, ago=dt.timedelta(minutes=1), attempts=1)
    evidence_jobs.run(alive.pk)
    assert (later(alive).status, later(alive).attempts) == (Status.RUNNING, 1)


def test_a_failed_run_is_claimed_again_until_its_attempts_are_spent(area):
    failed = make_run(area, Status.FAILED, attempts=1, error="Stopped.")
    evidence_jobs.run(failed.pk)
    assert later(failed).status == Status.READY
    spent = make_run(area, Status.FAILED, attempts=evidence_jobs.MAX_ATTEMPTS, error="Stopped.")
    evidence_jobs.run(spent.pk)
    assert later(spent).status == Status.FAILED


def test_a_dead_run_past_its_last_attempt_is_not_claimed(area):
    spent = make_run(area, Status.RUNNING, ago=PAST_LIMIT, attempts=evidence_jobs.MAX_ATTEMPTS)
    evidence_jobs.run(spent.pk)
    assert later(spent).attempts == evidence_jobs.MAX_ATTEMPTS


def test_a_failure_says_what_kind_in_words_never_the_data(area, failing):
    failing(ValueError("Jane Example, 12 High Street"))
    run = make_run(area)
    evidence_jobs.run(run.pk)
    run = later(run)
    assert run.status == Status.FAILED
    assert "could not be worked out (ValueError)" in run.error
    assert "Jane" not in run.error
    assert run.finished_at is not None


def test_a_transient_failure_is_recorded_and_raised_for_the_task_to_retry(area, failing):
    failing(OSError("disk full"))
    run = make_run(area)
    with pytest.raises(OSError, match="disk full"):
        evidence_jobs.run(run.pk)
    assert later(run).status == Status.FAILED


def test_a_run_past_the_soft_time_limit_fails_with_that_reason(area, failing):
    failing(SoftTimeLimitExceeded())
    run = make_run(area)
    evidence_jobs.run(run.pk)
    assert later(run).error == (
        f"Working it out took longer than {EvidenceRun.SOFT_TIME_LIMIT} seconds and was stopped."
    )


def test_a_failure_is_recorded_after_the_database_connection_was_lost(area, monkeypatch):
    run = make_run(area, Status.RUNNING, attempts=1)
    real_update = QuerySet.update
    lost = {"once": True}

    def update(self, **values):
        if lost.pop("once", False):
            raise DatabaseError("server closed the connection unexpectedly")
        return real_update(self, **values)

    monkeypatch.setattr(QuerySet, "update", update)
    closed = []
    monkeypatch.setattr(jobs.connection, "close", lambda: closed.append(True))
    evidence_jobs.mark_failed(run.pk, "Stopped.")
    assert closed == [True]
    assert (later(run).status, later(run).error) == (Status.FAILED, "Stopped.")


def test_a_ready_run_replaces_the_older_results_and_failures_of_its_area(area, other_area):
    old = ready_run(area)
    failed = make_run(area, Status.FAILED, error="Stopped.")
    elsewhere = ready_run(other_area)
    run = make_run(area)
    evidence_jobs.run(run.pk)
    remaining = set(EvidenceRun.objects.values_list("pk", flat=True))
    assert remaining == {run.pk, elsewhere.pk}
    assert old.pk not in remaining
    assert failed.pk not in remaining


# --- The sweep ---------------------------------------------------------------------------


def test_the_sweep_sends_dead_runs_again_and_fails_spent_ones(area, other_area, sent):
    dead = make_run(area, Status.RUNNING, ago=PAST_LIMIT, attempts=1)
    spent = make_run(other_area, Status.RUNNING, ago=PAST_LIMIT, attempts=3)
    result = evidence_jobs.sweep()
    assert sent == [dead.pk]
    assert later(spent).status == Status.FAILED
    assert "interrupted 3 times" in later(spent).error
    assert result == {"failed": 1, "requeued": 1, "enqueued": 1}


def test_the_sweep_fails_a_dead_run_that_a_newer_one_replaces(area, sent):
    dead = make_run(area, Status.RUNNING, ago=PAST_LIMIT, attempts=1)
    newer = make_run(area, ago=dt.timedelta(minutes=5))
    evidence_jobs.sweep()
    assert later(dead).status == Status.FAILED
    assert "a newer run replaces it" in later(dead).error
    assert sent == [newer.pk]


def test_the_sweep_sends_pending_runs_after_a_grace(area, other_area, sent):
    lost = make_run(area, ago=evidence_jobs.QUEUE_GRACE + dt.timedelta(seconds=1))
    make_run(other_area)  # just asked: its message is on its way
    evidence_jobs.sweep()
    assert sent == [lost.pk]


def test_the_sweep_with_the_broker_down_leaves_runs_pending(area, broker_down):
    run = make_run(area, ago=dt.timedelta(minutes=5))
    assert evidence_jobs.sweep()["enqueued"] == 0
    assert later(run).status == Status.PENDING


def test_a_starting_worker_sends_what_waits_at_once(area, sent):
    run = make_run(area)  # just asked, as the demo seed does
    tasks._pick_up_waiting_evidence()
    assert sent == [run.pk]


def test_a_starting_worker_is_not_stopped_by_a_sweep_that_fails(monkeypatch):
    def broken(**kwargs):
        raise DatabaseError("no such table")

    monkeypatch.setattr(evidence_jobs, "sweep", broken)
    tasks._pick_up_waiting_evidence()  # logs, does not raise


# --- What the page reads -----------------------------------------------------------------


def test_the_newest_ready_figures_are_read(area, other_area):
    day = timezone.now()
    ready_run(area, finished=day - dt.timedelta(days=1))
    newest = ready_run(area, finished=day)
    ready_run(other_area, finished=day + dt.timedelta(hours=1))  # never another area's
    data = stored.to_data(
        pytest.importorskip("reporting.evaluation").evaluate(area, timezone.localdate())
    )
    EvidenceRun.objects.filter(pk=newest.pk).update(result=data)
    run, evidence = latest_evidence(area)
    assert run == newest
    assert evidence.area == area.name


def test_figures_in_another_format_or_unreadable_count_as_none(area):
    ready_run(area, result_format=stored.FORMAT + 1)
    assert latest_evidence(area) == (None, None)
    ready_run(area, result={"not": "evidence"})
    assert latest_evidence(area) == (None, None)
    assert evidence_state(area).nothing_yet


def test_the_state_says_a_newer_run_is_under_way_or_failed(area, other_area):
    data = stored.to_data(pytest.importorskip("reporting.evaluation").evaluate(area))
    ready = ready_run(area, result=data)
    make_run(other_area)  # another area's run says nothing of this one
    state = evidence_state(area)
    assert (state.ready, state.newer, state.working, state.failed) == (ready, None, False, False)
    failed = make_run(area, Status.FAILED, error="Stopped.")
    assert evidence_state(area).failed
    assert evidence_state(area).newer == failed
    waiting = make_run(area)
    state = evidence_state(area)
    assert state.working
    assert state.newer == waiting
    assert state.ready == ready


# --- The tasks, the schedule, and after an import ----------------------------------------


def test_the_task_works_out_a_run_by_primary_key(area):
    run = make_run(area)
    tasks.evaluate_evidence.delay(run.pk)  # eager here: inline
    assert later(run).status == Status.READY
    tasks.evaluate_evidence.delay(run.pk + 1000)  # missing: a no-op


def test_the_task_always_ends(area):
    task = tasks.evaluate_evidence
    assert task.acks_late
    assert task.reject_on_worker_lost
    assert (task.soft_time_limit, task.time_limit) == (
        EvidenceRun.SOFT_TIME_LIMIT,
        EvidenceRun.HARD_TIME_LIMIT,
    )
    assert EvidenceRun.STALE_AFTER.total_seconds() > task.time_limit


def test_each_night_every_area_is_worked_out_again(area, other_area, sent):
    entry = django_settings.CELERY_BEAT_SCHEDULE["evaluate-evidence-nightly"]
    assert entry["task"] == "reporting.tasks.evaluate_evidence_nightly"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {30})
    assert tasks.evaluate_evidence_nightly() == 2
    tasks.evaluate_evidence_nightly()  # twice in a night asks once
    assert EvidenceRun.objects.filter(status=Status.PENDING).count() == 2


def test_the_sweep_runs_every_minute():
    entry = django_settings.CELERY_BEAT_SCHEDULE["sweep-evidence"]
    assert entry["task"] == "reporting.tasks.sweep_evidence"
    assert entry["schedule"].minute == set(range(60))
    assert tasks.sweep_evidence() == {"failed": 0, "requeued": 0, "enqueued": 0}


def test_a_crime_import_asks_for_every_area_again(
    area, other_area, project_lead, sent, settings, tmp_path, django_capture_on_commit_callbacks
):
    from tests.reporting.test_import_job import requested, two_months

    settings.MEDIA_ROOT = tmp_path
    job = requested(two_months(), by=project_lead)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.run_import(job.pk)
    runs = EvidenceRun.objects.filter(status=Status.PENDING)
    assert {run.area for run in runs} == {area, other_area}
    assert sorted(sent) == sorted(run.pk for run in runs)


def test_a_refused_import_asks_for_nothing(project_lead, sent, settings, tmp_path):
    from tests.reporting.test_import_job import requested

    settings.MEDIA_ROOT = tmp_path
    job = requested(b"not,a,crime,file\n1,2,3,4\n", by=project_lead)
    tasks.run_import(job.pk)
    assert not EvidenceRun.objects.exists()
