"""The crime files Ephedra reads (data.police.uk street-level and outcomes files, local
weekly extracts): their columns, the model and fields each fills, and the refusal of a file
that is none of them."""

from dataclasses import dataclass

from django.db import models

from .models import CrimeFileKind, CrimeOutcome, CrimeRecord

_LOCATED = ("Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude")
_PLACE = ("Location", "LSOA code", "LSOA name")
STREET_COLUMNS = (
    *_LOCATED,
    *_PLACE,
    "Crime type",
    "Last outcome category",
    "Context",
)
OUTCOMES_COLUMNS = (*_LOCATED, *_PLACE, "Outcome type")
WEEKLY_COLUMNS = (*STREET_COLUMNS, "Date")
_STOP_AND_SEARCH_MARKERS = {"type", "date", "object of search", "legislation"}


class ImportRefused(Exception):  # noqa: N818 - the name says what happened to the file
    """The file cannot be imported; nothing from it was written."""

    def __init__(self, file: str, line: int, reason: str):
        super().__init__(file, line, reason)
        self.file, self.line, self.reason = file, line, reason

    def __str__(self) -> str:
        return f"{self.file}: line {self.line}: {self.reason}"


@dataclass(frozen=True)
class Layout:
    kind: str
    columns: tuple[str, ...]  # the canonical order rows are converted from
    model: type[models.Model]
    fields: tuple[str, ...]  # attnames written, in the order the converters produce them


CRIME_FIELDS = (
    "area_id",
    "crime_id",
    "month",
    "date",
    "reported_by",
    "falls_within",
    "longitude",
    "latitude",
    "location",
    "lsoa_code",
    "lsoa_name",
    "crime_type",
    "last_outcome",
    "context",
)
OUTCOME_FIELDS = (
    "area_id",
    "crime_id",
    "month",
    "reported_by",
    "falls_within",
    "longitude",
    "latitude",
    "location",
    "lsoa_code",
    "lsoa_name",
    "outcome_type",
)
LAYOUTS = (
    Layout(CrimeFileKind.STREET, STREET_COLUMNS, CrimeRecord, CRIME_FIELDS),
    Layout(CrimeFileKind.WEEKLY, WEEKLY_COLUMNS, CrimeRecord, CRIME_FIELDS),
    Layout(CrimeFileKind.OUTCOMES, OUTCOMES_COLUMNS, CrimeOutcome, OUTCOME_FIELDS),
)
UNKNOWN_LAYOUT = Layout(CrimeFileKind.UNKNOWN, (), CrimeRecord, ())
NOT_TEXT = "this is not a CSV file: it is not UTF-8 text"


def layout_for(header: list[str], raw: str, filename: str) -> Layout:
    names = [name.strip().lower() for name in header]
    for layout in LAYOUTS:
        if sorted(names) == sorted(column.lower() for column in layout.columns):
            return layout
    raise ImportRefused(filename, 1, _header_problem(names, raw))


def _header_problem(names: list[str], raw: str) -> str:
    if raw.lstrip().startswith("<"):
        return "this is a web page (HTML), not a CSV file"
    if set(names) >= _STOP_AND_SEARCH_MARKERS:
        return (
            "this is a stop-and-search file; only street-level crime, outcomes and weekly "
            "extract files can be imported"
        )
    if not any(names):
        return "the first line must be the column names, and it is empty"
    return (
        "the column names are not those of a data.police.uk street-level crime file "
        f"({len(STREET_COLUMNS)} columns: Crime ID, Month, Reported by, …), an outcomes file "
        f"({len(OUTCOMES_COLUMNS)} columns, ending Outcome type) or a weekly extract "
        "(the street columns and Date)"
    )


# What each text column may hold (the model fields' max lengths), checked row by row.


def _limits(model, fields: tuple[str, ...], columns: dict[str, str]) -> tuple:
    """(position, max length, column name) of every length-limited text field in a row."""
    return tuple(
        (position, model._meta.get_field(name).max_length, columns[name])
        for position, name in enumerate(fields)
        if name in columns
    )


_TEXT_COLUMNS = {
    "crime_id": "Crime ID",
    "reported_by": "Reported by",
    "falls_within": "Falls within",
    "location": "Location",
    "lsoa_code": "LSOA code",
    "lsoa_name": "LSOA name",
    "last_outcome": "Last outcome category",
    "outcome_type": "Outcome type",
}
CRIME_LIMITS = _limits(CrimeRecord, CRIME_FIELDS, _TEXT_COLUMNS)
OUTCOME_LIMITS = _limits(CrimeOutcome, OUTCOME_FIELDS, _TEXT_COLUMNS)
