"""The Evidence page's event-time chart: the change in crime near the hotspots, month by
month from 6 months before patrols began to 12 after, against the month before
(``staggered``), with 95% interval bars.

Drawn with matplotlib like the monthly report's charts and turned into inline SVG by the
same code (``reporting.reports.monthly_charts``): text kept as text, an image with a title
and a description for screen readers, as wide as the page allows, no style attributes
(the site's content security policy allows none). The numbers are also given as a table.
matplotlib costs a second or more to import, so the job draws the chart (``drawn``) and
stores it with the figures; the page only draws one for figures stored without it.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from . import words
from .staggered import EventTime, Staggered

TITLE = "Change in relevant crime near the hotspots, by months since patrols began"
TICKS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 4.0, 10.0)
PREFIX = "event-chart"  # the SVG's ids


def drawn(result: Staggered) -> Staggered:
    """``result`` with its chart, drawn once by the job that works the figures out, so
    that the page never pays for matplotlib."""
    if not result.conclusive or not result.events:
        return result
    return replace(result, svg=_drawn(result.events))


def chart(result: Staggered) -> dict | None:
    """The chart and its numbers for the page; None without an estimate."""
    if not result.conclusive or not result.events:
        return None
    return {
        "title": TITLE,
        "svg": result.svg or _drawn(result.events),
        "rows": [_row(p) for p in result.events],
    }


def description(events: tuple[EventTime, ...]) -> str:
    before = [p for p in events if p.estimate is not None and p.event < 0]
    after = [p for p in events if p.estimate is not None and p.event >= 0]
    clear = lambda points: sum(p.estimate.clear for p in points)  # noqa: E731
    return (
        f"Points with 95% confidence interval bars for each month from {events[0].event} "
        f"to +{events[-1].event} months, against the month before patrols began (−1, no "
        f"change by definition). Before patrols: {clear(before)} of {len(before)} months "
        f"differ clearly from no change; after: {clear(after)} of {len(after)}. "
        "The numbers are in the table below the chart."
    )


def _row(p: EventTime) -> dict:
    e = p.estimate
    return {
        "event": f"{p.event:+d}" if p.event else "0",
        "change": "reference" if e is None else words.signed(e.ratio),
        "interval": "" if e is None else f"{words.signed(e.low)} to {words.signed(e.high)}",
        "cohorts": p.cohorts,
        "places": p.places,
        "before": p.event < 0,
    }


@functools.lru_cache(maxsize=32)
def _drawn(events: tuple[EventTime, ...]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.ticker import FuncFormatter, NullLocator

    from ..reports.monthly_charts import PALETTE, _accessible, _svg  # one home for SVG

    with matplotlib.rc_context(
        {"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 7}
    ):
        from matplotlib.figure import Figure

        fig = Figure(figsize=(5.6, 2.6))
        ax = fig.add_subplot()
        ax.spines[["top", "right"]].set_visible(False)
        ax.axhline(1, color="#505a5f", linewidth=0.8)
        ax.axvline(-0.5, color="#505a5f", linewidth=0.6, linestyle="--")
        for before, colour, label in ((True, PALETTE[5], "Before"), (False, PALETTE[0], "After")):
            points = [p for p in events if p.estimate and (p.event < 0) == before]
            if not points:
                continue
            x = [p.event for p in points]
            y = [p.estimate.ratio for p in points]
            low = [p.estimate.ratio - p.estimate.low for p in points]
            high = [p.estimate.high - p.estimate.ratio for p in points]
            ax.errorbar(
                x,
                y,
                yerr=[low, high],
                fmt="o",
                markersize=3,
                capsize=2,
                linewidth=0.8,
                color=colour,
                label=f"{label} patrols began",
            )
        ax.plot(
            [-1],
            [1],
            "o",
            markersize=4,
            markerfacecolor="white",
            color="#0b0c0c",
            label="Reference: the month before",
        )
        ax.set_yscale("log")  # a halving as far from 0% as a doubling
        ends = [x for p in events if p.estimate for x in (p.estimate.low, p.estimate.high)]
        ax.set_yticks([r for r in TICKS if min(ends) / 1.5 <= r <= max(ends) * 1.5])
        ax.yaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: words.signed(v)))
        ax.set_xticks([p.event for p in events])
        ax.set_xlabel("Months since patrols began")
        ax.tick_params(axis="both", length=2)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=3, frameon=False, fontsize=6.5)
        fig.tight_layout()
        svg = _svg(fig, PREFIX)
    return _accessible(svg, PREFIX, TITLE, description(events))
