"""Dosage per visit: minutes per timed visit against Koper's 10–16 minute band, timed
visits in place of shared return minutes, and the dose-response on hours a week, on
planted worlds (and once from the database)."""

import datetime as dt
import math
import re

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from patrols.models import HotspotVisit
from reporting.evaluation import evaluate, words
from reporting.evaluation.did import Effect, Interval
from reporting.evaluation.dosage import (
    Dose,
    Timed,
    dose,
    dose_response,
    timed_by_hotspot,
    visit_lengths,
)
from reporting.evaluation.page import evidence_page
from reporting.evaluation.timed import timed_visits
from tests.factories import HotspotFactory, PatrolFactory, WardFactory
from tests.reporting.test_evaluation_data import TODAY, at, submitted_return

NIGHT = dt.datetime(2026, 5, 1, 20, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)


def stay(minutes: float, hotspot=1, work_return=1, sharing=2, hours=8) -> dict:
    """A timed-visit row as ``timed.timed_visits`` gives it."""
    return {
        "hotspot": hotspot,
        "work_return": work_return,
        "arrived_at": NIGHT,
        "left_at": NIGHT + minutes * MINUTE,
        "started": NIGHT,
        "ended": NIGHT + dt.timedelta(hours=hours),
        "sharing": sharing,
    }


# --- Koper's band ---------------------------------------------------------------------------


def test_visits_are_counted_under_within_and_over_the_10_to_16_minute_band():
    # Both ends of the band are in it; 9.99 and 16.5 are not.
    rows = [stay(m) for m in (5, 9.99, 10, 13, 16, 16.5, 30)]
    lengths = visit_lengths(rows, visits=12)
    assert (lengths.under, lengths.within, lengths.over) == (2, 3, 2)
    assert lengths.median == 13
    assert (lengths.timed, lengths.visits) == (7, 12)


def test_the_median_of_an_even_number_of_visits_is_the_middle_pair_s_mean():
    assert visit_lengths([stay(m) for m in (8, 12, 14, 40)], visits=4).median == 13


def test_no_timed_visits_have_no_median_and_say_so():
    lengths = visit_lengths([], visits=9)
    assert (lengths.timed, lengths.median) == (0, None)
    assert "None of the 9 visits" in words.visit_length_sentence(lengths)


def test_the_sentence_gives_the_share_in_the_band():
    lengths = visit_lengths([stay(m) for m in (8, 12, 14, 40)], visits=10)
    sentence = words.visit_length_sentence(lengths)
    assert "4 of 10 visits had arrival and departure times" in sentence
    assert "median stay was 13 minutes; 2 (50%) lasted 10 to 16 minutes" in sentence


# --- Timed visits in place of shared minutes ------------------------------------------------


def test_timed_visits_replace_the_return_s_shared_minutes_at_their_hotspot():
    # An 8-hour return listing 2 hotspots: 240 shared minutes each. At hotspot 1 it timed
    # two visits (12 and 15 minutes): they replace its 240 minutes and count as 2 visits.
    timed = timed_by_hotspot([stay(12), stay(15), stay(20, hotspot=2, work_return=2, sharing=1)])
    assert timed[1] == Timed(visits=2, extra_visits=1, minutes=27 - 240)
    assert timed[2] == Timed(visits=1, extra_visits=0, minutes=20 - 480)
    row = {"visits": 3, "time": dt.timedelta(hours=8)}  # 3 returns, 480 shared minutes
    d = dose(row, 0, dt.date(2026, 5, 7), dt.date(2026, 5, 1), timed[1])
    assert (d.visits, d.minutes, d.timed_visits) == (4, 480 + 27 - 240, 2)


def test_a_hotspot_without_timed_visits_keeps_its_shared_minutes():
    row = {"visits": 2, "time": dt.timedelta(hours=3)}
    d = dose(row, 1, dt.date(2026, 5, 7), dt.date(2026, 5, 1))
    assert (d.visits, d.minutes, d.timed_visits) == (2, 180, 0)


# --- Dose-response on minutes, planted worlds -----------------------------------------------


def _effect(ratio: float, se: float = 0.1) -> Effect:
    low, high = math.exp(math.log(ratio) - 1.96 * se), math.exp(math.log(ratio) + 1.96 * se)
    return Effect("x", conclusive=True, estimate=Interval(ratio, low, high))


def test_the_dose_response_on_hours_recovers_a_planted_slope():
    # The same visits everywhere; each extra hour a week: 10% less crime.
    hours = (1, 2, 2, 3, 4, 5)
    result = dose_response([(Dose(3, 60.0 * h, 0, 1.0), _effect(0.9**h)) for h in hours])
    assert result.per_hour.covers(0.9)
    assert result.per_hour.high < 1
    assert "Each extra hour of patrol a week" in words.minutes_dose_sentence(result)
    # ... and on visits there is nothing to compare.
    assert result.per_visit is None
    assert "visited as often" in result.reason


def test_with_no_effect_of_time_the_slope_on_hours_is_not_clear():
    # Chance alone around no change, whatever the hours.
    world = zip((1, 2, 2, 3, 4, 5), (1.05, 0.97, 1.02, 0.98, 1.03, 0.96), strict=True)
    result = dose_response([(Dose(h, 60.0 * h, 0, 1.0), _effect(r)) for h, r in world])
    assert result.per_hour.covers(1.0)
    assert not result.per_hour.clear
    assert "No clear relation between how long" in words.minutes_dose_sentence(result)


def test_too_few_hotspots_say_why_for_minutes_too():
    result = dose_response([(Dose(h, 60.0 * h, 0, 1.0), _effect(0.9)) for h in (1, 2, 3)])
    assert result.per_hour is None
    assert "3 (at least 5 needed)" in result.minutes_reason
    assert "Not enough data to relate how long" in words.minutes_dose_sentence(result)


# --- From the database ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_evaluation_reads_timed_visits_of_submitted_returns(area, sergeant):
    ward = WardFactory(area=area)
    first, second = HotspotFactory(ward=ward), HotspotFactory(ward=ward)
    starts = at(dt.datetime(2026, 5, 1, 20))
    patrol = PatrolFactory(ward=ward, planned_by=sergeant, starts_at=starts)
    work_return = submitted_return(patrol, [first, second], patrol.starts_at, hours=6)
    for arrive, minutes in ((30, 12), (90, 15)):
        arrived = patrol.starts_at + arrive * MINUTE
        HotspotVisit.objects.create(
            work_return=work_return,
            hotspot=first,
            arrived_at=arrived,
            left_at=arrived + minutes * MINUTE,
        )
    # A week on, both visited again, untimed: two visits in six weeks make the patrolling
    # sustained (``exposure``), so both hotspots are evaluated.
    again = PatrolFactory(ward=ward, planned_by=sergeant, starts_at=starts + 7 * DAY)
    submitted_return(again, [first, second], again.starts_at, hours=6)
    later = PatrolFactory(ward=ward, planned_by=sergeant, starts_at=timezone.now())
    late = submitted_return(later, [first], later.starts_at)  # after TODAY: not read
    HotspotVisit.objects.create(
        work_return=late, hotspot=first, arrived_at=late.started_at, left_at=late.ended_at
    )

    rows = timed_visits(area, TODAY)
    assert [(r["hotspot"], r["sharing"]) for r in rows] == [(first.pk, 2), (first.pk, 2)]
    evidence = evaluate(area, TODAY)
    doses = {h.name: h.dose for h in evidence.hotspots}
    assert (doses[first.name].visits, doses[first.name].timed_visits) == (3, 2)
    assert doses[first.name].minutes == 27 + 180  # not 180 shared minutes the first night
    assert doses[second.name].minutes == 180 + 180
    assert evidence.visit_lengths.timed == 2
    assert evidence.visit_lengths.visits == 5  # 2 timed and 1 untimed at the first, 2 untimed
    assert evidence.visit_lengths.within == 2
    # ... and the Evidence page shows them against the band, saying how many had times.
    html = render_to_string("reporting/evidence_figures.html", {"page": evidence_page(evidence)})
    assert "2 of 5 visits had arrival and departure times recorded" in html
    assert "median stay was 14 minutes" in html  # 12 and 15
    band = re.search(r"10 to 16 minutes</th><td[^>]*>(\d+)<", html)
    assert band is not None
    assert band.group(1) == "2"
