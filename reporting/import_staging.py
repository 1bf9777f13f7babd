"""The PostgreSQL import path: the file COPYed as it is into a temporary staging table,
checked and converted in SQL, and each force-month written by ``INSERT ... SELECT``.

Only a *plain* file takes this path (``survey``): UTF-8 text with no quote, no NUL byte, no
lone carriage return and no ``\\.`` (PostgreSQL's end-of-data mark). In such a file every
line is one row and PostgreSQL's CSV reader splits it exactly as Python's does, so row
``ord`` (numbered by COPY in file order) is line ``ord + 1``. Every police.uk file is plain.
A COPY that fails (a wrong number of fields, a blank line inside the file, a coordinate
that is not a number) leaves nothing behind, and the Python parser reads the file instead,
to refuse it at its first bad line or to import it.

The checks run in one pass over the staging table: lengths, coordinates and the Month/Date
agreement in SQL; the few distinct values of Month, Date, Reported by, Crime type, outcome
and LSOA are checked and converted by the Python parser's own functions. The first bad line
is then read from the file and given to the parser, so the reason is the parser's (were the
parser to accept it, the parser would read the whole file instead: a refusal is never the
staging path's alone).
"""

import codecs
import csv
import functools
import hashlib
import itertools
import logging
from dataclasses import dataclass
from typing import IO

import psycopg
from django.db import DatabaseError, connection, transaction

from .bulk_rows import RowsInDatabase
from .crime_files import CRIME_LIMITS, OUTCOME_LIMITS, ImportRefused
from .import_parser import Key, Parser, Tally
from .models import CrimeFileKind, CrimeRecord

logger = logging.getLogger(__name__)

CHUNK = 1 << 20
STAGING = "import_staging"
VALUES = "import_staging_values"
AREAS = "import_staging_areas"
# Canonical column positions (``Layout.columns``): STREET_COLUMNS, then Date for weekly.
CRIME_ID, MONTH, FORCE, LON, LAT, LOCATION, CODE, NAME, KIND, OUTCOME, DATE = (
    0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 12,
)  # fmt: skip


@dataclass(frozen=True)
class Survey:
    sha256: str
    plain: bool


def survey(stream: IO[bytes]) -> Survey:
    """The file's SHA-256, and whether it is plain (one reading)."""
    stream.seek(0)
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    plain, carried = True, b""
    for chunk in iter(functools.partial(stream.read, CHUNK), b""):
        digest.update(chunk)
        if plain:
            window = carried + chunk
            end = len(window) - 1 if window.endswith((b"\r", b"\\")) else len(window)
            body, carried = window[:end], window[end:]  # a CR or backslash: with the next
            plain = _plain(body) and _utf8(decoder, chunk)
    return Survey(digest.hexdigest(), plain and carried != b"\r" and _utf8(decoder, b"", True))


def _plain(body: bytes) -> bool:
    """No quote, NUL byte or end-of-data mark, and every carriage return ends a line."""
    if b'"' in body or b"\x00" in body or b"\\." in body:
        return False
    return body.count(b"\r") == body.count(b"\r\n")


def _utf8(decoder, chunk: bytes, final: bool = False) -> bool:
    if chunk.isascii() and not decoder.getstate()[0] and not final:
        return True  # nothing pending from the chunk before: ASCII is UTF-8
    try:
        decoder.decode(chunk, final=final)
    except UnicodeDecodeError:
        return False
    return True


def stage(stream: IO[bytes], parser: Parser, report) -> "StagedFile | None":
    """The file staged and checked; None when the Python parser must read it instead.
    Raises ImportRefused for the file's first bad line."""
    stream.seek(0)
    first = stream.readline()
    if not first.strip():
        return None  # empty: the parser says so
    header = next(csv.reader([first.decode().removeprefix("\ufeff")]))
    parser.read_header(header)
    names = [name.strip().lower() for name in header]
    columns = [c.lower() for c in parser.layout.columns]
    in_file = [columns.index(name) for name in names]
    staged = StagedFile(parser, in_file)
    if not staged.copy(stream, report):
        return None
    try:
        checked = staged.check(stream)
    except BaseException:
        staged.close()
        raise
    if not checked:
        staged.close()
        return None
    return staged


class StagedFile:
    def __init__(self, parser: Parser, in_file: list[int]):
        self.parser, self.layout, self.in_file = parser, parser.layout, in_file
        self.weekly = self.layout.kind == CrimeFileKind.WEEKLY
        self.street = self.layout.model is CrimeRecord
        self.key_month = self._key_month("")
        self.plan: dict[Key, Tally] = {}
        self.raw_months: dict[Key, list[str]] = {}

    def _key_month(self, table: str) -> str:
        """The text a row's force-month is read from: its Month, or its Date's month."""
        return f"left({table}c{DATE}, 7)" if self.weekly else f"{table}c{MONTH}"

    # --- COPY ---------------------------------------------------------------------------

    def copy(self, stream: IO[bytes], report) -> bool:
        """COPY the file into the staging table; False (and no table) if COPY refuses it."""
        numbers = {LON, LAT}
        text = [f"c{i}" for i in self.in_file if i not in numbers]
        defined = ", ".join(f"c{i} {'numeric' if i in numbers else 'text'}" for i in self.in_file)
        listed = ", ".join(f"c{i}" for i in self.in_file)
        sql = (
            f"COPY {STAGING} ({listed}) FROM STDIN "
            f"(FORMAT csv, HEADER true, FORCE_NOT_NULL ({', '.join(text)}))"
        )
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {STAGING}, {VALUES}, {AREAS}")
                cursor.execute(
                    f"CREATE TEMP TABLE {STAGING} "
                    f"(ord bigint GENERATED ALWAYS AS IDENTITY, {defined})"
                )
                with cursor.cursor.copy(sql) as copy:
                    _stream_into(copy, stream)
                self.rows_staged = cursor.cursor.rowcount
        except (psycopg.DataError, psycopg.errors.ProgramLimitExceeded):
            return False  # rolled back: the Python parser finds the line and says why
        report(self.rows_staged)
        return True

    # --- Checks -------------------------------------------------------------------------

    def check(self, stream: IO[bytes]) -> bool:
        """True when every row passes; raises ImportRefused for the first bad line; False
        (never expected) when the parser accepts a line the SQL checks refused."""
        parser = self.parser
        if not self.rows_staged:
            raise ImportRefused(parser.filename, 2, "the file has no rows of data")
        sets = {"key": (f"c{FORCE}", self.key_month), "kind": (f"c{KIND}",)}
        sets["areas"] = (f"c{CODE}", f"c{NAME}")
        if self.street:
            sets["outcome"] = (f"c{OUTCOME}",)
        if self.weekly:
            sets["date"] = (f"c{DATE}",)
        groups = self._groups(sets)
        bad = [line for line in groups.pop("bad") if line is not None]
        bad += self._key_lines(groups["key"]) + self._date_lines(groups.get("date", []))
        values = {KIND: self._kinds(groups["kind"], bad)}
        if self.street:
            values[OUTCOME] = self._outcomes(groups["outcome"], CRIME_LIMITS, bad)
        if bad:
            self._refuse(stream, min(bad) + 1)
            return False
        areas = [
            (code, name, parser.areas.area_id(code, name)) for code, name, *_ in groups["areas"]
        ]
        self._maps(values, [area for area in areas if area[2] is not None])
        return True

    def _groups(self, sets: dict[str, tuple[str, ...]]) -> dict[str, list[tuple]]:
        """One scan: each set's distinct values with (count, first ord, first bad ord, first
        and last Date), keyed by the set's name, and "bad": rows the SQL checks refuse."""
        exprs = list(dict.fromkeys(e for columns in sets.values() for e in columns))
        dates = f"min(c{DATE}), max(c{DATE})" if self.weekly else "NULL, NULL"
        # Names and SQL of our own; no value from the file.
        sql = (
            f"SELECT {', '.join(exprs)}, count(*), min(ord), min(ord) FILTER (WHERE "  # noqa: S608
            f"{self._bad_rows()}), {dates}, GROUPING({', '.join(exprs)}) FROM {STAGING} "
            f"GROUP BY GROUPING SETS ({', '.join('(' + ', '.join(c) + ')' for c in sets.values())})"
        )
        masks = {
            sum(1 << (len(exprs) - 1 - n) for n, e in enumerate(exprs) if e not in columns): name
            for name, columns in sets.items()
        }
        found: dict[str, list[tuple]] = {name: [] for name in sets}
        found["bad"] = []
        with connection.cursor() as cursor:
            cursor.execute(sql)
            for row in cursor.fetchall():
                name = masks[row[-1]]
                found[name].append((*(row[exprs.index(e)] for e in sets[name]), *row[-6:-1]))
                if name == "key":
                    found["bad"].append(row[-4])
        return found

    def _bad_rows(self) -> str:
        """SQL true for a row whose coordinates, lengths or Month/Date the parser refuses."""
        limits = CRIME_LIMITS if self.street else OUTCOME_LIMITS
        checked_in_python = {"Last outcome category", "Outcome type"}
        tests = [
            f"(c{LON} IS NULL) <> (c{LAT} IS NULL)",
            f"NOT (c{LON} BETWEEN -180 AND 180 AND c{LAT} BETWEEN -90 AND 90)",
            *(
                f"char_length(c{self.layout.columns.index(column)}) > {limit}"
                for _, limit, column in limits
                if column not in checked_in_python
            ),
        ]
        if self.weekly:
            tests.append(f"(c{MONTH} <> '' AND c{MONTH} <> left(c{DATE}, 7))")
        if not self.street:
            tests.append(f"c{CRIME_ID} = ''")
        return " OR ".join(tests)

    def _key_lines(self, keys: list[tuple]) -> list[int]:
        """Plan the force-months; the first line of each Month or force that is refused."""
        bad = []
        for force, month_text, rows, first, _, earliest, latest in keys:
            try:
                self.parser.force_of(force, 0)
                month = self.parser.month_of(month_text, 0) if not self.weekly else None
            except ImportRefused:
                bad.append(first)
                continue
            if self.weekly:
                try:
                    earliest, latest = (self.parser.date_of(d, "", 0) for d in (earliest, latest))
                except ImportRefused:
                    continue  # the Date check names the line
                month = earliest.replace(day=1)
            tally = self.plan.setdefault((force, month), Tally())
            tally.rows += rows
            if self.weekly:
                tally.first = min(tally.first or earliest, earliest)
                tally.last = max(tally.last or latest, latest)
            self.raw_months.setdefault((force, month), []).append(month_text)
        return bad

    def _date_lines(self, dates: list[tuple]) -> list[int]:
        bad = []
        for text, _, first, *_ in dates:
            try:
                self.parser.date_of(text, "", 0)
            except ImportRefused:
                bad.append(first)
        return bad

    def _kinds(self, kinds: list[tuple], bad: list[int]) -> dict[str, str]:
        if not self.street:
            return self._outcomes(kinds, OUTCOME_LIMITS, bad)
        found = {}
        for text, _, first, *_ in kinds:
            try:
                found[text] = self.parser.crime_type_of(text, 0)
            except ImportRefused:
                bad.append(first)
        return found

    def _outcomes(self, outcomes: list[tuple], limits: tuple, bad: list[int]) -> dict[str, str]:
        """Last outcome category (street) or Outcome type (outcomes files), stripped."""
        column = "Last outcome category" if self.street else "Outcome type"
        (limit,) = (limit for _, limit, name in limits if name == column)
        found = {}
        for text, _, first, *_ in outcomes:
            value = text.strip()
            if len(value) > limit or (not value and not self.street):
                bad.append(first)
            found[text] = value
        return found

    def _refuse(self, stream: IO[bytes], line: int) -> None:
        """The parser's refusal of ``line`` (read again from the file)."""
        stream.seek(0)
        header = stream.readline()
        raw = next(itertools.islice(stream, line - 2, None))
        lines = [header.decode().removeprefix("\ufeff"), raw.decode()]
        try:
            for _ in Parser(self.parser.filename).rows(lines):
                pass
        except ImportRefused as refused:
            raise ImportRefused(refused.file, line, refused.reason) from None
        # The SQL checks refused a line the parser accepts: a bug, never a wrong refusal.
        message = "%s: the staged checks refused line %s, which the parser accepts"
        logger.error(message, self.parser.filename, line)

    def _maps(self, values: dict[int, dict[str, str]], areas: list[tuple]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE {VALUES} (col int, raw text, value text)")
            cursor.execute(f"CREATE TEMP TABLE {AREAS} (code text, name text, area_id int)")
            with cursor.cursor.copy(f"COPY {VALUES} FROM STDIN") as copy:
                for col, found in values.items():
                    for raw, value in found.items():
                        copy.write_row((col, raw, value))
            with cursor.cursor.copy(f"COPY {AREAS} FROM STDIN") as copy:
                for area in areas:
                    copy.write_row(area)
            # The maps' sizes let the planner hash them; the staging table is estimated from
            # its size (ANALYZE would cost about what the checks do). Several force-months
            # are read by index, each in file order.
            cursor.execute(f"ANALYZE {VALUES}, {AREAS}")
            if len(self.plan) > 1:
                cursor.execute(f"CREATE INDEX ON {STAGING} (c{FORCE}, ({self.key_month}), ord)")

    # --- Writing ------------------------------------------------------------------------

    def rows(self, key: Key) -> "StagedRows":
        return StagedRows(self, key)

    def close(self) -> None:
        """Drop the staging tables; if the database cannot (the error being raised is the
        one to tell), they go with the session."""
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {STAGING}, {VALUES}, {AREAS}")
        except DatabaseError:
            logger.warning("Staging tables left to the end of the session")

    def select(self, fields: tuple[str, ...]) -> str:
        """The SELECT of one force-month's rows, converted, in ``fields`` order."""
        column = {
            "area_id": "a.area_id",
            "crime_id": f"s.c{CRIME_ID}",
            "month": "%(month)s",
            "date": f"s.c{DATE}::date" if self.weekly else "NULL::date",
            "reported_by": f"s.c{FORCE}",
            "falls_within": "s.c3",
            "longitude": f"round(s.c{LON}, 6)",
            "latitude": f"round(s.c{LAT}, 6)",
            "location": f"CASE WHEN s.c{LOCATION} = 'On or near ' THEN '' ELSE s.c{LOCATION} END",
            "lsoa_code": f"s.c{CODE}",
            "lsoa_name": f"s.c{NAME}",
            "crime_type": "k.value",
            "outcome_type": "k.value",
            "last_outcome": "o.value",
            "context": "s.c11",
        }
        joins = f"JOIN {VALUES} k ON k.col = {KIND} AND k.raw = s.c{KIND} "
        if self.street:
            joins += f"JOIN {VALUES} o ON o.col = {OUTCOME} AND o.raw = s.c{OUTCOME} "
        fields_sql = ", ".join(column[name] for name in fields)
        return (  # names and SQL of our own; values are parameters
            f"SELECT %(batch)s, {fields_sql} FROM {STAGING} s "  # noqa: S608
            f"{joins}LEFT JOIN {AREAS} a ON a.code = s.c{CODE} AND a.name = s.c{NAME} "
            f"WHERE s.c{FORCE} = %(force)s AND {self._key_month('s.')} "
            "= ANY(%(raw_months)s) ORDER BY s.ord"
        )


class StagedRows(RowsInDatabase):
    """One force-month's staged rows."""

    def __init__(self, staged: StagedFile, key: Key):
        self.staged, self.key = staged, key

    def insert_into(self, model, fields: tuple[str, ...], batch_id: int) -> int:
        quote = connection.ops.quote_name
        columns = [model._meta.get_field("batch").column]
        columns += [model._meta.get_field(name).column for name in fields]
        force, month = self.key
        params = {"batch": batch_id, "month": month, "force": force}
        params["raw_months"] = self.staged.raw_months[self.key]
        with connection.cursor() as cursor:
            # A month's rows sorted by line in memory, not on disk (the default is 4 MB).
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "
                + self.staged.select(fields),
                params,
            )
            return cursor.rowcount


def _stream_into(copy, stream: IO[bytes]) -> None:
    """The file's bytes as they are, less its trailing blank lines (the parser skips them;
    COPY would refuse them). Progress is told after the COPY: the connection is busy."""
    stream.seek(0)
    held = b""
    for chunk in iter(functools.partial(stream.read, CHUNK), b""):
        body = chunk.rstrip(b"\r\n")
        if not body:
            held += chunk
            continue
        copy.write(held + body)
        held = chunk[len(body) :]
