"""The Evidence figures as jobs: worked out by a Celery task (each night, after each crime
import, and when the page finds none), never in a request — a job that always ends,
modelled on the report job (``reporting/services.py``).

``request_evidence`` asks for a run of an area and enqueues it after commit. One request
waits per area (a database constraint, and the area's row locked while asking): asking
again while it waits is the same request. A request while a run is under way queues one
to follow it, so data imported meanwhile is not missed. A broker that is down leaves the
run pending, and the sweep enqueues it later.

``run`` claims the run in one conditional UPDATE (pending, failed with attempts left, or
running for longer than any run may last: its worker died), and never while another run
of the same area is under way, so a redelivered or duplicated message works it out once
and an area's runs take turns. The figures are stored as JSON (``evaluation.stored``), and
so is the result of each of the area's trials (``trial_jobs``).
A run past the soft time limit or stopped by an error fails with the reason in words
(never the data); ``sweep`` (every minute, by beat) gives runs whose worker died back to
the queue, up to ``MAX_ATTEMPTS`` times, then fails them with the reason.
"""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from accounts.models import Area
from core import jobs
from governance import audit

from .evaluation import evaluate, stored
from .models import EvidenceRun, EvidenceStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# A pending run this old has had time to be picked up: its message may be lost.
QUEUE_GRACE = dt.timedelta(seconds=60)
Status = EvidenceStatus


def request_evidence(area, *, by=None, send: bool = True) -> EvidenceRun:
    """Ask for the area's figures to be worked out (again); the run starts after commit.
    ``by``: the person who asked (audited); ``send=False`` leaves it for the sweep."""
    try:
        with transaction.atomic():
            # One request at a time per area: the second sees the first's pending run.
            Area.objects.select_for_update().get(pk=area.pk)
            run = EvidenceRun.objects.filter(area=area, status=Status.PENDING).first()
            if run is not None:
                return run
            run = EvidenceRun.objects.create(area=area, as_of=timezone.localdate())
            if by is not None:
                audit.record("reporting.evidencerun.requested", run, user=by)
    except IntegrityError:  # asked at the same moment (no row locks in SQLite): the same
        return EvidenceRun.objects.get(area=area, status=Status.PENDING)
    if send:
        transaction.on_commit(lambda: enqueue(run.pk))
    return run


def request_for_all_areas(*, send: bool = True) -> int:
    """Each night and after a crime import: every area's figures again."""
    return len([request_evidence(area, send=send) for area in Area.objects.all()])


def enqueue(run_id: int) -> bool:
    """Send the run to the workers; a broker that is down leaves it pending for the sweep
    (never an error for the page or the import that asked)."""
    from .tasks import evaluate_evidence

    return jobs.send(evaluate_evidence, run_id, "Evidence run")


def _stale(now: dt.datetime) -> Q:
    return Q(status=Status.RUNNING, started_at__lt=now - EvidenceRun.STALE_AFTER)


def _claim(run_id: int) -> bool:
    now = timezone.now()
    claimable = (
        Q(status=Status.PENDING)
        | Q(status=Status.FAILED, attempts__lt=MAX_ATTEMPTS)
        | (_stale(now) & Q(attempts__lt=MAX_ATTEMPTS))
    )
    # Another run of the area under way (its worker alive): this one waits its turn.
    busy = EvidenceRun.objects.filter(
        area=OuterRef("area"), status=Status.RUNNING, started_at__gte=now - EvidenceRun.STALE_AFTER
    ).exclude(pk=OuterRef("pk"))
    return bool(
        EvidenceRun.objects.filter(claimable, ~Exists(busy), pk=run_id).update(
            status=Status.RUNNING,
            as_of=timezone.localdate(),
            started_at=now,
            finished_at=None,
            error="",
            attempts=F("attempts") + 1,
        )
    )


def run(run_id: int) -> None:
    """Work out one run: pending → running → ready (or failed, with the reason)."""
    from celery.exceptions import SoftTimeLimitExceeded

    from . import trial_jobs  # numpy: loaded by the job only, never by a page

    if not _claim(run_id):
        return  # missing, finished, being worked out, or waiting its turn: nothing to do
    job = EvidenceRun.objects.select_related("area").get(pk=run_id)
    try:
        result = stored.to_data(evaluate(job.area, job.as_of))
        trial_jobs.analyse_area(job.area_id, job.as_of)
    except SoftTimeLimitExceeded:
        limit = EvidenceRun.SOFT_TIME_LIMIT
        _failed(job, f"Working it out took longer than {limit} seconds and was stopped.")
    except OSError as error:  # transient (disk, database server): the task retries
        _failed(job, _reason(error))
        raise
    except Exception as error:  # a bug or odd data: retrying would fail the same way
        logger.error("Evidence %s failed: %s", run_id, type(error).__name__)
        _failed(job, _reason(error))
    else:
        _finish(job, result)


def _reason(error: Exception) -> str:
    # The kind of error only: its message could quote the data being worked on.
    return (
        f"The figures could not be worked out ({type(error).__name__}). Try again; if it "
        "fails again, tell the administrator."
    )


def _finish(job: EvidenceRun, result: dict) -> None:
    now = timezone.now()
    with transaction.atomic():
        EvidenceRun.objects.filter(pk=job.pk).update(
            status=Status.READY,
            result=result,
            result_format=stored.FORMAT,
            finished_at=now,
            error="",
        )
        # Older results and failures of the area are superseded: keep the table small.
        EvidenceRun.objects.filter(
            area_id=job.area_id, status__in=[Status.READY, Status.FAILED], pk__lt=job.pk
        ).delete()
        transaction.on_commit(lambda: _next(job.area_id))


def _failed(job: EvidenceRun, reason: str) -> None:
    mark_failed(job.pk, reason)
    _next(job.area_id)


def _next(area_id: int) -> None:
    """The area's run that waited for this one to end, if any, now has its turn."""
    waiting = EvidenceRun.objects.filter(area_id=area_id, status=Status.PENDING)
    for pk in waiting.values_list("pk", flat=True):
        enqueue(pk)


def mark_failed(run_id: int, reason: str) -> None:
    """Record the failure, reconnecting once if the database connection was lost (a
    restart mid-run); if even that fails, the sweep reclaims the run later."""
    values = {
        "status": Status.FAILED,
        "error": reason or "Unknown error",
        "finished_at": timezone.now(),
    }
    jobs.update(EvidenceRun, run_id, values, "Evidence run")


def sweep(now: dt.datetime | None = None, grace: dt.timedelta = QUEUE_GRACE) -> dict[str, int]:
    """Every minute: runs whose worker died are enqueued again (or failed after
    ``MAX_ATTEMPTS``, or when a newer run replaces them), and pending runs whose message
    may be lost are enqueued (a duplicate message is harmless: the claim is conditional)."""
    now = now or timezone.now()
    stale = EvidenceRun.objects.filter(_stale(now))
    gave_up = stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED,
        error=f"Working it out was interrupted {MAX_ATTEMPTS} times; try again.",
        finished_at=now,
    )
    newer = EvidenceRun.objects.filter(area=OuterRef("area"), pk__gt=OuterRef("pk"))
    replaced = stale.filter(Exists(newer)).update(
        status=Status.FAILED,
        error="Working it out was interrupted; a newer run replaces it.",
        finished_at=now,
    )
    dead = list(stale.values_list("pk", flat=True))
    waiting = EvidenceRun.objects.filter(status=Status.PENDING, created_at__lt=now - grace)
    sent = sum(enqueue(pk) for pk in sorted({*dead, *waiting.values_list("pk", flat=True)}))
    return {"failed": gave_up + replaced, "requeued": len(dead), "enqueued": sent}
