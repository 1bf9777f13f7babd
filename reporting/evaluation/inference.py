"""Honest intervals for a difference in differences with few treated places.

**Collapsing.** Each place's monthly counts become two totals, before and after a start
month (the start month itself left out), and one number: the change in its log monthly
rate, ``log((after + ½) / months after) − log((before + ½) / months before)``. Whatever
the months of a place share (serial correlation, a run of busy months) is inside its two
totals, so nothing below assumes months are independent. With staggered starts each start
month is a *cohort*: its treated places against every comparison place, over the same
months (comparison places are never-patrolled places only).

**The estimate.** In each cohort, the weighted mean change of the treated places minus
that of the comparison places; cohorts are averaged by the weight of their treated
places. A place's weight is the inverse of the variance of its change: the Poisson part
(``1/(before + ½) + 1/(after + ½)``) plus the variance that places' changes share beyond
it (``tau2``, estimated from the comparison places alone, by the method of moments). The
rate ratio is ``exp(estimate)``.

**The interval.**

- With at least ``MIN_CLUSTERS`` treated places: a wild cluster bootstrap by place,
  restricted (the null hypothesis imposed), with Webb's six-point weights and the
  studentised (bootstrap-t) statistic; the interval is every ratio the test does not
  reject at 5% (test inversion, the same draws for every ratio). ``BOOTSTRAP_DRAWS``
  draws from a fixed seed: the same data always give the same interval.
- With fewer (one or two LSOAs is a single hotspot's usual catchment), a cluster
  bootstrap has nothing to resample on the treated side; the variance of a treated
  place's change is taken from the comparison places' (the variance model above, scaled
  by the residual dispersion), with a t critical value on ``places − 2 × cohorts``
  degrees of freedom. A place in several cohorts is counted as if its changes moved
  together (never narrower than the truth).

numpy and scipy are imported inside the functions (see ``did``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from . import rules
from .numeric import single_threaded

WEBB = (-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5))
BOOTSTRAP = "wild cluster bootstrap by LSOA"
MODEL_T = "variance from the comparison LSOAs, t"


@dataclass(frozen=True)
class Cohort:
    """Treated places sharing a start, with the month indexes before and after it."""

    before: Sequence[int]
    after: Sequence[int]
    treated: Sequence[str]


@dataclass(frozen=True)
class Fit:
    log_ratio: float
    low: float  # log scale
    high: float
    dispersion: float  # comparison places' changes vary this many times the Poisson part
    method: str  # how the interval was made, in words
    df: int = 0  # degrees of freedom of the t critical value (model-based only)


def webb_weights(rng, shape):
    """Webb's six-point weights: ±√1.5, ±1, ±√0.5 with equal probability (mean 0,
    variance 1), which with few clusters give far more distinct draws than ±1."""
    import numpy as np

    return np.asarray(WEBB)[rng.integers(0, 6, size=shape)]


def t_critical(df: int) -> float:
    from scipy.stats import t

    return float(t.ppf(0.975, max(1, df)))


def cohorts(
    months: Sequence, starts: Mapping[str, object], after: Mapping[str, object] | None = None
) -> list[Cohort]:
    """One cohort per start month (and set of months patrolled after it, ``after``: place
    → the months that count as after; by default every month after the start): the
    months before the start against the months after it."""
    after = after or {}

    def key(place):
        start = starts[place]
        kept = after.get(place)
        return start, tuple(sorted(m for m in kept if m > start)) if kept is not None else None

    out = []
    for start, kept in sorted({key(p) for p in starts}, key=lambda k: (k[0], k[1] or ())):
        out.append(
            Cohort(
                before=[i for i, m in enumerate(months) if m < start],
                after=[
                    i for i, m in enumerate(months) if m > start and (kept is None or m in kept)
                ],
                treated=sorted(p for p in starts if key(p) == (start, kept)),
            )
        )
    return out


def _log_rate(series, months) -> tuple[float, float]:
    """log((total + ½) / months) and its Poisson variance, 1 / (total + ½)."""
    total = sum(series[i] for i in months) + 0.5
    return math.log(total / len(months)), 1 / total


def _middle(months) -> float:
    return sum(months) / len(months)


def _collapse(c: Cohort, series, trend_from: int | None) -> tuple[float, float]:
    """A place's change in a cohort, and its Poisson variance: after against before; or,
    with ``trend_from``, after against the trend of the months before continued: the line
    through the log rates of the months before ``trend_from`` and of the rest of the
    months before, carried on to the middle of the months after."""
    after, after_noise = _log_rate(series, c.after)
    if trend_from is None:
        before, before_noise = _log_rate(series, c.before)
        return after - before, after_noise + before_noise
    early, late = c.before[:trend_from], c.before[trend_from:]
    first, first_noise = _log_rate(series, early)
    last, last_noise = _log_rate(series, late)
    k = (_middle(c.after) - _middle(late)) / (_middle(late) - _middle(early))
    change = after - last - k * (last - first)
    return change, after_noise + (1 + k) ** 2 * last_noise + k**2 * first_noise


class _Rows:
    """The collapsed data: one row per (cohort, place)."""

    def __init__(self, counts: Mapping[str, Sequence[int]], groups, comparisons, trend_from=None):
        import numpy as np

        change, noise, treated, cohort, place = [], [], [], [], []
        names: dict[str, int] = {}
        for k, c in enumerate(groups):
            for p, is_treated in [(p, True) for p in c.treated] + [(p, False) for p in comparisons]:
                d, v = _collapse(c, counts[p], trend_from)
                change.append(d)
                noise.append(v)
                treated.append(is_treated)
                cohort.append(k)
                place.append(names.setdefault(p, len(names)))
        self.change = np.array(change)
        self.noise = np.array(noise)
        self.treated = np.array(treated)
        self.cohort = np.array(cohort)
        self.place = np.array(place)
        self.places = len(names)
        self.cohorts = len(groups)
        self.group = 2 * self.cohort + self.treated  # cohort × arm
        self.treated_places = len({p for p, t in zip(place, treated, strict=True) if t})

    def group_mean(self, values, weights):
        """Weighted mean of ``values`` (…, rows) within each row's group, per row."""
        import numpy as np

        n = 2 * self.cohorts
        onehot = np.zeros((len(self.group), n))
        onehot[np.arange(len(self.group)), self.group] = weights
        sums = values @ onehot
        return (sums / onehot.sum(axis=0))[..., self.group]

    def by_place(self, values):
        """Sum of ``values`` (…, rows) per place: (…, places)."""
        import numpy as np

        onehot = np.zeros((len(self.place), self.places))
        onehot[np.arange(len(self.place)), self.place] = 1.0
        return values @ onehot


def _tau2(rows: _Rows) -> float:
    """Variance of a comparison place's change beyond the Poisson part (never < 0)."""
    import numpy as np

    keep = ~rows.treated
    ones = np.ones(len(rows.change))
    resid = (rows.change - rows.group_mean(rows.change, ones))[keep]
    n = keep.sum()
    if n < 2:
        return 0.0
    excess = float(np.sum(resid**2)) / (n - rows.cohorts) - float(np.mean(rows.noise[keep]))
    return max(0.0, excess)


def fit(
    counts: Mapping[str, Sequence[int]],
    groups: Sequence[Cohort],
    comparisons,
    *,
    trend_from: int | None = None,
) -> Fit | None:
    """The collapsed difference in differences and its 95% interval (log scale); with
    ``trend_from``, of the changes against each place's trend before continued
    (``_collapse``): the effect if the trend the months before showed had gone on."""
    single_threaded()
    import numpy as np

    rows = _Rows(counts, groups, comparisons, trend_from)
    if rows.treated.all() or not rows.treated.any():
        return None
    weights = 1 / (_tau2(rows) + rows.noise)
    # a: the estimate is sum(a * change); each cohort's arms' weights sum to ±(its share).
    arm_total = np.bincount(rows.group, weights=weights, minlength=2 * rows.cohorts)
    share = arm_total[1::2] / arm_total[1::2].sum()
    sign = np.where(rows.treated, 1.0, -1.0)
    a = sign * weights / arm_total[rows.group] * share[rows.cohort]
    estimate = float(a @ rows.change)
    resid = rows.change - rows.group_mean(rows.change, weights)
    comparison = ~rows.treated
    dispersion = float(
        np.sum(resid[comparison] ** 2 / rows.noise[comparison])
        / max(1, comparison.sum() - rows.cohorts)
    )
    if not math.isfinite(estimate):
        return None
    if rows.treated_places >= rules.MIN_CLUSTERS:
        bounds = _bootstrap(rows, a, weights, estimate)
        if bounds is None:
            return None
        return Fit(estimate, *bounds, dispersion, BOOTSTRAP)
    variance = 1 / weights
    df = max(1, rows.places - 2 * rows.cohorts)
    scale = float(np.sum(weights * resid**2)) / df
    spread = rows.by_place(np.abs(a) * np.sqrt(variance))  # a place's rows move together
    se = math.sqrt(scale * float(np.sum(spread**2)))
    if not (math.isfinite(se) and se > 0):
        return None
    q = t_critical(df)
    return Fit(estimate, estimate - q * se, estimate + q * se, dispersion, MODEL_T, df)


def _bootstrap(rows: _Rows, a, weights, estimate: float):
    """The restricted wild cluster bootstrap-t, inverted: (low, high) on the log scale."""
    import numpy as np

    rng = np.random.default_rng(rules.BOOTSTRAP_SEED)
    draws = webb_weights(rng, (rules.BOOTSTRAP_DRAWS, rows.places))
    g = rows.places
    small = g / (g - 1)
    treated = rows.treated.astype(float)

    def cluster_scores(residual):
        """Per place, sum of a × (residual minus its group mean)."""
        centred = residual - rows.group_mean(residual, weights)
        return rows.by_place(a * centred)

    # Restricted residuals are linear in the hypothesised value b: e0 − b·e1, where the
    # restricted model is the cohort's weighted mean of (change − b·treated).
    ones = rows.cohort  # cohort-level means: both arms together
    cw = np.bincount(ones, weights=weights, minlength=rows.cohorts)

    def cohort_centre(x):
        return x - (np.bincount(ones, weights=weights * x, minlength=rows.cohorts) / cw)[ones]

    e0, e1 = cohort_centre(rows.change), cohort_centre(treated)
    u0, u1 = rows.by_place(a * e0), rows.by_place(a * e1)  # numerator per place
    s0 = cluster_scores(draws[:, rows.place] * e0)  # (draws, places)
    s1 = cluster_scores(draws[:, rows.place] * e1)
    n0, n1 = draws @ u0, draws @ u1
    se = math.sqrt(small * float(np.sum(cluster_scores(rows.change) ** 2)))
    if not (math.isfinite(se) and se > 0):
        return None

    def rejected(b: float) -> bool:
        t = abs(estimate - b) / se
        star_se = np.sqrt(small * np.sum((s0 - b * s1) ** 2, axis=1))
        star_t = np.abs(n0 - b * n1) / np.where(star_se > 0, star_se, np.inf)
        return float(np.mean(star_t >= t)) <= 0.05

    return _invert(rejected, estimate, se)


def _invert(rejected, estimate: float, se: float) -> tuple[float, float]:
    """The ends of the set of values not rejected, searched outward from the estimate
    (capped at ``BOOTSTRAP_REACH`` standard errors: wider than that is "anything")."""
    ends = []
    for direction in (-1.0, 1.0):
        inside, step = 0.0, 1.0
        while not rejected(estimate + direction * step * se):
            inside, step = step, step * 2
            if step > rules.BOOTSTRAP_REACH:
                break
        outside = min(step, rules.BOOTSTRAP_REACH)
        if not rejected(estimate + direction * outside * se):
            ends.append(estimate + direction * outside * se)
            continue
        for _ in range(20):
            middle = (inside + outside) / 2
            if rejected(estimate + direction * middle * se):
                outside = middle
            else:
                inside = middle
        ends.append(estimate + direction * (inside + outside) / 2 * se)
    return ends[0], ends[1]


def score_intervals(estimates: Sequence[float], scores, treated_places: int):
    """95% intervals (log scale) for estimates that are, to first order, sums of one score
    per place (``scores``: places × estimates): a wild cluster bootstrap by place with
    Webb's weights (the same draws as ``fit``'s), the studentised statistic's 95th
    percentile as the critical value, never below t on ``treated_places − 1`` degrees of
    freedom. None when a standard error is 0 or not finite."""
    import numpy as np

    single_threaded()
    scores = np.asarray(scores, dtype=float)
    scores = scores[np.any(scores != 0, axis=1)]  # places in no estimate
    g = len(scores)
    if g < 2 or treated_places < 2:
        return None
    small = g / (g - 1)
    se = np.sqrt(small * np.sum(scores**2, axis=0))
    if not np.all(np.isfinite(se) & (se > 0)):
        return None
    rng = np.random.default_rng(rules.BOOTSTRAP_SEED)
    draws = webb_weights(rng, (rules.BOOTSTRAP_DRAWS, g))
    star = np.abs(draws @ scores) / np.sqrt(small * (draws**2 @ scores**2))
    q = np.maximum(np.quantile(star, 0.95, axis=0), t_critical(treated_places - 1))
    return [(float(a - k * s), float(a + k * s)) for a, k, s in zip(estimates, q, se, strict=True)]
