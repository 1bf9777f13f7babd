"""The monthly report's first page: the four outcomes, this month, the trend and a sentence,
and the Evidence page's stored answer; the partner edition publishes no more than its
tables do."""

import dataclasses
import re

import pytest
from django.utils import timezone

from reporting.evaluation import stored
from reporting.evaluation.did import Effect, Interval
from reporting.models import EvidenceRun, EvidenceStatus, ReportKind
from reporting.reports.monthly import build_monthly_report
from reporting.reports.monthly_summary import trend_words
from tests.reporting.test_monthly import (
    MARCH_END,
    needs_pdftotext,
    oracle,
    report_for,
    world,  # noqa: F401 - the fixture
)
from tests.reporting.test_monthly_layout import pages

pytestmark = pytest.mark.django_db
MONTHLY = ReportKind.MONTHLY_TREND

OUTCOMES = (
    "Referrals to support services",
    "Arrests of men soliciting or exploiting",
    "Street sex work: sightings and encounters",
    "Street crime such as loitering and kerb crawling",
)
FELL = Effect(
    "All patrolled hotspots",
    conclusive=True,
    estimate=Interval(0.7, 0.55, 0.9),
    treated_places=6,
    comparison_places=30,
    months_before=12,
    months_after=10,
    method="wild cluster bootstrap by LSOA",
)


@pytest.fixture
def evidence(world):  # noqa: F811 - the fixture
    """Stored Evidence figures for the area: relevant crime fell near the hotspots."""
    evaluation = pytest.importorskip("reporting.evaluation")
    figures = dataclasses.replace(evaluation.evaluate(world.area, MARCH_END), pooled=FELL)
    EvidenceRun.objects.create(
        area=world.area,
        as_of=MARCH_END,
        status=EvidenceStatus.READY,
        result=stored.to_data(figures),
        result_format=stored.FORMAT,
        finished_at=timezone.now(),
    )
    return world


def first_page(world, kind, tmp_path) -> str:  # noqa: F811 - the fixture's name
    text = pages(build_monthly_report(report_for(world.area, kind))[1], tmp_path)[0]
    return " ".join(text.split())


@needs_pdftotext
def test_the_first_page_gives_the_four_outcomes_and_the_evidence(evidence, tmp_path):
    text = first_page(evidence, ReportKind.MONTHLY_TREND, tmp_path)
    for title in (*OUTCOMES, "Does it work? The Evidence page's current answer"):
        assert title in text, title
    expected = oracle(evidence.area)
    assert re.search(rf"Referrals made {expected['Referrals made']} up ", text)
    assert re.search(rf"Arrests on patrol {expected['Arrests']} ", text)
    assert "3 of them for kerb crawling, soliciting and exploitation offences" in text
    women = sum(3 + n for n in range(7))
    assert re.search(rf"Women seen in street sex work {women} ", text)
    # March's related crime: 12 anti-social behaviour and 3 other crime.
    assert re.search(r"Recorded crime, related types 15 ", text)
    assert "Fell: \u221230% (\u221245% to \u221210%)" in text
    assert "fell by about 30% compared with similar places" in text


@needs_pdftotext
def test_without_stored_figures_the_page_says_so(world, tmp_path):  # noqa: F811
    text = first_page(world, ReportKind.MONTHLY_TREND, tmp_path)
    assert "Not worked out yet" in text


@needs_pdftotext
def test_the_partner_first_page_shows_no_small_count(evidence, tmp_path):
    text = first_page(evidence, ReportKind.MONTHLY_TREND_PARTNER, tmp_path)
    for title in OUTCOMES:
        assert title in text, title
    assert "Arrests on patrol <5 trend not shown (small numbers)" in text  # three in March
    assert "of them for" not in text  # arrests by offence: police only
    tokens = [token.strip("(),.;:") for token in text.split()]
    assert not [t for t in tokens if t in {"1", "2", "3", "4"}]
    assert "Fell" in text


def test_the_trend_in_words():
    assert trend_words([10, 10, 10, 10]) == "about the same as the three months before"
    assert trend_words([0, 10, 10, 10, 15]) == "up 50% on the average of the three months before"
    assert trend_words([10, 10, 10, 5]) == "down 50% on the average of the three months before"
    assert trend_words([10, None, 10, 5]) == "no trend: months missing"
    assert trend_words([0, 0, 0, 0]) == "none this month or the three before"
    assert trend_words([0, 0, 0, 2]) == "none in the three months before"


# --- The Evidence is read, never worked out, by the report ---------------------------------------


@pytest.fixture
def no_fitting(monkeypatch):
    """Working the Evidence out fails loudly: the report must only read stored figures."""

    def refuse(*args, **kwargs):
        raise AssertionError("the monthly report worked the Evidence out itself")

    for name in ("reporting.evaluation.evaluate", "reporting.evaluation.area_lsoas"):
        monkeypatch.setattr(name, refuse)
    monkeypatch.setattr("reporting.evaluation.report.evaluate", refuse, raising=False)


@needs_pdftotext
@pytest.mark.parametrize("kind", [ReportKind.MONTHLY_TREND, ReportKind.MONTHLY_TREND_PARTNER])
def test_the_report_reads_the_stored_figures_and_fits_nothing(evidence, no_fitting, kind, tmp_path):
    text = " ".join(pages(build_monthly_report(report_for(evidence.area, kind))[1], tmp_path))
    text = " ".join(text.split())
    appendix = text.split("Appendix: does it work?", 1)[1]
    finished = timezone.localtime(EvidenceRun.objects.get().finished_at)
    assert f"These figures were worked out on {finished:%d %B %Y at %H:%M}" in appendix
    assert "with the data up to 31 March 2025" in appendix
    assert "before the end of" not in text
    assert "fell by about 30% compared with similar places" in appendix  # the stored answer


@needs_pdftotext
def test_without_stored_figures_the_report_says_so_and_fits_nothing(
    world,  # noqa: F811 - the fixture
    no_fitting,
    tmp_path,
):
    text = " ".join(pages(build_monthly_report(report_for(world.area, MONTHLY))[1], tmp_path))
    text = " ".join(text.split())
    assert text.count("The Evidence page has not yet worked out its figures for this area") == 2
    assert "so this report gives no answer" in text


@needs_pdftotext
def test_figures_older_than_the_report_month_say_so(evidence, no_fitting, tmp_path):
    run = EvidenceRun.objects.get()
    run.result = {**run.result, "as_of": "2025-03-20"}
    run.save(update_fields=["result"])
    text = " ".join(first_page(evidence, MONTHLY, tmp_path).split())
    assert "with the data up to 20 March 2025" in text
    assert "That is before the end of March 2025" in text
    assert "they do not include all of the report month's data" in text
