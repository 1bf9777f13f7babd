"""The ward list of "Add a borough" (accounts/boroughs.py::parse_ward_rows): the whole list
is checked first, and every bad line is reported with its number and reason."""

from pathlib import Path

import pytest

from accounts.boroughs import (
    MAX_WARD_TEXT_BYTES,
    MAX_WARDS,
    WardRow,
    WardRowsError,
    parse_ward_rows,
    ward_rows_as_text,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "lewisham-wards.csv"


def problems(text: str, in_use=None) -> list[str]:
    with pytest.raises(WardRowsError) as refused:
        parse_ward_rows(text, in_use)
    return refused.value.problems


def test_the_shipped_lewisham_example_passes():
    rows = parse_ward_rows(EXAMPLE.read_text(encoding="utf-8"))
    assert len(rows) == 19
    assert rows[0] == WardRow(2, "E05013720", "Bellingham")  # line 1 is the header
    assert len({row.code for row in rows}) == len({row.name for row in rows}) == 19


def test_the_header_is_optional_and_spaces_and_case_are_tidied():
    rows = parse_ward_rows("e05000001 ,  Alpha   Green\n\nE05000002,Beta\n")
    assert rows == [WardRow(1, "E05000001", "Alpha Green"), WardRow(3, "E05000002", "Beta")]


def test_an_ons_download_with_its_own_headers_and_columns_is_read():
    text = "WD22NM,WD22CD,LAD22CD\nAlpha,E05000001,E09000023\nBeta,E05000002,E09000023\n"
    assert [row.code for row in parse_ward_rows(text)] == ["E05000001", "E05000002"]


def test_lines_pasted_from_a_spreadsheet_are_tab_separated():
    rows = parse_ward_rows("E05000001\tAlpha, North\nE05000002\tBeta")
    assert [row.name for row in rows] == ["Alpha, North", "Beta"]


def test_a_name_with_a_comma_survives_the_round_trip_through_text():
    rows = [WardRow(1, "E05000001", 'Alpha, "North"'), WardRow(2, "E05000002", "Beta")]
    again = parse_ward_rows(ward_rows_as_text(rows))
    assert [(r.code, r.name) for r in again] == [(r.code, r.name) for r in rows]


def test_every_bad_line_is_reported_with_its_number_and_reason():
    text = "\n".join(
        [
            "code,name",
            "E05000001,Alpha",
            "E0500001,Beta",  # 3: bad code
            "E05000003,",  # 4: blank name
            "E05000001,Gamma",  # 5: code also on line 2
            "E05000005,alpha",  # 6: name also on line 2
            "E05000099,Taken",  # 7: code used in the database
            "E05000007,Delta,extra",  # 8: three columns
        ]
    )
    assert problems(text, {"E05000099": "Lambeth"}) == [
        'Line 3: the ward code is "E0500001": it must be E05 and 6 digits, like E05013720',
        "Line 4: the ward name is blank",
        "Line 5: the code E05000001 is also on line 2",
        "Line 6: the name alpha is also on line 2",
        "Line 7: the code E05000099 is already used by a ward of Lambeth",
        "Line 8: expected 2 columns, found 3",
    ]


def test_a_blank_code_and_a_long_name_are_refused():
    assert problems(",Alpha\nE05000002," + "x" * 101) == [
        "Line 1: the ward code is blank: it must be E05 and 6 digits, like E05013720",
        "Line 2: the ward name is longer than 100 characters",
    ]


def test_an_empty_list_is_refused():
    assert problems("code,name\n\n") == [
        "Add at least one ward: a line with its ONS code and name."
    ]


def test_too_many_wards_are_refused_before_any_line_is_read():
    text = "\n".join(f"E05{n:06d},Ward {n}" for n in range(MAX_WARDS + 1))
    assert problems(text) == [f"The list has {MAX_WARDS + 1} wards: at most {MAX_WARDS} at once."]
    assert len(parse_ward_rows("\n".join(text.splitlines()[:MAX_WARDS]))) == MAX_WARDS


def test_too_long_a_list_is_refused():
    assert problems("E05000001," + "x" * MAX_WARD_TEXT_BYTES) == [
        "The list must be smaller than 100 KB."
    ]


def test_a_long_list_of_problems_is_cut_short_with_a_count():
    text = "\n".join(f"bad{n},Ward {n}" for n in range(40))
    shown = problems(text)
    assert len(shown) == 26
    assert shown[-1] == "And 15 more lines with problems."
