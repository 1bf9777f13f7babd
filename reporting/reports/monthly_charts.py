"""The monthly report's charts: matplotlib figures as inline SVG, text kept as text
(``pdftotext`` reads the labels)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .. import metrics
from ..coverage import NOT_PUBLISHED
from .monthly_format import SMALL

if TYPE_CHECKING:
    from .monthly_content import MonthlyReport

# --- Charts ---------------------------------------------------------------------------------


_XML_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)
# An id, or a reference to one: id="x", href="#x", url(#x).
_SVG_ID = re.compile(r'(\bid="|href="#|url\(#)')
_SVG_STYLESHEET = re.compile(r"<style[^>]*>.*?</style>", re.S)  # would style the whole page
_STYLE_ATTRIBUTE = re.compile(r'style="([^"]*)"')
# The root's fixed size: the page sizes the chart (the PDF to its column, a phone to its width).
_SVG_SIZE = re.compile(r'(<svg[^>]*?)\s(?:width|height)="[^"]*"(?:\s(?:width|height)="[^"]*")?')
_SVG_PROPERTIES = {
    "fill",
    "fill-opacity",
    "fill-rule",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "opacity",
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
        coverage = r.data["crime_coverage"]
        with matplotlib.rc_context(
            {"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 7}
        ):
            charts = [
                self.bars(
                    "Friday and Saturday nights covered",
                    [
                        ("Friday and Saturday nights", ambition, [f"{a:,}" for a in ambition]),
                        self.of("Nights with a patrol delivered", "patrols", "weekend_nights"),
                    ],
                ),
                self.bars(
                    "Referrals to support services",
                    [
                        self.of("Made", "referrals", "made"),
                        self.of("Engaged", "referrals", "engaged"),
                    ],
                ),
                self.bars(
                    "Arrests, cautions and diversion courses",
                    [
                        self.of("Arrests", "arrests", "arrests"),
                        self.of("Cautions given", "cautions", "cautions"),
                        self.of("Courses completed", "courses", "completed"),
                        self.of("Courses breached", "courses", "breached"),
                    ],
                ),
                self.bars(
                    "Sightings and people new to the area",
                    [
                        self.of("Women seen", "returns", "women"),
                        self.of("People new to the area", "encounters", "new_people"),
                    ],
                ),
            ]
            if by_type:
                unpublished = [coverage.gap(m) == NOT_PUBLISHED for m in r.w.months]
                charts.append(
                    self.lines(
                        "Recorded crime, types related to street sex work",
                        [
                            (t, r.crime_series([t]), r.crime_cells([t]))
                            for t in metrics.RELEVANT_CRIME_TYPES
                        ],
                        unpublished,
                    )
                )
        return charts

    def of(self, label: str, name: str, measure: str) -> tuple[str, list, list[str]]:
        """A series as the edition publishes it: what may be drawn (None where suppressed)
        and the cells its tables show (so the numbers beside a chart are the table's)."""
        return label, self.r.drawn(name, measure), self.r.protected(name, measure).cells[:-1]

    def figure(self):
        from matplotlib.figure import Figure

        fig = Figure(figsize=(5.1, 2.3))
        ax = fig.add_subplot()
        ax.spines[["top", "right"]].set_visible(False)
        return fig, ax

    def bars(self, title: str, series: list[tuple[str, list, list[str]]]) -> dict:
        fig, ax = self.figure()
        width = 0.8 / len(series)
        top, hidden = 0, []
        for n, (name, values, _) in enumerate(series):
            offsets = [i - 0.4 + width * (n + 0.5) for i in range(len(self.labels))]
            shown = [self.plotted(v) for v in values]  # None: suppressed (disclosure)
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
        what = "Bar chart, a group of bars for each month"
        if hidden:
            what += "; counts under 5 are drawn as one hatched band of the same height"
        return self.finish(fig, ax, title, top, series, what)

    def lines(self, title: str, series: list, unpublished: list[bool] | None = None) -> dict:
        """Lines with a break (NaN) where a value is None: a month without data is a gap,
        shaded and labelled where police.uk has not published it yet."""
        fig, ax = self.figure()
        x = list(range(len(self.labels)))
        top = 0
        drawn = []
        for n, (name, values, _) in enumerate(series):
            shown = [None if v is None else self.plotted(v) for v in values]
            drawn.append((name, shown))
            ax.plot(
                x,
                [float("nan") if v is None else v for v in shown],
                marker="o",
                markersize=2.5,
                label=name,
                color=PALETTE[n],
            )
            top = max([top, *(v for v in shown if v)])
        gap = [i for i, missing in enumerate(unpublished or []) if missing]
        if gap:
            ax.axvspan(gap[0] - 0.5, gap[-1] + 0.5, color="#f3f2f1", zorder=0)
            ax.text(
                (gap[0] + gap[-1]) / 2,
                0.5,
                NOT_PUBLISHED.replace(" by ", "\nby "),
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="center",
                fontsize=6,
                color="#505a5f",
            )
        what = "Line chart, a point for each month"
        if gap:
            what += (
                f"; {', '.join(f'{self.r.w.months[i]:%b %Y}' for i in gap)}: "
                f"{NOT_PUBLISHED}, left as a gap (not drawn as zero)"
            )
        chart = self.finish(fig, ax, title, top, series, what)
        chart["series"] = drawn  # what was drawn, None where nothing was: for tests
        chart["gap"] = [self.r.w.months[i] for i in gap]
        return chart

    def plotted(self, value):
        """None where the partner edition suppresses the value: no bar betrays it."""
        return None if value is None or self.r.fmt.suppressed(value) else value

    def finish(self, fig, ax, title: str, top: float, series: list, what: str) -> dict:
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
        legend = ax.legend(
            loc="lower left", bbox_to_anchor=(0, 1.0), ncols=3, frameon=False, fontsize=6.5
        )
        _margins(fig, ax, len(legend.get_texts()))
        self.count += 1
        months = [f"{m:%b %Y}" for m in self.r.w.months]
        names = [name for name, _, _ in series]
        desc = (
            f"{what}, {months[0]} to {months[-1]}: {', '.join(names)}. "
            "The numbers are in the table that goes with the chart."
        )
        prefix = f"chart{self.count}"
        return {
            "title": title,
            "desc": desc,
            "svg": _accessible(_svg(fig, prefix), prefix, title, desc),
            # The numbers as a table: a row a month, a column a series, cells as published.
            "columns": names,
            "rows": [
                (month, [cells[i] for _, _, cells in series]) for i, month in enumerate(months)
            ],
        }


# The figure's size in points, and the room its text needs (DejaVu Sans: a digit is 0.64 em).
_WIDTH, _HEIGHT = 5.1 * 72, 2.3 * 72
_DIGIT, _TICK_ROOM, _LEGEND_ROW, _X_LABELS = 0.64 * 7, 10, 11.5, 26


def _margins(fig, ax, entries: int) -> None:
    """Room for the y labels, the two-line month labels and the legend's rows above the
    plot, worked out from what they hold: ``tight_layout`` would draw every figure an
    extra time to measure it (half the charts' time)."""
    widest = max(len(f"{tick:,.0f}".replace(",", "")) for tick in ax.get_yticks())
    rows = -(-entries // 3)
    fig.subplots_adjust(
        left=(widest * _DIGIT + _TICK_ROOM) / _WIDTH,
        right=1 - 6 / _WIDTH,
        bottom=_X_LABELS / _HEIGHT,
        top=1 - (rows * _LEGEND_ROW + 4) / _HEIGHT,
    )


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
    svg = _SVG_SIZE.sub(r"\1", _slim(svg), count=1)
    return _SVG_ID.sub(lambda m: f"{m[1]}{prefix}-", svg)


_SVG_NS = "http://www.w3.org/2000/svg"
_NUMBER = re.compile(r"-?\d+\.\d+")


def _slim(svg: str) -> str:
    """What the chart needs of matplotlib's SVG, and nothing else: no metadata, no empty
    ``<defs>``, no group that only carries an id (each bar, tick and label has one), no
    indentation, coordinates to a hundredth of a point. WeasyPrint walks every node of it
    for every chart: this halves its work on the charts (measured: BENCHMARKS.md)."""
    from xml.etree import ElementTree as ET

    ET.register_namespace("", _SVG_NS)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(svg)  # noqa: S314 matplotlib's own output, no DTD: not untrusted
    _unwrap(root)
    for element in root.iter():
        element.tail = None
        if element.text is not None and not element.text.strip():
            element.text = None
        if "d" in element.attrib:
            element.set("d", _NUMBER.sub(_hundredths, " ".join(element.get("d").split())))
    return ET.tostring(root, encoding="unicode")


def _unwrap(parent) -> None:
    for child in list(parent):
        _unwrap(child)
        tag = child.tag.rpartition("}")[2]
        if tag == "metadata" or (tag == "defs" and not len(child)):
            parent.remove(child)
        elif tag == "g" and set(child.attrib) <= {"id"}:
            at = list(parent).index(child)
            parent.remove(child)
            parent[at:at] = list(child)


def _hundredths(match: re.Match) -> str:
    return f"{float(match[0]):.2f}".rstrip("0").rstrip(".")


def _accessible(svg: str, prefix: str, title: str, desc: str) -> str:
    """The chart as an image with a name and a description a screen reader announces."""
    from html import escape

    ids = f"{prefix}-title {prefix}-desc"
    opening = svg.index(">", svg.index("<svg")) + 1
    return (
        svg[: opening - 1].replace("<svg", f'<svg role="img" aria-labelledby="{ids}"', 1)
        + ">"
        + f'<title id="{prefix}-title">{escape(title)}</title>'
        + f'<desc id="{prefix}-desc">{escape(desc)}</desc>'
        + svg[opening:]
    )


def _as_presentation_attributes(match: re.Match) -> str:
    """Inline SVG is styled by the HTML page's CSS, which knows no ``stroke`` or ``fill``:
    move those to attributes (which SVG reads). No style attribute is left where an SVG
    attribute will do: the web page's Content-Security-Policy allows none."""
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
