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

The file is read once whatever the number of force-months. On PostgreSQL a plain file (no
quotes, one line per row: every police.uk file) is COPYed into a temporary staging table,
checked and converted in SQL and written with ``INSERT ... SELECT`` (``import_staging``);
any other file, and every file on SQLite, is parsed in Python (``import_parser``), each
force-month's rows kept apart until written (by COPY on PostgreSQL, ``bulk_create``
elsewhere). Both paths refuse the same lines with the same reasons.
"""

import codecs
import contextlib
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol

from django.db import connection, transaction

from . import crime_partitions, import_staging
from .bulk_rows import insert_rows
from .crime_files import NOT_TEXT, ImportRefused, Layout, layout_for
from .import_parser import ParsedFile, Parser, Tally, by_month_then_force
from .models import CrimeFileKind, CrimeRecord, ImportBatch, ImportStatus

PROGRESS_EVERY = 10_000  # rows checked between progress reports


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
        survey = import_staging.survey(stream)
        parser = Parser(filename)
        report = _Reporter(progress)
        try:
            rows = None
            if connection.vendor == "postgresql" and survey.plain:
                rows = import_staging.stage(stream, parser, report)
            if rows is None:
                rows = ParsedFile(parser, stream, report)
        except ImportRefused as refused:
            _record_refusal(refused, parser.layout, survey.sha256, imported_by)
            raise
        try:
            plan = rows.plan
            writer = _Writer(parser, rows, filename, survey.sha256, imported_by)
            if parser.layout.model is CrimeRecord:
                crime_partitions.ensure_months(month for _, month in plan)
            checked = sum(tally.rows for tally in plan.values())
            parts = []
            for key in sorted(plan, key=by_month_then_force):
                parts.append(writer.replace(stream, key))
                if progress:
                    progress(checked, len(parts), len(plan))
        finally:
            rows.close()
    return ImportResult(filename, parser.layout.kind, survey.sha256, parts)


class _Reporter:
    """Tells ``progress`` every ``PROGRESS_EVERY`` rows checked (read when the import starts)."""

    def __init__(self, progress: Progress | None):
        self.progress, self.every, self.told = progress, PROGRESS_EVERY, 0

    def __call__(self, rows_checked: int) -> None:
        while self.progress and self.told + self.every <= rows_checked:
            self.told += self.every
            self.progress(self.told, 0, 0)


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


# --- Writing ----------------------------------------------------------------------------------


class _Writer:
    def __init__(self, parser: Parser, rows, filename: str, sha256: str, imported_by):
        self.parser, self.rows, self.plan = parser, rows, rows.plan
        self.last = max(self.plan, key=by_month_then_force)
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
            if connection.vendor == "postgresql" and key != self.last:
                # Each force-month still commits whole; only its wait for the disk is left
                # to the last force-month's commit, which makes every earlier one durable.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
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
            written = insert_rows(model, self.layout.fields, batch.pk, self.rows.rows(key))
            if written != tally.rows:  # never: the rows were counted as they were checked
                raise RuntimeError(f"{batch.filename}: {written} rows written of {tally.rows}")
            if kept:
                batch.row_count = written + kept
                batch.save(update_fields=["row_count"])
        return ForceMonthImport(force, month, written, batch, old, kept)

    def _clear(self, old: ImportBatch, new: ImportBatch, tally: Tally) -> int:
        """Delete the replaced rows; a weekly extract keeps the earlier rows of other dates."""
        # The batch's month too: on PostgreSQL only that month's partition is read.
        rows = self.layout.model.objects.filter(batch=old, month=old.month)
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
