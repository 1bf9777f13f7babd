"""Add a borough in one flow (issue 20, item 1): an Area, its wards from a pasted list or a
CSV file (``code,name``), and the project leads and sergeants who cover it.

``parse_ward_rows`` is the whole-list check (pure: every bad line with its number and
reason, nothing half-read); ``check_ward_rows`` runs it against the wards already in the
database; ``create_borough`` is the one change, in one transaction, audited.
"""

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from core.permissions import has_permission
from governance import audit

from .geography import lsoa_count
from .models import Area, Role, User, Ward

MAX_WARDS = 200  # London's largest borough has 29 wards; England's largest district ~70
MAX_WARD_TEXT_BYTES = 100 * 1024
MAX_PROBLEMS_SHOWN = 25
AREA_CODE = re.compile(r"^[EWSN]\d{8}$")  # ONS local authority: E09000023 (Lewisham)
WARD_CODE = re.compile(r"^E05\d{6}$")  # ONS ward (England): E05013720
COVERING_ROLES = (Role.PROJECT_LEAD, Role.SERGEANT)
_CODE_HEADERS = re.compile(r"^(code|ward ?code|wd\d\dcd)$")
_NAME_HEADERS = re.compile(r"^(name|ward ?name|wd\d\dnm)$")


class BoroughRuleError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class WardRow:
    line: int
    code: str
    name: str


class WardRowsError(Exception):
    """The list was refused: ``problems`` are "Line n: reason" messages, in line order."""

    def __init__(self, problems: list[str]):
        shown = problems[:MAX_PROBLEMS_SHOWN]
        if len(problems) > len(shown):
            shown.append(f"And {len(problems) - len(shown)} more lines with problems.")
        super().__init__("; ".join(shown))
        self.problems = shown


def parse_ward_rows(text: str, codes_in_use: Mapping[str, str] | None = None) -> list[WardRow]:
    """The wards of ``text`` (CSV or tab-separated, ``code,name``, header optional), or
    WardRowsError listing every bad line. ``codes_in_use``: ward code → the area it is in."""
    codes_in_use = codes_in_use or {}
    if len(text.encode("utf-8")) > MAX_WARD_TEXT_BYTES:
        raise WardRowsError([f"The list must be smaller than {MAX_WARD_TEXT_BYTES // 1024} KB."])
    lines = [(n, cells) for n, cells in _cells(text) if any(c.strip() for c in cells)]
    code_at, name_at, width, lines = _columns(lines)
    if not lines:
        raise WardRowsError(["Add at least one ward: a line with its ONS code and name."])
    if len(lines) > MAX_WARDS:
        raise WardRowsError([f"The list has {len(lines)} wards: at most {MAX_WARDS} at once."])
    rows, problems, seen_codes, seen_names = [], [], {}, {}
    for number, cells in lines:
        if len(cells) != width:
            problems.append(f"Line {number}: expected {width} columns, found {len(cells)}")
            continue
        code = cells[code_at].strip().upper()
        name = " ".join(cells[name_at].split())
        reasons = _row_reasons(code, name, seen_codes, seen_names, codes_in_use)
        problems += [f"Line {number}: {reason}" for reason in reasons]
        seen_codes.setdefault(code, number)
        seen_names.setdefault(name.casefold(), number)
        rows.append(WardRow(number, code, name))
    if problems:
        raise WardRowsError(problems)
    return rows


def check_ward_rows(text: str) -> list[WardRow]:
    """``parse_ward_rows`` against the ward codes already used in the database."""
    candidates = set(re.findall(r"E05\d{6}", text.upper()))
    in_use = Ward.objects.filter(code__in=candidates).values_list("code", "area__name")
    return parse_ward_rows(text, dict(in_use))


def ward_rows_as_text(rows: Iterable[WardRow | tuple[str, str]]) -> str:
    """Rows back as ``code,name`` CSV lines (quoted where a name holds a comma)."""
    lines = []
    for row in rows:
        code, name = (row.code, row.name) if isinstance(row, WardRow) else row
        lines.append(_csv_line(code, name))
    return "\n".join(lines)


def area_code_problem(code: str) -> str | None:
    if not AREA_CODE.match(code):
        return "Enter the ONS local authority code: a letter and 8 digits, like E09000023"
    if Area.objects.filter(code=code).exists():
        return f"An area with the code {code} already exists"
    return None


def area_name_problem(name: str) -> str | None:
    if Area.objects.filter(name__iexact=name).exists():
        return f"An area called {name} already exists"
    return None


def possible_coverers():
    """Who may be chosen to cover a new borough: active project leads and sergeants."""
    return (
        User.objects.filter(role__in=COVERING_ROLES, is_active=True)
        .prefetch_related("areas")
        .order_by("role", "last_name", "first_name", "username")
    )


def geography_message(code: str, name: str) -> str:
    """What the shipped LSOA geography (accounts/data/) does for the borough."""
    count = lsoa_count(code)
    if count:
        return f"LSOA geography: {count} LSOAs shipped with Ephedra."
    return (
        f"No LSOA geography ships for {code}: crime data will still be linked by the LSOA "
        f"name's borough (police.uk's \"{name} 012A\" goes to the area called {name}); the "
        "hotspot map will show the hotspot markers without LSOA boundaries beneath them, and "
        "the Evidence page cannot estimate crime near the hotspots."
    )


@transaction.atomic
def create_borough(
    *,
    name: str,
    code: str,
    wards: list[WardRow],
    overtime_threshold_hours: int,
    separate_approver: bool,
    coverers: list[User],
    by: User,
) -> Area:
    """Create the Area, its wards and its coverage in one transaction, audited."""
    _check(name, code, wards, coverers, by)
    try:
        with transaction.atomic():  # a savepoint: a clash from meanwhile becomes a message
            area = Area.objects.create(
                name=name,
                code=code,
                overtime_threshold_hours=overtime_threshold_hours,
                separate_approver=separate_approver,
            )
            Ward.objects.bulk_create(Ward(area=area, code=w.code, name=w.name) for w in wards)
            area.users.add(*coverers)
    except IntegrityError:
        raise BoroughRuleError(
            "Another area or ward with these names or codes was added meanwhile: check again."
        ) from None
    detail = f"{len(wards)} wards; covered by {len(coverers)} leads and sergeants"
    audit.record("accounts.area.created", area, user=by, detail=detail)
    audit.record_many("accounts.user.area_added", coverers, user=by, detail=f"Area {code}")
    return area


def _check(name, code, wards, coverers, by) -> None:
    if not has_permission(by, "accounts.add_borough"):
        raise BoroughRuleError("Only a system administrator can add a borough.")
    for field, problem in (("code", area_code_problem(code)), ("name", area_name_problem(name))):
        if problem:
            raise BoroughRuleError(problem, field)
    try:
        check_ward_rows(ward_rows_as_text(wards))
    except WardRowsError as error:
        raise BoroughRuleError(str(error), "wards_text") from None
    chosen = possible_coverers().filter(pk__in=[u.pk for u in coverers])
    if chosen.count() != len({u.pk for u in coverers}):
        raise BoroughRuleError("Choose among the active project leads and sergeants.", "coverers")


def _cells(text: str):
    """(line number, cells) for each line; tab-separated if the first line has a tab."""
    lines = text.lstrip("\ufeff").splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = "\t" if "\t" in first else ","
    for number, line in enumerate(lines, start=1):
        try:
            yield number, next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error:
            yield number, [line]


def _columns(lines):
    """(code column, name column, columns a line must have, the lines without the header):
    from a header line if there is one (any other columns are then ignored), else 0, 1, 2."""
    header = [cell.strip().lower() for cell in lines[0][1]] if lines else []
    code_at = next((i for i, h in enumerate(header) if _CODE_HEADERS.match(h)), None)
    name_at = next((i for i, h in enumerate(header) if _NAME_HEADERS.match(h)), None)
    if code_at is None or name_at is None:
        return 0, 1, 2, lines
    return code_at, name_at, len(header), lines[1:]


def _row_reasons(code, name, seen_codes, seen_names, codes_in_use) -> list[str]:
    reasons = []
    if not WARD_CODE.match(code):
        shown = f'"{code[:20]}"' if code else "blank"
        reasons.append(f"the ward code is {shown}: it must be E05 and 6 digits, like E05013720")
    elif code in seen_codes:
        reasons.append(f"the code {code} is also on line {seen_codes[code]}")
    elif code in codes_in_use:
        reasons.append(f"the code {code} is already used by a ward of {codes_in_use[code]}")
    if not name:
        reasons.append("the ward name is blank")
    elif len(name) > Ward._meta.get_field("name").max_length:
        reasons.append("the ward name is longer than 100 characters")
    elif name.casefold() in seen_names:
        reasons.append(f"the name {name} is also on line {seen_names[name.casefold()]}")
    return reasons


def _csv_line(code: str, name: str) -> str:
    if any(ch in name for ch in ',"'):
        name = '"' + name.replace('"', '""') + '"'
    return f"{code},{name}"
