"""The evaluation's statistics on synthetic data with known answers (no database).

Places are made-up codes; counts are Poisson draws (with extra place-to-place and
month-to-month variation, as real counts have) from fixed seeds.
"""

import datetime as dt
import math

import numpy as np
import pytest

from reporting.evaluation import inference, rules
from reporting.evaluation.did import Effect, Interval, Panel, choose_comparisons, estimate
from reporting.evaluation.diversion import diversion, newcombe, wilson
from reporting.evaluation.dosage import Dose, dose_response
from reporting.evaluation.words import cell, effect_sentence

START = 12  # patrols begin in the 13th month


def months(n: int) -> tuple[dt.date, ...]:
    return tuple(dt.date(2024 + m // 12, m % 12 + 1, 1) for m in range(n))


def synthetic(
    seed: int,
    *,
    effect: float = 1.0,
    ring_effect: float = 1.0,
    treated: int = 20,
    controls: int = 60,
    ring: int = 15,
    n_months: int = 24,
    start: int = START,
    mean: float = 6.0,
):
    """A panel with ``effect`` planted in the treated places after ``start`` and
    ``ring_effect`` in the ring; none in the controls. Returns the panel, the treated and
    ring places' start months, and the candidate (control) places."""
    rng = np.random.default_rng(seed)
    ms = months(n_months)
    season = 1 + 0.15 * np.sin(np.arange(n_months) * 2 * np.pi / 12)
    after = np.arange(n_months) > start
    counts, groups = {}, {"T": {}, "R": {}, "C": {}}
    for kind, k, planted in (
        ("T", treated, effect),
        ("C", controls, 1.0),
        ("R", ring, ring_effect),
    ):
        for i in range(k):
            level = mean * rng.lognormal(0, 0.5)
            rate = level * season * np.where(after, planted, 1.0) * rng.gamma(10, 0.1, n_months)
            code = f"{kind}{i:02d}"
            counts[code] = [int(v) for v in rng.poisson(rate)]
            groups[kind][code] = ms[start]
    return Panel(ms, counts), groups["T"], groups["R"], sorted(groups["C"])


# --- The hotspot effect ------------------------------------------------------------------


def test_a_planted_30_percent_drop_is_recovered_within_its_interval():
    panel, treated, _, candidates = synthetic(seed=11, effect=0.7)
    result = estimate(panel, treated, candidates, "Treated", pretrend=True)
    assert result.conclusive, result.reason
    assert result.estimate.covers(0.7)
    assert result.estimate.high < 1, "a 30% drop in 20 places is not missed"
    assert 0.55 < result.estimate.ratio < 0.85
    assert result.method == inference.BOOTSTRAP  # 20 treated places: resampled by place
    assert not result.pretrend_differs  # nothing planted before the start
    assert result.comparison_places >= rules.MIN_COMPARISON_PLACES
    assert "fell by about" in effect_sentence(result, "Crime")


def test_with_no_effect_the_interval_covers_no_change():
    panel, treated, _, candidates = synthetic(seed=12, effect=1.0)
    result = estimate(panel, treated, candidates, "Treated")
    assert result.conclusive
    assert result.estimate.covers(1.0)
    assert not result.estimate.clear
    assert "no clear change" in effect_sentence(result, "Crime")


def test_a_planted_rise_in_the_ring_is_detected_as_displacement():
    panel, _, ring, candidates = synthetic(seed=13, effect=0.7, ring_effect=1.4)
    result = estimate(panel, ring, candidates, "Around")
    assert result.conclusive
    assert result.estimate.low > 1, "a 40% rise around is detected"
    assert result.estimate.covers(1.4)


def test_a_single_place_gets_a_wider_interval_from_the_comparison_places():
    panel, treated, _, candidates = synthetic(seed=14, effect=0.7, mean=12)
    one = dict(list(treated.items())[:1])
    result = estimate(panel, one, candidates, "One place")
    assert result.conclusive
    assert result.method == inference.MODEL_T  # one treated place: nothing to resample
    assert result.comparison_places == rules.COMPARISONS_PER_PLACE
    pooled = estimate(panel, treated, candidates, "All")
    width = math.log(result.estimate.high / result.estimate.low)
    assert width > math.log(pooled.estimate.high / pooled.estimate.low)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"n_months": 15}, "2 months of crime data after patrols began (at least 6 needed)"),
        ({"start": 3}, "3 months of crime data before patrols began (at least 6 needed)"),
        ({"controls": 3}, "3 comparison places (at least 5 needed)"),
        ({"mean": 0.2, "treated": 2}, "relevant crimes in these LSOAs before"),
    ],
)
def test_thin_data_is_inconclusive_with_the_reason_and_no_number(kwargs, words):
    panel, treated, _, candidates = synthetic(seed=15, effect=0.7, **kwargs)
    result = estimate(panel, treated, candidates, "Thin")
    assert not result.conclusive
    assert result.estimate is None
    assert words in result.reason
    assert cell(result) == "Not enough data"
    sentence = effect_sentence(result, "Crime", detail=False)
    assert "not enough data" in sentence
    assert "%" not in sentence


def test_comparisons_are_the_candidates_most_alike_before():
    ms = months(12)
    flat = lambda level: [level] * 12  # noqa: E731
    rising = [2 + n for n in range(12)]
    panel = Panel(
        ms,
        {
            "T": flat(10),
            "alike": flat(10),
            "near": flat(11),
            "rising": rising,
            "busy": flat(40),
            "quiet": flat(1),
            "far": flat(80),
            "rising2": [n * 3 for n in range(12)],
        },
    )
    candidates = ["alike", "near", "rising", "busy", "quiet", "far", "rising2"]
    chosen = choose_comparisons(panel, ["T"], candidates, before=12)
    assert len(chosen) == rules.COMPARISONS_PER_PLACE
    assert {"alike", "near"} <= set(chosen)
    assert "rising2" not in chosen  # the most different trend


# --- Dosage ---------------------------------------------------------------------------------


def _effect(ratio: float, se: float = 0.1) -> Effect:
    low, high = math.exp(math.log(ratio) - 1.96 * se), math.exp(math.log(ratio) + 1.96 * se)
    return Effect("x", conclusive=True, estimate=Interval(ratio, low, high))


def test_dose_response_recovers_a_planted_slope():
    # Each extra visit a week: 20% less crime.
    pairs = [(Dose(v, 60.0 * v, 0, 1.0), _effect(0.8**v)) for v in (0, 1, 1, 2, 3, 4)]
    result = dose_response(pairs)
    assert result.conclusive
    assert result.per_visit.covers(0.8)
    assert result.per_visit.high < 1


def test_dose_response_needs_five_hotspots_with_an_estimate():
    thin = Effect("y", conclusive=False, reason="Too little data")
    pairs = [(Dose(v, 60.0, 0, 1.0), _effect(0.9)) for v in (1, 2, 3, 4)]
    pairs.append((Dose(5, 60.0, 0, 1.0), thin))
    result = dose_response(pairs)
    assert not result.conclusive
    assert "4 (at least 5 needed)" in result.reason


# --- Diversion intervals ----------------------------------------------------------------------


def test_wilson_interval_by_hand():
    # 7 of 10: p = 0.7, z = 1.96; centre = (0.7 + 0.19208) / 1.38415 = 0.64450,
    # half = 1.96 × sqrt(0.021 + 0.0096040) / 1.38415 = 0.24773.
    p = wilson(7, 10)
    assert p.low == pytest.approx(0.3968, abs=1e-4)
    assert p.high == pytest.approx(0.8922, abs=1e-4)
    assert wilson(0, 5).low == 0
    assert wilson(5, 5).high == 1


def test_wilson_and_newcombe_agree_with_statsmodels():
    from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

    for count, total in ((0, 7), (3, 11), (12, 40)):
        low, high = proportion_confint(count, total, alpha=0.05, method="wilson")
        p = wilson(count, total)
        assert (p.low, p.high) == pytest.approx((low, high), abs=1e-4)
    low, high = confint_proportions_2indep(2, 12, 7, 13, method="newcomb", compare="diff")
    d = newcombe(wilson(2, 12), wilson(7, 13))
    assert d.value == pytest.approx(2 / 12 - 7 / 13)
    assert (d.low, d.high) == pytest.approx((low, high), abs=1e-4)
    assert d.clear == bool(high < 0 or low > 0)


def test_diversion_compares_only_groups_of_five_or_more():
    counts = {
        "given": 20,
        "completed": 9,
        "not_completed": 7,
        "completed_6_men": 8,
        "completed_6_again": 1,
        "not_completed_6_men": 6,
        "not_completed_6_again": 3,
        "completed_12_men": 4,
        "completed_12_again": 1,
        "not_completed_12_men": 5,
        "not_completed_12_again": 3,
    }
    d = diversion(counts)
    assert (d.open, d.completion.count, d.completion.total) == (4, 9, 16)
    six, twelve = d.rearrest
    assert six.conclusive
    assert six.difference.value == pytest.approx(1 / 8 - 3 / 6)
    assert not twelve.conclusive
    assert "4 completers followed up for 12 months" in twelve.reason
    assert twelve.difference is None
    assert "not a randomised comparison" in d.caveat
