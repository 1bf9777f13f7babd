"""core.jobs: what every background job shares (sending, recording how it ended, the
Celery options of a job that must end once)."""

import logging

import pytest
from django.conf import settings

from core import jobs
from reporting import tasks
from reporting.models import CrimeFetch, CrimeImport, EvidenceRun

JOB_TASKS = [
    (tasks.build_report, settings.REPORT_SOFT_TIME_LIMIT, settings.REPORT_HARD_TIME_LIMIT, True),
    (tasks.evaluate_evidence, EvidenceRun.SOFT_TIME_LIMIT, EvidenceRun.HARD_TIME_LIMIT, True),
    (tasks.run_import, CrimeImport.SOFT_TIME_LIMIT, CrimeImport.HARD_TIME_LIMIT, False),
    (tasks.run_fetch, CrimeFetch.SOFT_TIME_LIMIT, CrimeFetch.HARD_TIME_LIMIT, False),
]


@pytest.mark.parametrize(("task", "soft", "hard", "retries"), JOB_TASKS)
def test_every_job_task_is_given_back_if_its_worker_dies_and_stops_at_its_limits(
    task, soft, hard, retries
):
    assert task.acks_late
    assert task.reject_on_worker_lost
    assert (task.soft_time_limit, task.time_limit) == (soft, hard)
    # A report or an Evidence run may retry a passing failure; an import or a fetch does
    # not (its own sweep and attempts decide).
    assert (OSError in (getattr(task, "autoretry_for", ()) or ())) is retries


class _Refusing:
    def delay(self, *args, **kwargs):
        raise ConnectionRefusedError("broker down")


class _Taking:
    def __init__(self):
        self.sent = []

    def delay(self, *args, **kwargs):
        self.sent.append((args, kwargs))


def test_sending_passes_the_job_and_its_options():
    task = _Taking()
    assert jobs.send(task, 7, "Fetch", refetch=True) is True
    assert task.sent == [((7,), {"refetch": True})]


def test_a_broker_that_is_down_leaves_the_job_for_its_sweep_and_says_so(caplog):
    with caplog.at_level(logging.WARNING, logger="core.jobs"):
        assert jobs.send(_Refusing(), 7, "Report") is False
    (record,) = caplog.records
    assert record.getMessage() == "Report 7 not sent; broker unavailable (ConnectionRefusedError)"
