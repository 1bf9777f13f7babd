"""A CSV of officers to invite (a new borough's team): read, turned into ``Invitee``s and
checked with the same rules as one invitation (``invitations.problems``), every row
before anything is written. Each bad row is reported with its line and reason.

Columns (a header line first, in any order; the last three may be left empty)::

    first_name,last_name,email,collar_number,role,area_code,home_ward_code,trained_on

``role`` is ``pc``, ``sergeant`` or ``project_lead``; ``area_code`` the area's ONS code
(several separated by ``;``); ``home_ward_code`` a ward's ONS code in one of them;
``trained_on`` the Ephedra training date as year-month-day (2026-03-02), empty if not
trained.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from core.dates import DateParameterError, parse_query_date

from .invitations import Invitee, problems
from .models import Area, Role, User, Ward

COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "collar_number",
    "role",
    "area_code",
    "home_ward_code",
    "trained_on",
)
REQUIRED = COLUMNS[:6]
MAX_BYTES = 100 * 1024
MAX_ROWS = 200
ROLES = {"pc": Role.PC, "sergeant": Role.SERGEANT, "project_lead": Role.PROJECT_LEAD}


class UploadRefused(Exception):
    """The file as a whole cannot be read (not UTF-8, no header, too big)."""


@dataclass
class Checked:
    invitees: list[Invitee] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)

    @property
    def ok(self) -> bool:
        return bool(self.invitees) and not self.errors


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise UploadRefused(f"The file must be smaller than {MAX_BYTES // 1024} KB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRefused(
            "The file is not UTF-8 text: save it from your spreadsheet as "
            "'CSV UTF-8 (comma delimited)'"
        ) from None


def check(text: str, by: User) -> Checked:
    """Every row of the file, checked; nothing is written."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise UploadRefused("The first line must name the columns; missing: " + ", ".join(missing))
    reader.fieldnames = header
    result = Checked()
    try:
        rows = list(_rows(reader))
    except csv.Error as error:
        raise UploadRefused(f"The file is not a readable CSV file ({error})") from None
    if not rows:
        raise UploadRefused("The file has no people in it, only the header")
    for line, row in rows:
        invitee, reason = _invitee(row, line)
        if invitee is not None:
            found = problems(invitee, by, result.invitees)
            reason = "; ".join(found.values()) if found else None
            result.invitees.append(invitee)
        if reason:
            result.errors.append((line, reason))
    return result


def _rows(reader):
    for count, row in enumerate(reader, start=1):
        if count > MAX_ROWS:
            raise UploadRefused(f"Upload at most {MAX_ROWS} people at a time")
        cells = {key: (value or "").strip() for key, value in row.items() if key is not None}
        if any(cells.values()):
            yield reader.line_num, cells


def _invitee(row: dict[str, str], line: int) -> tuple[Invitee | None, str | None]:
    role = ROLES.get(row.get("role", "").lower())
    if role is None:
        return None, "role must be one of " + ", ".join(ROLES)
    codes = [code.strip().upper() for code in row["area_code"].split(";") if code.strip()]
    areas = list(Area.objects.filter(code__in=codes))
    if len(areas) != len(set(codes)):
        return None, f"no area has the code {row['area_code']!r}"
    ward = None
    if row.get("home_ward_code"):
        ward = Ward.objects.filter(code__iexact=row["home_ward_code"]).first()
        if ward is None:
            return None, f"no ward has the code {row['home_ward_code']!r}"
    trained_on, reason = _date(row.get("trained_on", ""))
    if reason:
        return None, reason
    return Invitee(
        first_name=row["first_name"],
        last_name=row["last_name"],
        email=row["email"],
        role=role,
        areas=areas,
        collar_number=row["collar_number"],
        home_ward=ward,
        trained_on=trained_on,
        line=line,
    ), None


def _date(value: str) -> tuple[dt.date | None, str | None]:
    """Year-month-day within the bounds of every date typed (``core.dates``); empty: none."""
    try:
        return parse_query_date(value), None
    except DateParameterError as error:
        return None, f"trained_on: {error}"
