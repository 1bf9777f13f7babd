"""Importing police.uk street and outcomes files and local weekly extracts.

The real files are the team's shared copies (see shared/data/policeuk/SOURCES.md); their row
counts come from Python's csv module here, as the oracle, plus a few facts SOURCES.md states.
Malformed files are written small, in tmp_path.
"""

import csv
import datetime as dt
import io
import os
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from reporting import importer
from reporting.crime_files import OUTCOMES_COLUMNS, STREET_COLUMNS, WEEKLY_COLUMNS
from reporting.importer import ImportRefused, import_file
from reporting.models import CrimeFileKind, CrimeOutcome, CrimeRecord, ImportBatch, ImportStatus

pytestmark = pytest.mark.django_db

# The repository is /work/main and the team's shared folder /work/shared: two levels up.
POLICEUK = Path(__file__).resolve().parents[3] / "shared" / "data" / "policeuk"
NO_DATA = f"the shared police.uk files are not here ({POLICEUK})"


def _in_ci() -> bool:
    """CI runs beside the shared folder, so there the real files must be found, not skipped."""
    return os.environ.get("CI", "").lower() == "true"


def real_files(pattern: str) -> list:
    files = sorted(POLICEUK.glob(pattern))
    if not files and _in_ci():
        raise RuntimeError(NO_DATA)
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=NO_DATA), id="no-shared-data")]
    return [pytest.param(path, id=path.name.removeprefix("policeuk-")) for path in files]


def real_file(name: str) -> Path:
    path = POLICEUK / name
    if not path.exists():
        if _in_ci():
            pytest.fail(NO_DATA)
        pytest.skip(NO_DATA)
    return path


def csv_rows(path: Path) -> list[dict[str, str]]:
    """The oracle: what Python's csv module reads from the file."""
    with open(path, newline="", encoding="utf-8-sig") as stream:
        return list(csv.DictReader(stream))


def header_of(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as stream:
        return next(csv.reader(stream))


def is_crime_file(path: Path) -> bool:
    return tuple(header_of(path)) in {STREET_COLUMNS, OUTCOMES_COLUMNS}


STREET_AND_OUTCOMES = [
    p for p in real_files("*.csv") if p.values[0] is None or is_crime_file(p.values[0])
]
STOP_AND_SEARCH = real_files("*stop-and-search.csv")

# --- Small files written for a test --------------------------------------------------------

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
}


def crime(**changes) -> dict[str, str]:
    return CRIME | {key.replace("_", " "): value for key, value in changes.items()}


def write(path: Path, rows: list[dict], columns=STREET_COLUMNS, *, newline="\n", bom=False):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(columns)
    writer.writerows([row.get(column, "") for column in columns] for row in rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode())
    return path


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def line_of(row: dict, columns=STREET_COLUMNS) -> str:
    return ",".join(row.get(column, "") for column in columns)


def current_batches(**filters):
    return ImportBatch.objects.filter(status=ImportStatus.IMPORTED, **filters)


# --- Every real street and outcomes file ---------------------------------------------------


@pytest.mark.parametrize("path", STREET_AND_OUTCOMES)
def test_each_real_file_imports_every_row(path):
    rows = csv_rows(path)
    is_street = "Crime type" in rows[0]
    model = CrimeRecord if is_street else CrimeOutcome

    result = import_file(path, path.name)

    assert result.kind == (CrimeFileKind.STREET if is_street else CrimeFileKind.OUTCOMES)
    assert result.rows == len(rows)
    assert model.objects.count() == len(rows)
    (batch,) = result.batches
    assert batch.row_count == len(rows)
    assert batch.status == ImportStatus.IMPORTED
    assert batch.month.strftime("%Y-%m") == rows[0]["Month"]
    assert batch.force == rows[0]["Reported by"]
    # Blank Crime IDs, "No Location" rows and empty "On or near " labels all survive.
    assert model.objects.filter(crime_id="").count() == sum(not r["Crime ID"] for r in rows)
    unlocated = sum(not r["Longitude"] for r in rows)
    assert model.objects.filter(latitude__isnull=True, longitude__isnull=True).count() == unlocated
    assert model.objects.filter(lsoa_code="").count() == sum(not r["LSOA code"] for r in rows)
    unnamed = sum(r["Location"] == "On or near " for r in rows)
    assert model.objects.filter(location="").count() == unnamed


def test_btp_january_2020_as_sources_md_describes_it(area, other_area):
    path = real_file("policeuk-2020-01-btp-street.csv")

    result = import_file(path, path.name)

    # SOURCES.md: 5,694 rows, 165 in Lambeth LSOAs and 164 in Southwark; BTP gives no IDs.
    assert result.rows == 5694
    assert CrimeRecord.objects.filter(lsoa_name__startswith="Lambeth ").count() == 165
    assert CrimeRecord.objects.filter(area=area).count() == 165
    assert CrimeRecord.objects.filter(area=other_area).count() == 164
    assert not CrimeRecord.objects.exclude(crime_id="").exists()
    assert not CrimeRecord.objects.exclude(last_outcome="").exists()
    assert result.parts[0].force == "British Transport Police"


def test_met_january_2023_burglaries_link_to_areas_and_keep_unlocated_rows(area, other_area):
    path = real_file("policeuk-2023-01-metropolitan-street-BURGLARY-ONLY-subset.csv")

    import_file(path, path.name)

    # SOURCES.md: 5,143 rows, 178 Lambeth and 242 Southwark; POLICEUK_FORMAT.md: 159 rows
    # with no location at the end (no coordinates, no LSOA, so no area).
    assert CrimeRecord.objects.count() == 5143
    assert CrimeRecord.objects.filter(area=area).count() == 178
    assert CrimeRecord.objects.filter(area=other_area).count() == 242
    unlocated = CrimeRecord.objects.filter(location="No Location")
    assert unlocated.count() == 159
    assert unlocated.filter(latitude=None, lsoa_code="", area=None).count() == 159
    # Crimes in other boroughs are real data too: imported, without an area.
    assert CrimeRecord.objects.filter(area=None).count() == 5143 - 178 - 242


def test_crimes_outside_london_are_imported_without_an_area(area):
    path = real_file("policeuk-2023-01-metropolitan-street-first4000rows.csv")

    import_file(path, path.name)

    arun = CrimeRecord.objects.filter(lsoa_name__startswith="Arun ")
    assert arun.exists()
    assert not arun.exclude(area=None).exists()
    # Crime IDs repeat within a month (141 in these rows): every row is kept.
    rows = csv_rows(path)
    ids = [r["Crime ID"] for r in rows if r["Crime ID"]]
    assert len(ids) - len(set(ids)) > 0
    assert CrimeRecord.objects.exclude(crime_id="").count() == len(ids)


@pytest.mark.parametrize("path", STOP_AND_SEARCH)
def test_stop_and_search_files_are_refused_for_their_header(path):
    with pytest.raises(ImportRefused) as refused:
        import_file(path, path.name)

    assert refused.value.line == 1
    assert "stop-and-search" in refused.value.reason
    assert str(refused.value).startswith(f"{path.name}: line 1: ")
    assert not CrimeRecord.objects.exists()
    failed = ImportBatch.objects.get()
    assert failed.status == ImportStatus.FAILED
    assert failed.kind == CrimeFileKind.UNKNOWN
    assert failed.error.startswith("line 1: this is a stop-and-search file")


# --- Re-imports and new editions -----------------------------------------------------------


def test_importing_the_same_file_again_replaces_it():
    path = real_file("policeuk-2023-02-city-of-london-street.csv")
    first = import_file(path, path.name)

    again = import_file(path, path.name)

    assert CrimeRecord.objects.count() == again.rows == first.rows == 783
    assert again.parts[0].replaced == first.batches[0]
    first.batches[0].refresh_from_db()
    assert first.batches[0].status == ImportStatus.REPLACED
    assert list(current_batches()) == again.batches
    assert set(CrimeRecord.objects.values_list("batch", flat=True)) == {again.batches[0].pk}


def test_a_later_edition_replaces_the_month_and_brings_its_outcomes():
    earlier = real_file("policeuk-2023-01-city-of-london-street.edition-2023-03.csv")
    later = real_file("policeuk-2023-01-city-of-london-street.csv")
    old_rows, new_rows = file_outcomes(earlier), file_outcomes(later)
    # POLICEUK_FORMAT.md: the same 719 crimes (in another order), 505 with a new outcome.
    assert old_rows.total() == new_rows.total() == 719
    assert (old_rows - new_rows).total() == 505

    import_file(earlier, earlier.name)  # CRLF line endings
    assert stored_outcomes() == old_rows
    result = import_file(later, later.name)

    assert result.replaced_earlier
    assert result.parts[0].replaced.filename == earlier.name
    assert stored_outcomes() == new_rows
    assert current_batches().get().filename == later.name
    # 15 empty "On or near " labels were filled in by the later edition.
    assert CrimeRecord.objects.filter(location="").count() == sum(
        r["Location"] == "On or near " for r in csv_rows(later)
    )


def file_outcomes(path: Path) -> Counter:
    """Each crime (ID, point, LSOA, type) with its outcome: rows move between editions."""
    return Counter(
        (
            r["Crime ID"],
            Decimal(r["Longitude"]) if r["Longitude"] else None,
            Decimal(r["Latitude"]) if r["Latitude"] else None,
            r["LSOA code"],
            r["Crime type"],
            r["Last outcome category"],
        )
        for r in csv_rows(path)
    )


def stored_outcomes() -> Counter:
    fields = ("crime_id", "longitude", "latitude", "lsoa_code", "crime_type", "last_outcome")
    return Counter(CrimeRecord.objects.values_list(*fields))


def test_a_failure_while_writing_leaves_the_earlier_import_whole(tmp_path, monkeypatch):
    path = write(tmp_path / "jan.csv", [crime(), crime(Crime_ID="")])
    first = import_file(path, path.name)
    real_insert = importer.insert_rows

    def insert_then_fail(*args):
        real_insert(*args)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(importer, "insert_rows", insert_then_fail)
    with pytest.raises(RuntimeError):
        import_file(write(tmp_path / "jan2.csv", [crime()] * 5), "jan2.csv")

    assert CrimeRecord.objects.count() == 2
    assert list(current_batches()) == first.batches


def test_a_file_with_several_force_months_replaces_each_on_its_own(tmp_path):
    city = "City of London Police"
    rows = [
        crime(Month="2025-01"),
        crime(Month="2025-02"),
        crime(Month="2025-02", Reported_by=city, Falls_within=city),
    ]
    result = import_file(write(tmp_path / "mixed.csv", rows), "mixed.csv")
    assert [(p.force, p.month, p.rows) for p in result.parts] == [
        ("Metropolitan Police Service", dt.date(2025, 1, 1), 1),
        (city, dt.date(2025, 2, 1), 1),
        ("Metropolitan Police Service", dt.date(2025, 2, 1), 1),
    ]

    february = write(tmp_path / "feb.csv", [crime(Month="2025-02")] * 3)
    again = import_file(february, "feb.csv")

    assert again.parts[0].replaced in result.batches
    assert CrimeRecord.objects.count() == 1 + 1 + 3
    assert current_batches().count() == 3


# --- Outcomes ------------------------------------------------------------------------------


def test_outcomes_join_crimes_by_id_across_months():
    street = real_file("policeuk-2023-01-city-of-london-street.edition-2023-03.csv")
    outcomes = real_file("policeuk-2023-01-city-of-london-outcomes.csv")
    import_file(street, street.name)

    import_file(outcomes, outcomes.name)

    assert CrimeOutcome.objects.count() == 575
    street_ids = set(CrimeRecord.objects.exclude(crime_id="").values_list("crime_id", flat=True))
    joined = CrimeOutcome.objects.filter(crime_id__in=street_ids).count()
    # SOURCES.md: only 170 of the 575 outcome rows are for crimes in this month's street file.
    assert joined == 170
    assert CrimeOutcome.objects.filter(location="No location", latitude=None).count() == 25
    # 8 crimes have several outcome rows (6 have 2, one 3, one 4); identical rows are kept.
    repeated = CrimeOutcome.objects.values("crime_id").annotate(n=Count("pk")).filter(n__gt=1)
    assert sorted(row["n"] for row in repeated) == [2, 2, 2, 2, 2, 2, 3, 4]
    # A crime's outcome events, from any month's outcomes file.
    with_outcome = CrimeRecord.objects.filter(crime_id__in=CrimeOutcome.objects.values("crime_id"))
    assert with_outcome.first().outcomes().exists()
    assert not CrimeRecord(crime_id="").outcomes().exists()


def test_outcome_rows_need_a_crime_id(tmp_path):
    row = {column: CRIME.get(column, "") for column in OUTCOMES_COLUMNS}
    row["Outcome type"] = "Suspect charged"
    bad = write(tmp_path / "outcomes.csv", [row, row | {"Crime ID": ""}], OUTCOMES_COLUMNS)

    refusal = refuse(bad)

    assert (refusal.line, refusal.reason) == (3, "an outcome row needs a Crime ID")
    assert not CrimeOutcome.objects.exists()


# --- Refused files: the line number, and nothing written -----------------------------------


@pytest.fixture
def earlier_import(tmp_path):
    """A good import first, so 'nothing written' means 'nothing changed'."""
    return import_file(write(tmp_path / "good.csv", [crime()] * 3), "good.csv")


def refuse(path: Path) -> ImportRefused:
    with pytest.raises(ImportRefused) as refused:
        import_file(path, path.name)
    return refused.value


GOOD = line_of(CRIME)
HEADER = ",".join(STREET_COLUMNS)


@pytest.mark.parametrize(
    ("lines", "line", "reason"),
    [
        ([HEADER.replace("Crime type", "Offence"), GOOD], 1, "column names are not those"),
        ([HEADER + ",Extra", GOOD + ","], 1, "column names are not those"),
        ([HEADER.replace("Month", "Crime ID"), GOOD], 1, "appears twice"),
        ([HEADER, GOOD, GOOD, GOOD + ",", GOOD], 4, "13 fields where the header has 12"),
        ([HEADER, GOOD, GOOD.rsplit(",", 2)[0]], 3, "10 fields where the header has 12"),
        ([HEADER, GOOD, GOOD.replace("2025-01", "2025-13")], 3, "Month '2025-13' is not"),
        ([HEADER, GOOD.replace("2025-01", "Jan 2025"), GOOD], 2, "Month 'Jan 2025' is not"),
        ([HEADER, GOOD, GOOD.replace("2025-01", "1899-01")], 3, "Month '1899-01' is not"),
        ([HEADER, GOOD, GOOD.replace("51.494512", "")], 3, "must both be numbers, or both"),
        ([HEADER, GOOD.replace("51.494512", "north")], 2, "must both be numbers"),
        ([HEADER, GOOD.replace("51.494512", "151.494512")], 2, "is not a longitude and latitude"),
        ([HEADER, GOOD, GOOD.replace("Burglary", "Fraud")], 3, "unknown Crime type 'Fraud'"),
        (
            [HEADER, GOOD.replace(",Metropolitan Police Service,", ",,", 1)],
            2,
            "Reported by is empty",
        ),
        ([HEADER, GOOD, GOOD.replace("Brook Drive", "x" * 300)], 3, "Location is longer than 255"),
        ([HEADER, GOOD, '"unterminated,' + GOOD], 3, "not valid CSV"),
        ([HEADER], 2, "no rows of data"),
        ([""], 1, "the first line must be the column names"),
        (["<!DOCTYPE html>", "<html><body>Not found</body></html>"], 1, "web page (HTML)"),
    ],
    ids=[
        "wrong-header",
        "extra-column",
        "duplicate-column",
        "too-many-fields",
        "too-few-fields",
        "month-13",
        "month-words",
        "month-1899",
        "one-coordinate",
        "coordinate-words",
        "coordinate-range",
        "unknown-crime-type",
        "no-force",
        "too-long",
        "bad-quoting",
        "header-only",
        "blank-header",
        "html",
    ],
)
def test_bad_files_are_refused_at_their_line_and_nothing_is_written(
    tmp_path, earlier_import, lines, line, reason
):
    refusal = refuse(write_lines(tmp_path / "bad.csv", lines))

    assert refusal.line == line
    assert reason in refusal.reason
    assert str(refusal) == f"bad.csv: line {line}: {refusal.reason}"
    assert_nothing_written(earlier_import)
    failed = ImportBatch.objects.get(status=ImportStatus.FAILED)
    assert failed.error == f"line {line}: {refusal.reason}"


def assert_nothing_written(earlier_import):
    assert CrimeRecord.objects.count() == 3
    assert not CrimeOutcome.objects.exists()
    assert list(current_batches()) == earlier_import.batches
    assert set(CrimeRecord.objects.values_list("batch", flat=True)) == {
        earlier_import.batches[0].pk
    }


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 8, 1),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(255, -1, -1)) * 8, 1),
        (f"{HEADER}\n{GOOD}\n{GOOD}\n".encode() + b"\xff\xfe\x00junk\n", 4),
        (f"{HEADER}\n{GOOD}\n".encode() + b"binary\x00data," * 12 + b"\n", 3),
        (b"", 1),
    ],
    ids=["png", "zip", "not-utf8-on-line-4", "nul-bytes", "empty"],
)
def test_binary_and_empty_files_are_refused(tmp_path, earlier_import, content, line):
    path = tmp_path / "junk.csv"
    path.write_bytes(content)

    refusal = refuse(path)

    assert refusal.line == line
    assert_nothing_written(earlier_import)


# --- Dialect: BOM, CRLF, quoting -----------------------------------------------------------


def test_bom_crlf_and_quoted_fields_are_read(tmp_path, area):
    rows = [
        crime(Location="On or near Kennington Road, Lambeth"),  # a comma: quoted
        crime(Location='On or near "The Cut"'),  # quotes: doubled inside quotes
        crime(Location="On or near Waterloo  (London) (Station)", Crime_ID=""),
        crime(Location="No Location", Longitude="", Latitude="", LSOA_code="", LSOA_name=""),
        crime(Location="On or near "),
    ]
    path = write(tmp_path / "dialect.csv", rows, newline="\r\n", bom=True)
    content = path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbfCrime ID,")
    assert b',"On or near ""The Cut""",E01003013,' in content

    import_file(path, path.name)

    stored = list(CrimeRecord.objects.order_by("pk"))
    assert [c.location for c in stored] == [
        "On or near Kennington Road, Lambeth",
        'On or near "The Cut"',
        "On or near Waterloo  (London) (Station)",
        "No Location",
        "",
    ]
    assert stored[0].context == ""  # not "\r"
    assert stored[0].longitude == Decimal("-0.108127")
    assert stored[0].area == area
    assert (stored[3].latitude, stored[3].longitude, stored[3].area) == (None, None, None)
    assert stored[4].latitude == Decimal("51.494512")  # unnamed, but still on the map


def test_columns_may_come_in_any_order_and_trailing_blank_lines_are_ignored(tmp_path):
    columns = tuple(reversed(STREET_COLUMNS))
    path = write(tmp_path / "reordered.csv", [crime(), crime()], columns)
    path.write_text(path.read_text() + "\n\n")

    assert import_file(path, path.name).rows == 2
    assert CrimeRecord.objects.filter(crime_type="Burglary", lsoa_name="Lambeth 036A").count() == 2


def test_a_text_stream_can_be_imported():
    text = f"{HEADER}\n{GOOD}\n"

    assert import_file(io.StringIO(text), "stream.csv").rows == 1


# --- Areas ---------------------------------------------------------------------------------


def test_areas_come_from_the_lsoa_name_or_else_its_2021_code(tmp_path, area, other_area):
    rows = [
        crime(LSOA_code="E01003109", LSOA_name="Lambeth 003E"),  # a 2011 LSOA: by name
        crime(LSOA_code="E01032640", LSOA_name="Southwark 003H"),  # renamed later: by name
        crime(LSOA_code="E01003013", LSOA_name=""),  # a 2021 Lambeth code, no name
        crime(LSOA_code="E01000916", LSOA_name="Camden 027B"),  # another borough
        crime(LSOA_code="E01031444", LSOA_name="Arun 016B"),  # outside London
    ]

    import_file(write(tmp_path / "areas.csv", rows), "areas.csv")

    assert [c.area for c in CrimeRecord.objects.order_by("pk")] == [
        area,
        other_area,
        area,
        None,
        None,
    ]


# --- Crime types ---------------------------------------------------------------------------


def test_old_and_slug_crime_types_are_mapped(tmp_path):
    rows = [
        crime(Crime_type="Violent crime"),
        crime(Crime_type="violent-crime"),
        crime(Crime_type="anti-social-behaviour"),
        crime(Crime_type="Public disorder and weapons"),
    ]

    import_file(write(tmp_path / "types.csv", rows), "types.csv")

    assert list(CrimeRecord.objects.order_by("pk").values_list("crime_type", flat=True)) == [
        "Violence and sexual offences",
        "Violence and sexual offences",
        "Anti-social behaviour",
        "Public disorder and weapons",
    ]


# --- Local weekly extracts -----------------------------------------------------------------


def weekly(day: str, **changes) -> dict[str, str]:
    return crime(**({"Date": day, "Month": day[:7]} | changes))


def test_a_weekly_extract_takes_its_month_from_the_date(tmp_path):
    rows = [weekly("2025-03-03"), weekly("2025-03-09", Month="")]

    result = import_file(write(tmp_path / "week.csv", rows, WEEKLY_COLUMNS), "week.csv")

    assert result.kind == CrimeFileKind.WEEKLY
    assert [(p.force, p.month, p.rows) for p in result.parts] == [
        ("Metropolitan Police Service", dt.date(2025, 3, 1), 2)
    ]
    assert list(CrimeRecord.objects.order_by("date").values_list("date", "month")) == [
        (dt.date(2025, 3, 3), dt.date(2025, 3, 1)),
        (dt.date(2025, 3, 9), dt.date(2025, 3, 1)),
    ]


def test_weekly_extracts_add_up_over_a_month_and_replace_their_own_dates(tmp_path):
    def week(name, *days):
        return import_file(write(tmp_path / name, [weekly(d) for d in days], WEEKLY_COLUMNS), name)

    week("w1.csv", "2025-03-03", "2025-03-05")
    second = week("w2.csv", "2025-03-10", "2025-03-12", "2025-03-12")
    assert second.parts[0].kept == 2
    assert CrimeRecord.objects.count() == 5

    # A newer edition of week 2 replaces the days from its first date to its last.
    again = week("w2-corrected.csv", "2025-03-10", "2025-03-11", "2025-03-12")

    assert again.parts[0].kept == 2
    assert again.batches[0].row_count == 5
    assert CrimeRecord.objects.count() == 5
    assert sorted(CrimeRecord.objects.values_list("date__day", flat=True)) == [3, 5, 10, 11, 12]
    assert set(CrimeRecord.objects.values_list("batch", flat=True)) == {again.batches[0].pk}
    assert current_batches(kind=CrimeFileKind.WEEKLY).get() == again.batches[0]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"Date": "2025-02-30"}, "Date '2025-02-30' is not a YYYY-MM-DD date"),
        ({"Date": "03/03/2025"}, "Date '03/03/2025' is not a YYYY-MM-DD date"),
        ({"Date": ""}, "Date '' is not"),
        ({"Month": "2025-04"}, "Month '2025-04' is not the month of Date '2025-03-03'"),
    ],
    ids=["no-such-day", "uk-format", "no-date", "other-month"],
)
def test_a_weekly_extract_with_a_bad_date_is_refused(tmp_path, changes, reason):
    rows = [weekly("2025-03-03"), weekly("2025-03-03") | changes]

    refusal = refuse(write(tmp_path / "week.csv", rows, WEEKLY_COLUMNS))

    assert refusal.line == 3
    assert reason in refusal.reason
    assert not CrimeRecord.objects.exists()


# --- The command ---------------------------------------------------------------------------


def test_the_command_imports_each_file_and_says_what_it_replaced(tmp_path, capsys):
    first = write(tmp_path / "jan.csv", [crime()] * 2)
    call_command("import_crimes", str(first))
    call_command("import_crimes", str(first))

    out = capsys.readouterr().out
    assert f"{first}: 2 rows imported (street)" in out
    assert "Metropolitan Police Service, January 2025: 2 rows, replacing jan.csv" in out
    assert CrimeRecord.objects.count() == 2


def test_the_command_reports_refused_files_tries_the_rest_and_fails(tmp_path, capsys):
    bad = write_lines(tmp_path / "bad.csv", [HEADER, GOOD, GOOD.replace("2025-01", "2025-00")])
    good = write(tmp_path / "good.csv", [crime()])
    missing = tmp_path / "missing.csv"

    with pytest.raises(CommandError, match="2 of 3 files refused"):
        call_command("import_crimes", str(bad), str(missing), str(good))

    captured = capsys.readouterr()
    assert f"{bad}: line 3: Month '2025-00' is not a YYYY-MM month" in captured.err
    assert f"{missing}: cannot be read" in captured.err
    assert f"{good}: 1 row imported (street)" in captured.out
    assert CrimeRecord.objects.count() == 1
