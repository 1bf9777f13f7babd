"""Simulated worlds for the evaluation's statistics, with the truth known (no database).

Each world: places of very different sizes (log-normal levels), seasonality, a city-wide
fall, month-to-month place shocks that persist (an AR(1) process on the log rate: serial
correlation), overdispersion (a gamma multiplier on each month's rate) and Poisson
counts. Treated places get ``effect`` (a rate ratio) in the months after their start,
and optionally a ``drift`` (log rate change per month, before and after the start: a
trend of their own that patrols did nothing about).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from reporting.evaluation.did import Panel


@dataclass(frozen=True)
class World:
    panel: Panel
    starts: dict[str, dt.date]  # treated place → first month of patrols
    candidates: list[str]  # unpatrolled places


def months(n: int) -> tuple[dt.date, ...]:
    return tuple(dt.date(2024 + m // 12, m % 12 + 1, 1) for m in range(n))


def world(
    seed: int,
    *,
    effect: float = 1.0,
    treated: int = 5,
    controls: int = 40,
    n_months: int = 24,
    start: int = 12,
    stagger: int = 0,
    mean: float = 8.0,
    rho: float = 0.7,
    shock: float = 0.15,
    gamma_shape: float = 6.0,
    drift: float = 0.0,
) -> World:
    """``stagger``: treated places start up to this many months after ``start``."""
    rng = np.random.default_rng(seed)
    ms = months(n_months)
    t = np.arange(n_months)
    counts, starts = {}, {}
    for i in range(treated + controls):
        is_treated = i < treated
        log_rate = _log_rate(rng, n_months, mean, rho, shock)
        code = f"{'T' if is_treated else 'C'}{i:03d}"
        if is_treated:
            s = start + (int(rng.integers(0, stagger + 1)) if stagger else 0)
            starts[code] = ms[s]
            log_rate = log_rate + drift * (t - s) + np.where(t > s, np.log(effect), 0.0)
        counts[code] = _counts(rng, log_rate, gamma_shape)
    candidates = sorted(c for c in counts if c.startswith("C"))
    return World(Panel(ms, counts), starts, candidates)


def _log_rate(rng, n_months: int, mean: float, rho: float, shock: float):
    """A place's log rate: its level, the season, a city-wide fall and AR(1) shocks."""
    t = np.arange(n_months)
    season = 0.2 * np.sin(t * 2 * np.pi / 12) - 0.01 * t  # and a city-wide fall
    level = np.log(mean) + rng.normal(0, 0.7)
    u = np.empty(n_months)
    u[0] = rng.normal(0, shock / np.sqrt(1 - rho**2))
    for m in range(1, n_months):
        u[m] = rho * u[m - 1] + rng.normal(0, shock)
    return level + season + u


def _counts(rng, log_rate, gamma_shape: float) -> list[int]:
    rate = np.exp(log_rate) * rng.gamma(gamma_shape, 1 / gamma_shape, len(log_rate))
    return [int(v) for v in rng.poisson(rate)]


def staggered_world(
    seed: int,
    *,
    cohorts: dict[int, int],
    effect: Callable[[int, int], float],
    controls: int = 30,
    n_months: int = 36,
    mean: float = 8.0,
    rho: float = 0.7,
    shock: float = 0.15,
    gamma_shape: float = 6.0,
) -> World:
    """Patrols beginning at different months: ``cohorts`` maps a start (month index) to
    its number of places; ``effect(g, e)`` is the rate ratio in cohort ``g`` at event time
    ``e = t − g`` (applied from the start month on, e ≥ 0)."""
    rng = np.random.default_rng(seed)
    ms = months(n_months)
    t = np.arange(n_months)
    counts, starts = {}, {}
    for g, n in sorted(cohorts.items()):
        for k in range(n):
            code = f"T{g:02d}-{k:02d}"
            ratio = np.array([effect(g, int(m - g)) if m >= g else 1.0 for m in t])
            log_rate = _log_rate(rng, n_months, mean, rho, shock) + np.log(ratio)
            counts[code] = _counts(rng, log_rate, gamma_shape)
            starts[code] = ms[g]
    for i in range(controls):
        counts[f"C{i:03d}"] = _counts(rng, _log_rate(rng, n_months, mean, rho, shock), gamma_shape)
    candidates = sorted(c for c in counts if c.startswith("C"))
    return World(Panel(ms, counts), starts, candidates)
