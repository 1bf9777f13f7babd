"""A crime import is a job that always ends: done with its counts, failed with the line and
reason, or incomplete (stopped part-way) and run again by the sweep, at most three times.
The importer itself is tested in test_import.py; here, the job around it
(reporting/import_jobs.py, reporting/tasks.py) and its pages."""

import datetime as dt

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from governance.models import AuditEvent
from reporting import import_jobs, importer, tasks
from reporting.models import CrimeImport, CrimeImportStatus, CrimeRecord, ImportBatch
from tests.reporting.test_import_view import street_csv

pytestmark = pytest.mark.django_db
Status = CrimeImportStatus
PAST_LIMIT = CrimeImport.STALE_AFTER + dt.timedelta(seconds=1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def lead_client(client, project_lead):
    client.force_login(project_lead)
    return client


def two_months(rows: int = 2) -> bytes:
    """February and March 2025: two force-months, written one after the other."""
    february = street_csv(rows=rows)
    march = street_csv(rows=rows, Month="2025-03").split(b"\n", 1)[1]
    return february + march


def requested(content: bytes, by=None, name: str = "crimes.csv") -> CrimeImport:
    """A job asked for, its run not started (the commit that would enqueue it not run)."""
    return import_jobs.request_import(SimpleUploadedFile(name, content), by=by)


def later(job: CrimeImport) -> CrimeImport:
    job.refresh_from_db()
    return job


def left_running(job: CrimeImport, ago: dt.timedelta, attempts: int = 1) -> CrimeImport:
    """As a worker killed mid-run leaves it: running, started ``ago``."""
    CrimeImport.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, started_at=timezone.now() - ago, attempts=attempts
    )
    return later(job)


# --- Upload → pending → done ------------------------------------------------------------


def test_a_requested_import_waits_then_runs_after_commit_to_done_with_counts(
    project_lead, django_capture_on_commit_callbacks, media
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = requested(two_months(rows=3), by=project_lead)
    assert later(job).status == Status.PENDING
    assert not CrimeRecord.objects.exists()  # nothing is imported before the commit
    stored = media / job.file.name
    assert stored.exists()

    for callback in callbacks:
        callback()  # eager Celery: the run happens here, inline

    job = later(job)
    assert (job.status, job.rows_checked, job.months_replaced, job.attempts) == ("done", 6, 2, 1)
    assert CrimeRecord.objects.count() == 6
    assert job.started_at <= job.finished_at
    assert "February 2025: 3 rows" in job.summary
    assert "March 2025: 3 rows" in job.summary
    assert not stored.exists()
    assert not job.file
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"reporting.crimeimport.requested", "reporting.crimeimport.done"} <= actions


def test_progress_is_written_while_the_file_is_checked_and_written(monkeypatch):
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 2)
    job = requested(two_months(rows=3))
    seen = []
    real = import_jobs._progress_of

    def watching(import_id):
        write = real(import_id)

        def progress(*counts):
            write(*counts)
            row = CrimeImport.objects.get(pk=import_id)  # what the polling page would read
            seen.append((row.rows_checked, row.months_replaced, row.months_total))

        return progress

    monkeypatch.setattr(import_jobs, "_progress_of", watching)
    import_jobs.run(job.pk)

    assert seen == [(2, 0, 0), (4, 0, 0), (6, 0, 0), (6, 1, 2), (6, 2, 2)]


def test_a_message_delivered_twice_imports_the_file_once(monkeypatch):
    job = requested(street_csv(rows=3))
    import_jobs.run(job.pk)
    calls = []
    monkeypatch.setattr(import_jobs, "import_file", lambda *a, **k: calls.append(a))

    tasks.run_import(job.pk)  # redelivered after it finished

    assert calls == []
    assert later(job).attempts == 1


# --- A file with a bad line --------------------------------------------------------------


def test_a_file_with_a_bad_line_fails_with_the_line_and_reason_and_writes_nothing(media):
    bad = two_months(rows=2).replace(b"Robbery", b"Fraud", 4)  # line 5 is March's 2nd row
    bad = bad.replace(b"Fraud", b"Robbery", 3)
    job = requested(bad, name="bad.csv")
    stored = media / job.file.name

    import_jobs.run(job.pk)

    job = later(job)
    assert (job.status, job.error_line, job.error) == ("failed", 5, "unknown Crime type 'Fraud'")
    assert job.finished_at is not None
    assert not CrimeRecord.objects.exists()  # not even the good February rows
    assert ImportBatch.objects.get().error == "line 5: unknown Crime type 'Fraud'"
    assert not stored.exists()
    assert AuditEvent.objects.filter(action="reporting.crimeimport.failed").exists()


def test_a_missing_upload_fails_with_that_reason(media):
    job = requested(street_csv())
    (media / job.file.name).unlink()

    import_jobs.run(job.pk)

    assert later(job).status == Status.FAILED
    assert "missing" in later(job).error


# --- Stopped part-way: incomplete, run again --------------------------------------------


def stop_after_first_month(monkeypatch, error: Exception):
    real = importer._Writer.replace
    months = []

    def replace(writer, stream, key):
        if months:
            raise error
        months.append(key)
        return real(writer, stream, key)

    monkeypatch.setattr(importer._Writer, "replace", replace)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (SoftTimeLimitExceeded(), f"longer than {CrimeImport.SOFT_TIME_LIMIT} seconds"),
        (IntegrityError("duplicate key"), "Another import of the same force and month"),
    ],
    ids=["soft-time-limit", "concurrent-import"],
)
def test_a_run_stopped_part_way_is_incomplete_then_the_sweep_completes_it(
    monkeypatch, lead_client, error, reason
):
    stop_after_first_month(monkeypatch, error)
    job = requested(two_months(rows=2))

    import_jobs.run(job.pk)

    job = later(job)
    assert (job.status, job.months_replaced, job.months_total) == ("incomplete", 1, 2)
    assert reason in job.error
    assert CrimeRecord.objects.count() == 2  # February whole, March untouched
    listing = lead_client.get(reverse("reporting:import"))
    assert "Incomplete: interrupted" in listing.text

    monkeypatch.undo()
    monkeypatch.setattr(importer._Writer, "replace", importer._Writer.replace)
    assert import_jobs.sweep()["requeued"] == 1

    job = later(job)
    assert (job.status, job.months_replaced, job.attempts) == ("done", 2, 2)
    assert CrimeRecord.objects.count() == 4  # February replaced, not doubled


def test_a_job_whose_worker_died_shows_incomplete_and_the_sweep_reruns_it(lead_client):
    job = left_running(requested(street_csv(rows=3)), PAST_LIMIT)

    listing = lead_client.get(reverse("reporting:import"))
    page = lead_client.get(reverse("reporting:import_job", args=[job.uuid]))
    assert "Incomplete: interrupted" in listing.text
    assert "Incomplete: interrupted" in page.text
    assert "The import stopped part-way" in page.text

    assert import_jobs.sweep()["requeued"] == 1

    job = later(job)
    assert (job.status, job.attempts, job.rows_checked) == ("done", 2, 3)
    assert CrimeRecord.objects.count() == 3


def test_a_run_within_its_time_limit_is_left_alone(monkeypatch):
    job = left_running(requested(street_csv()), CrimeImport.STALE_AFTER - dt.timedelta(seconds=5))

    assert import_jobs.sweep() == {"failed": 0, "requeued": 0, "enqueued": 0}
    import_jobs.run(job.pk)  # a duplicate message: the run is a live worker's

    assert later(job).status == Status.RUNNING
    assert not CrimeRecord.objects.exists()


def test_after_three_deaths_the_job_fails_with_a_reason(media):
    job = left_running(requested(street_csv()), PAST_LIMIT, attempts=import_jobs.MAX_ATTEMPTS)
    stored = media / job.file.name

    import_jobs.run(job.pk)  # a redelivery before the sweep does not run a fourth time
    assert later(job).attempts == import_jobs.MAX_ATTEMPTS
    assert import_jobs.sweep()["failed"] == 1

    job = later(job)
    assert job.status == Status.FAILED
    assert "interrupted 3 times" in job.error
    assert "upload the file again" in job.error
    assert job.attempts == import_jobs.MAX_ATTEMPTS
    assert not CrimeRecord.objects.exists()
    assert not stored.exists()


def test_an_incomplete_job_on_its_last_run_fails_rather_than_runs_again(monkeypatch):
    stop_after_first_month(monkeypatch, SoftTimeLimitExceeded())
    job = requested(two_months())
    CrimeImport.objects.filter(pk=job.pk).update(attempts=import_jobs.MAX_ATTEMPTS - 1)

    import_jobs.run(job.pk)  # the third run, stopped part-way
    assert later(job).status == Status.INCOMPLETE
    monkeypatch.undo()
    import_jobs.run(job.pk)  # a redelivered message does not start a fourth run
    assert (later(job).status, later(job).attempts) == (Status.INCOMPLETE, 3)
    assert import_jobs.sweep()["failed"] == 1

    job = later(job)
    assert job.status == Status.FAILED
    assert "1 of 2 force-months were replaced" in job.error


# --- The broker is down -----------------------------------------------------------------


def test_an_upload_made_while_the_broker_is_down_waits_for_the_sweep(
    monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionError("Connection refused.")

    monkeypatch.setattr(tasks.run_import, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        job = requested(street_csv(rows=3))
    assert later(job).status == Status.PENDING

    monkeypatch.undo()
    assert import_jobs.sweep()["enqueued"] == 0  # within its grace: its message may come
    import_jobs.sweep(now=timezone.now() + import_jobs.QUEUE_GRACE + dt.timedelta(seconds=1))

    assert later(job).status == Status.DONE


# --- The progress page ------------------------------------------------------------------


def test_the_progress_page_polls_with_back_off_until_the_job_ends(lead_client):
    job = requested(street_csv(rows=3))
    page = reverse("reporting:import_job", args=[job.uuid])
    status = reverse("reporting:import_job_status", args=[job.uuid])

    first = lead_client.get(page)
    assert f'hx-get="{status}?poll=1"' in first.text
    assert "load delay:1s" in first.text
    later_poll = lead_client.get(f"{status}?poll=3", headers={"HX-Request": "true"})
    assert f'hx-get="{status}?poll=4"' in later_poll.text
    assert "load delay:8s" in later_poll.text
    odd = lead_client.get(f"{status}?poll=-1x")
    assert odd.status_code == 200
    assert "load delay:1s" in odd.text

    import_jobs.run(job.pk)
    done = lead_client.get(f"{status}?poll=5", headers={"HX-Request": "true"})
    assert "hx-get" not in done.text  # finished: polling stops
    assert 'data-test="rows-checked">3<' in done.text
    assert 'data-test="months-replaced">1 of 1<' in done.text
    assert "crimes.csv: imported." in done.text  # announced to screen readers


def test_a_failed_job_page_shows_the_line_and_reason(lead_client):
    job = requested(street_csv(rows=2, **{"Crime type": "Fraud"}))
    import_jobs.run(job.pk)

    page = lead_client.get(reverse("reporting:import_job", args=[job.uuid]))

    assert "Line 2: unknown Crime type &#x27;Fraud&#x27;" in page.text
    assert "Nothing from this file was imported" in page.text


@pytest.mark.parametrize(("role", "status"), [("sergeant", 403), ("pc", 403), ("partner_a", 404)])
@pytest.mark.parametrize("name", ["reporting:import_job", "reporting:import_job_status"])
def test_only_the_project_lead_sees_an_import(client, request, role, status, name):
    job = requested(street_csv())
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse(name, args=[job.uuid])).status_code == status


def test_an_unknown_import_is_not_found(lead_client):
    job = requested(street_csv())
    CrimeImport.objects.filter(pk=job.pk).delete()

    assert lead_client.get(reverse("reporting:import_job", args=[job.uuid])).status_code == 404
    assert lead_client.post(reverse("reporting:import_job", args=[job.uuid])).status_code == 405
