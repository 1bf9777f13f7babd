"""Crime data that arrives by itself (reporting/policeuk_fetch.py): the daily job fetches a
force-month from the data.police.uk monthly archive and imports it through the importer.

A loopback HTTP server plays data.police.uk: it serves ``/data/archive/YYYY-MM.zip``
archives made in the test from the real police.uk files (the team's shared copies, byte for
byte inside the zip), and can answer 404, 503 or a truncated body instead."""

import datetime as dt
import io
import threading
import zipfile
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from accounts.models import Notification
from ephedra import env
from governance.models import AuditEvent
from reporting import policeuk_fetch, tasks
from reporting.models import (
    CrimeFetch,
    CrimeFetchStatus,
    CrimeOutcome,
    CrimeRecord,
    ImportBatch,
    ImportStatus,
)

pytestmark = pytest.mark.django_db
Status = CrimeFetchStatus
JANUARY = dt.date(2023, 1, 1)
FORCE = "city-of-london"
STREET = "policeuk-2023-01-city-of-london-street.csv"  # the later edition: 719 rows
EARLIER_STREET = "policeuk-2023-01-city-of-london-street.edition-2023-03.csv"  # 719 rows
OUTCOMES = "policeuk-2023-01-city-of-london-outcomes.csv"  # 575 rows


def _shared_folder() -> Path:
    """The shared police.uk files beside the repository (/work/main) or its worktree."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        folder = parent / "shared" / "data" / "policeuk"
        if folder.is_dir():
            return folder
    pytest.skip("the shared police.uk files are not here")


def real(name: str) -> bytes:
    return (_shared_folder() / name).read_bytes()


def archive(month: str, **files: str) -> bytes:
    """A monthly archive as police.uk lays it out: ``YYYY-MM/YYYY-MM-<force>-<kind>.csv``,
    each member one of the real files (``files``: member suffix → shared file name)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for suffix, name in files.items():
            zipped.writestr(f"{month}/{month}-{suffix.replace('_', '-')}.csv", real(name))
    return buffer.getvalue()


def january(street: str = STREET) -> bytes:
    return archive("2023-01", city_of_london_street=street, city_of_london_outcomes=OUTCOMES)


class PoliceUk:
    """What the loopback server serves: archives by path, and for a path a list of answers
    to give first (404, 503, "truncated"), one per request."""

    def __init__(self):
        self.archives: dict[str, bytes] = {}
        self.answers: dict[str, list] = defaultdict(list)
        self.hits: Counter = Counter()

    def publish(self, month: str, data: bytes) -> None:
        self.archives[f"/data/archive/{month}.zip"] = data

    def answer_first(self, month: str, *answers) -> None:
        self.answers[f"/data/archive/{month}.zip"].extend(answers)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the name http.server calls
        site: PoliceUk = self.server.site
        site.hits[self.path] += 1
        planned = site.answers[self.path]
        answer = planned.pop(0) if planned else 200
        body = site.archives.get(self.path)
        if answer == 503:
            self.send_error(503, "Service Unavailable")
        elif body is None or answer == 404:
            self.send_error(404, "Not Found")
        else:
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # "truncated": the connection closes half-way through the promised length.
            self.wfile.write(body[: len(body) // 2] if answer == "truncated" else body)
            self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def police_uk(settings, monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.site = PoliceUk()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.POLICEUK_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.POLICEUK_FORCES = [FORCE]
    settings.POLICEUK_FETCH_ATTEMPTS = 3
    settings.POLICEUK_RETRY_SECONDS = 0
    yield server.site
    server.shutdown()
    server.server_close()


@pytest.fixture
def waits():
    """Stands in for time.sleep: records each wait between tries, waits for none."""
    return []


def fetched(month=JANUARY, force=FORCE, *, refetch=False, waits=None) -> CrimeFetch:
    """Ask for the force-month and run its fetch now, as the worker would."""
    fetch, _ = CrimeFetch.objects.get_or_create(force=force, month=month)
    sleep = waits.append if waits is not None else (lambda seconds: None)
    policeuk_fetch.run(fetch.pk, refetch=refetch, sleep=sleep)
    fetch.refresh_from_db()
    return fetch


def told(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("message", flat=True))


# --- Off by default ------------------------------------------------------------------------


def test_fetching_is_off_by_default_and_the_daily_run_then_does_nothing(settings):
    assert settings.POLICEUK_BASE_URL == ""  # nothing in the environment switches it on
    assert tasks.fetch_policeuk() == 0
    assert not CrimeFetch.objects.exists()
    assert not policeuk_fetch.in_flight()


def test_the_base_url_must_be_http(monkeypatch):
    monkeypatch.setenv("POLICEUK_BASE_URL", "file:///etc")
    with pytest.raises(ImproperlyConfigured):
        env.http_url("POLICEUK_BASE_URL")
    monkeypatch.setenv("POLICEUK_BASE_URL", "https://data.police.uk/")
    assert env.http_url("POLICEUK_BASE_URL") == "https://data.police.uk"


# --- A month imported -----------------------------------------------------------------------


def test_a_published_month_is_downloaded_and_imported_whole(police_uk, project_lead):
    police_uk.publish("2023-01", january())

    fetch = fetched()

    assert (fetch.status, fetch.attempts) == (Status.IMPORTED, 1)
    assert CrimeRecord.objects.count() == 719  # the real file's rows, every one
    assert CrimeOutcome.objects.count() == 575
    assert fetch.rows == 719 + 575
    assert set(ImportBatch.objects.values_list("status", "kind")) == {
        (ImportStatus.IMPORTED, "street"),
        (ImportStatus.IMPORTED, "outcomes"),
    }
    assert "1,294 rows" in fetch.message
    assert told(project_lead) == [fetch.message]
    assert AuditEvent.objects.filter(action="reporting.crimefetch.imported").count() == 1


def test_only_those_who_may_import_are_told(police_uk, project_lead, sergeant):
    police_uk.publish("2023-01", january())
    fetched()
    assert len(told(project_lead)) == 1
    assert told(sergeant) == []


def test_the_daily_run_fetches_the_recent_months_and_twice_imports_once(
    police_uk, django_capture_on_commit_callbacks
):
    police_uk.publish("2023-01", january())
    today = dt.date(2023, 2, 20)  # the recent months: November, December and January

    with django_capture_on_commit_callbacks(execute=True):  # eager Celery: run at once
        assert policeuk_fetch.request_due(today) == 3

    statuses = dict(CrimeFetch.objects.values_list("month", "status"))
    assert statuses == {
        dt.date(2022, 11, 1): Status.NOT_PUBLISHED,
        dt.date(2022, 12, 1): Status.NOT_PUBLISHED,
        JANUARY: Status.IMPORTED,
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert policeuk_fetch.request_due(today) == 2  # the unpublished months only
    assert police_uk.hits["/data/archive/2023-01.zip"] == 1
    assert CrimeRecord.objects.count() == 719


# --- A month not published ------------------------------------------------------------------


def test_a_month_not_yet_published_is_recorded_writes_nothing_and_is_told_once(
    police_uk, project_lead
):
    fetch = fetched()  # no archive for January: 404

    assert fetch.status == Status.NOT_PUBLISHED
    assert fetch.message == "police.uk has not yet published city-of-london, January 2023."
    assert not ImportBatch.objects.exists()
    assert not CrimeRecord.objects.exists()
    assert told(project_lead) == [f"{fetch.message} Ephedra will try again each day."]

    assert fetched().status == Status.NOT_PUBLISHED  # the next day: still not
    assert len(told(project_lead)) == 1  # told once, not each day
    assert police_uk.hits["/data/archive/2023-01.zip"] == 2

    police_uk.publish("2023-01", january())
    assert fetched().status == Status.IMPORTED  # the day it is published
    assert len(told(project_lead)) == 2


def test_a_force_that_published_nothing_that_month_is_told_and_not_asked_again(
    police_uk, project_lead
):
    police_uk.publish("2023-01", january())  # City of London's files, none of BTP's

    fetch = fetched(force="btp")

    assert fetch.status == Status.ABSENT
    assert fetch.message == "btp published no street-level crimes for January 2023."
    assert not ImportBatch.objects.exists()
    assert told(project_lead) == [fetch.message]
    fetched(force="btp")
    assert police_uk.hits["/data/archive/2023-01.zip"] == 1  # an absent month is settled


# --- Tried again, or failed with nothing written -------------------------------------------


def test_a_503_is_tried_again_after_a_wait_then_imported(police_uk, settings, waits):
    settings.POLICEUK_RETRY_SECONDS = 30
    police_uk.publish("2023-01", january())
    police_uk.answer_first("2023-01", 503)

    fetch = fetched(waits=waits)

    assert (fetch.status, fetch.attempts) == (Status.IMPORTED, 2)
    assert waits == [30]
    assert CrimeRecord.objects.count() == 719


def test_a_503_every_time_fails_after_the_last_try_with_the_reason(
    police_uk, settings, waits, project_lead
):
    settings.POLICEUK_RETRY_SECONDS = 30
    police_uk.publish("2023-01", january())
    police_uk.answer_first("2023-01", 503, 503, 503)

    fetch = fetched(waits=waits)

    assert (fetch.status, fetch.attempts) == (Status.FAILED, 3)
    assert waits == [30, 60]  # backing off
    assert fetch.message == "data.police.uk answered 503 Service Unavailable (3 tries)."
    assert not ImportBatch.objects.exists()
    assert told(project_lead) == [
        f"Fetching city-of-london, January 2023 from police.uk failed: {fetch.message}"
    ]
    assert fetched().status == Status.IMPORTED  # the next daily run tries again


def test_a_truncated_download_writes_nothing_and_fails_with_the_reason(police_uk):
    police_uk.publish("2023-01", january())
    police_uk.answer_first("2023-01", "truncated", "truncated", "truncated")
    size = len(january())

    fetch = fetched()

    assert (fetch.status, fetch.attempts) == (Status.FAILED, 3)
    assert fetch.message.startswith(f"The download stopped after {size // 2:,} of {size:,} bytes")
    assert not ImportBatch.objects.exists()
    assert not CrimeRecord.objects.exists()
    assert not CrimeOutcome.objects.exists()


def test_a_truncated_download_is_tried_again(police_uk):
    police_uk.publish("2023-01", january())
    police_uk.answer_first("2023-01", "truncated")

    fetch = fetched()

    assert (fetch.status, fetch.attempts) == (Status.IMPORTED, 2)
    assert CrimeRecord.objects.count() == 719


def test_a_damaged_archive_of_the_right_length_is_not_imported(police_uk):
    whole = january()
    police_uk.publish("2023-01", whole[:-200] + b"\0" * 200)  # its central directory gone

    fetch = fetched()

    assert fetch.status == Status.FAILED
    assert "damaged" in fetch.message
    assert not ImportBatch.objects.exists()


def test_an_archive_damaged_inside_is_not_imported(police_uk):
    whole = bytearray(january())
    middle = len(whole) // 3  # inside the street file's compressed bytes
    whole[middle : middle + 64] = bytes(64)
    police_uk.publish("2023-01", bytes(whole))

    fetch = fetched()

    assert (fetch.status, fetch.attempts) == (Status.FAILED, 3)
    assert fetch.message.startswith("The archive downloaded is damaged")
    assert not ImportBatch.objects.exists()
    assert not CrimeRecord.objects.exists()


def test_the_daily_run_takes_back_a_fetch_whose_worker_died(
    police_uk, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    police_uk.publish("2023-01", january())
    started = timezone.now() - CrimeFetch.STALE_AFTER - dt.timedelta(seconds=1)
    CrimeFetch.objects.create(force=FORCE, month=JANUARY, status=Status.RUNNING, started_at=started)

    with django_capture_on_commit_callbacks(execute=True):
        policeuk_fetch.request_due(dt.date(2023, 2, 20))

    assert CrimeFetch.objects.get(month=JANUARY).status == Status.IMPORTED
    assert not policeuk_fetch.in_flight()


def test_a_file_the_importer_refuses_fails_the_fetch_with_its_line(police_uk):
    stop_and_search = "policeuk-2023-01-city-of-london-stop-and-search.csv"
    police_uk.publish("2023-01", archive("2023-01", city_of_london_street=stop_and_search))

    fetch = fetched()

    assert fetch.status == Status.FAILED
    assert fetch.attempts == 1  # a refused file is not downloaded again in the same run
    assert fetch.message.startswith("The file was refused: 2023-01-city-of-london-street.csv")
    assert not CrimeRecord.objects.exists()
    assert not ImportBatch.objects.filter(status=ImportStatus.IMPORTED).exists()


# --- Fetched again -------------------------------------------------------------------------


def test_refetching_an_imported_month_replaces_it_never_doubles_it(police_uk, project_lead):
    police_uk.publish("2023-01", january(street=EARLIER_STREET))
    first = fetched()
    assert first.status == Status.IMPORTED
    under_investigation = CrimeRecord.objects.filter(last_outcome="Under investigation").count()

    police_uk.publish("2023-01", january())  # police.uk re-issues the month, outcomes moved on
    assert fetched().status == Status.IMPORTED  # not asked again: nothing happens
    assert police_uk.hits["/data/archive/2023-01.zip"] == 1
    again = fetched(refetch=True)

    assert again.status == Status.IMPORTED
    assert CrimeRecord.objects.count() == 719  # replaced, not 1,438
    assert CrimeOutcome.objects.count() == 575
    current = ImportBatch.objects.filter(status=ImportStatus.IMPORTED)
    assert sorted(current.values_list("kind", flat=True)) == ["outcomes", "street"]
    assert ImportBatch.objects.filter(status=ImportStatus.REPLACED).count() == 2
    assert CrimeRecord.objects.filter(last_outcome="Under investigation").count() < (
        under_investigation
    )
    assert len(told(project_lead)) == 2  # each import is told


def test_a_redelivered_message_fetches_once(police_uk):
    police_uk.publish("2023-01", january())
    fetch = fetched()
    tasks.run_fetch(fetch.pk)  # the same message again
    assert police_uk.hits["/data/archive/2023-01.zip"] == 1
    assert CrimeRecord.objects.count() == 719


# --- The monthly reports wait --------------------------------------------------------------


def test_the_monthly_reports_wait_while_a_fetch_is_under_way(police_uk, area, monkeypatch):
    from django.utils import timezone

    from reporting.models import GeneratedReport

    later = []
    monkeypatch.setattr(
        tasks.build_monthly_reports, "apply_async", lambda **kw: later.append(kw["kwargs"])
    )
    CrimeFetch.objects.create(
        force=FORCE, month=JANUARY, status=Status.RUNNING, started_at=timezone.now()
    )

    assert tasks.build_monthly_reports() == 0
    assert later == [{"waited": 1}]
    assert not GeneratedReport.objects.exists()

    assert tasks.build_monthly_reports(waited=tasks.REPORT_MAX_WAITS) == 2  # waited enough

    CrimeFetch.objects.update(status=Status.IMPORTED)
    GeneratedReport.objects.all().delete()
    assert tasks.build_monthly_reports() == 2  # the fetch over: asked at once
    assert later == [{"waited": 1}]


# --- Where the lead sees it ----------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 50])
def test_the_import_page_lists_the_fetches_in_one_query(
    client, project_lead, settings, django_assert_num_queries, count
):
    settings.POLICEUK_BASE_URL = "https://data.police.uk"
    for n in range(count):
        CrimeFetch.objects.create(
            force=f"force-{n}",
            month=JANUARY,
            status=Status.ABSENT,
            message=f"force-{n} published no street-level crimes for January 2023.",
        )
    client.force_login(project_lead)
    # session, user, SAVEPOINT, the fetches, the uploads, the batches, RELEASE SAVEPOINT
    # ... and the header's count of unread notifications (every signed-in page).
    with django_assert_num_queries(8):
        response = client.get(reverse("reporting:import"))

    shown = min(count, 25)
    assert len(response.context["recent_fetches"]) == shown
    assert response.text.count("published no street-level crimes") == shown
    assert "Fetched from police.uk" in response.text
