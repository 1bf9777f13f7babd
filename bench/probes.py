"""Run one measured step in a fresh process, so its peak memory is its own:
``python -m bench.probes whole_report <area pk> <month>`` or ``render_only_from <html file>``.
Prints one JSON line.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
import tempfile
import time


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def whole_report(area_pk: int, month: dt.date) -> dict:
    """Data, charts and rendering: what the Celery task does for the police edition."""
    from django.template.loader import render_to_string

    from accounts.models import Area
    from core.pdf import render_pdf
    from reporting import metrics
    from reporting.models import GeneratedReport, ReportKind
    from reporting.reports.monthly_content import MonthlyReport
    from reporting.reports.monthly_format import Format

    started = time.perf_counter()
    area = Area.objects.get(pk=area_pk)
    report = GeneratedReport(
        kind=ReportKind.MONTHLY_TREND, area=area, period_start=month, period_end=month
    )
    data = metrics.collect(area, month, police=True)
    html = render_to_string(
        "reporting/monthly/report.html", MonthlyReport(report, data, Format(False)).context()
    )
    pdf = render_pdf(html)
    return {"seconds": time.perf_counter() - started, "bytes": len(pdf), "html": html}


def render_only(html: str) -> dict:
    from core.pdf import render_pdf

    started = time.perf_counter()
    pdf = render_pdf(html)
    return {"seconds": time.perf_counter() - started, "bytes": len(pdf)}


def main(argv: list[str]) -> None:
    import django

    django.setup()
    if argv[0] == "whole_report":
        result = whole_report(int(argv[1]), dt.date.fromisoformat(argv[2]))
        with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False) as f:
            f.write(result.pop("html"))
        result["html_file"] = f.name
    else:
        with open(argv[1]) as f:
            result = render_only(f.read())
    result["peak_mb"] = peak_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ephedra.settings")
    main(sys.argv[1:])
