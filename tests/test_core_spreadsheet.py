"""A cell a spreadsheet would run as a formula is written as text (core.spreadsheet),
also when blanks or line breaks come before the formula character."""

import pytest

from core.spreadsheet import safe_cell


@pytest.mark.parametrize(
    "value",
    [
        "=HYPERLINK(1)",
        "+1+1",
        "-1+1",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "\tplain after a tab",
        " =HYPERLINK(1)",
        "   +1+1",
        "\n=1",
        "\r\n@SUM(A1)",
        " \t\n -2",
    ],
)
def test_a_formula_is_written_as_text(value):
    assert safe_cell(value) == f"'{value}"


@pytest.mark.parametrize(
    "value",
    ["", "plain", "Sgt Smith", " leading space", "a=1", "2026-12-04T10:00:00+00:00", "\n"],
)
def test_anything_else_is_left_alone(value):
    assert safe_cell(value) == value
