"""Honest intervals and a pre-trend check that can fail (issue 18), on simulated worlds
with the truth known (``worlds``: serial correlation, overdispersion, places of very
different sizes, seasonality and a city-wide fall). No database."""

import dataclasses
import math
from collections import Counter

import numpy as np
import pytest
from scipy.stats import t as student_t

from reporting.evaluation import inference, pretrend, rules
from reporting.evaluation.did import Effect, Interval, Panel, estimate
from reporting.evaluation.page import answers, facts
from reporting.evaluation.words import cell, effect_sentence, pretrend_sentence, verdict

from .worlds import months, world


def run(seed: int, **kwargs) -> Effect:
    w = world(seed, **kwargs)
    return estimate(w.panel, w.starts, w.candidates, "Treated")


# --- Coverage over many worlds --------------------------------------------------------------


def test_intervals_cover_a_planted_effect_in_worlds_with_few_treated_places():
    """3 to 8 treated places (the bootstrap from 5, the comparison places' variance
    below); measured: 192 of 200 worlds (96%) with other seeds."""
    worlds = [run(100 + s, treated=3 + s % 6, effect=0.8) for s in range(120)]
    assert all(e.estimate is not None for e in worlds)
    covered = sum(e.estimate.covers(0.8) for e in worlds)
    assert covered >= 0.9 * len(worlds), f"{covered} of {len(worlds)}"
    assert {e.method for e in worlds} == {inference.BOOTSTRAP, inference.MODEL_T}


def test_a_single_hotspots_interval_respects_serial_correlation():
    """One or two LSOAs (a hotspot's own catchment); measured: 193 of 198 (97%)."""
    worlds = [run(400 + s, treated=1 + s % 2, effect=0.8, mean=15) for s in range(80)]
    estimated = [e for e in worlds if e.estimate is not None]
    assert len(estimated) >= 75
    covered = sum(e.estimate.covers(0.8) for e in estimated)
    assert covered >= 0.9 * len(estimated), f"{covered} of {len(estimated)}"
    assert {e.method for e in estimated} == {inference.MODEL_T}


def test_staggered_starts_are_covered_too():
    worlds = [
        run(600 + s, treated=3 + s % 6, effect=0.8, stagger=4, n_months=30) for s in range(40)
    ]
    covered = sum(e.estimate.covers(0.8) for e in worlds)
    assert covered >= 0.9 * len(worlds), f"{covered} of {len(worlds)}"


def test_with_no_effect_rose_or_fell_at_most_one_world_in_ten():
    """Measured: 8 of 200 (4%) with other seeds."""
    worlds = [run(800 + s, treated=3 + s % 6) for s in range(120)]
    said = Counter(verdict(e) for e in worlds)
    assert said["Rose"] + said["Fell"] <= 0.1 * len(worlds), said
    covered = sum(e.estimate.covers(1.0) for e in worlds)
    assert covered >= 0.9 * len(worlds)


# --- The pre-trend check ----------------------------------------------------------------------


def test_a_planted_drift_with_no_effect_is_cant_tell_never_fell():
    """Treated places drifting down 4% a month on their own, no effect; 24 months before
    patrols (measured: 49 of 50 flagged)."""
    worlds = [run(1000 + s, treated=10, drift=-0.04, n_months=36, start=24) for s in range(10)]
    said = Counter(verdict(e) for e in worlds)
    assert said["Can't tell"] >= 8, said
    assert said["Fell"] == 0, said
    for e in worlds:
        if verdict(e) == "Can't tell":
            assert not e.conclusive
            assert e.reason.startswith("Can't tell: before patrols began")
            assert "fell" not in effect_sentence(e, "Crime")


def test_with_fewer_months_before_most_drifting_worlds_are_still_caught():
    """12 months before patrols: the held-out half is short (measured: 71 of 100)."""
    worlds = [run(1100 + s, treated=10, drift=-0.04) for s in range(10)]
    said = Counter(verdict(e) for e in worlds)
    assert said["Can't tell"] >= 6, said


def test_the_check_passes_when_trends_were_parallel():
    """A fall of 30% in 10 places, trends parallel: the check passes in 54 of 100 worlds
    (seeds 1200-1299); the others are mostly falls not clear enough to survive the
    trend before continued, the price of never saying "Fell" on a drift
    (``test_evaluation_trend``)."""
    worlds = [run(1200 + s, treated=10, effect=0.7) for s in range(10)]
    assert sum(not e.pretrend_differs for e in worlds) >= 5
    assert all(e.pretrend is not None for e in worlds)


def test_comparisons_are_chosen_on_months_the_check_does_not_test():
    w = world(1300, treated=6)
    e = estimate(w.panel, w.starts, w.candidates, "x")
    before = e.months_before
    matched, held = pretrend.windows(before)
    assert (matched, held) == (6, 6)
    # Changing only the held-out months cannot change which places are compared.
    counts = {p: list(c) for p, c in w.panel.counts.items()}
    for p in w.candidates:
        counts[p][matched:before] = [v * 5 for v in counts[p][matched:before]]
    again = estimate(Panel(w.panel.months, counts), w.starts, w.candidates, "x")
    assert again.comparisons == e.comparisons


def _clear_effect(**kwargs) -> Effect:
    return Effect(
        "Crime",
        conclusive=True,
        estimate=Interval(0.7, 0.6, 0.82),
        months_before=12,
        **kwargs,
    )


def test_a_failed_check_turns_a_clear_fall_into_cant_tell_with_the_reason():
    clear = _clear_effect(pretrend=Interval(1.0, 0.9, 1.1), pretrend_share=0.0)
    assert verdict(clear) == "Fell"
    drifting = Interval(0.8, 0.7, 0.92)  # the placebo interval leaves out 1
    failed = _clear_effect(pretrend=drifting, pretrend_share=0.9)
    assert failed.pretrend_differs
    assert verdict(failed) == "Can't tell"
    assert cell(failed).startswith("Can't tell")
    sentence = effect_sentence(failed, "Crime")
    assert sentence.startswith("Crime: Can't tell: before patrols began")
    assert "fell by" not in sentence
    assert pretrend_sentence(failed).startswith("The check of the months before patrols failed")


def test_a_trend_that_would_explain_half_the_fall_fails_the_check():
    unclear = Interval(0.9, 0.75, 1.08)  # no clear placebo on its own
    assert _clear_effect(pretrend=unclear, pretrend_share=0.6).pretrend_differs
    assert not _clear_effect(pretrend=unclear, pretrend_share=0.3).pretrend_differs
    assert pretrend.explained(-0.1, -0.4, 6, 12.5) == pytest.approx(0.1 * 12.5 / 6 / 0.4)
    assert pretrend.explained(0.1, -0.4, 6, 12.5) == 0  # the other way: explains nothing


def test_estimate_makes_a_failed_check_inconclusive_and_keeps_the_numbers():
    e = run(1000, treated=10, drift=-0.04, n_months=36, start=24)
    assert e.pretrend_differs
    assert not e.conclusive
    assert e.estimate is not None  # kept for the record, marked on the page
    assert "the comparison places were chosen on those first 12 months only" in e.reason
    rows = dict(facts(e))
    assert any("not to be relied on" in label for label in rows)


def test_the_headline_answer_says_cant_tell():
    from types import SimpleNamespace

    failed = _clear_effect(pretrend=Interval(0.8, 0.7, 0.92), pretrend_share=0.9)
    failed = dataclasses.replace(failed, conclusive=False, reason="Can't tell: x")
    evidence = SimpleNamespace(
        pooled=failed,
        displacement=Effect("Around", conclusive=False, reason="thin"),
        diversion=SimpleNamespace(given=0, completed=0, not_completed=0),
        funnel=SimpleNamespace(total=SimpleNamespace(made=0)),
    )
    first = answers(evidence)[0]
    assert first.verdict == "Can't tell"
    assert "fell" not in first.sentence.lower().split("can't tell")[0]


# --- The machinery ------------------------------------------------------------------------------


def test_webb_weights_take_six_values_with_equal_probability():
    draws = inference.webb_weights(np.random.default_rng(1), 60_000)
    values, counts = np.unique(draws, return_counts=True)
    root = math.sqrt
    assert values == pytest.approx([-root(1.5), -1, -root(0.5), root(0.5), 1, root(1.5)])
    assert counts / len(draws) == pytest.approx([1 / 6] * 6, abs=0.01)
    assert draws.mean() == pytest.approx(0, abs=0.02)
    assert draws.var() == pytest.approx(1, abs=0.02)


def test_the_bootstrap_is_reproducible_from_its_fixed_seed():
    w = world(1400, treated=6, effect=0.8)
    first = estimate(w.panel, w.starts, w.candidates, "x")
    second = estimate(w.panel, w.starts, w.candidates, "x")
    assert first.method == inference.BOOTSTRAP
    assert first == second
    assert first.estimate.low < first.estimate.ratio < first.estimate.high


def test_few_treated_places_use_a_t_critical_value_on_the_places_degrees_of_freedom():
    """One treated place and G − 1 comparisons: the interval is the weighted
    regression's, with a t critical value on G − 2 degrees of freedom (not 1.96)."""
    from statsmodels.regression.linear_model import WLS

    rng = np.random.default_rng(5)
    n, start = 18, 9
    ms = months(n)
    counts = {f"P{i}": [int(v) for v in rng.poisson(rng.uniform(4, 20), n)] for i in range(8)}
    comparisons = [f"P{i}" for i in range(1, 8)]
    group = inference.cohorts(ms, {"P0": ms[start]})
    fit = inference.fit(counts, group, comparisons)
    assert fit.method == inference.MODEL_T
    places = 8
    assert fit.df == places - 2

    # By hand: each place's change in log monthly rate and its Poisson variance.
    pre = np.array([sum(counts[p][:start]) + 0.5 for p in counts])
    post = np.array([sum(counts[p][start + 1 :]) + 0.5 for p in counts])
    change = np.log(post / (n - start - 1)) - np.log(pre / start)
    noise = 1 / pre + 1 / post
    resid = change[1:] - change[1:].mean()
    tau2 = max(0.0, float(np.sum(resid**2)) / 6 - float(noise[1:].mean()))
    x = np.column_stack([np.ones(places), np.r_[1.0, np.zeros(places - 1)]])
    wls = WLS(change, x, weights=1 / (tau2 + noise)).fit()
    low, high = wls.conf_int()[1]
    assert (fit.log_ratio, fit.low, fit.high) == pytest.approx((wls.params[1], low, high))
    q = (fit.high - fit.log_ratio) / float(wls.bse[1])
    assert q == pytest.approx(student_t.ppf(0.975, places - 2))
    assert q > rules.Z95 + 0.3
