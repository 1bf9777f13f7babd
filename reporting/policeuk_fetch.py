"""Crime data that arrives by itself: each force's police.uk files for a month, fetched from
the data.police.uk monthly archive and imported through the importer, one ``CrimeFetch``
per force-month. Off unless ``POLICEUK_BASE_URL`` is set.

The archive is ``{POLICEUK_BASE_URL}/data/archive/YYYY-MM.zip`` (POLICEUK_API.md); inside,
``YYYY-MM/YYYY-MM-<force>-street.csv`` and ``…-outcomes.csv`` (POLICEUK_FORMAT.md). So:

- a 404 for the archive: police.uk has not published the month yet. The daily run asks
  again until it has; the lead is told once, not each day.
- an archive without the force's street file: the force published nothing that month.
  The lead is told; it is not asked for again.
- a 5xx or 429 answer, a lost connection, a download shorter than its Content-Length or a
  damaged zip: tried again (``POLICEUK_FETCH_ATTEMPTS`` downloads, waiting
  ``POLICEUK_RETRY_SECONDS``, then twice that…), then failed with the reason, and the next
  daily run tries again. Nothing is imported from a download that is not whole.
- a whole archive: the street file, then the outcomes file if there is one, go through
  ``import_file`` (which checks the whole file first and replaces the force-month, so a
  re-fetch replaces a month, never doubles it); a refused file fails with its line.

Runs claim their row in one conditional UPDATE, so a duplicated message or two daily runs
fetch once; an imported month is fetched again only when asked (``refetch``).
"""

import datetime as dt
import http.client
import logging
import shutil
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.notifications import notify
from core import jobs
from governance import audit

from . import evidence_jobs
from .importer import ImportRefused, ImportResult, import_file, plural_rows
from .models import CrimeFetch, CrimeFetchStatus
from .permissions import RULES

logger = logging.getLogger(__name__)

Status = CrimeFetchStatus
TIMEOUT = 60  # seconds without a byte before a download is given up (and tried again)
RECENT_MONTHS = 3  # police.uk publishes a month one to two months after it ends
CHUNK = 1 << 20
# Asked again by the daily run; FAILED too, since its causes (an outage) pass.
WAITING = (Status.PENDING, Status.NOT_PUBLISHED, Status.FAILED)


class _NotPublished(Exception):
    pass


class _Transient(Exception):
    """Worth trying again: the message says what went wrong."""


class _Absent(Exception):
    """The force published nothing for the month: the message says so."""


class _Failed(Exception):
    """Not worth trying again this run: the message says why."""


def enabled() -> bool:
    return bool(settings.POLICEUK_BASE_URL)


def archive_url(month: dt.date) -> str:
    return f"{settings.POLICEUK_BASE_URL}/data/archive/{month:%Y-%m}.zip"


def recent_months(today: dt.date) -> list[dt.date]:
    """The last ``RECENT_MONTHS`` months that have ended, oldest first."""
    months, month = [], today.replace(day=1)
    for _ in range(RECENT_MONTHS):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.insert(0, month)
    return months


def request_due(today: dt.date | None = None) -> int:
    """The daily run: asks for every force's recent months not yet imported (nor published
    empty); the number asked for. Nothing at all when fetching is off."""
    if not enabled():
        return 0
    months = recent_months(today or timezone.localdate())
    ids = []
    for force in settings.POLICEUK_FORCES:
        for month in months:
            fetch, _ = CrimeFetch.objects.get_or_create(force=force, month=month)
            if fetch.status in WAITING or _dead(fetch):
                ids.append(fetch.pk)
    for pk in ids:
        transaction.on_commit(lambda pk=pk: enqueue(pk))
    return len(ids)


def enqueue(fetch_id: int, *, refetch: bool = False) -> bool:
    """Send the run to the workers; a broker that is down leaves it for the next day."""
    from .tasks import run_fetch

    return jobs.send(run_fetch, fetch_id, "Fetch", refetch=refetch)


def in_flight(now: dt.datetime | None = None) -> bool:
    """A fetch under way (or asked for and not started): the monthly reports wait for it."""
    if not enabled():
        return False
    now = now or timezone.now()
    running = Q(status=Status.RUNNING, started_at__gte=now - CrimeFetch.STALE_AFTER)
    asked = Q(status=Status.PENDING, created_at__gte=now - CrimeFetch.STALE_AFTER)
    return CrimeFetch.objects.filter(running | asked).exists()


def _dead(fetch: CrimeFetch) -> bool:
    """Running for longer than any run may last: its worker died."""
    stale = timezone.now() - CrimeFetch.STALE_AFTER
    return (
        fetch.status == Status.RUNNING and fetch.started_at is not None and fetch.started_at < stale
    )


def _claim(fetch_id: int, refetch: bool) -> bool:
    now = timezone.now()
    waiting = [*WAITING, Status.IMPORTED, Status.ABSENT] if refetch else list(WAITING)
    dead = Q(status=Status.RUNNING, started_at__lt=now - CrimeFetch.STALE_AFTER)
    return bool(
        CrimeFetch.objects.filter(Q(status__in=waiting) | dead, pk=fetch_id).update(
            status=Status.RUNNING, started_at=now, finished_at=None, attempts=0
        )
    )


def run(fetch_id: int, *, refetch: bool = False, sleep=time.sleep) -> None:
    """Fetch and import one force-month: running → imported, unpublished, absent or failed."""
    from celery.exceptions import SoftTimeLimitExceeded

    before = CrimeFetch.objects.filter(pk=fetch_id).values_list("status", flat=True).first()
    if before is None or not _claim(fetch_id, refetch):
        return  # missing, done, or being fetched by a live worker
    fetch = CrimeFetch.objects.get(pk=fetch_id)
    try:
        with tempfile.TemporaryDirectory(prefix="policeuk-") as folder:
            files = _fetch_files(fetch, Path(folder), sleep)
            results = [import_file(path, path.name) for path in files]
    except _NotPublished:
        message = f"police.uk has not yet published {_name(fetch)}."
        _end(fetch, before, Status.NOT_PUBLISHED, message)
    except _Absent as absent:
        _end(fetch, before, Status.ABSENT, str(absent))
    except (_Transient, _Failed) as error:
        _end(fetch, before, Status.FAILED, str(error))
    except ImportRefused as refusal:
        _end(fetch, before, Status.FAILED, f"The file was refused: {refusal}.")
    except SoftTimeLimitExceeded:
        _end(fetch, before, Status.FAILED, "The fetch took too long and was stopped.")
    except Exception as error:  # a bug: recorded and told, never left running
        logger.error("Fetch %s failed: %s", fetch_id, type(error).__name__)
        _end(fetch, before, Status.FAILED, f"{type(error).__name__}: {error}")
    else:
        _imported(fetch, before, results)


def _fetch_files(fetch: CrimeFetch, folder: Path, sleep) -> list[Path]:
    """The force-month's files, whole, from the archive; tried again while it is not."""
    archive = folder / "archive.zip"
    tries = settings.POLICEUK_FETCH_ATTEMPTS
    for attempt in range(1, tries + 1):
        CrimeFetch.objects.filter(pk=fetch.pk).update(attempts=F("attempts") + 1)
        try:
            _download(archive_url(fetch.month), archive)
            return _extract(fetch, archive, folder)
        except _Transient as error:
            logger.warning("Fetch %s, try %d of %d: %s", fetch.pk, attempt, tries, error)
            if attempt == tries:
                raise _Transient(f"{error} ({plural(tries, 'try', 'tries')}).") from None
            sleep(settings.POLICEUK_RETRY_SECONDS * 2 ** (attempt - 1))
    raise AssertionError("unreachable")  # POLICEUK_FETCH_ATTEMPTS is at least 1


def _download(url: str, dest: Path) -> None:
    """The whole body into ``dest``, or an exception; a short body is never taken as whole."""
    # http(s) only: env.http_url refuses any other scheme for POLICEUK_BASE_URL.
    request = urllib.request.Request(url, headers={"User-Agent": "Ephedra crime data fetch"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response, dest.open("wb") as out:  # noqa: S310
            expected = response.headers.get("Content-Length")
            shutil.copyfileobj(response, out, CHUNK)
            received = out.tell()
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise _NotPublished from None
        if error.code == 429 or error.code >= 500:
            raise _Transient(f"data.police.uk answered {error.code} {error.reason}") from None
        refused = f"data.police.uk refused the download ({error.code} {error.reason})."
        raise _Failed(refused) from None
    except (http.client.HTTPException, OSError) as error:  # URLError, timeouts, resets
        raise _Transient(f"The download failed ({type(error).__name__})") from None
    if expected is not None and expected.isdigit() and received != int(expected):
        raise _Transient(f"The download stopped after {received:,} of {int(expected):,} bytes")


def _extract(fetch: CrimeFetch, archive: Path, folder: Path) -> list[Path]:
    """The force's street file, and its outcomes file when published; ``_Failed`` when the
    force published no street file for the month."""
    stem = f"{fetch.month:%Y-%m}-{fetch.force}"
    wanted = [f"{fetch.month:%Y-%m}/{stem}-{kind}.csv" for kind in ("street", "outcomes")]
    try:
        with zipfile.ZipFile(archive) as zipped:
            present = [name for name in wanted if name in set(zipped.namelist())]
            if wanted[0] not in present:
                month = _month(fetch)
                raise _Absent(f"{fetch.force} published no street-level crimes for {month}.")
            paths = [_unpack(zipped, name, folder) for name in present]
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:  # no directory, bad member
        raise _Transient(f"The archive downloaded is damaged ({error})") from None
    archive.unlink()  # a month's archive is large: only the force's files are kept
    return paths


def _unpack(zipped: zipfile.ZipFile, name: str, folder: Path) -> Path:
    """One member to a file (its CRC checked as it is read)."""
    path = folder / name.rsplit("/", 1)[1]
    with zipped.open(name) as source, path.open("wb") as out:
        shutil.copyfileobj(source, out, CHUNK)
    return path


def _imported(fetch: CrimeFetch, before: str, results: list[ImportResult]) -> None:
    rows = sum(result.rows for result in results)
    parts = "; ".join(part.describe() for result in results for part in result.parts)
    message = f"Imported {_name(fetch)} from police.uk: {plural_rows(rows)} ({parts})."
    with transaction.atomic():
        _end(fetch, before, Status.IMPORTED, message, rows=rows)
        # New crime data: every area's Evidence figures are worked out again.
        evidence_jobs.request_for_all_areas()


def _end(fetch: CrimeFetch, before: str, status: str, message: str, rows: int = 0) -> None:
    """Record how the run ended; tell the leads when something new happened (an import,
    or a different outcome than last time), so a daily 404 is told once, not daily."""
    with transaction.atomic():
        CrimeFetch.objects.filter(pk=fetch.pk).update(
            status=status, message=message, rows=rows, finished_at=timezone.now()
        )
        fetch.refresh_from_db()
        audit.record(f"reporting.crimefetch.{status}", fetch, detail=message[:500])
        if status == Status.IMPORTED or status != before:
            notify(_leads(), _told(fetch), reverse("reporting:import"))


def _told(fetch: CrimeFetch) -> str:
    if fetch.status == Status.NOT_PUBLISHED:
        text = f"{fetch.message} Ephedra will try again each day."
    elif fetch.status == Status.FAILED:
        text = f"Fetching {_name(fetch)} from police.uk failed: {fetch.message}"
    else:
        text = fetch.message
    return text if len(text) <= 300 else text[:299] + "…"


def _leads():
    return User.objects.filter(role__in=RULES["reporting.import"], is_active=True).order_by("pk")


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _name(fetch: CrimeFetch) -> str:
    return f"{fetch.force}, {_month(fetch)}"


def _month(fetch: CrimeFetch) -> str:
    return f"{fetch.month:%B %Y}"
