"""Import data.police.uk CSV files (street-level crimes, outcomes) and local weekly extracts.

The whole file is checked before anything is written: a file with one bad line is refused
(``ImportRefused``, with the 1-based line number) and none of it is stored; only a failed
``ImportBatch`` records the refusal. A valid file is then written one force-month at a time,
each in its own transaction: the force-month's current batch is marked replaced and its rows
deleted, and the new rows inserted, so a re-import or a newer edition of a month replaces it
whole, never doubles it and never leaves half of it (see POLICEUK_FORMAT.md: re-issued months
change outcomes, labels and even Crime IDs, so rows are never matched up by Crime ID).

Local weekly extracts are the exception: a week is less than a month, so a weekly import
replaces the earlier weekly rows of the same force-month only on the dates the new file
covers, and carries the other dates' rows over to the new batch.

Outcomes files are stored as ``CrimeOutcome`` rows (one per outcome event), replaced per
force-month like street files; they join crimes by Crime ID at query time, across months.

The file is read twice (check, then write) instead of being held in memory; rows go to the
database through PostgreSQL's COPY when on PostgreSQL, ``bulk_create`` elsewhere.
"""

import codecs
import contextlib
import csv
import datetime as dt
import functools
import hashlib
import io
import operator
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Protocol

from django.db import transaction

from .bulk_rows import insert_rows
from .crime_files import (
    CRIME_LIMITS,
    NOT_TEXT,
    OUTCOME_LIMITS,
    UNKNOWN_LAYOUT,
    ImportRefused,
    Layout,
    layout_for,
)
from .lsoa import AreaLinker
from .models import CrimeFileKind, CrimeRecord, CrimeType, ImportBatch, ImportStatus

PROGRESS_EVERY = 10_000  # rows checked between progress reports

# Older police.uk names and the API's slugs (a local extract may use them), mapped to the
# current category. "Public disorder and weapons" (before May 2013) was split in two and
# cannot be mapped; it is kept as it is. Anything else is refused: a new category should be
# a decision, not something counted silently under a wrong heading.
_CRIME_TYPE_ALIASES = {
    "violent crime": CrimeType.VIOLENCE_AND_SEXUAL_OFFENCES,
    "violent-crime": CrimeType.VIOLENCE_AND_SEXUAL_OFFENCES,
    "anti-social-behaviour": CrimeType.ANTI_SOCIAL_BEHAVIOUR,
    "bicycle-theft": CrimeType.BICYCLE_THEFT,
    "burglary": CrimeType.BURGLARY,
    "criminal-damage-arson": CrimeType.CRIMINAL_DAMAGE_AND_ARSON,
    "drugs": CrimeType.DRUGS,
    "other-crime": CrimeType.OTHER_CRIME,
    "other-theft": CrimeType.OTHER_THEFT,
    "possession-of-weapons": CrimeType.POSSESSION_OF_WEAPONS,
    "public-order": CrimeType.PUBLIC_ORDER,
    "robbery": CrimeType.ROBBERY,
    "shoplifting": CrimeType.SHOPLIFTING,
    "theft-from-the-person": CrimeType.THEFT_FROM_THE_PERSON,
    "vehicle-crime": CrimeType.VEHICLE_CRIME,
    "public disorder and weapons": "Public disorder and weapons",
} | {label.lower(): label for label in CrimeType.values}

_MONTH = re.compile(r"\d{4}-\d{2}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MICRO = Decimal("0.000001")
_EMPTY_ON_OR_NEAR = "On or near "


@dataclass(frozen=True)
class ForceMonthImport:
    """One force-month written by an import."""

    force: str
    month: dt.date
    rows: int  # rows from this file
    batch: ImportBatch
    replaced: ImportBatch | None  # the earlier current import of this force-month
    kept: int = 0  # weekly extracts: earlier rows carried over (dates this file lacks)

    def describe(self) -> str:
        text = f"{self.force}, {self.month:%B %Y}: {plural_rows(self.rows)}"
        if self.kept:
            text += f" (and {plural_rows(self.kept)} kept from earlier weekly extracts)"
        if self.replaced:
            when = f"{self.replaced.imported_at:%d %b %Y}"
            text += f", replacing {self.replaced.filename} (imported {when})"
        return text


@dataclass(frozen=True)
class ImportResult:
    filename: str
    kind: str
    sha256: str
    parts: list[ForceMonthImport] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(part.rows for part in self.parts)

    @property
    def batches(self) -> list[ImportBatch]:
        return [part.batch for part in self.parts]

    @property
    def replaced_earlier(self) -> bool:
        return any(part.replaced for part in self.parts)


def plural_rows(count: int) -> str:
    return f"{count:,} row" if count == 1 else f"{count:,} rows"


# --- Public entry points ----------------------------------------------------------------------


class Progress(Protocol):
    """Told how far an import has gone: rows checked so far, force-months written of all
    the file holds (0 of 0 while checking). Called every ``PROGRESS_EVERY`` rows and after
    each force-month, so a caller may write it to the database."""

    def __call__(self, rows_checked: int, months_replaced: int, months_total: int) -> None: ...


def import_file(
    source: str | Path | IO, filename: str, *, imported_by=None, progress: Progress | None = None
) -> ImportResult:
    """Check the whole file, then replace each force-month it holds. Raises ImportRefused."""
    filename = filename[-255:]
    with _binary(source) as stream:
        sha256 = _sha256(stream)
        parser = _Parser(filename)
        try:
            plan = parser.scan(_lines(stream, filename), progress)
        except ImportRefused as refused:
            _record_refusal(refused, parser.layout, sha256, imported_by)
            raise
        writer = _Writer(parser, plan, filename, sha256, imported_by)
        checked = sum(tally.rows for tally in plan.values())
        parts = []
        for key in sorted(plan, key=_by_month_then_force):
            parts.append(writer.replace(stream, key))
            if progress:
                progress(checked, len(parts), len(plan))
    return ImportResult(filename, parser.layout.kind, sha256, parts)


def check_header(stream: IO[bytes], filename: str) -> str:
    """The file's kind from its first line (for the upload form); rewinds the stream."""
    stream.seek(0)
    start = stream.read(16 * 1024)
    stream.seek(0)
    first_line = start.split(b"\n", 1)[0].removeprefix(codecs.BOM_UTF8)
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(first_line, final=False)
    except UnicodeDecodeError:
        raise ImportRefused(filename, 1, NOT_TEXT) from None
    header = next(csv.reader([text]), [])
    return layout_for(header, text, filename).kind


# --- Reading and checking -----------------------------------------------------------------------


@contextlib.contextmanager
def _binary(source) -> Iterator[IO[bytes]]:
    """A rewindable binary stream over a path, an uploaded file or an open file object."""
    if isinstance(source, str | Path):
        with open(source, "rb") as stream:
            yield stream
        return
    stream = getattr(source, "file", source)  # Django's UploadedFile wraps the real file
    if isinstance(stream.read(0), str):
        stream = io.BytesIO(stream.read().encode())  # a text stream: tests and callers' StringIO
    yield stream


def _sha256(stream: IO[bytes]) -> str:
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(functools.partial(stream.read, 1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _lines(stream: IO[bytes], filename: str) -> Iterator[str]:
    """Lines as text, with their endings (LF or CRLF), refusing bytes that are not UTF-8 text."""
    stream.seek(0)
    for number, raw in enumerate(stream, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ImportRefused(filename, number, NOT_TEXT) from None
        if "\x00" in text:
            raise ImportRefused(filename, number, "this is not a CSV file: it holds binary data")
        yield text.removeprefix("\ufeff") if number == 1 else text


class _Parser:
    """Turns the file's lines into database rows, refusing the first line it cannot use."""

    def __init__(self, filename: str):
        self.filename = filename
        self.layout = UNKNOWN_LAYOUT
        self.areas = AreaLinker()
        self._months: dict[str, dt.date] = {}
        self._dates: dict[str, dt.date] = {}

    def scan(
        self, lines: Iterable[str], progress: Progress | None = None
    ) -> dict[tuple[str, dt.date], "_Tally"]:
        """Check every row; count rows (and, for weekly extracts, dates) per force-month."""
        plan: dict[tuple[str, dt.date], _Tally] = {}
        for count, (_, key, row) in enumerate(self.rows(lines), start=1):
            day = None if self._date_at is None else row[self._date_at]
            plan.setdefault(key, _Tally()).add(day)
            if progress and count % PROGRESS_EVERY == 0:
                progress(count, 0, 0)
        if not plan:
            raise ImportRefused(self.filename, 2, "the file has no rows of data")
        return plan

    def rows(self, lines: Iterable[str]) -> Iterator[tuple[int, tuple[str, dt.date], tuple]]:
        """(line number, (force, month), row in ``layout.fields`` order) for each data row."""
        reader = csv.reader(lines, strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise ImportRefused(self.filename, 1, "the file is empty")
            self._read_header(header)
            convert = self._street if self.layout.model is CrimeRecord else self._outcome
            start = reader.line_num + 1
            for values in reader:
                line, start = start, reader.line_num + 1
                if not values:  # a blank line carries nothing
                    continue
                if len(values) != self._width:
                    raise ImportRefused(
                        self.filename,
                        line,
                        f"{len(values)} fields where the header has {self._width}",
                    )
                row = convert(self._order(values), line)
                yield line, (row[self._force_at], row[self._month_at]), row
        except csv.Error as error:
            raise ImportRefused(
                self.filename, reader.line_num, f"this is not valid CSV ({error})"
            ) from None

    def _read_header(self, header: list[str]) -> None:
        names = [name.strip().lower() for name in header]
        if len(set(names)) != len(names):
            raise ImportRefused(self.filename, 1, "a column name appears twice in the header")
        self.layout = layout_for(header, ",".join(header), self.filename)
        self._width = len(header)
        self._order = operator.itemgetter(*(names.index(c.lower()) for c in self.layout.columns))
        fields = self.layout.fields
        self._force_at, self._month_at = fields.index("reported_by"), fields.index("month")
        self._date_at = fields.index("date") if self.layout.kind == CrimeFileKind.WEEKLY else None

    # Converters: a checked row in the order of ``CRIME_FIELDS`` / ``OUTCOME_FIELDS``.

    def _street(self, values: tuple[str, ...], line: int) -> tuple:
        crime_id, month, by, within, lon, lat, location, code, name, kind, outcome, context = (
            values[:12]
        )
        day = None if self._date_at is None else self._date(values[12], month, line)
        longitude, latitude = self._point(lon, lat, line)
        row = (
            self.areas.area_id(code, name),
            crime_id,
            day.replace(day=1) if day else self._month(month, line),
            day,
            self._force(by, line),
            within,
            longitude,
            latitude,
            _location(location),
            code,
            name,
            self._crime_type(kind, line),
            outcome.strip(),
            context,
        )
        self._check_lengths(row, CRIME_LIMITS, line)
        return row

    def _outcome(self, values: tuple[str, ...], line: int) -> tuple:
        crime_id, month, by, within, lon, lat, location, code, name, outcome = values
        if not crime_id:
            raise ImportRefused(self.filename, line, "an outcome row needs a Crime ID")
        if not outcome.strip():
            raise ImportRefused(self.filename, line, "the Outcome type is empty")
        longitude, latitude = self._point(lon, lat, line)
        row = (
            self.areas.area_id(code, name),
            crime_id,
            self._month(month, line),
            self._force(by, line),
            within,
            longitude,
            latitude,
            _location(location),
            code,
            name,
            outcome.strip(),
        )
        self._check_lengths(row, OUTCOME_LIMITS, line)
        return row

    def _month(self, text: str, line: int) -> dt.date:
        month = self._months.get(text)
        if month is None:
            if _MONTH.fullmatch(text) and 1 <= int(text[5:]) <= 12:
                month = _sane(dt.date(int(text[:4]), int(text[5:]), 1))
            if month is None:
                raise ImportRefused(self.filename, line, f"Month {text!r} is not a YYYY-MM month")
            self._months[text] = month
        return month

    def _date(self, text: str, month: str, line: int) -> dt.date:
        day = self._dates.get(text)
        if day is None:
            try:
                day = _sane(dt.date.fromisoformat(text)) if _DATE.fullmatch(text) else None
            except ValueError:
                day = None
            if day is None:
                raise ImportRefused(self.filename, line, f"Date {text!r} is not a YYYY-MM-DD date")
            self._dates[text] = day
        if month and month != text[:7]:
            raise ImportRefused(
                self.filename, line, f"Month {month!r} is not the month of Date {text!r}"
            )
        return day

    def _point(self, lon: str, lat: str, line: int) -> tuple[Decimal | None, Decimal | None]:
        if not lon and not lat:
            return None, None  # a "No Location" row
        try:
            longitude, latitude = Decimal(lon), Decimal(lat)
        except InvalidOperation:
            raise ImportRefused(
                self.filename,
                line,
                f"Longitude {lon!r} and Latitude {lat!r} must both be numbers, or both empty",
            ) from None
        if not (
            longitude.is_finite()
            and latitude.is_finite()
            and -180 <= longitude <= 180
            and -90 <= latitude <= 90
        ):
            raise ImportRefused(
                self.filename, line, f"the point ({lon}, {lat}) is not a longitude and latitude"
            )
        return longitude.quantize(_MICRO), latitude.quantize(_MICRO)

    def _force(self, reported_by: str, line: int) -> str:
        if not reported_by.strip():
            raise ImportRefused(
                self.filename, line, "Reported by is empty: the force that provided the row"
            )
        return reported_by

    def _crime_type(self, text: str, line: int) -> str:
        crime_type = _CRIME_TYPE_ALIASES.get(text.strip().lower())
        if crime_type is None:
            raise ImportRefused(self.filename, line, f"unknown Crime type {text!r}")
        return str(crime_type)

    def _check_lengths(self, row: tuple, limits: tuple, line: int) -> None:
        for position, limit, column in limits:
            if len(row[position]) > limit:
                raise ImportRefused(
                    self.filename, line, f"{column} is longer than {limit} characters"
                )


def _sane(day: dt.date) -> dt.date | None:
    """police.uk data starts in December 2010; a year outside 2000–2099 is a typo."""
    return day if 2000 <= day.year <= 2099 else None


def _location(text: str) -> str:
    # "On or near " with no name (1,436 rows in the sample files) has a point but no label.
    return "" if text == _EMPTY_ON_OR_NEAR else text


@dataclass
class _Tally:
    rows: int = 0
    first: dt.date | None = None
    last: dt.date | None = None

    def add(self, day: dt.date | None) -> None:
        self.rows += 1
        if day is not None:
            self.first = min(self.first or day, day)
            self.last = max(self.last or day, day)


def _by_month_then_force(key: tuple[str, dt.date]) -> tuple[dt.date, str]:
    return key[1], key[0]


# --- Writing ----------------------------------------------------------------------------------


class _Writer:
    def __init__(self, parser: _Parser, plan: dict, filename: str, sha256: str, imported_by):
        self.parser, self.plan = parser, plan
        self.layout = parser.layout
        self.batch_fields = {
            "filename": filename,
            "sha256": sha256,
            "kind": self.layout.kind,
            "imported_by": imported_by,
        }

    def replace(self, stream: IO[bytes], key: tuple[str, dt.date]) -> ForceMonthImport:
        """Replace one force-month, in one transaction: all of it or none of it."""
        force, month = key
        tally = self.plan[key]
        model = self.layout.model
        with transaction.atomic():
            current = ImportBatch.objects.select_for_update().filter(
                kind=self.layout.kind, force=force, month=month, status=ImportStatus.IMPORTED
            )
            old = current.first()
            if old:
                old.status = ImportStatus.REPLACED
                old.save(update_fields=["status"])
            batch = ImportBatch.objects.create(
                **self.batch_fields,
                force=force,
                month=month,
                row_count=tally.rows,
                status=ImportStatus.IMPORTED,
            )
            kept = self._clear(old, batch, tally) if old else 0
            new_rows = (
                row
                for _, row_key, row in self.parser.rows(_lines(stream, self.parser.filename))
                if row_key == key
            )
            written = insert_rows(model, self.layout.fields, batch.pk, new_rows)
            if written != tally.rows:  # the file changed on disk between the two readings
                raise RuntimeError(f"{batch.filename} changed while it was being imported")
            if kept:
                batch.row_count = written + kept
                batch.save(update_fields=["row_count"])
        return ForceMonthImport(force, month, written, batch, old, kept)

    def _clear(self, old: ImportBatch, new: ImportBatch, tally: _Tally) -> int:
        """Delete the replaced rows; a weekly extract keeps the earlier rows of other dates."""
        rows = self.layout.model.objects.filter(batch=old)
        if self.layout.kind != CrimeFileKind.WEEKLY:
            rows.delete()
            return 0
        rows.filter(date__range=(tally.first, tally.last)).delete()
        return rows.update(batch=new)


def _record_refusal(refused: ImportRefused, layout: Layout, sha256: str, imported_by) -> None:
    ImportBatch.objects.create(
        filename=refused.file,
        sha256=sha256,
        kind=layout.kind,
        status=ImportStatus.FAILED,
        error=f"line {refused.line}: {refused.reason}",
        imported_by=imported_by,
    )
