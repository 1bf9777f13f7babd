"""The adversary test for the partner-safe edition (docs/disclosure-control.md).

From everything the edition publishes (the key numbers, the 12-month trend with its
totals, the 12-month breakdowns that add up to those totals), a linear-programming attack
bounds every published "<5" count: each row's months add up to its total, a repeated
figure is one variable, a breakdown's categories add up to its measure's total. A count is
protected when the solver cannot pin it to a single value. Run on the constructed world of
test_monthly and on 20 seeded random worlds full of small counts."""

import random
from decimal import Decimal

import pytest
from scipy.optimize import linprog

from reporting import metrics
from reporting.coverage import CrimeCoverage
from reporting.models import ReportKind
from reporting.reports.monthly_content import MonthlyReport
from reporting.reports.monthly_format import Format
from tests.factories import AreaFactory

from .test_monthly import MARCH, report_for, world  # noqa: F401 - the fixture

# Each breakdown (12-month column) adds up to one trend row's 12-month total.
BREAKDOWN_OF = {
    "Referrals by service": "Referrals made",
    "Referrals by agency": "Referrals made",
    "Declined referrals, by reason": "Referrals declined",
    "Closed referrals, by outcome": "Referrals closed",
    "Arrests by offence": "Arrests",
}
WARD_COLUMNS = {0: None, 1: "Women seen in street sex work", 2: "People met (encounters)"}
WARD_COLUMNS[3] = "People new to the area"
BIG = 10**6


def bounds(cell: str):
    """What a published cell tells the adversary about the count behind it."""
    text = cell.replace(",", "").strip()
    if text == "<5":
        return (1, 4)
    if text.isdigit():
        return (int(text), int(text))
    return (0, BIG)  # "—", "[c]": anything (the adversary assumes nothing more)


class Attack:
    def __init__(self):
        self.bounds, self.equations, self.protected = [], [], []

    def var(self, cell: str) -> int:
        self.bounds.append(bounds(cell))
        if cell.strip() == "<5":
            self.protected.append(len(self.bounds) - 1)
        return len(self.bounds) - 1

    def equal(self, plus: list[int], minus: list[int]) -> None:
        self.equations.append((plus, minus))

    def pinned(self) -> list[int]:
        n = len(self.bounds)
        rows = []
        for plus, minus in self.equations:
            row = [0.0] * n
            for i in plus:
                row[i] += 1
            for i in minus:
                row[i] -= 1
            rows.append(row)
        found = []
        for i in self.protected:
            c = [0.0] * n
            c[i] = 1
            low = linprog(c, A_eq=rows or None, b_eq=[0] * len(rows) or None, bounds=self.bounds)
            c[i] = -1
            high = linprog(c, A_eq=rows or None, b_eq=[0] * len(rows) or None, bounds=self.bounds)
            assert low.status == 0, "the published figures contradict"
            assert high.status == 0
            if -high.fun - low.fun < 1 - 1e-6:
                found.append(i)
        return found


def attack(report: MonthlyReport) -> list[str]:
    """The published "<5" counts the solver pins, by the row they are in."""
    a, totals, names = Attack(), {}, {}
    for _, rows in report.trend():
        for row in rows:
            if row.label == "Friday and Saturday nights" or row.label == "Officer hours":
                continue
            cells = [a.var(c) for c in row.cells]
            a.equal(cells[:-1], [cells[-1]])
            totals[row.label] = cells
            names.update(dict.fromkeys(cells, row.label))
    for row in report.headline():
        if row.label in totals and len(row.cells) == 2:
            now, year = (a.var(c) for c in row.cells)
            a.equal([now], [totals[row.label][-2]])
            a.equal([year], [totals[row.label][-1]])
            names.update({now: row.label, year: row.label})
    for section in report.sections():
        for table in section["tables"] if isinstance(section, dict) else []:
            link(a, table, totals, names)
    return sorted({names.get(i, "?") for i in a.pinned()})


def link(a: Attack, table, totals, names) -> None:
    if table.title in BREAKDOWN_OF and totals.get(BREAKDOWN_OF[table.title]):
        cells = [a.var(row.cells[0]) for row in table.rows]
        a.equal(cells, [totals[BREAKDOWN_OF[table.title]][-1]])
        names.update(dict.fromkeys(cells, table.title))
    elif table.title == "What became of the referrals made in the 12 months":
        for row in table.rows:
            total = totals.get(f"Referrals {row.label.lower()}")
            if total:
                cell = a.var(row.cells[0])
                a.equal([cell], [total[-1]])
                names[cell] = table.title
    elif table.title.startswith("By ward"):
        for column, label in WARD_COLUMNS.items():
            if label in totals:
                cells = [a.var(row.cells[column]) for row in table.rows]
                a.equal(cells, [totals[label][-1]])
                names.update(dict.fromkeys(cells, table.title))


# --- Worlds full of small counts ----------------------------------------------------------


def small(rng) -> int:
    return rng.choice([0, 0, 1, 1, 1, 2, 3, 4, 5, 6, 8, 12])


def split(rng, total: int, keys) -> list[dict]:
    parts = dict.fromkeys(keys, 0)
    for _ in range(total):
        parts[rng.choice(keys)] += 1
    return [{"key": k, "month": 0, "year": n} for k, n in parts.items() if n]


def random_world(seed: int) -> dict:
    rng = random.Random(seed)
    w = metrics.Window.ending(MARCH)

    def series(*measures):
        return {m: {name: small(rng) for name in measures} for m in w.months}

    data = {
        "window": w,
        "patrols": series("planned", "delivered", "cancelled", "weekend_nights"),
        "returns": series("returns", "women", "kerb_crawlers", "served"),
        "hours": {m: {"hours": Decimal(small(rng) * 8), "officers": 2} for m in w.months},
        "officers_year": 4,
        "encounters": series("met", "spoken_with", "new_people", "people_engaged"),
        "people_engaged_year": small(rng),
        "referrals": series(*metrics.REFERRAL_MEASURES),
        "arrests": series("arrests"),
        "cautions": series("cautions"),
        "courses": series("completed", "breached"),
        "partner_patrols": series("partner_patrols"),
        "crimes": ({}, {}),
        "crime_coverage": CrimeCoverage(frozenset(), None),
        "partner_invitations": [],
        "cancellations": [],
    }

    def year(name, measure):
        return sum(data[name][m][measure] for m in w.months)

    made = year("referrals", "made")
    data["referrals_by_service"] = split(rng, made, ["exit_support", "housing", "drugs"])
    data["referrals_by_agency"] = split(rng, made, ["A", "B", "C", "D"])
    declined = year("referrals", "declined")
    data["decline_reasons"] = split(rng, declined, ["no_capacity", "not_eligible"])
    data["closed_outcomes"] = split(rng, year("referrals", "closed"), ["completed", "moved"])
    data["arrests_by_offence"] = split(rng, year("arrests", "arrests"), ["kerb", "soliciting"])
    data["rearrests"] = {"cautioned": year("cautions", "cautions"), "rearrested": small(rng)}
    wards = {"North": {}, "South": {}, "East": {}}
    data["wards_sightings"], data["wards_encounters"] = {}, {}
    for measure, key, name in (
        ("returns", "returns", "wards_sightings"),
        ("women", "returns", "wards_sightings"),
        ("seen", "encounters", "wards_encounters"),
        ("new", "encounters", "wards_encounters"),
    ):
        source = {"returns": "returns", "women": "women", "seen": "met", "new": "new_people"}
        parts = split(rng, year(key, source[measure]), list(wards))
        for part in parts:
            row = data[name].setdefault(part["key"], {})
            row[f"{measure}_year"] = part["year"]
            row[f"{measure}_month"] = 0
    return data


def partner_report(area, data) -> MonthlyReport:
    report = report_for(area, ReportKind.MONTHLY_TREND_PARTNER)
    return MonthlyReport(report, data, Format(partner=True))


@pytest.mark.django_db
def test_the_constructed_world_survives_the_attack(world):  # noqa: F811
    data = metrics.collect(world.area, MARCH, police=False)
    assert attack(partner_report(world.area, data)) == []


@pytest.mark.parametrize("seed", range(20))
def test_worlds_of_small_counts_survive_the_attack(seed):
    area = AreaFactory.build(name="Synthetic")
    report = partner_report(area, random_world(seed))
    assert attack(report) == []


def test_the_attack_finds_what_plain_small_count_suppression_leaks():
    """The attack works: the police edition (exact) and a naive partner table are pinned."""
    a = Attack()
    cells = [a.var(c) for c in ("<5", "<5", "0", "2")]  # two "<5" months, total 2
    a.equal(cells[:-1], [cells[-1]])
    assert a.pinned() == cells[:2]
