"""The monthly report's content: headline, trends and the breakdown tables, each number
formatted for the edition (``monthly_format``)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from .. import metrics
from ..coverage import NOT_IMPORTED, NOT_PUBLISHED
from ..evaluation.report import appendix
from ..models import GeneratedReport
from ..selectors import latest_evidence
from .disclosure import SECONDARY, Protected, exact_row, protect_row
from .monthly_charts import Charts
from .monthly_format import (
    LABELS,
    NOT_PUBLISHED_CELL,
    NOT_SHOWN,
    Format,
    Row,
    Table,
    protect,
)
from .monthly_summary import Summary


class MonthlyReport:
    def __init__(self, report: GeneratedReport, data: dict, fmt: Format):
        self.report, self.data, self.fmt = report, data, fmt
        self.w: metrics.Window = data["window"]
        self.partner = fmt.partner
        self._rows: dict[tuple[str, str], Protected] = {}
        # The Evidence page's newest stored figures, read once (never worked out here).
        self.evidence = latest_evidence(report.area)

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
        w = self.w
        return {
            "partner": self.partner,
            "area": self.report.area.name,
            "month": f"{w.first:%B %Y}",
            "window": f"{w.start:%B %Y} to {w.first:%B %Y}",
            "built": f"{timezone.localtime():%Y-%m-%d %H:%M}",
            "months": [f"{m:%b %Y}" for m in w.months],
            "summary": Summary(self).context(),  # the first page
            "headline": self.headline(),
            "trend": self.trend(),
            "chart_rows": pairs(Charts(self).all()),
            # The Evidence page in brief; what each edition may show: evaluation.report.
            "sections": [*self.sections(), appendix(self.evidence, w.last, self.fmt)],
            "rearrest_note": metrics.REARREST_NOTE,
            "relevant_crime_types": metrics.RELEVANT_CRIME_TYPES,
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
            {"title": "Street offences and recorded crime", "tables": [self.crime_table()]},
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
        tables = [per_patrol, self.wards()]
        if not self.partner:
            tables.append(self.hotspots())
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

    def wards(self) -> Table:
        linked = (("returns", "returns"), ("returns", "women"), ("encounters", "met"))
        if self.partner and self.withheld(*linked, ("encounters", "new_people")):
            return withheld_table("By ward, over the 12 months")
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
            return Table(
                "By ward, over the 12 months",
                columns,
                [Row(r["label"], [self.fmt.count(r[k]) for k in keys]) for r in rows],
                "Patrols and women seen by the patrol's ward; people met by the ward "
                "where they were met.",
            )
        keys = [f"{m}_{p}" for m in measures for p in ("month", "year")]
        return Table(
            "By ward (this month / 12 months)",
            [f"{c}: {p}" for c in columns for p in ("month", "12 months")],
            [Row(r["label"], [f"{r[k]:,}" for k in keys]) for r in rows],
            "Patrols and women seen by the patrol's ward; people met by the ward where "
            "they were met.",
        )

    def hotspots(self) -> Table:
        rows = self.data["hotspots"]
        keys = ("visits_month", "visits_year", "seen_month", "seen_year")
        keys += ("new_month", "new_year")
        return Table(
            "By hotspot (police only)",
            ["Ward", "Visits: month", "12 months", "People seen: month", "12 months"]
            + ["New: month", "12 months", "Seen per visit (12 months)"],
            [
                Row(
                    r["name"],
                    [r["ward_name"], *(f"{r[k]:,}" for k in keys)]
                    + [self.fmt.rate(r["seen_year"], r["visits_year"])],
                )
                for r in rows
            ],
            "Visits are submitted returns that list the hotspot; people seen are encounters "
            "recorded there.",
        )

    def crime_series(self, types) -> list[int | None]:
        """Recorded crime of ``types`` per month; None for a month without data (a gap,
        never a zero): ``reporting.coverage`` says which months have data."""
        by_type, _ = self.data["crimes"]
        coverage = self.data["crime_coverage"]
        return [
            None if coverage.gap(m) else sum(by_type.get(t, {}).get(m, 0) for t in types)
            for m in self.w.months
        ]

    def crime_table(self) -> Table:
        by_type, sources = self.data["crimes"]
        coverage = self.data["crime_coverage"]
        months = self.w.months
        relevant = list(metrics.RELEVANT_CRIME_TYPES)
        other = [t for t in sorted(by_type) if t not in relevant]

        def row(label, types):
            vals = self.crime_series(types)
            cells = [
                NOT_PUBLISHED_CELL
                if v is None and coverage.gap(m) == NOT_PUBLISHED
                else NOT_SHOWN
                if v is None
                else self.fmt.count(v)
                for v, m in zip(vals, months, strict=True)
            ]
            known = [v for v in vals if v is not None]
            # Published police.uk figures: no person behind a total to protect.
            return Row(label, [*cells, self.fmt.total(known, about_people=False)])

        rows = [row(t, [t]) for t in relevant]
        rows += [row("All relevant types", relevant), row("All other types", other)]
        rows.append(row("All recorded crime", relevant + other))
        unpublished = [f"{m:%b %Y}" for m in months if coverage.gap(m) == NOT_PUBLISHED]
        missing = [f"{m:%b %Y}" for m in months if coverage.gap(m) == NOT_IMPORTED]
        local = [f"{m:%b %Y}" for m in months if sources.get(m) == "weekly"]
        notes = [
            f"Imported police.uk street-level data for the area, {coverage.words()}. "
            "police.uk publishes categories, not offences: soliciting, loitering and kerb "
            "crawling are not shown separately and, where recorded, fall within broader "
            "categories such as Other crime, Public order and Anti-social behaviour. The "
            "operation's own kerb-crawling arrests are counted under arrests."
        ]
        if local:
            notes.append(f"From local weekly extracts (no police.uk file yet): {', '.join(local)}.")
        if unpublished:
            notes.append(
                f"{NOT_PUBLISHED_CELL.capitalize()} ({NOT_PUBLISHED}): {', '.join(unpublished)}; "
                "these months are gaps, not zeros, and the 12-month total leaves them out."
            )
        if missing:
            notes.append(f"No crime data imported for: {', '.join(missing)}.")
        return Table(
            "Recorded crime by type",
            [*(f"{m:%b %Y}" for m in months), "12 months"],
            rows,
            " ".join(notes),
        )

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
