"""Report builders: each takes a GeneratedReport and returns (filename, PDF bytes).

Builders import WeasyPrint and matplotlib lazily (they cost ~1.3 s to import), so web
processes that never build a report never pay for them.
"""

from collections.abc import Callable

from ..models import GeneratedReport, ReportKind

Builder = Callable[[GeneratedReport], tuple[str, bytes]]


def builder_for(kind: str) -> Builder:
    if kind == ReportKind.WEEKLY_DEPLOYMENT:
        from .weekly import build_weekly_sheet

        return build_weekly_sheet
    if kind in (ReportKind.MONTHLY_TREND, ReportKind.MONTHLY_TREND_PARTNER):
        from .monthly import build_monthly_report

        return build_monthly_report
    raise ValueError(f"No builder for report kind {kind!r}")
