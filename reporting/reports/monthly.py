"""The monthly trend report for senior leaders, and its partner-safe edition, as a PDF.

``build_monthly_report(report)`` reads every number from ``reporting.metrics`` (a fixed
number of aggregate queries), formats it for the edition, draws the charts with
matplotlib as inline SVG (text kept as text, so ``pdftotext`` reads the labels) and
renders the HTML with WeasyPrint, which may fetch nothing but ``data:`` URLs.

The partner-safe edition shows aggregates only: a count under 5 is shown as "<5" (zero as
0); breakdowns cover the twelve months as a whole and fold categories under 5 into one
"Other" row, so no small count can be read back from a total; places are wards, never
hotspots; there is no intelligence, no arrest detail and no free text typed by officers.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from partners.models import ServiceType
from patrols.models import ArrestOutcome, CautionStatus, EngagementActivity, Offence
from referrals.models import ClosedOutcome, DeclineReason

from .. import metrics
from ..evaluation.report import appendix
from ..models import GeneratedReport, ReportKind

SMALL = 5  # counts from 1 up to this (exclusive) are suppressed in the partner edition
OTHER = "Other (each under 5, combined)"
NOT_SHOWN = "—"
# Series that count the operation's own effort rather than people or what befell them.
OPERATIONAL = {"patrols", "hours", "partner_patrols"}

LABELS = {
    "service": dict(ServiceType.choices),
    "decline_reason": dict(DeclineReason.choices),
    "closed_outcome": dict(ClosedOutcome.choices),
    "offence": dict(Offence.choices),
    "outcome": dict(ArrestOutcome.choices),
    "caution_status": dict(CautionStatus.choices),
    "activity": dict(EngagementActivity.choices),
}


def build_monthly_report(report: GeneratedReport) -> tuple[str, bytes]:
    partner = report.kind == ReportKind.MONTHLY_TREND_PARTNER
    data = metrics.collect(report.area, report.period_start, police=not partner)
    context = MonthlyReport(report, data, Format(partner)).context()
    html = render_to_string("reporting/monthly/report.html", context)
    return filename(report), render_pdf(html)


def filename(report: GeneratedReport) -> str:
    """Names the area, month and edition: never anything about a person."""
    edition = "partner-safe" if report.kind == ReportKind.MONTHLY_TREND_PARTNER else "police"
    return f"monthly-trend-{slugify(report.area.name)}-{report.period_start:%Y-%m}-{edition}.pdf"


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # WeasyPrint announces each rendering step at INFO; a worker's log needs none of it.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

    # Everything is inline; anything else (a stray link to the network) is skipped.
    fetcher = URLFetcher(allowed_protocols=("data",), timeout=1)
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()


# --- Numbers as the edition shows them --------------------------------------------------------


@dataclass(frozen=True)
class Format:
    partner: bool

    def suppressed(self, n) -> bool:
        return self.partner and 0 < n < SMALL

    def count(self, n: int) -> str:
        return "<5" if self.suppressed(n) else f"{n:,}"

    def hours(self, hours: Decimal) -> str:
        return "<5" if self.suppressed(hours) else f"{hours:,.1f}"

    def rate(self, numerator, denominator) -> str:
        """A rate per patrol; the partner edition shows none built on small numbers."""
        if not denominator or (self.partner and min(numerator, denominator) < SMALL):
            return NOT_SHOWN
        return f"{numerator / denominator:.1f}"

    def total(self, values: list[int], about_people: bool = True) -> str:
        """A row total. Where exactly one cell is suppressed the total would give it away,
        which matters for counts of people and what happened to them (not of patrols)."""
        single = sum(1 for v in values if self.suppressed(v)) == 1
        if self.partner and about_people and single:
            return NOT_SHOWN
        return self.count(sum(values))


def protect(rows: list[dict], measures: tuple[str, ...]) -> list[dict]:
    """Fold rows with a small count into one "Other" row, then fold more (smallest first)
    until that row has no small count either: no category under 5 is listed, and no small
    count can be worked out from the total."""
    shown = [r for r in rows if not any(0 < r[m] < SMALL for m in measures)]
    other = {m: sum(r[m] for r in rows if r not in shown) for m in measures}
    while shown and any(0 < other[m] < SMALL for m in measures):
        measure = next(m for m in measures if 0 < other[m] < SMALL)
        smallest = min((r for r in shown if r[measure]), key=lambda r: r[measure], default=None)
        if smallest is None:
            break
        shown.remove(smallest)
        for m in measures:
            other[m] += smallest[m]
    if any(other.values()):
        shown.append({"label": OTHER, **other})
    return shown


# --- The report's content ---------------------------------------------------------------------


@dataclass
class Row:
    label: str
    cells: list[str]
    note: str = ""


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[Row]
    note: str = ""


class MonthlyReport:
    def __init__(self, report: GeneratedReport, data: dict, fmt: Format):
        self.report, self.data, self.fmt = report, data, fmt
        self.w: metrics.Window = data["window"]
        self.partner = fmt.partner

    def series(self, name: str, measure: str) -> list:
        empty = Decimal(0) if measure == "hours" else 0
        return [self.data[name].get(month, {}).get(measure, empty) for month in self.w.months]

    def total(self, name: str, measure: str) -> str:
        operational = name in OPERATIONAL or measure == "returns"
        return self.fmt.total(self.series(name, measure), about_people=not operational)

    def context(self) -> dict:
        w = self.w
        return {
            "partner": self.partner,
            "area": self.report.area.name,
            "month": f"{w.first:%B %Y}",
            "window": f"{w.start:%B %Y} to {w.first:%B %Y}",
            "built": f"{timezone.localtime():%Y-%m-%d %H:%M}",
            "months": [f"{m:%b %Y}" for m in w.months],
            "headline": self.headline(),
            "trend": self.trend(),
            "charts": Charts(self).all(),
            # The Evidence page in brief; what each edition may show: evaluation.report.
            "sections": [*self.sections(), appendix(self.report.area, w.last, self.fmt)],
            "rearrest_note": metrics.REARREST_NOTE,
            "relevant_crime_types": metrics.RELEVANT_CRIME_TYPES,
        }

    # Key numbers -----------------------------------------------------------------------------

    def headline(self) -> list[Row]:
        f, d = self.fmt, self.data
        ambition = [metrics.friday_saturday_nights(m) for m in self.w.months]
        covered = self.series("patrols", "weekend_nights")

        def both(name, measure):
            return [f.count(self.series(name, measure)[-1]), self.total(name, measure)]

        engaged_now = self.series("encounters", "people_engaged")[-1]
        return [
            Row("Patrols delivered", both("patrols", "delivered")),
            Row(
                "Friday and Saturday nights covered",
                [
                    f"{f.count(covered[-1])} of {ambition[-1]}",
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
        f = self.fmt

        def row(label, name, measure, hours=False):
            values = self.series(name, measure)
            cells = [f.hours(v) if hours else f.count(v) for v in values]
            total = f.hours(sum(values)) if hours else self.total(name, measure)
            return Row(label, [*cells, total])

        ambition = [metrics.friday_saturday_nights(m) for m in self.w.months]
        patrols = [
            *([] if self.partner else [row("Patrols planned", "patrols", "planned")]),
            row("Patrols delivered", "patrols", "delivered"),
            row("Patrols cancelled", "patrols", "cancelled"),
            Row("Friday and Saturday nights", [*map(str, ambition), str(sum(ambition))]),
            row("… with a patrol delivered", "patrols", "weekend_nights"),
            row("Officer hours", "hours", "hours", hours=True),
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

    def breakdown(self, title, rows, labels, measures, columns, note="") -> Table:
        """Rows keyed by category; the partner edition keeps the 12-month column only,
        protected by ``protect``."""
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
        f, d = self.fmt, self.data
        returns = self.series("returns", "returns")
        delivered = self.series("patrols", "delivered")
        hours = self.series("hours", "hours")
        rows = [
            Row(
                "Officer hours per delivered patrol",
                [f.rate(hours[-1], delivered[-1]), f.rate(sum(hours), sum(delivered))],
            ),
            Row(
                "Patrols delivered with a return filed",
                [f.count(returns[-1]), self.total("returns", "returns")],
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
            ),
            self.breakdown(
                "Referrals by agency",
                d["referrals_by_agency"],
                {},
                measures,
                outcome_columns,
                note,
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
            ),
            self.breakdown(
                "Closed referrals, by outcome",
                d["closed_outcomes"],
                LABELS["closed_outcome"],
                ("month", "year"),
                ["Made this month", "Made in 12 months"],
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
                    Row("Men given a conditional caution", [f.count(again["cautioned"])]),
                    Row("… arrested again since", [f.count(again["rearrested"])]),
                ],
                metrics.REARREST_NOTE,
            )
        )
        return tables

    def sightings(self) -> list[Table]:
        f = self.fmt
        women = self.series("returns", "women")
        returns = self.series("returns", "returns")
        new = self.series("encounters", "new_people")
        met = self.series("encounters", "met")

        def rates(values):
            return [f.rate(values[-1], returns[-1]), f.rate(sum(values), sum(returns))]

        per_patrol = Table(
            "Per patrol (delivered patrols with a return filed)",
            ["This month", "12 months"],
            [
                Row("Women seen per patrol", rates(women)),
                Row("People met per patrol", rates(met)),
                Row("People new to the area per patrol", rates(new)),
            ],
        )
        tables = [per_patrol, self.wards()]
        if not self.partner:
            tables.append(self.hotspots())
        return tables

    def wards(self) -> Table:
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

    def crime_table(self) -> Table:
        by_type, sources = self.data["crimes"]
        months = self.w.months
        relevant = list(metrics.RELEVANT_CRIME_TYPES)
        other = [t for t in sorted(by_type) if t not in relevant]

        def values(types):
            return [sum(by_type.get(t, {}).get(m, 0) for t in types) for m in months]

        def row(label, types):
            vals = values(types)
            cells = [
                self.fmt.count(v) if m in sources else NOT_SHOWN
                for v, m in zip(vals, months, strict=True)
            ]
            # Published police.uk figures: no person behind a total to protect.
            return Row(label, [*cells, self.fmt.total(vals, about_people=False)])

        rows = [row(t, [t]) for t in relevant]
        rows += [row("All relevant types", relevant), row("All other types", other)]
        rows.append(row("All recorded crime", relevant + other))
        missing = [f"{m:%b %Y}" for m in months if m not in sources]
        local = [f"{m:%b %Y}" for m in months if sources.get(m) == "weekly"]
        notes = [
            "Imported police.uk street-level data for the area (one month behind at best). "
            "police.uk publishes categories, not offences: soliciting, loitering and kerb "
            "crawling are not shown separately and, where recorded, fall within broader "
            "categories such as Other crime, Public order and Anti-social behaviour. The "
            "operation's own kerb-crawling arrests are counted under arrests."
        ]
        if local:
            notes.append(f"From local weekly extracts (no police.uk file yet): {', '.join(local)}.")
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


# --- Charts ---------------------------------------------------------------------------------


_XML_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)
# An id, or a reference to one: id="x", href="#x", url(#x).
_SVG_ID = re.compile(r'(\bid="|href="#|url\(#)')
_SVG_STYLESHEET = re.compile(r"<style[^>]*>.*?</style>", re.S)  # would style the whole page
_STYLE_ATTRIBUTE = re.compile(r'style="([^"]*)"')
_SVG_PROPERTIES = {
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "stroke-width",
    "text-anchor",
}
PALETTE = ["#1d70b8", "#f47738", "#00703c", "#d4351c", "#4c2c92", "#505a5f"]


class Charts:
    """matplotlib figures as inline SVG. matplotlib is imported here, in the builder only."""

    def __init__(self, report: MonthlyReport):
        self.r = report
        months = report.w.months
        # The year under the first month and under each January.
        self.labels = [
            f"{m:%b}\n{m:%Y}" if n == 0 or m.month == 1 else f"{m:%b}" for n, m in enumerate(months)
        ]
        self.count = 0

    def all(self) -> list[dict]:
        import matplotlib

        matplotlib.use("Agg")
        r = self.r
        ambition = [metrics.friday_saturday_nights(m) for m in r.w.months]
        by_type, _ = r.data["crimes"]
        with matplotlib.rc_context(
            {"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 7}
        ):
            charts = [
                self.bars(
                    "Friday and Saturday nights covered",
                    [
                        ("Friday and Saturday nights", ambition),
                        ("Nights with a patrol delivered", r.series("patrols", "weekend_nights")),
                    ],
                ),
                self.bars(
                    "Referrals to support services",
                    [
                        ("Made", r.series("referrals", "made")),
                        ("Engaged", r.series("referrals", "engaged")),
                    ],
                ),
                self.bars(
                    "Arrests, cautions and diversion courses",
                    [
                        ("Arrests", r.series("arrests", "arrests")),
                        ("Cautions given", r.series("cautions", "cautions")),
                        ("Courses completed", r.series("courses", "completed")),
                        ("Courses breached", r.series("courses", "breached")),
                    ],
                ),
                self.bars(
                    "Sightings and people new to the area",
                    [
                        ("Women seen", r.series("returns", "women")),
                        ("People new to the area", r.series("encounters", "new_people")),
                    ],
                ),
            ]
            if by_type:
                charts.append(
                    self.lines(
                        "Recorded crime, types related to street sex work",
                        [
                            (t, [by_type.get(t, {}).get(m, 0) for m in r.w.months])
                            for t in metrics.RELEVANT_CRIME_TYPES
                        ],
                    )
                )
        return charts

    def figure(self):
        from matplotlib.figure import Figure

        fig = Figure(figsize=(5.1, 2.3))
        ax = fig.add_subplot()
        ax.spines[["top", "right"]].set_visible(False)
        return fig, ax

    def bars(self, title: str, series: list[tuple[str, list[int]]]) -> dict:
        fig, ax = self.figure()
        width = 0.8 / len(series)
        top, hidden = 0, []
        for n, (name, values) in enumerate(series):
            offsets = [i - 0.4 + width * (n + 0.5) for i in range(len(self.labels))]
            shown = [self.plotted(v) for v in values]
            ax.bar(offsets, [v or 0 for v in shown], width, label=name, color=PALETTE[n])
            top = max([top, *(v for v in shown if v)])
            hidden += [x for x, v in zip(offsets, shown, strict=True) if v is None]
        if hidden:  # one band for every small count, the same height, so none is told apart
            ax.bar(
                hidden,
                [SMALL] * len(hidden),
                width,
                color="none",
                edgecolor="#505a5f",
                hatch="////",
                linewidth=0.4,
                label="Under 5 (not shown)",
            )
            top = max(top, SMALL)
        return self.finish(fig, ax, title, top)

    def lines(self, title: str, series: list[tuple[str, list[int]]]) -> dict:
        fig, ax = self.figure()
        x = list(range(len(self.labels)))
        top = 0
        for n, (name, values) in enumerate(series):
            shown = [self.plotted(v) for v in values]
            ax.plot(
                x,
                [float("nan") if v is None else v for v in shown],
                marker="o",
                markersize=2.5,
                label=name,
                color=PALETTE[n],
            )
            top = max([top, *(v for v in shown if v)])
        return self.finish(fig, ax, title, top)

    def plotted(self, value):
        """None where the partner edition suppresses the value: no bar betrays it."""
        return None if self.r.fmt.suppressed(value) else value

    def finish(self, fig, ax, title: str, top: float) -> dict:
        from matplotlib.ticker import MaxNLocator, MultipleLocator

        ax.set_xticks(range(len(self.labels)), self.labels)
        ax.tick_params(axis="both", length=2)
        if self.r.partner:  # ticks in fives (or more) so no axis label reads as a small count
            step = next(s for s in _steps() if top <= 5 * s)
            ax.yaxis.set_major_locator(MultipleLocator(step))
            ax.set_ylim(0, max(step, step * -(-top // step)))
        else:
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylim(0, max(1, top * 1.1))
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=3, frameon=False, fontsize=6.5)
        fig.tight_layout()
        self.count += 1
        return {"title": title, "svg": _svg(fig, f"chart{self.count}")}


def _steps():
    for power in range(9):
        for base in (5, 10, 20, 25):
            yield base * 10**power


def _svg(fig, prefix: str) -> str:
    """The figure as an ``<svg>`` element, its ids prefixed: several charts share a page."""
    import io

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = _XML_PROLOGUE.sub("", buffer.getvalue(), count=1)
    svg = _SVG_STYLESHEET.sub("", svg)
    svg = _STYLE_ATTRIBUTE.sub(_as_presentation_attributes, svg)
    return _SVG_ID.sub(lambda m: f"{m[1]}{prefix}-", svg)


def _as_presentation_attributes(match: re.Match) -> str:
    """Inline SVG is styled by the HTML page's CSS, which knows no ``stroke`` or ``fill``:
    move those to attributes (which SVG reads) and keep the rest (fonts) as style."""
    attributes, style = [], []
    for declaration in match[1].split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name in _SVG_PROPERTIES:
            attributes.append(f'{name}="{value}"')
        elif name:
            style.append(f"{name}: {value}")
    if style:
        attributes.append(f'style="{"; ".join(style)}"')
    return " ".join(attributes)
