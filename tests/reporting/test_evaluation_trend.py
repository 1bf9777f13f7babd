"""A clear effect must survive the trend before patrols, continued (issue 18: "never
'Fell' on a pre-trend alone"). The placebo on the held-out months has little power with a
short pre-period; a drift that slips past it is caught here. No database."""

import dataclasses
import math
from collections import Counter

import pytest

from reporting.evaluation import inference, pretrend, rules
from reporting.evaluation.did import Effect, Interval, Panel, estimate
from reporting.evaluation.words import effect_sentence, pretrend_sentence, verdict

from .worlds import months, world


def _effect(**kwargs) -> Effect:
    values = {
        "estimate": Interval(0.7, 0.6, 0.82),  # a clear fall
        "pretrend": Interval(0.95, 0.8, 1.12),  # no clear placebo, pointing down
        "pretrend_share": 0.2,  # under PRETREND_SHARE
        "months_before": 12,
    }
    return Effect("Crime", conclusive=True, **(values | kwargs))


def _around(log_ratio: float, se: float) -> Interval:
    half = rules.Z95 * se
    return Interval(math.exp(log_ratio), math.exp(log_ratio - half), math.exp(log_ratio + half))


def test_a_fall_that_does_not_survive_the_trend_continued_fails_the_check():
    weak = _around(-0.3, 0.3)  # one standard error from no change
    strong = _around(-0.6, 0.3)  # two

    assert _effect(trend_adjusted=weak).pretrend_differs
    assert verdict(_effect(trend_adjusted=weak)) == "Can't tell"
    assert not _effect(trend_adjusted=strong).pretrend_differs
    assert verdict(_effect(trend_adjusted=strong)) == "Fell"
    assert not _effect(trend_adjusted=None).pretrend_differs  # not made: the rest decides


def test_the_threshold_is_one_sided_five_percent_on_the_estimates_side():
    se = 0.2
    just_in = _around(-(rules.Z_ONE_SIDED + 0.01) * se, se)
    just_out = _around(-(rules.Z_ONE_SIDED - 0.01) * se, se)
    fall = Interval(0.7, 0.6, 0.82)
    assert pretrend.survives(just_in, fall)
    assert not pretrend.survives(just_out, fall)
    rise = Interval(1.3, 1.1, 1.5)
    assert pretrend.survives(_around((rules.Z_ONE_SIDED + 0.01) * se, se), rise)
    assert not pretrend.survives(just_in, rise)  # a fall, continued, is no rise
    assert not pretrend.survives(Interval(0.5, 0.5, 0.5), fall)  # no spread: no decision


def test_a_trend_the_other_way_is_not_held_against_the_effect():
    """Crime rising before, falling after: the trend continued would make the fall larger,
    so a weak trend-adjusted estimate does not undo it."""
    weak = _around(-0.3, 0.3)
    rising_before = Interval(1.05, 0.9, 1.2)
    assert not _effect(pretrend=rising_before, trend_adjusted=weak).pretrend_differs
    assert _effect(pretrend=Interval(0.95, 0.8, 1.12), trend_adjusted=weak).pretrend_differs


def test_an_unclear_effect_is_left_alone():
    unclear = Interval(0.9, 0.7, 1.15)
    assert not _effect(estimate=unclear, trend_adjusted=_around(-0.1, 0.3)).pretrend_differs


def test_the_reason_says_what_the_trend_continued_gives():
    failed = _effect(trend_adjusted=_around(-0.3, 0.3))
    reason = pretrend.reason(failed.pretrend, 12, 0.2, failed.trend_adjusted)
    assert reason.startswith(pretrend.CANT_TELL_MAYBE)
    assert "Against each place's own trend before patrols, carried on, the change after" in reason
    assert "−26% (95% confidence interval −59% to +33%)" in reason
    assert effect_sentence(failed, "Crime") == f"Crime: {pretrend.CANT_TELL_MAYBE}"
    assert pretrend_sentence(failed).startswith("The check of the months before patrols failed")
    found = _effect(pretrend=Interval(0.8, 0.7, 0.92), trend_adjusted=_around(-0.3, 0.3))
    assert effect_sentence(found, "Crime") == f"Crime: {pretrend.CANT_TELL}"


def test_the_trend_adjusted_change_removes_a_straight_line_drift():
    """Every place drifts by its own straight line (on the log scale) with no effect:
    against each place's trend continued, each place's change is 0; with no trend allowed
    the drift shows as an effect."""
    ms = months(24)
    counts = {
        "T": [round(4000 * math.exp(-0.03 * t)) for t in range(24)],
        "C1": [round(3000 * math.exp(0.01 * t)) for t in range(24)],
        "C2": [round(5000 * math.exp(0.0 * t)) for t in range(24)],
    }
    groups = inference.cohorts(ms, {"T": ms[12]})
    plain = inference.fit(counts, groups, ["C1", "C2"])
    trended = inference.fit(counts, groups, ["C1", "C2"], trend_from=6)
    assert math.exp(-0.04 * 12.5) < math.exp(plain.log_ratio) < math.exp(-0.03 * 12.5)
    assert trended.log_ratio == pytest.approx(0, abs=0.005)


def test_estimate_carries_the_trend_adjusted_effect_when_the_check_is_weak():
    w = world(1300, treated=8, effect=0.6)
    e = estimate(w.panel, w.starts, w.candidates, "x")
    assert e.trend_adjusted is not None
    assert e.trend_adjusted.covers(0.6)
    flat = estimate(w.panel, w.starts, w.candidates, "x", pretrend=False)
    assert flat.trend_adjusted is None


def test_a_check_that_could_see_the_trend_asks_nothing_more():
    wide = inference.Fit(-0.05, -0.35, 0.25, 1.0, "")  # detectable: about 0.43 on the log scale
    assert pretrend.underpowered(wide, math.log(0.7), 2.0)  # needs 0.18: could be missed
    assert not pretrend.underpowered(wide, math.log(0.3), 1.0)  # needs 1.2: would be seen
    narrow = inference.Fit(-0.02, -0.07, 0.03, 1.0, "")
    assert not pretrend.underpowered(narrow, math.log(0.7), 2.0)


def test_drifting_worlds_with_twelve_months_before_seldom_say_fell():
    """Treated places drifting down 4% a month, no effect, 12 months before patrols: the
    held-out placebo alone let 7 of these 30 worlds say "Fell"; with the trend continued,
    1 does (one-sided 5% by design)."""
    said = Counter(verdict(_run(1100 + s, treated=10, drift=-0.04)) for s in range(30))
    assert said["Fell"] <= 2, said
    assert said["Can't tell"] >= 27, said


def test_a_large_fall_with_two_years_before_still_says_fell():
    """A 50% fall in 10 places, trends parallel, 24 months before patrols: the placebo
    could see a trend that big, or the fall survives it continued."""
    worlds = [_run(1400 + s, treated=10, effect=0.5, n_months=36, start=24) for s in range(10)]
    said = Counter(verdict(e) for e in worlds)
    assert said["Fell"] >= 8, said


def test_a_stored_result_keeps_the_trend_adjusted_effect():
    from reporting.evaluation.stored import from_data, to_data

    e = _effect(trend_adjusted=_around(-0.3, 0.3))
    again = from_data(Effect, to_data(e))
    assert again.trend_adjusted == e.trend_adjusted
    assert dataclasses.replace(again, comparisons=()) == dataclasses.replace(e, comparisons=())


def _run(seed: int, **kwargs) -> Effect:
    w = world(seed, **kwargs)
    return estimate(w.panel, w.starts, w.candidates, "Treated")


__all__ = ["Panel"]
