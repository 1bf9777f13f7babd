"""What every background job shares (reports, crime imports, police.uk fetches, Evidence
runs): sending its message without failing when the broker is down, recording how it ended
even when the database connection was lost mid-run, and the Celery options of a job that
must end once however its worker dies.

Each job keeps its own claim and sweep (what may be claimed and when a run is stale differ
by job); these are the parts that do not.
"""

import logging

from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)


def send(task, job_id: int, what: str, **kwargs) -> bool:
    """``task.delay(job_id, **kwargs)``; a broker that is down leaves the job waiting for
    its sweep (never an error for whoever asked), and says so in the log once."""
    try:
        task.delay(job_id, **kwargs)
    except Exception as error:  # kombu/redis connection errors have no common base
        logger.warning(
            "%s %s not sent; broker unavailable (%s)", what, job_id, type(error).__name__
        )
        return False
    return True


def update(model, job_id: int, values: dict, what: str) -> bool:
    """Write how a job ended, reconnecting once if the database connection was lost (a
    restart mid-run). False if even that failed: the job's sweep sees it later."""
    for _ in range(2):
        try:
            model.objects.filter(pk=job_id).update(**values)
            return True
        except DatabaseError:
            connection.close()  # the next query opens a fresh connection
    logger.error("%s %s: could not record how it ended; the sweep will", what, job_id)
    return False


def task_options(soft_time_limit: int, time_limit: int, *, retry_on_os_error: bool) -> dict:
    """A job's Celery options: acknowledged after it ends and given back if its worker dies
    (its claim makes a second delivery a no-op), stopped at its time limits, and, for jobs
    whose transient failures (disk, database server) may pass, retried with back-off."""
    options = {
        "acks_late": True,
        "reject_on_worker_lost": True,
        "soft_time_limit": soft_time_limit,
        "time_limit": time_limit,
    }
    if retry_on_os_error:
        options |= {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 3}
    return options
