"""The import reads a file once, and its PostgreSQL staging path (COPY, checks in SQL) refuses
and converts exactly what the Python parser does. Run on SQLite and on PostgreSQL: the
staging path's own tests skip on SQLite, where only the parser reads files."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from reporting import import_parser, import_staging
from reporting.crime_files import (
    CRIME_FIELDS,
    OUTCOME_FIELDS,
    OUTCOMES_COLUMNS,
    STREET_COLUMNS,
    WEEKLY_COLUMNS,
)
from reporting.import_parser import Parser
from reporting.importer import ImportRefused, import_file
from reporting.models import CrimeOutcome, CrimeRecord, ImportBatch, ImportStatus
from tests.reporting.test_import import real_files

pytestmark = pytest.mark.django_db

CRIME = {
    "Crime ID": "a" * 64,
    "Month": "2025-01",
    "Reported by": "Metropolitan Police Service",
    "Falls within": "Metropolitan Police Service",
    "Longitude": "-0.108127",
    "Latitude": "51.494512",
    "Location": "On or near Brook Drive",
    "LSOA code": "E01003013",
    "LSOA name": "Lambeth 036A",
    "Crime type": "Burglary",
    "Last outcome category": "Under investigation",
    "Context": "",
    "Outcome type": "Suspect charged",
    "Date": "2025-01-06",
}
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the staging path is PostgreSQL's"
)


def text_of(rows: list[dict], columns=STREET_COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([(CRIME | row)[column] for column in columns] for row in rows)
    return buffer.getvalue().encode()


def months(count: int) -> list[dict]:
    return [{"Month": f"20{10 + n // 12}-{n % 12 + 1:02}"} for n in range(count)]


class CountingReader(io.RawIOBase):
    """A file that counts the bytes read from it."""

    def __init__(self, data: bytes):
        self.inner, self.bytes_read = io.BytesIO(data), 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.inner.seek(offset, whence)

    def tell(self) -> int:
        return self.inner.tell()

    def readinto(self, buffer) -> int:
        count = self.inner.readinto(buffer)
        self.bytes_read += count
        return count


# --- Read once -------------------------------------------------------------------------------


def test_a_file_of_many_force_months_is_read_once(monkeypatch):
    data = text_of([row for row in months(24) for _ in range(50)])
    reader = CountingReader(data)
    parses = []
    real_rows = Parser.rows

    def counted(parser, lines):
        parses.append(parser)
        return real_rows(parser, lines)

    monkeypatch.setattr(Parser, "rows", counted)

    result = import_file(io.BufferedReader(reader), "many.csv")

    assert len(result.parts) == 24
    assert CrimeRecord.objects.count() == 24 * 50
    # Hashed once, then read once (COPY, or the parser): never once per force-month.
    assert reader.bytes_read <= 2 * len(data) + io.DEFAULT_BUFFER_SIZE
    assert len(parses) == (0 if connection.vendor == "postgresql" else 1)


def test_rows_past_the_spool_limit_are_kept_in_file_order(monkeypatch):
    monkeypatch.setattr(import_parser, "SPOOL_ROWS", 7)
    rows = [{"Crime ID": f"{n:03}", "Month": f"2025-0{n % 3 + 1}"} for n in range(40)]

    import_file(io.BytesIO(text_of(rows, STREET_COLUMNS)), "spooled.csv")

    # Month by month (the order force-months are written), each in file order.
    stored = CrimeRecord.objects.order_by("pk").values_list("month__month", "crime_id")
    assert list(stored) == sorted((n % 3 + 1, f"{n:03}") for n in range(40))


@on_postgresql
@pytest.mark.parametrize(
    ("data", "staged"),
    [
        (text_of([CRIME]), True),
        (text_of([CRIME]).replace(b"\n", b"\r\n"), True),
        (text_of([{"Location": "On or near A, B"}]), False),  # quoted: the parser reads it
        (text_of([CRIME]) + b"\n" + text_of([CRIME]).split(b"\n", 1)[1], False),  # blank line
    ],
    ids=["plain", "crlf", "quoted", "blank-line-inside"],
)
def test_plain_files_are_staged_and_the_others_parsed(monkeypatch, data, staged):
    copied = []
    real_copy = import_staging.StagedFile.copy

    def copy(staged_file, stream, report):
        copied.append(real_copy(staged_file, stream, report))
        return copied[-1]

    monkeypatch.setattr(import_staging.StagedFile, "copy", copy)

    import_file(io.BytesIO(data), "file.csv")

    assert copied[-1:] == ([True] if staged else [False] if copied else [])
    assert CrimeRecord.objects.count() == data.count(b"Burglary")


@pytest.mark.parametrize("chunk", [1 << 20, 3, 4])
@pytest.mark.parametrize(
    ("data", "plain"),
    [
        (b"a,b\r\nc,d\r\n", True),
        (b"a,b\nc,\xc3\xa9\n", True),
        (b"a,\"b\"\nc,d\n", False),
        (b"a,b\nc,d\x00\n", False),
        (b"a,b\rc,d\n", False),
        (b"a,b\nc,d\r", False),
        (b"a,b\n\\.\nc,d\n", False),
        (b"a,b\nc,\xc3\n", False),
        (b"a,b\nc,d\xc3", False),
        (b"a,\\b\nc,d\n", True),
    ],
    ids=[
        "crlf", "utf8", "quote", "nul", "lone-cr", "cr-at-end", "end-of-data", "bad-utf8",
        "cut-utf8", "backslash",
    ],
)  # fmt: skip
def test_a_file_is_plain_only_without_quotes_nul_lone_cr_or_end_mark(
    monkeypatch, chunk, data, plain
):
    monkeypatch.setattr(import_staging, "CHUNK", chunk)  # marks split across chunks

    assert import_staging.survey(io.BytesIO(data)).plain is plain


# --- A bad line deep in a large file -----------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"Month": "2025-13"}, "Month '2025-13' is not a YYYY-MM month"),
        ({"Crime type": "Fraud"}, "unknown Crime type 'Fraud'"),
        ({"Latitude": "151.5"}, "the point (-0.108127, 151.5) is not a longitude and latitude"),
        ({"Context": "x,y"}, "13 fields where the header has 12"),
    ],
    ids=["month", "crime-type", "point", "fields"],
)
def test_a_bad_line_deep_in_a_large_file_is_named_and_nothing_is_written(tmp_path, bad, reason):
    rows = [row for row in months(10) for _ in range(2_000)]
    lines = text_of(rows).split(b"\n")
    lines[18_500] = b",".join(  # line 18,501 of 20,001
        (CRIME | {"Month": "2010-10"} | bad)[column].encode() for column in STREET_COLUMNS
    )
    path = tmp_path / "large.csv"
    path.write_bytes(b"\n".join(lines))

    with pytest.raises(ImportRefused) as refused:
        import_file(path, path.name)

    assert (refused.value.line, refused.value.reason) == (18_501, reason)
    assert not CrimeRecord.objects.exists()
    failed = ImportBatch.objects.get()
    assert failed.status == ImportStatus.FAILED
    assert failed.error == f"line 18501: {reason}"


# --- The SQL checks and the parser agree ------------------------------------------------------

BAD = [
    ({"Month": "2025-13"}, STREET_COLUMNS, "Month '2025-13' is not"),
    ({"Month": "Jan 2025"}, STREET_COLUMNS, "Month 'Jan 2025' is not"),
    ({"Month": "1899-01"}, STREET_COLUMNS, "Month '1899-01' is not"),
    ({"Month": "２０２５-13"}, STREET_COLUMNS, "is not a YYYY-MM month"),
    ({"Latitude": ""}, STREET_COLUMNS, "must both be numbers, or both empty"),
    ({"Latitude": "NaN"}, STREET_COLUMNS, "is not a longitude and latitude"),
    ({"Longitude": "-180.0000001"}, STREET_COLUMNS, "is not a longitude and latitude"),
    ({"Latitude": "90.5"}, STREET_COLUMNS, "is not a longitude and latitude"),
    ({"Crime type": "Fraud"}, STREET_COLUMNS, "unknown Crime type 'Fraud'"),
    ({"Reported by": ""}, STREET_COLUMNS, "Reported by is empty"),
    ({"Reported by": " \t"}, STREET_COLUMNS, "Reported by is empty"),
    ({"Crime ID": "a" * 65}, STREET_COLUMNS, "Crime ID is longer than 64 characters"),
    ({"Falls within": "é" * 101}, STREET_COLUMNS, "Falls within is longer than 100"),
    ({"Location": "x" * 256}, STREET_COLUMNS, "Location is longer than 255"),
    ({"LSOA code": "E010030130"}, STREET_COLUMNS, "LSOA code is longer than 9"),
    ({"LSOA name": "L" * 101}, STREET_COLUMNS, "LSOA name is longer than 100"),
    ({"Last outcome category": "o" * 121}, STREET_COLUMNS, "Last outcome category is longer"),
    ({"Date": "2025-02-30"}, WEEKLY_COLUMNS, "Date '2025-02-30' is not a YYYY-MM-DD date"),
    ({"Date": ""}, WEEKLY_COLUMNS, "Date '' is not a YYYY-MM-DD date"),
    ({"Date": "06/01/2025"}, WEEKLY_COLUMNS, "Date '06/01/2025' is not"),
    ({"Month": "2025-02"}, WEEKLY_COLUMNS, "Month '2025-02' is not the month of Date"),
    ({"Crime ID": ""}, OUTCOMES_COLUMNS, "an outcome row needs a Crime ID"),
    ({"Outcome type": " "}, OUTCOMES_COLUMNS, "the Outcome type is empty"),
    ({"Outcome type": "t" * 121}, OUTCOMES_COLUMNS, "Outcome type is longer than 120"),
]


@pytest.mark.parametrize(("bad", "columns", "reason"), BAD, ids=[b[2][:40] for b in BAD])
def test_the_sql_checks_and_the_parser_refuse_the_same_line_for_the_same_reason(
    bad, columns, reason
):
    data = text_of([CRIME, CRIME, CRIME | bad, CRIME], columns)

    with pytest.raises(ImportRefused) as by_parser:
        list(Parser("bad.csv").rows(io.StringIO(data.decode())))
    assert (by_parser.value.line, reason in by_parser.value.reason) == (4, True)
    if connection.vendor != "postgresql":
        return
    survey = import_staging.survey(io.BytesIO(data))
    assert survey.plain
    with pytest.raises(ImportRefused) as by_sql:  # not None: COPY took it, SQL refused it
        import_staging.stage(io.BytesIO(data), Parser("bad.csv"), lambda rows: None)
    assert (by_sql.value.line, by_sql.value.reason) == (4, by_parser.value.reason)


GOOD = [
    {"Crime type": "violent-crime", "Longitude": "-0.1081275", "Latitude": "51.4945125"},
    {"Crime type": " Public disorder and weapons ", "Longitude": "+1", "Latitude": "-0"},
    {"Crime type": "ANTI-SOCIAL BEHAVIOUR", "Longitude": ".5", "Latitude": "5."},
    {"Longitude": "", "Latitude": "", "Location": "No Location", "LSOA code": ""},
    {"Location": "On or near ", "Last outcome category": "  Under investigation\t"},
    {"Location": "x" * 255, "LSOA name": "Southwark 003H", "LSOA code": "E01032640"},
    {"Crime ID": "", "Falls within": "é" * 100, "Context": "a 'quote' of sorts"},
]


@pytest.mark.parametrize("columns", [STREET_COLUMNS, WEEKLY_COLUMNS], ids=["street", "weekly"])
def test_staged_rows_are_stored_as_the_parser_converts_them(area, other_area, columns):
    data = text_of(GOOD, columns)
    expected = [row for _, _, row in Parser("good.csv").rows(io.StringIO(data.decode()))]

    import_file(io.BytesIO(data), "good.csv")

    stored = list(CrimeRecord.objects.order_by("pk").values_list(*CRIME_FIELDS))
    assert stored == expected
    assert stored[0][6:8] == (Decimal("-0.108128"), Decimal("51.494513"))  # half away from 0


def test_outcome_files_are_stored_as_the_parser_converts_them(area):
    data = text_of([CRIME, CRIME | {"Outcome type": " Charged "}], OUTCOMES_COLUMNS)
    expected = [row for _, _, row in Parser("o.csv").rows(io.StringIO(data.decode()))]

    import_file(io.BytesIO(data), "o.csv")

    assert list(CrimeOutcome.objects.order_by("pk").values_list(*OUTCOME_FIELDS)) == expected


def test_a_half_written_staging_table_is_never_left_behind(tmp_path):
    path = Path(tmp_path / "bad.csv")
    path.write_bytes(text_of([CRIME, CRIME | {"Month": "2025-13"}]))

    with pytest.raises(ImportRefused):
        import_file(path, path.name)

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [import_staging.STAGING])
            assert cursor.fetchone() == (None,)


@on_postgresql
def test_a_line_the_sql_checks_refuse_but_the_parser_accepts_is_left_to_the_parser(
    monkeypatch, caplog
):
    monkeypatch.setattr(import_staging.StagedFile, "_bad_rows", lambda staged: "ord = 2")

    result = import_file(io.BytesIO(text_of([CRIME] * 3)), "good.csv")

    assert result.rows == CrimeRecord.objects.count() == 3
    assert "the staged checks refused line 3, which the parser accepts" in caplog.text
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [import_staging.STAGING])
        assert cursor.fetchone() == (None,)


def test_a_year_of_real_files_in_one_file_is_stored_as_the_parser_converts_it(area, other_area):
    paths = [p.values[0] for p in real_files("policeuk-2023-*-city-of-london-street.csv")]
    if paths == [None]:
        pytest.skip("the shared police.uk files are not here")
    body = [path.read_bytes().replace(b"\r\n", b"\n").split(b"\n", 1) for path in paths]
    data = body[0][0] + b"\n" + b"".join(rest.rstrip(b"\n") + b"\n" for _, rest in body)
    parsed = list(Parser("year.csv").rows(io.StringIO(data.decode("utf-8-sig"))))
    by_month = sorted(parsed, key=lambda item: (item[1][1], item[1][0], item[0]))

    result = import_file(io.BytesIO(data), "year.csv")

    assert len(result.parts) == 12
    stored = list(CrimeRecord.objects.order_by("pk").values_list(*CRIME_FIELDS))
    assert stored == [row for _, _, row in by_month]
