"""Reading a crime file in Python: each line checked and converted to a database row, the
first line that cannot be used refused with its number and reason (``ImportRefused``).

This is the reference for what a file may hold: the PostgreSQL staging path
(``import_staging``) checks the same things in SQL and asks this parser for the reason.
``ParsedFile`` reads a file once and keeps each force-month's rows apart (in memory, then in
temporary files past ``SPOOL_ROWS`` rows), so a file of many force-months is parsed once.
"""

import csv
import datetime as dt
import operator
import pickle
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from .crime_files import (
    CRIME_LIMITS,
    NOT_TEXT,
    OUTCOME_LIMITS,
    UNKNOWN_LAYOUT,
    ImportRefused,
    layout_for,
)
from .lsoa import AreaLinker
from .models import CrimeFileKind, CrimeRecord, CrimeType

SPOOL_ROWS = 50_000  # rows held in memory before they go to the temporary files
Key = tuple[str, dt.date]  # (force, month)

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


def lines_of(stream: IO[bytes], filename: str) -> Iterator[str]:
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


class Parser:
    """Turns the file's lines into database rows, refusing the first line it cannot use."""

    def __init__(self, filename: str):
        self.filename = filename
        self.layout = UNKNOWN_LAYOUT
        self.areas = AreaLinker()
        self._months: dict[str, dt.date] = {}
        self._dates: dict[str, dt.date] = {}

    def scan(self, lines: Iterable[str], spool: "Spool", report: "Callable[[int], None]"):
        """Check every row and spool it by force-month; count rows (and, for weekly
        extracts, dates) per force-month."""
        plan: dict[Key, Tally] = {}
        count = 0
        for count, (_, key, row) in enumerate(self.rows(lines), start=1):
            day = None if self._date_at is None else row[self._date_at]
            plan.setdefault(key, Tally()).add(day)
            spool.add(key, row)
            report(count)
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
            self.read_header(header)
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

    def read_header(self, header: list[str]) -> None:
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
        day = None if self._date_at is None else self.date_of(values[12], month, line)
        longitude, latitude = self._point(lon, lat, line)
        row = (
            self.areas.area_id(code, name),
            crime_id,
            day.replace(day=1) if day else self.month_of(month, line),
            day,
            self.force_of(by, line),
            within,
            longitude,
            latitude,
            _location(location),
            code,
            name,
            self.crime_type_of(kind, line),
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
            self.month_of(month, line),
            self.force_of(by, line),
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

    def month_of(self, text: str, line: int) -> dt.date:
        month = self._months.get(text)
        if month is None:
            if _MONTH.fullmatch(text) and 1 <= int(text[5:]) <= 12:
                month = _sane(dt.date(int(text[:4]), int(text[5:]), 1))
            if month is None:
                raise ImportRefused(self.filename, line, f"Month {text!r} is not a YYYY-MM month")
            self._months[text] = month
        return month

    def date_of(self, text: str, month: str, line: int) -> dt.date:
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
        return longitude.quantize(_MICRO, ROUND_HALF_UP), latitude.quantize(_MICRO, ROUND_HALF_UP)

    def force_of(self, reported_by: str, line: int) -> str:
        if not reported_by.strip():
            raise ImportRefused(
                self.filename, line, "Reported by is empty: the force that provided the row"
            )
        return reported_by

    def crime_type_of(self, text: str, line: int) -> str:
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
class Tally:
    rows: int = 0
    first: dt.date | None = None
    last: dt.date | None = None

    def add(self, day: dt.date | None) -> None:
        self.rows += 1
        if day is not None:
            self.first = min(self.first or day, day)
            self.last = max(self.last or day, day)


def by_month_then_force(key: tuple[str, dt.date]) -> tuple[dt.date, str]:
    return key[1], key[0]


class Spool:
    """Rows grouped by force-month, in file order: in memory up to ``SPOOL_ROWS`` rows, then
    appended to one temporary file per force-month (opened only while it is written)."""

    def __init__(self):
        self._held: dict[Key, list[tuple]] = defaultdict(list)
        self._count = 0
        self._files: dict[Key, Path] = {}
        self._folder: tempfile.TemporaryDirectory | None = None

    def add(self, key: Key, row: tuple) -> None:
        self._held[key].append(row)
        self._count += 1
        if self._count >= SPOOL_ROWS:
            self._flush()

    def rows(self, key: Key) -> Iterator[tuple]:
        path = self._files.get(key)
        if path:
            with open(path, "rb") as stream:
                while True:
                    try:
                        # Our own temporary file, written by _flush just before.
                        yield from pickle.load(stream)  # noqa: S301
                    except EOFError:
                        break
        yield from self._held.get(key, ())

    def close(self) -> None:
        self._held.clear()
        if self._folder:
            self._folder.cleanup()

    def _flush(self) -> None:
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="ephedra-import-")
        for key, rows in self._held.items():
            path = self._files.setdefault(key, Path(self._folder.name) / f"{len(self._files)}")
            with open(path, "ab") as stream:
                pickle.dump(rows, stream, protocol=pickle.HIGHEST_PROTOCOL)
        self._held.clear()
        self._count = 0


class ParsedFile:
    """The Python path (SQLite, and any file the staging path leaves): the file read and
    checked once, each force-month's rows kept apart until they are written."""

    def __init__(self, parser: Parser, stream: IO[bytes], report: "Callable[[int], None]"):
        self._spool = Spool()
        try:
            self.plan = parser.scan(lines_of(stream, parser.filename), self._spool, report)
        except BaseException:
            self._spool.close()
            raise

    def rows(self, key: Key) -> Iterator[tuple]:
        return self._spool.rows(key)

    def close(self) -> None:
        self._spool.close()
