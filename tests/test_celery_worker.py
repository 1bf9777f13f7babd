"""A real Celery worker on Redis runs tasks against the same database (CI)."""

import pytest

from reporting.tasks import worker_health

from .factories import AreaFactory


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_reads_the_test_database(celery_worker_process):
    AreaFactory(name="Lambeth", code="E09000022")
    AreaFactory(name="Southwark", code="E09000028")
    result = worker_health.delay()
    assert result.get(timeout=30) == {"areas": 2}


@pytest.mark.django_db
def test_tasks_run_inline_without_a_broker():
    AreaFactory(name="Lambeth", code="E09000022")
    assert worker_health.delay().get(timeout=1) == {"areas": 1}
