"""Missing is not zero: months police.uk has not published yet are gaps, labelled, in the
monthly report (table, chart, PDF) and the weekly ranking says how far the data runs."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from reporting import metrics
from reporting.coverage import NOT_IMPORTED, NOT_PUBLISHED, crime_coverage
from reporting.models import ReportKind
from reporting.ranking import area_ranking
from reporting.reports.monthly import build_monthly_report
from reporting.reports.monthly_content import MonthlyReport
from reporting.reports.monthly_format import Format
from tests.factories import HotspotFactory, WardFactory

from .test_monthly import MARCH, crimes, needs_pdftotext, pdf_text, report_for
from .test_ranking import WEEK, add_crimes, make_batch

pytestmark = pytest.mark.django_db

JANUARY, FEBRUARY = dt.date(2025, 1, 1), dt.date(2025, 2, 1)


@pytest.fixture
def published_to_january(area):
    """Built on 1 April for March: police.uk has published up to January only."""
    crimes(area, dt.date(2024, 12, 1), {"Other crime": 6, "Public order": 7})
    crimes(area, JANUARY, {"Other crime": 8, "Public order": 9})


def test_coverage_says_through_which_month_the_data_runs(area, published_to_january):
    coverage = crime_coverage(area)
    assert coverage.through == JANUARY
    assert coverage.until == dt.date(2025, 1, 31)
    assert coverage.words() == "crime data up to January 2025"
    assert (coverage.gap(JANUARY), coverage.gap(FEBRUARY), coverage.gap(MARCH)) == (
        "",
        NOT_PUBLISHED,
        NOT_PUBLISHED,
    )
    assert coverage.gap(dt.date(2024, 11, 1)) == NOT_IMPORTED  # a hole before the data


def test_a_month_the_force_published_with_no_crime_in_the_area_is_a_true_zero(
    area, other_area, published_to_january
):
    crimes(other_area, FEBRUARY, {"Other crime": 4})  # the Met's February file: none here
    report = MonthlyReport(
        report_for(area, ReportKind.MONTHLY_TREND),
        metrics.collect(area, MARCH),
        Format(partner=False),
    )
    assert report.crime_series(["Other crime"])[-3:] == [8, 0, None]


def charts_and_table(area, partner=False):
    kind = ReportKind.MONTHLY_TREND_PARTNER if partner else ReportKind.MONTHLY_TREND
    report = MonthlyReport(
        report_for(area, kind), metrics.collect(area, MARCH, police=not partner), Format(partner)
    )
    charts = [chart for row in report.context()["chart_rows"] for chart in row]
    return charts, report.crime_table()


@pytest.mark.parametrize("partner", [False, True])
def test_the_chart_draws_no_zero_for_unpublished_months(area, published_to_january, partner):
    charts, table = charts_and_table(area, partner)
    assert [
        v for n, v in next(c for c in charts if c.get("gap"))["series"] if n == "Other crime"
    ] == [[None] * 8 + [6, 8, None, None]]
    crime = next(c for c in charts if c["title"].startswith("Recorded crime"))
    assert crime["gap"] == [FEBRUARY, MARCH]
    for name, values in crime["series"]:
        assert values[-2:] == [None, None], name  # a break in the line, not a zero
    assert "not yet published" in crime["svg"]  # the band's label, as text
    row = next(r for r in table.rows if r.label == "All relevant types")
    assert row.cells[-3:-1] == ["not yet published", "not yet published"]
    assert "not yet published by police.uk" in table.note
    assert "crime data up to January 2025" in table.note


@needs_pdftotext
def test_the_pdf_built_on_the_first_labels_the_gap(area, published_to_january, tmp_path):
    _, data = build_monthly_report(report_for(area, ReportKind.MONTHLY_TREND))
    text = " ".join(pdf_text(data, tmp_path).split())
    assert "not yet published by police.uk" in text
    assert "crime data up to January 2025" in text
    # The table in two halves of six months: the second has Feb, Mar and the total.
    line = re.findall(r"All relevant types (.*?) All other types", text)[-1]
    assert line.split()[-1] == "30"  # the total leaves the gap out
    assert "not yet published" in line
    assert not re.search(r"\b0 0 \d+$", line)  # no trailing zeros for Feb and Mar


# --- The weekly ranking -------------------------------------------------------------------


@pytest.fixture
def hotspot(area):
    return HotspotFactory(ward=WardFactory(area=area), name="Rising Row")


def test_ranking_never_claims_no_crime_beyond_the_data(area, hotspot):
    # police.uk's December file only: the 4 weeks to 3 March have no data at all.
    add_crimes(
        make_batch("street", dt.date(2024, 12, 1), row_count=3),
        3,
        hotspot.latitude,
        hotspot.longitude,
        month=dt.date(2024, 12, 1),
    )
    ranking = area_ranking(area, WEEK)
    assert ranking.crime_data_short
    reason = ranking.hotspots[0].reason
    assert "no relevant crime" not in reason
    assert reason.startswith(
        "no crime data for these 4 weeks yet (crime data up to December 2024, ending 31 Dec 2024)"
    )


def test_ranking_counts_up_to_where_the_data_ends(area, hotspot):
    add_crimes(make_batch(), 2, hotspot.latitude, hotspot.longitude, first=dt.date(2025, 2, 3))
    ranking = area_ranking(area, WEEK)
    assert ranking.crime_data_short
    assert ranking.hotspots[0].reason.startswith(
        "2 anti-social behaviour reports from 3 Feb to 4 Feb 2025, where the crime data ends"
    )


def test_ranking_with_data_to_the_week_speaks_as_before(area, hotspot):
    far = Decimal("51.40")
    add_crimes(make_batch(), 1, far, hotspot.longitude, first=dt.date(2025, 3, 1))
    ranking = area_ranking(area, WEEK)
    assert not ranking.crime_data_short
    assert ranking.hotspots[0].reason.startswith("no relevant crime within 250 m in 4 weeks")
