"""Exposure that means patrolling (no database): sustained spells with a start and a stop,
months after a stop left out, the thin-data rule on both arms and the minimum detectable
effect."""

import datetime as dt
import math

import numpy as np
import pytest
from django.test import override_settings

from reporting.evaluation import exposure, rules
from reporting.evaluation.did import Panel, estimate
from reporting.evaluation.exposure import Spell, spells
from reporting.evaluation.words import detectable_sentence, effect_sentence

from .worlds import months, world

MONDAY = dt.date(2025, 9, 1)  # a Monday


def day(week: int, weekday: int = 2) -> dt.date:
    return MONDAY + dt.timedelta(weeks=week, days=weekday)


def run(weeks: list[int], as_of: dt.date, k: int = 2, w: int = 6) -> list[Spell]:
    return spells([(day(n), 1) for n in weeks], as_of, k, w)


# --- Spells --------------------------------------------------------------------------------


def test_a_single_visit_is_not_patrolling():
    assert run([0], day(20)) == []


def test_a_single_early_visit_does_not_start_exposure():
    # One visit in week 0, then fortnightly from week 20: patrolled from week 20.
    (spell,) = run([0, *range(20, 40, 2)], day(40))
    assert spell == Spell(day(20), None)


def test_patrolling_starts_at_the_first_visit_of_the_first_window_that_meets_the_rule():
    (spell,) = run([3, 7], day(12))  # two visits four weeks apart: within six weeks
    assert spell.start == day(3)


def test_a_fortnightly_patrol_that_misses_one_visit_is_still_patrolled():
    weeks = [0, 2, 4, 8, 10, 12]  # week 6 missed
    assert run(weeks, day(14)) == [Spell(day(0), None)]


def test_patrolling_stops_when_a_whole_window_falls_short_and_can_start_again():
    # Fortnightly to week 10, then nothing until fortnightly again from week 30.
    found = run([0, 2, 4, 6, 8, 10, 30, 32, 34], day(36))
    # The windows ending weeks 10 to 13 hold weeks 8 and 10; the one ending week 14 only
    # week 10: stopped from the Monday of week 14.
    assert found == [
        Spell(day(0), MONDAY + dt.timedelta(weeks=14)),
        Spell(day(30), None),
    ]


def test_the_week_in_progress_never_stops_a_spell():
    # Last visits weeks 0 and 2; the window ending week 6 falls short, but on its
    # Wednesday the week is not over (a visit may still come).
    assert run([0, 2], day(6)) == [Spell(day(0), None)]
    assert run([0, 2], day(6, weekday=6)) == [Spell(day(0), MONDAY + dt.timedelta(weeks=6))]


def test_visits_after_the_day_evaluated_are_not_seen():
    assert run([0, 1], day(0, weekday=4)) == []


def test_the_rule_is_set_by_settings():
    assert rules.patrol_rule() == (rules.PATROL_MIN_VISITS, rules.PATROL_WINDOW_WEEKS)
    with override_settings(EVIDENCE_PATROL_MIN_VISITS=3, EVIDENCE_PATROL_WINDOW_WEEKS=4):
        assert rules.patrol_rule() == (3, 4)
    rows = [{"hotspot": 7, "day": day(0), "n": 1}, {"hotspot": 7, "day": day(2), "n": 1}]
    assert exposure.patrolled(rows, day(4), 2, 6) == {7: [Spell(day(0), None)]}
    assert exposure.patrolled(rows, day(4), 3, 6) == {}


# --- Months after a stop -------------------------------------------------------------------


def test_only_months_patrolled_all_month_count_as_after():
    found = [
        Spell(dt.date(2025, 9, 5), dt.date(2026, 1, 12)),
        Spell(dt.date(2026, 3, 1), None),
    ]
    ms = [dt.date(2025 + (8 + k) // 12, (8 + k) % 12 + 1, 1) for k in range(12)]  # Sep–Aug
    assert sorted(exposure.patrolled_months(found, ms)) == [
        dt.date(2025, 10, 1),
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        # January: stopped on the 12th; February: not patrolled; March on: again.
        *[dt.date(2026, m, 1) for m in range(3, 9)],
    ]


def test_months_after_a_stop_are_neither_before_nor_after():
    w = world(3, effect=0.6, treated=6, controls=40, n_months=30, start=12)
    after = dict.fromkeys(w.starts, frozenset(w.panel.months[13:20]))  # stopped in month 20
    stopped = estimate(w.panel, w.starts, w.candidates, "Stopped", after=after, pretrend=False)
    ongoing = estimate(w.panel, w.starts, w.candidates, "Ongoing", pretrend=False)
    assert ongoing.months_after == 17
    assert stopped.months_after == 7  # months 13 to 19
    patrolled = sum(w.panel.counts[p][m] for p in w.starts for m in range(13, 20))
    assert stopped.crimes_after == patrolled
    assert stopped.crimes_after < ongoing.crimes_after


def test_an_effect_that_ends_with_the_patrols_is_found_only_when_the_stop_is_honoured():
    """Crime falls by 40% while patrolled and comes back when patrols stop: counting the
    months after the stop as "after" dilutes the fall towards nothing."""
    rng = np.random.default_rng(11)
    ms = months(36)
    counts, starts = {}, {}
    for i in range(50):
        treated = i < 8
        rate = 20 * rng.lognormal(0, 0.3) * np.ones(36)
        if treated:
            rate[13:20] *= 0.6  # patrolled months 12 to 19; stopped from month 20
            starts[f"T{i}"] = ms[12]
        counts[f"{'T' if treated else 'C'}{i}"] = [int(v) for v in rng.poisson(rate)]
    panel = Panel(ms, counts)
    candidates = [c for c in counts if c.startswith("C")]
    after = dict.fromkeys(starts, frozenset(ms[13:20]))
    honoured = estimate(panel, starts, candidates, "H", after=after, pretrend=False)
    ignored = estimate(panel, starts, candidates, "I", pretrend=False)
    assert honoured.estimate.covers(0.6)
    assert honoured.estimate.high < 0.75
    assert not ignored.estimate.covers(0.6)


# --- Thin data on both arms; the minimum detectable effect ------------------------------


def _panel_with_quiet_comparisons():
    rng = np.random.default_rng(4)
    ms = months(24)
    counts = {f"T{i}": [int(v) for v in rng.poisson(10, 24)] for i in range(5)}
    counts |= {f"C{i:02d}": [int(v) for v in rng.poisson(0.1, 24)] for i in range(10)}
    return Panel(ms, counts), dict.fromkeys([f"T{i}" for i in range(5)], ms[12])


def test_too_few_crimes_in_the_comparison_places_is_not_enough_data():
    panel, starts = _panel_with_quiet_comparisons()
    candidates = [c for c in panel.counts if c.startswith("C")]
    result = estimate(panel, starts, candidates, "Quiet comparisons")
    assert result.crimes_before >= rules.MIN_CRIMES_BEFORE  # the treated arm is plenty
    assert not result.conclusive
    assert result.estimate is None
    assert "relevant crimes in the comparison places before patrols began" in result.reason
    assert f"(at least {rules.MIN_COMPARISON_CRIMES} needed)" in result.reason


def test_a_thin_result_gives_its_minimum_detectable_effect_from_the_counts():
    panel, starts = _panel_with_quiet_comparisons()
    candidates = [c for c in panel.counts if c.startswith("C")]
    result = estimate(panel, starts, candidates, "Quiet comparisons")
    variance = sum(
        1 / (getattr(result, k) + 0.5)
        for k in ("crimes_before", "crimes_after", "comparison_before", "comparison_after")
    )
    assert result.detectable == pytest.approx(math.exp(-(1.959964 + 0.841621) * variance**0.5))
    words = detectable_sentence(result)
    assert "minimum detectable effect" in words
    assert f"about {round((1 - result.detectable) * 100)}%" in words


def test_a_conclusive_result_gives_its_minimum_detectable_effect_from_its_interval():
    w = world(8, effect=0.7, treated=8, controls=40)
    result = estimate(w.panel, w.starts, w.candidates, "Eight places")
    assert result.conclusive, result.reason
    half = (math.log(result.estimate.high) - math.log(result.estimate.low)) / 2
    assert result.detectable == pytest.approx(math.exp(-half * (1.959964 + 0.841621) / 1.959964))
    assert 0 < result.detectable < result.estimate.high
    assert "a smaller real change could be missed" in detectable_sentence(result)
    assert "%" in effect_sentence(result, "Crime")
