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
    """This process's own peak resident set. Linux's ``ru_maxrss`` would also count the
    parent's resident set at the fork (it is kept across ``exec``): the high-water mark of
    the process's own memory map (``VmHWM``) is read instead where there is one."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """The process's processor time (user and system): on a shared machine this drifts far
    less than the wall clock, which counts the time spent waiting for a CPU."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def whole_report(area_pk: int, month: dt.date) -> dict:
    """Data, charts, the web page and rendering: what the Celery task does for the police
    edition (``build_monthly_report``, in its two steps, so the HTML can be kept)."""
    from accounts.models import Area
    from reporting.models import GeneratedReport, ReportKind
    from reporting.reports import monthly

    started, cpu = time.perf_counter(), cpu_s()
    area = Area.objects.get(pk=area_pk)
    report = GeneratedReport(
        kind=ReportKind.MONTHLY_TREND, area=area, period_start=month, period_end=month
    )
    html = monthly.monthly_html(report)
    html_cpu = cpu_s() - cpu
    pdf = monthly.render(html)
    return {
        "seconds": time.perf_counter() - started,
        "cpu_s": cpu_s() - cpu,
        "data_charts_html_cpu_s": html_cpu,
        "bytes": len(pdf),
        "html": html,
    }


def render_only(html: str) -> dict:
    from core.pdf import render_pdf

    started, cpu = time.perf_counter(), cpu_s()
    pdf = render_pdf(html)
    return {"seconds": time.perf_counter() - started, "cpu_s": cpu_s() - cpu, "bytes": len(pdf)}


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
