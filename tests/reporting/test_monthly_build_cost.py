"""What keeps the monthly PDF's build in budget (measured by `make bench`, section 3, never
timed here): charts as slim SVG drawn in one pass, a page header WeasyPrint need not lay out
twice, and the render kept clear of the garbage collector's passes over what came before."""

import gc
import re

import pytest

from reporting.models import GeneratedReport, ReportKind
from reporting.reports import monthly, monthly_charts
from reporting.reports.monthly_format import css_string

from .test_monthly import MARCH, MARCH_END, world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def charts(world):  # noqa: F811
    report = GeneratedReport(
        kind=ReportKind.MONTHLY_TREND, area=world.area, period_start=MARCH, period_end=MARCH_END
    )
    return monthly.monthly_content(report).context()["charts"]


def test_charts_carry_no_metadata_id_only_groups_or_indentation(charts):
    for chart in charts:
        svg = chart["svg"]
        assert "<metadata" not in svg
        assert not re.search(r'<g id="[^"]*">', svg)  # a group with nothing but its id
        assert "\n" not in svg
        for path in re.findall(r' d="([^"]*)"', svg):
            assert not re.search(r"\d\.\d{3,}", path)  # hundredths of a point at most
        assert "<text" in svg
        assert "<path" in svg


def test_charts_are_laid_out_without_a_second_drawing(world, monkeypatch):  # noqa: F811
    from matplotlib.figure import Figure

    monkeypatch.setattr(Figure, "tight_layout", lambda self, *a, **k: pytest.fail("drawn twice"))
    report = GeneratedReport(
        kind=ReportKind.MONTHLY_TREND, area=world.area, period_start=MARCH, period_end=MARCH_END
    )
    assert monthly.monthly_content(report).context()["charts"]


def test_the_page_header_is_written_in_not_copied_from_the_page(world):  # noqa: F811
    report = GeneratedReport(
        kind=ReportKind.MONTHLY_TREND, area=world.area, period_start=MARCH, period_end=MARCH_END
    )
    html = monthly.monthly_html(report)
    assert "string-set" not in html
    assert "string(" not in html
    assert f"@top-right {{ content: {css_string('Monthly trend report')[:-1]}" in html


@pytest.mark.parametrize("name", ['Quote " and <\\/style> borough', "A\\", "Brent & Harrow"])
def test_a_header_string_cannot_leave_its_css_string(name):
    quoted = css_string(f"Monthly trend report · {name}")
    inner = quoted[1:-1]
    assert quoted[0] == quoted[-1] == '"'
    assert not set(inner) & set("\"'<>&;{}")
    assert not re.search(r"\\(?![0-9a-f]{6})", inner)  # every backslash starts an escape
    assert not re.search(r"\\[0-9a-f]{6}(?! )", inner)  # closed by a space, or it eats one


def test_the_render_freezes_the_heap_and_gives_it_back(monkeypatch):
    seen = []
    monkeypatch.setattr(monthly, "render_pdf", lambda html: seen.append(gc.get_freeze_count()))
    monthly.render("<p>x</p>")
    assert seen[0] > 0  # what came before was kept out of the collector's passes
    assert gc.get_freeze_count() == 0  # and handed back after


def test_slim_keeps_referenced_ids_and_drawing():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        "<metadata>x</metadata><defs>\n</defs>"
        '<g id="a"><g id="b" clip-path="url(#c)"><path d="M 1.23456 2\nL 3 4"/></g></g>'
        '<defs><clipPath id="c"><rect x="0"/></clipPath></defs></svg>'
    )
    out = monthly_charts._slim(svg)
    assert 'id="b"' in out
    assert 'clip-path="url(#c)"' in out
    assert 'id="c"' in out
    assert 'id="a"' not in out
    assert "metadata" not in out
    assert 'd="M 1.23 2 L 3 4"' in out
