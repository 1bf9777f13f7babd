"""Crime data imports as jobs: the upload is saved and imported by a Celery task, never in
the request — a job that always ends, modelled on the report job (reporting/services.py).

``request_import`` saves the upload (under MEDIA_ROOT/private/, never served) and a pending
``CrimeImport`` in one transaction, and enqueues the run after commit; with no broker
(the embedded default, tasks eager) the run happens inline after commit. A broker that is
down leaves the job pending, and the sweep enqueues it later.

``run`` claims the job in one conditional UPDATE (pending, incomplete, or running for
longer than any run may last: its worker died), so a redelivered or duplicated message
runs it once, and calls the importer, which checks the whole file before writing and then
replaces one force-month at a time, each whole. A refused file fails with its line and
reason, nothing written. A run stopped part-way (soft time limit, a worker killed, a
concurrent import of the same force-month) leaves the job incomplete: some force-months
replaced, the rest not. A finished import asks for every area's Evidence figures again
(``evidence_jobs``). ``sweep`` runs such a file again (re-importing replaces, so it is
safe) up to ``MAX_ATTEMPTS`` runs, then fails it with the reason.
"""

import datetime as dt
import logging

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core import jobs
from governance import audit

from . import evidence_jobs
from .importer import ImportRefused, ImportResult, import_file, plural_rows
from .models import CrimeImport, CrimeImportStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# A pending job this old has had time to be picked up: its message may be lost.
QUEUE_GRACE = dt.timedelta(seconds=60)
Status = CrimeImportStatus


def request_import(upload: UploadedFile, by) -> CrimeImport:
    """Keep the uploaded file and ask for its import; the run starts after commit."""
    job = CrimeImport(original_name=upload.name[-255:], requested_by=by)
    # The stored name is the job's UUID: the original name is shown, never trusted as a path.
    job.file.save(f"{job.uuid}.csv", upload, save=False)
    try:
        with transaction.atomic():
            job.save()
            audit.record("reporting.crimeimport.requested", job, user=by)
            transaction.on_commit(lambda: enqueue(job.pk))
    except Exception:
        job.file.delete(save=False)  # the file is not kept for a job that does not exist
        raise
    return job


def enqueue(import_id: int) -> bool:
    """Send the run to the workers; a broker that is down leaves the job for the sweep
    (never an error for the person who uploaded)."""
    from .tasks import run_import

    return jobs.send(run_import, import_id, "Import")


def _claimable(now: dt.datetime) -> Q:
    dead = Q(
        status=Status.RUNNING,
        started_at__lt=now - CrimeImport.STALE_AFTER,
        attempts__lt=MAX_ATTEMPTS,
    )
    waiting = Q(status=Status.PENDING) | Q(status=Status.INCOMPLETE, attempts__lt=MAX_ATTEMPTS)
    return waiting | dead


def _claim(import_id: int) -> bool:
    now = timezone.now()
    return bool(
        CrimeImport.objects.filter(_claimable(now), pk=import_id).update(
            status=Status.RUNNING,
            started_at=now,
            finished_at=None,
            error="",
            error_line=None,
            attempts=F("attempts") + 1,
        )
    )


def run(import_id: int) -> None:
    """Run one import: pending → running → done (or failed, or incomplete to run again)."""
    from celery.exceptions import SoftTimeLimitExceeded

    if not _claim(import_id):
        return  # missing, finished, or being run by a live worker: nothing to do
    job = CrimeImport.objects.select_related("requested_by").get(pk=import_id)
    if not job.file or not job.file.storage.exists(job.file.name):
        _fail(job.pk, "The uploaded file is missing; upload it again.")
        return
    try:
        result = import_file(
            job.file.path,
            job.original_name,
            imported_by=job.requested_by,
            progress=_progress_of(job.pk),
        )
    except ImportRefused as refusal:
        _fail(job.pk, refusal.reason, line=refusal.line)
    except SoftTimeLimitExceeded:
        limit = CrimeImport.SOFT_TIME_LIMIT
        _interrupt(job.pk, f"The import took longer than {limit} seconds and was stopped.")
    except IntegrityError:
        _interrupt(job.pk, "Another import of the same force and month ran at the same moment.")
    except Exception as error:  # a bug or a changed file: running it again would fail alike
        logger.error("Import %s failed: %s", import_id, type(error).__name__)
        _fail(job.pk, f"{type(error).__name__}: {error}"[:500])
    else:
        _finish(job, result)


def _progress_of(import_id: int):
    """Writes progress as it comes (outside any transaction, so the page sees it)."""

    def progress(rows_checked: int, months_replaced: int, months_total: int) -> None:
        CrimeImport.objects.filter(pk=import_id).update(
            rows_checked=rows_checked,
            months_replaced=months_replaced,
            months_total=months_total,
        )

    return progress


def _finish(job: CrimeImport, result: ImportResult) -> None:
    with transaction.atomic():
        CrimeImport.objects.filter(pk=job.pk).update(
            status=Status.DONE,
            rows_checked=result.rows,
            months_replaced=len(result.parts),
            months_total=len(result.parts),
            error="",
            error_line=None,
            summary=summary(result),
            finished_at=timezone.now(),
        )
        audit.record("reporting.crimeimport.done", job, detail=plural_rows(result.rows))
        # New crime data: the Evidence figures of every area are worked out again (an
        # area's runs take turns, so one under way is followed by one with this data).
        evidence_jobs.request_for_all_areas()
    _discard_upload(job)


def summary(result: ImportResult) -> str:
    parts = "; ".join(part.describe() for part in result.parts)
    return f"Imported {result.filename}: {plural_rows(result.rows)}. {parts}."


def _fail(import_id: int, reason: str, *, line: int | None = None) -> None:
    """Failed for good, with the first error; reconnecting once if the database
    connection was lost (if even that fails, the sweep sees the job later)."""
    values = {
        "status": Status.FAILED,
        "error": reason or "Unknown error",
        "error_line": line,
        "finished_at": timezone.now(),
    }
    if _update(import_id, values):
        job = CrimeImport.objects.get(pk=import_id)
        audit.record("reporting.crimeimport.failed", job, detail=values["error"])
        _discard_upload(job)


def _interrupt(import_id: int, reason: str) -> None:
    """Stopped part-way: incomplete, for the sweep to run again (or fail after the last)."""
    _update(import_id, {"status": Status.INCOMPLETE, "error": reason})


def _update(import_id: int, values: dict) -> bool:
    return jobs.update(CrimeImport, import_id, values, "Import")


def _discard_upload(job: CrimeImport) -> None:
    """A finished job needs its file no more: the data is in the database, or refused."""
    if job.file:
        job.file.delete(save=False)
        CrimeImport.objects.filter(pk=job.pk).update(file="")


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Every minute: runs whose worker died become incomplete and run again (failed after
    ``MAX_ATTEMPTS`` runs), and pending jobs whose message may be lost are enqueued."""
    now = now or timezone.now()
    dead = CrimeImport.objects.filter(
        status=Status.RUNNING, started_at__lt=now - CrimeImport.STALE_AFTER
    )
    dead.filter(attempts__lt=MAX_ATTEMPTS).update(
        status=Status.INCOMPLETE, error="The import was interrupted (its worker stopped)."
    )
    gave_up = _give_up(now)
    incomplete = list(
        CrimeImport.objects.filter(status=Status.INCOMPLETE).values_list("pk", flat=True)
    )
    waiting = CrimeImport.objects.filter(status=Status.PENDING, created_at__lt=now - QUEUE_GRACE)
    ids = {*incomplete, *waiting.values_list("pk", flat=True)}
    sent = sum(enqueue(pk) for pk in sorted(ids))
    return {"failed": gave_up, "requeued": len(incomplete), "enqueued": sent}


def _give_up(now: dt.datetime) -> int:
    """Jobs interrupted on their last run fail, saying what may already be imported."""
    dead = Q(status=Status.RUNNING, started_at__lt=now - CrimeImport.STALE_AFTER)
    spent = (dead | Q(status=Status.INCOMPLETE)) & Q(attempts__gte=MAX_ATTEMPTS)
    failed = 0
    for job in CrimeImport.objects.filter(spent):
        reason = (
            f"The import was interrupted {job.attempts} times ({job.error or 'worker stopped'}). "
            f"{job.months_replaced} of {job.months_total or 'its'} force-months were replaced, "
            "each whole; upload the file again to import the rest."
        )
        # Conditional: only a job still spent (no run can claim it: its attempts are used).
        if CrimeImport.objects.filter(spent, pk=job.pk).update(
            status=Status.FAILED, error=reason, finished_at=now
        ):
            audit.record("reporting.crimeimport.failed", job, detail=reason)
            _discard_upload(job)
            failed += 1
    return failed
