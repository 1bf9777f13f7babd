"""The monthly report's content: headline, trends and the breakdown tables, each number
formatted for the edition (``monthly_format``)."""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property

from django.utils import timezone

from .. import metrics
from ..evaluation.report import appendix
from ..models import GeneratedReport
from ..selectors import latest_evidence
from .disclosure import SECONDARY, Protected, exact_row, protect_row
from .monthly_charts import Charts
from .monthly_crime import CrimeFigures
from .monthly_format import (
    LABELS,
    NOT_SHOWN,
    Format,
    Row,
    Table,
    css_string,
    halves,
    protect,
    split_months,
)
from .monthly_summary import Summary


class MonthlyReport(CrimeFigures):
    def __init__(self, report: GeneratedReport, data: dict, fmt: Format):
        self.report, self.data, self.fmt = report, data, fmt
        self.w: metrics.Window = data["window"]
        self.partner = fmt.partner
        self._rows: dict[tuple[str, str], Protected] = {}

    @cached_property
    def evidence(self) -> tuple:
        """The Evidence page's newest stored figures, read once (never worked out here)."""
        return latest_evidence(self.report.area)

    def series(self, name: str, measure: str) -> list:
        empty = Decimal(0) if measure == "hours" else 0
        return [self.data[name].get(month, {}).get(measure, empty) for month in self.w.months]

    def protected(self, name: str, measure: str) -> Protected:
        """The series as the edition publishes it: every count of the partner edition goes
        through ``disclosure.protect_row`` (so no table, chart or total can forget it)."""
        key = (name, measure)
        if key not in self._rows:
            show = (lambda v: f"{v:,.0f}") if measure == "hours" else (lambda v: f"{v:,}")
            protect = protect_row if self.partner else exact_row
            self._rows[key] = protect(self.series(name, measure), show)
        return self._rows[key]

    def drawn(self, name: str, measure: str) -> list:
        """What a chart may draw of the series: None where the edition suppresses it."""
        return self.protected(name, measure).shown(self.series(name, measure))

    def total(self, name: str, measure: str) -> str:
        return self.protected(name, measure).cells[-1]

    def withheld(self, *series: tuple[str, str]) -> bool:
        """A table adding up to one of these totals would give a suppressed total away."""
        return any(self.protected(n, m).total_hidden for n, m in series)

    def context(self) -> dict:
        """The PDF's context: the web page's (``web_context``: the first page and the
        charts, drawn once for both) and the rest of the report."""
        w = self.w
        web = self.web_context()
        return web | {
            "built": f"{timezone.localtime():%Y-%m-%d %H:%M}",
            # Written into the page header as it is: ``string-set`` made WeasyPrint lay
            # every page out again (a quarter of its time on this report).
            "running_title": css_string(f"Monthly trend report · {web['area']} · {web['month']}"),
            "months": [f"{m:%b %Y}" for m in w.months],
            "headline": self.headline(),
            "trend": halves(self.trend(), [f"{m:%b %Y}" for m in w.months]),
            "chart_rows": pairs(web["charts"]),
            # The Evidence page in brief; what each edition may show: evaluation.report.
            "sections": [*self.sections(), appendix(self.evidence, w.last, self.fmt)],
            "rearrest_note": metrics.REARREST_NOTE,
            "relevant_crime_types": metrics.RELEVANT_CRIME_TYPES,
        }

    def web_context(self) -> dict:
        """What the report's web page shows: the first page and every chart, each with its
        numbers, as the edition publishes them (the same rows as the PDF's)."""
        w = self.w
        return {
            "partner": self.partner,
            "area": self.report.area.name,
            "month": f"{w.first:%B %Y}",
            "window": f"{w.start:%B %Y} to {w.first:%B %Y}",
            "summary": Summary(self).context(),
            "charts": Charts(self).all(),
            "crime_note": self.crime_table().note,
        }

    # Key numbers -----------------------------------------------------------------------------

    def headline(self) -> list[Row]:
        f, d = self.fmt, self.data
        ambition = [metrics.friday_saturday_nights(m) for m in self.w.months]

        def both(name, measure):
            return self.protected(name, measure).cells[-2:]

        engaged_now = self.series("encounters", "people_engaged")[-1]
        return [
            Row("Patrols delivered", both("patrols", "delivered")),
            Row(
                "Friday and Saturday nights covered",
                [
                    f"{both('patrols', 'weekend_nights')[0]} of {ambition[-1]}",
                    f"{self.total('patrols', 'weekend_nights')} of {sum(ambition)}",
                ],
            ),
            Row("Referrals made", both("referrals", "made")),
            Row("Referrals engaged", both("referrals", "engaged")),
            Row(
                "People engaged on patrol",
                [f.count(engaged_now), f.count(d["people_engaged_year"])],
            ),
            Row("Arrests", both("arrests", "arrests")),
            Row("Conditional cautions given", both("cautions", "cautions")),
            Row("Diversion courses completed", both("courses", "completed")),
            Row("Diversion courses breached", both("courses", "breached")),
        ]

    # The twelve-month table --------------------------------------------------------------------

    def trend(self) -> list[tuple[str, list[Row]]]:
        def row(label, name, measure):
            return Row(label, self.protected(name, measure).cells)

        ambition = [metrics.friday_saturday_nights(m) for m in self.w.months]
        patrols = [
            *([] if self.partner else [row("Patrols planned", "patrols", "planned")]),
            row("Patrols delivered", "patrols", "delivered"),
            row("Patrols cancelled", "patrols", "cancelled"),
            Row("Friday and Saturday nights", [*map(str, ambition), str(sum(ambition))]),
            row("… with a patrol delivered", "patrols", "weekend_nights"),
            row("Officer hours (whole hours)", "hours", "hours"),
            row("Patrols with partner agencies", "partner_patrols", "partner_patrols"),
        ]
        street = [
            row("Women seen in street sex work", "returns", "women"),
            row("Kerb crawlers seen", "returns", "kerb_crawlers"),
            row("People met (encounters)", "encounters", "met"),
            row("People new to the area", "encounters", "new_people"),
            row("People served at engagement", "returns", "served"),
        ]
        referrals = [
            row(f"Referrals {measure}", "referrals", measure)
            for measure in metrics.REFERRAL_MEASURES
        ]
        enforcement = [
            row("Arrests", "arrests", "arrests"),
            row("Conditional cautions given", "cautions", "cautions"),
            row("Diversion courses completed", "courses", "completed"),
            row("Diversion courses breached", "courses", "breached"),
        ]
        if not self.partner:
            enforcement.append(
                row("Intelligence reports submitted", "intelligence", "intelligence")
            )
        return [
            ("Patrols", patrols),
            ("On the street", street),
            ("Referrals to support services (by month made)", referrals),
            ("Enforcement and diversion", enforcement),
        ]

    # Breakdowns ------------------------------------------------------------------------------

    def breakdown(self, title, rows, labels, measures, columns, note="", of=()) -> Table:
        """Rows keyed by category; the partner edition keeps the 12-month column only,
        protected by ``protect``, and withholds the table when it adds up to a suppressed
        total (``of``: the series whose 12-month total it adds up to)."""
        if self.partner and self.withheld(*of):
            return withheld_table(title, note)
        items = [{"label": labels.get(r["key"], r["key"]) or "Not recorded", **r} for r in rows]
        if self.partner:
            items = protect(items, ("year",))
            return Table(
                title,
                ["12 months"],
                [Row(i["label"], [self.fmt.count(i["year"])]) for i in items],
                note,
            )
        return Table(
            title,
            columns,
            [Row(i["label"], [f"{i[m]:,}" for m in measures]) for i in items],
            note,
        )

    def sections(self) -> list[dict]:
        return [
            {"title": "Patrols delivered", "tables": self.patrol_tables()},
            {"title": "Referrals to support services", "tables": self.referral_tables()},
            {"title": "Arrests, cautions and diversion courses", "tables": self.enforcement()},
            {"title": "Sightings and people new to the area", "tables": self.sightings()},
            {
                "title": "Street offences and recorded crime",
                "tables": split_months(self.crime_table(), [f"{m:%b %Y}" for m in self.w.months]),
            },
            {"title": "Partner participation in patrols", "tables": [self.partners()]},
        ]

    def patrol_tables(self) -> list[Table]:
        d = self.data
        rows = [
            Row(
                "Officer hours per delivered patrol (whole hours)",
                self.rates(("hours", "hours"), ("patrols", "delivered"), whole=True),
            ),
            Row(
                "Patrols delivered with a return filed",
                self.protected("returns", "returns").cells[-2:],
            ),
        ]
        if not self.partner:
            officers = self.series("hours", "officers")
            rows.append(Row("Officers on patrol", [str(officers[-1]), str(d["officers_year"])]))
        tables = [Table("Delivery and officer time", ["This month", "12 months"], rows)]
        if not self.partner:  # officers' own words: police only
            tables.append(
                self.breakdown(
                    "Cancellations, by reason given",
                    d["cancellations"],
                    {},
                    ("month", "year"),
                    ["This month", "12 months"],
                )
            )
        return tables

    def referral_tables(self) -> list[Table]:
        d = self.data
        outcome_columns = ["This month", "12 months", "Received", "Engaged", "Closed"]
        outcome_columns += ["Declined", "Withdrawn"]
        measures = ("month", "year", "received", "engaged", "closed", "declined", "withdrawn")
        note = (
            "Outcomes are of the referrals made in the 12 months, as they stand now."
            if not self.partner
            else ""
        )
        tables = [
            self.breakdown(
                "Referrals by service",
                d["referrals_by_service"],
                LABELS["service"],
                measures,
                outcome_columns,
                note,
                of=(("referrals", "made"),),
            ),
            self.breakdown(
                "Referrals by agency",
                d["referrals_by_agency"],
                {},
                measures,
                outcome_columns,
                note,
                of=(("referrals", "made"),),
            ),
        ]
        if self.partner:
            tables.append(
                Table(
                    "What became of the referrals made in the 12 months",
                    ["12 months"],
                    [
                        Row(m.capitalize(), [self.total("referrals", m)])
                        for m in metrics.REFERRAL_MEASURES
                    ],
                )
            )
        tables += [
            self.breakdown(
                "Declined referrals, by reason",
                d["decline_reasons"],
                LABELS["decline_reason"],
                ("month", "year"),
                ["Made this month", "Made in 12 months"],
                of=(("referrals", "declined"),),
            ),
            self.breakdown(
                "Closed referrals, by outcome",
                d["closed_outcomes"],
                LABELS["closed_outcome"],
                ("month", "year"),
                ["Made this month", "Made in 12 months"],
                of=(("referrals", "closed"),),
            ),
        ]
        return tables

    def enforcement(self) -> list[Table]:
        d, f = self.data, self.fmt
        tables = [
            self.breakdown(
                "Arrests by offence",
                d["arrests_by_offence"],
                LABELS["offence"],
                ("month", "year"),
                ["This month", "12 months"],
                of=(("arrests", "arrests"),),
            )
        ]
        if not self.partner:
            tables += [
                self.breakdown(
                    "Arrests by outcome so far",
                    d["arrest_outcomes"],
                    LABELS["outcome"],
                    ("month", "year"),
                    ["This month", "12 months"],
                ),
                self.breakdown(
                    "Conditional cautions given, by where the course stands now",
                    d["caution_statuses"],
                    LABELS["caution_status"],
                    ("month", "year"),
                    ["Given this month", "Given in 12 months"],
                ),
            ]
        again = d["rearrests"]
        tables.append(
            Table(
                "Re-arrest of cautioned men",
                ["12 months"],
                [
                    # The men cautioned in the 12 months: the cautions row's total.
                    Row("Men given a conditional caution", [self.total("cautions", "cautions")]),
                    Row("… arrested again since", [f.count(again["rearrested"])]),
                ],
                metrics.REARREST_NOTE,
            )
        )
        return tables

    def sightings(self) -> list[Table]:
        def rates(name, measure):
            return self.rates((name, measure), ("returns", "returns"))

        per_patrol = Table(
            "Per patrol (delivered patrols with a return filed)",
            ["This month", "12 months"],
            [
                Row("Women seen per patrol", rates("returns", "women")),
                Row("People met per patrol", rates("encounters", "met")),
                Row("People new to the area per patrol", rates("encounters", "new_people")),
            ],
        )
        tables = [per_patrol, *self.wards()]
        if not self.partner:
            tables += self.hotspots()
        return tables

    def rates(self, numerator, denominator, *, whole: bool = False) -> list[str]:
        """This month's and the 12 months' rate; none built on a suppressed number."""
        top, bottom = self.protected(*numerator), self.protected(*denominator)
        n, d = self.series(*numerator), self.series(*denominator)
        last = len(n) - 1
        month = last in top.hidden or last in bottom.hidden
        year = top.total_hidden or bottom.total_hidden
        return [
            NOT_SHOWN if month else self.fmt.rate(n[-1], d[-1], whole),
            NOT_SHOWN if year else self.fmt.rate(sum(n), sum(d), whole),
        ]

    def wards(self) -> list[Table]:
        linked = (("returns", "returns"), ("returns", "women"), ("encounters", "met"))
        if self.partner and self.withheld(*linked, ("encounters", "new_people")):
            return [withheld_table("By ward, over the 12 months")]
        sightings, met = self.data["wards_sightings"], self.data["wards_encounters"]
        names = sorted(set(sightings) | set(met))
        measures = ("returns", "women", "seen", "new")
        rows = []
        for name in names:
            s, e = sightings.get(name, {}), met.get(name, {})
            rows.append(
                {
                    "label": name,
                    **{f"returns_{p}": s.get(f"returns_{p}", 0) for p in ("month", "year")},
                    **{f"women_{p}": s.get(f"women_{p}", 0) for p in ("month", "year")},
                    **{f"seen_{p}": e.get(f"seen_{p}", 0) for p in ("month", "year")},
                    **{f"new_{p}": e.get(f"new_{p}", 0) for p in ("month", "year")},
                }
            )
        rows.sort(key=lambda r: (-r["women_year"], r["label"]))
        columns = ["Patrols", "Women seen", "People met", "New to the area"]
        if self.partner:
            keys = tuple(f"{m}_year" for m in measures)
            rows = protect(rows, keys)
            return [
                Table(
                    "By ward, over the 12 months",
                    columns,
                    [Row(r["label"], [self.fmt.count(r[k]) for k in keys]) for r in rows],
                    "Patrols and women seen by the patrol's ward; people met by the ward "
                    "where they were met.",
                )
            ]
        note = (
            "Patrols and women seen by the patrol's ward; people met by the ward where "
            "they were met."
        )
        return [
            Table(
                title,
                columns,
                [Row(r["label"], [f"{r[f'{m}_{p}']:,}" for m in measures]) for r in rows],
                note if p == "year" else "",
            )
            for title, p in (
                ("By ward, this month", "month"),
                ("By ward, over the 12 months", "year"),
            )
        ]

    def hotspots(self) -> list[Table]:
        rows = self.data["hotspots"]
        note = (
            "Visits are submitted returns that list the hotspot; people seen are encounters "
            "recorded there."
        )
        month = Table(
            "By hotspot (police only), this month",
            ["Ward", "Visits", "People seen", "New to the area"],
            [Row(r["name"], [r["ward_name"], *(f"{r[k]:,}" for k in MONTH_KEYS)]) for r in rows],
        )
        year = Table(
            "By hotspot (police only), over the 12 months",
            ["Visits", "People seen", "New to the area", "People seen per visit"],
            [
                Row(
                    r["name"],
                    [
                        *(f"{r[k]:,}" for k in YEAR_KEYS),
                        self.fmt.rate(r["seen_year"], r["visits_year"]),
                    ],
                )
                for r in rows
            ],
            note,
        )
        return [month, year]

    def partners(self) -> Table:
        rows = [
            {**r, "key": f"{r['key']}: {LABELS['activity'].get(r['activity'], r['activity'])}"}
            for r in self.data["partner_invitations"]
        ]
        return self.breakdown(
            "Agencies invited to delivered patrols, by activity",
            rows,
            {},
            ("month", "year"),
            ["This month", "12 months"],
        )


MONTH_KEYS = ("visits_month", "seen_month", "new_month")
YEAR_KEYS = ("visits_year", "seen_year", "new_year")


def pairs(items: list) -> list[list]:
    """Charts two to a row (a row never splits over a page)."""
    return [items[n : n + 2] for n in range(0, len(items), 2)]


def withheld_table(title: str, note: str = "") -> Table:
    """A partner-edition table that would add up to a suppressed total."""
    return Table(
        title,
        ["12 months"],
        [Row("All (not shown: it would reveal a small count)", [SECONDARY])],
        note,
    )
