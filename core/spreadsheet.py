"""Cells for a CSV a person will open in a spreadsheet: never run as a formula.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and older ones
one that starts with a tab or carriage return) as a formula, and Excel and LibreOffice
also skip leading spaces and line breaks before looking: `` =HYPERLINK(...)`` is a
formula too. Such a cell is written with a leading apostrophe, which shows it as text
(OWASP, "CSV Injection").
"""

FORMULA_STARTS = frozenset("=+-@")
CONTROL_STARTS = frozenset("\t\r")
# What a spreadsheet skips before deciding that a cell is a formula.
LEADING_BLANKS = " \t\r\n"


def safe_cell(value: str) -> str:
    """The cell as text a spreadsheet shows and never runs."""
    if value[:1] in CONTROL_STARTS or value.lstrip(LEADING_BLANKS)[:1] in FORMULA_STARTS:
        return f"'{value}"
    return value
