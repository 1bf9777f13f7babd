"""The monthly report reads as a leader reads it: whole hours with their unit, and no page
that holds nothing but a heading."""

import re
import shutil
import subprocess
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string

from patrols.models import OfficerHours
from reporting import metrics
from reporting.models import ReportKind
from reporting.reports.monthly import build_monthly_report
from reporting.reports.monthly_content import MonthlyReport
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


# --- Tables a person can read, and no blank page as an image ------------------------------------

WIDEST = 8  # columns, the row labels included: six months and a total beside the label
PDFTOPPM = shutil.which("pdftoppm") or "/usr/bin/pdftoppm"
INK = 0.01  # a page with less than 1% of its pixels inked is blank (a heading alone: ~0.3%)


class Columns(HTMLParser):
    """The number of columns of each table's header row."""

    def __init__(self):
        super().__init__()
        self.widths: list[tuple[str, int]] = []
        self._head = False

    def handle_starttag(self, tag, attrs):
        if tag == "thead":
            self._head = True
            self.widths.append(("", 0))
        elif tag == "th" and self._head:
            caption, width = self.widths[-1]
            self.widths[-1] = (caption, width + int(dict(attrs).get("colspan") or 1))

    def handle_endtag(self, tag):
        if tag == "thead":
            self._head = False


@pytest.mark.parametrize("kind", EDITIONS)
def test_no_table_is_wider_than_a_person_can_read(part_hours, kind):
    report = MonthlyReport(
        report_for(part_hours.area, kind),
        metrics.collect(part_hours.area, MARCH, police=kind == ReportKind.MONTHLY_TREND),
        Format(kind == ReportKind.MONTHLY_TREND_PARTNER),
    )
    html = render_to_string("reporting/monthly/report.html", report.context())
    parser = Columns()
    parser.feed(html)
    assert len(parser.widths) > 10
    assert max(width for _, width in parser.widths) <= WIDEST, parser.widths
    hours = re.findall(r"Officer hours \(whole hours\)</th>(.*?)</tr>", html)
    assert hours
    assert not re.search(r"\d\.\d", "".join(hours))  # "2,224", never "2,224.0"


def inked(pgm: bytes) -> float:
    """The share of a greyscale (binary PGM) page's pixels that are not near white."""
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", pgm)
    width, height = int(header[1]), int(header[2])
    pixels = pgm[header.end() : header.end() + width * height]
    return sum(1 for p in pixels if p < 200) / len(pixels)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
@pytest.mark.parametrize("kind", EDITIONS)
def test_every_page_drawn_as_an_image_has_something_on_it(part_hours, kind, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(build_monthly_report(report_for(part_hours.area, kind))[1])
    subprocess.run(  # noqa: S603 - fixed argv
        [PDFTOPPM, "-r", "30", "-gray", str(path), str(tmp_path / "page")], check=True
    )
    images = sorted(tmp_path.glob("page-*.pgm"))
    assert len(images) >= 3
    for image in images:
        share = inked(image.read_bytes())
        assert share > INK, f"{image.name} is blank ({share:.2%} inked)"


def test_a_heading_alone_counts_as_blank(tmp_path):
    """The measure itself: a page holding only a heading and the page furniture is blank."""
    from core.pdf import render_pdf

    html = (
        "<html><head><style>@page { size: A4 landscape; margin: 16mm 12mm; "
        '@top-left { content: "OFFICIAL-SENSITIVE"; font: bold 8pt sans-serif; } '
        '@bottom-right { content: "Page 3 of 9"; font: 7pt sans-serif; } }</style></head>'
        '<body><h2 style="font-size: 12.5pt; border-bottom: 1.5pt solid #1d70b8">Charts</h2>'
        "</body></html>"
    )
    path = tmp_path / "blank.pdf"
    path.write_bytes(render_pdf(html))
    subprocess.run(  # noqa: S603 - fixed argv
        [PDFTOPPM, "-r", "30", "-gray", str(path), str(tmp_path / "page")], check=True
    )
    assert inked(next(tmp_path.glob("page-*.pgm")).read_bytes()) < INK
