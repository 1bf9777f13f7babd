"""A registered trial analysed as a trial: intention to treat on the primary outcome,
with randomisation inference, delivered dosage beside it as compliance, and a statement
of whether the trial has run long enough to see a 20% change.

The data (trial_data.py) is three arrays over the analysed weeks × the trial's hotspots:
the allocation Z (1 patrol, 0 control), visits delivered, and the outcome. For a weekly
outcome the unit is the hotspot-week and the treatment Z; for a monthly one (police.uk
crime) the unit is the hotspot-month and the treatment the share of that month's trial
weeks the hotspot was allocated to patrol (D = Z aggregated by ``month_of_week``).

The estimate is the slope of the outcome on the treatment with period and hotspot fixed
effects (for the weekly outcome, close to the difference in means between arms, each
hotspot compared with itself in its other weeks). Randomisation inference: the
allocation is drawn again, many times, with the trial's own scheme (each week, within
each block, exactly round(p·n) to patrol), and the p-value is the share of draws whose
estimate is at least as far from zero as the one observed. The 95% interval inverts
that test under a constant additive effect: it holds every τ for which "the effect is
τ" is not rejected at 5%.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .trial_result import TARGET_CHANGE, TrialResult

DRAWS = 2000
POWER_Z = 2.8  # 1.96 + 0.84: a two-sided 5% test with 80% power
GRID = 201
CHUNK = 250  # redrawn allocations worked on at once


@dataclass(frozen=True)
class TrialData:
    """Arrays over weeks (rows) × hotspots (columns); ``month_of_week`` maps each row to
    an outcome period for a monthly outcome (None: the outcome is weekly); ``last_day``
    is the day the data runs to (said on the page beside the stored result)."""

    allocation: np.ndarray  # Z, 0/1
    visits: np.ndarray
    outcome: np.ndarray  # weeks × hotspots, or months × hotspots when monthly
    blocks: np.ndarray  # the block (area) of each hotspot
    month_of_week: np.ndarray | None = None
    last_day: dt.date | None = None  # the last day the data analysed covers


def treatment(data: TrialData, allocation: np.ndarray) -> np.ndarray:
    """The treatment by outcome unit: Z itself, or the share of a month's weeks on patrol.
    Works on one allocation (weeks × n) or a stack of draws (draws × weeks × n)."""
    if data.month_of_week is None:
        return allocation.astype(float)
    months = data.outcome.shape[0]
    onehot = np.zeros((months, len(data.month_of_week)))
    onehot[data.month_of_week, np.arange(len(data.month_of_week))] = 1
    onehot /= onehot.sum(axis=1, keepdims=True)
    return np.matmul(onehot, allocation.astype(float))


def demeaned(values: np.ndarray) -> np.ndarray:
    """Period and hotspot means taken off (two-way fixed effects on a balanced panel:
    the last two axes are periods × hotspots). The hotspot means soak up how busy each
    place always is, which the weekly re-randomisation would otherwise leave as noise."""
    return (
        values
        - values.mean(axis=-1, keepdims=True)
        - values.mean(axis=-2, keepdims=True)
        + values.mean(axis=(-2, -1), keepdims=True)
    )


def slope(outcome: np.ndarray, treated: np.ndarray) -> np.ndarray:
    """OLS slope of outcome on treatment with period fixed effects; broadcast over draws."""
    d = demeaned(treated)
    y = demeaned(outcome)
    denominator = (d * d).sum(axis=(-2, -1))
    return (d * y).sum(axis=(-2, -1)) / np.where(denominator > 0, denominator, np.nan)


def redraw(allocation: np.ndarray, blocks: np.ndarray, rng, draws: int) -> np.ndarray:
    """``draws`` allocations by the trial's scheme: each week, each block's patrol slots
    shuffled among its hotspots (the same number to patrol as the trial had)."""
    stack = np.broadcast_to(allocation, (draws, *allocation.shape)).copy()
    for block in np.unique(blocks):
        columns = np.flatnonzero(blocks == block)
        stack[:, :, columns] = rng.permuted(stack[:, :, columns], axis=2)
    return stack


def analyse(
    data: TrialData, rng=None, draws: int = DRAWS, registered_weeks: int | None = None
) -> TrialResult:
    rng = rng if rng is not None else np.random.default_rng(0)
    y = data.outcome.astype(float)
    d_obs = treatment(data, data.allocation)
    observed = float(slope(y, d_obs))
    a, b = _redrawn_estimates(data, y, d_obs, rng, draws)
    p_value = _p(observed, a)
    low, high = _interval(observed, a, b, y, d_obs)
    control_level = _control_level(y, d_obs, observed)
    detectable, needed = power(data, y, d_obs, observed, control_level)
    z, v = data.allocation.astype(bool), data.visits.astype(float)
    return TrialResult(
        units=int(y.size),
        estimate=observed,
        control_level=control_level,
        relative=observed / control_level if control_level > 0 else None,
        p_value=p_value,
        low=low,
        high=high,
        draws=draws,
        visits_patrol=float(v[z].mean()) if z.any() else 0.0,
        visits_control=float(v[~z].mean()) if (~z).any() else 0.0,
        visited_patrol_share=float((v[z] > 0).mean()) if z.any() else 0.0,
        visited_control_share=float((v[~z] > 0).mean()) if (~z).any() else 0.0,
        detectable_now=detectable,
        weeks_needed=needed,
        detectable_at_end=_at_end(detectable, data.allocation.shape[0], registered_weeks),
    )


def _at_end(detectable: float | None, weeks_so_far: int, registered: int | None) -> float | None:
    """The detectable change once every registered week is in: it shrinks with the
    square root of the units, which grow in proportion to the weeks."""
    if detectable is None or not registered:
        return None
    return detectable * float(np.sqrt(weeks_so_far / max(registered, weeks_so_far)))


def _redrawn_estimates(data, y, d_obs, rng, draws: int) -> tuple[np.ndarray, np.ndarray]:
    """For each redrawn allocation: the estimate (a), and how much of the trial's own
    allocation it picks up (b), for the interval. In chunks, so a two-year trial of many
    hotspots never holds every draw in memory at once."""
    a, b = [], []
    for start in range(0, draws, CHUNK):
        simulated = redraw(data.allocation, data.blocks, rng, min(CHUNK, draws - start))
        d_sim = treatment(data, simulated)
        a.append(slope(y, d_sim))
        b.append(slope(d_obs, d_sim))
    return np.concatenate(a), np.concatenate(b)


def _p(observed: float, simulated: np.ndarray) -> float:
    extreme = np.abs(simulated) >= abs(observed) - 1e-12
    return float((1 + extreme.sum()) / (1 + len(simulated)))


def _interval(observed, a, b, y, d_obs) -> tuple[float, float]:
    """Test inversion on a grid around the estimate: the taus not rejected at 5%."""
    spread = float(np.std(a)) or float(np.std(y)) or 1.0
    taus = np.linspace(observed - 6 * spread, observed + 6 * spread, GRID)
    # Under "effect τ": outcome − τ·D; its estimate on a redraw is a − τ·b, on the
    # trial's own allocation observed − τ.
    stats = np.abs(a[None, :] - taus[:, None] * b[None, :])
    p = (1 + (stats >= np.abs(observed - taus)[:, None] - 1e-12).sum(axis=1)) / (1 + len(a))
    kept = taus[p > 0.05]
    if not len(kept):
        return observed, observed
    return float(kept.min()), float(kept.max())


def _control_level(y, d, estimate) -> float:
    """The outcome with no patrol allocated: the mean, less the estimated effect of the
    patrol the units did get."""
    return float(y.mean() - estimate * d.mean())


def power(data, y, d, estimate, control_level) -> tuple[float | None, int | None]:
    """The change detectable at 80% power (two-sided 5%) with the units observed so far,
    and how many more weeks it takes for that to reach TARGET_CHANGE of the control level.
    The residual variance is what the trial observed; weeks add units at the same rate."""
    if control_level <= 0 or y.size < 3:
        return None, None
    residual = demeaned(y) - estimate * demeaned(d)
    variance = float((residual**2).sum() / max(y.size - y.shape[0] - y.shape[1], 1))
    treatment_variance = float((demeaned(d) ** 2).mean())
    if treatment_variance <= 0:
        return None, None
    se_per_unit = np.sqrt(variance / treatment_variance)  # × 1/√units
    detectable = POWER_Z * se_per_unit / np.sqrt(y.size) / control_level
    units_needed = (POWER_Z * se_per_unit / (TARGET_CHANGE * control_level)) ** 2
    weeks_so_far = data.allocation.shape[0]
    units_per_week = y.size / weeks_so_far
    more = int(np.ceil(max(units_needed - y.size, 0) / units_per_week))
    return float(detectable), more
