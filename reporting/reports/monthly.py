"""The monthly trend report for senior leaders, and its partner-safe edition, as a PDF.

``build_monthly_report(report)`` reads every number from ``reporting.metrics`` (a fixed
number of aggregate queries), formats it for the edition, draws the charts with
matplotlib as inline SVG (text kept as text, so ``pdftotext`` reads the labels) and
renders the HTML with WeasyPrint, which may fetch nothing but ``data:`` URLs.

The partner-safe edition shows aggregates only: a count under 5 is shown as "<5" (zero as
0); breakdowns cover the twelve months as a whole and fold categories under 5 into one
"Other" row, so no small count can be read back from a total; places are wards, never
hotspots; there is no intelligence, no arrest detail and no free text typed by officers."""

from __future__ import annotations

import gc
from contextlib import contextmanager

from django.template.loader import render_to_string
from django.utils.text import slugify

from core.pdf import render_pdf

from .. import metrics
from ..models import GeneratedReport, ReportKind
from .monthly_content import MonthlyReport
from .monthly_format import Format


def build_monthly_report(report: GeneratedReport) -> tuple[str, bytes]:
    """The PDF, and (on ``report.web_page``, saved with the file) the report's web page:
    its first page and every chart with its numbers, from the same figures and the same
    edition rules, so the page shows what the PDF holds and draws nothing when viewed."""
    return filename(report), render(monthly_html(report))


def monthly_html(report: GeneratedReport) -> str:
    """The PDF's HTML; the web page is kept on ``report.web_page``."""
    context = monthly_content(report).context()  # the charts drawn once, for both
    report.web_page = render_to_string("reporting/reports/monthly_page.html", context)
    return render_to_string("reporting/monthly/report.html", context)


def render(html: str) -> bytes:
    """WeasyPrint, with what the job built before it (Django, the data, matplotlib) kept
    out of the garbage collector's passes: WeasyPrint allocates heavily, and every full
    pass would walk those objects again (measured: BENCHMARKS.md, section 3)."""
    with _frozen_heap():
        return render_pdf(html)


@contextmanager
def _frozen_heap():
    gc.collect()  # what the data and the charts left behind is freed, not frozen
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def monthly_content(report: GeneratedReport) -> MonthlyReport:
    """Every figure of the report, in its edition (a fixed number of aggregate queries)."""
    partner = report.kind == ReportKind.MONTHLY_TREND_PARTNER
    data = metrics.collect(report.area, report.period_start, police=not partner)
    return MonthlyReport(report, data, Format(partner))


def web_page(content: MonthlyReport) -> str:
    """The report's web page content alone (HTML, its values escaped by the template), as
    ``build_monthly_report`` keeps it beside the PDF."""
    return render_to_string("reporting/reports/monthly_page.html", content.web_context())


def filename(report: GeneratedReport) -> str:
    """Names the area, month and edition: never anything about a person."""
    edition = "partner-safe" if report.kind == ReportKind.MONTHLY_TREND_PARTNER else "police"
    return f"monthly-trend-{slugify(report.area.name)}-{report.period_start:%Y-%m}-{edition}.pdf"
