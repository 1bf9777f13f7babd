"""The monthly report reads as a leader reads it: whole hours with their unit, and no page
that holds nothing but a heading."""

import re
import shutil
import subprocess
from decimal import Decimal

import pytest

from patrols.models import OfficerHours
from reporting.models import ReportKind
from reporting.reports.monthly import build_monthly_report
from reporting.reports.monthly_format import Format
from tests.reporting.test_monthly import (
    MARCH,
    PDFTOTEXT,
    needs_pdftotext,
    report_for,
    world,  # noqa: F401 - the fixture
)

pytestmark = pytest.mark.django_db
PDFINFO = shutil.which("pdfinfo") or "/usr/bin/pdfinfo"

EDITIONS = (ReportKind.MONTHLY_TREND, ReportKind.MONTHLY_TREND_PARTNER)
HEADINGS = ("Charts", "Key numbers", "Trend over the 12 months", "Appendix: does it work?")
# Page furniture pdftotext reads on every page.
FURNITURE = re.compile(
    r"OFFICIAL(-SENSITIVE)?|Monthly trend report · .*|Page \d+ of \d+|"
    r"Police edition: not for circulation outside the police|"
    r"Partner-safe edition: aggregate figures only"
)


def pages(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    count = int(
        re.search(
            r"Pages:\s+(\d+)",
            subprocess.run(  # noqa: S603 - fixed argv
                [PDFINFO, str(path)], capture_output=True, text=True, check=True
            ).stdout,
        )[1]
    )
    return [
        subprocess.run(  # noqa: S603 - fixed argv
            [PDFTOTEXT, "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, count + 1)
    ]


def body(page: str) -> str:
    return " ".join(FURNITURE.sub(" ", page).split())


@pytest.fixture
def part_hours(world):  # noqa: F811 - the fixture
    """Officer time in March that is not a whole number of hours."""
    first = OfficerHours.objects.filter(work_return__started_at__date=MARCH.replace(day=7))
    OfficerHours.objects.filter(pk=first.first().pk).update(hours=Decimal("8.75"))
    return world


@needs_pdftotext
@pytest.mark.parametrize("kind", EDITIONS)
def test_no_page_holds_only_a_heading_and_hours_are_whole(part_hours, kind, tmp_path):
    texts = pages(build_monthly_report(report_for(part_hours.area, kind))[1], tmp_path)
    for n, text in enumerate(texts, start=1):
        left = body(text)
        assert left, f"page {n} is blank"
        assert left not in HEADINGS, f"page {n} holds only the heading {left!r}"
        assert len(left.split()) > 12, f"page {n} holds next to nothing: {left!r}"
    text = "\n".join(texts)
    assert "Officer hours (whole hours)" in text
    assert "Measure (number, unless stated)" in text
    hours = [line for line in text.splitlines() if "(whole hours)" in line]
    assert hours
    assert not [line for line in hours if re.search(r"\d\.\d", line)]  # not "2,224.0"
    if kind == ReportKind.MONTHLY_TREND:  # 7 returns × 2 officers × 8 hours, one 8.75
        assert re.search(r"Officer hours \(whole hours\)\s.*\s113\s", text)


def test_hours_and_hour_rates_are_whole():
    assert Format(partner=False).hours(Decimal("2224.4")) == "2,224"
    assert Format(partner=False).rate(7, 2, whole=True) == "4"
    assert Format(partner=False).rate(7, 2) == "3.5"
