"""The trial's analysis (reporting/evaluation/trial.py): on simulated trials of our own,
allocated by the trial's own scheme, a planted effect is recovered inside the interval and
a null is rarely called significant; a monthly outcome is analysed by hotspot-month with
the share of weeks on patrol; and the database reader feeds it the right arrays."""

import datetime as dt

import numpy as np
import pytest

from patrols.models import TrialOutcome
from patrols.services import trials
from patrols.trial_allocation import PATROL, allocate
from reporting.evaluation.trial import TrialData, analyse
from reporting.evaluation.trial_data import trial_data
from reporting.models import CrimeRecord, ImportBatch
from tests.patrols.trials import patrol_in_week, register

HOTSPOTS, WEEKS = 10, 16


def simulated(rng, effect: float, *, weeks=WEEKS, n=HOTSPOTS, monthly=False) -> TrialData:
    """A trial world: hotspots of very different busyness, week-to-week noise, and a
    multiplicative effect of patrol (-0.3: 30% fewer)."""
    seed = f"{int(rng.integers(0, 2**62)):064x}"
    pairs = [(pk, "area") for pk in range(n)]
    z = np.array(
        [
            [allocate(seed, w, pairs, 0.5)[pk] == PATROL for pk in range(n)]
            for w in range(1, 1 + weeks)
        ]
    ).astype(int)
    busy = rng.gamma(2.0, 3.0, size=n)
    rate = busy * np.exp(rng.normal(0, 0.25, size=(weeks, n))) * (1 + effect * z)
    visits = z * rng.integers(1, 3, size=z.shape)
    if not monthly:
        return TrialData(z, visits, rng.poisson(rate), np.zeros(n, dtype=int))
    month_of_week = np.arange(weeks) // 4
    outcome = np.array(
        [rng.poisson(rate[month_of_week == m].sum(axis=0)) for m in range(weeks // 4)]
    )
    return TrialData(z, visits, outcome, np.zeros(n, dtype=int), month_of_week)


def test_a_planted_30_percent_fall_is_found_and_its_interval_covers_the_truth():
    rng = np.random.default_rng(18)
    found, covered = 0, 0
    for _ in range(40):
        data = simulated(rng, -0.3)
        result = analyse(data, rng=rng, draws=500)
        found += result.p_value < 0.05 and result.estimate < 0
        level = result.control_level
        covered += result.low <= -0.3 * level <= result.high
    assert found >= 30, found  # the trial has the power to see it
    assert covered >= 32, covered  # a 95% interval, roughly: 40 × 0.95 ≈ 38


def test_a_null_trial_is_rarely_called_significant():
    rng = np.random.default_rng(6)
    p_values = [analyse(simulated(rng, 0.0), rng=rng, draws=300).p_value for _ in range(200)]
    assert np.mean(np.array(p_values) < 0.05) <= 0.08  # 5%, within binomial error of 200
    assert np.median(p_values) > 0.3


def test_a_monthly_outcome_is_analysed_by_hotspot_month_with_the_share_on_patrol():
    rng = np.random.default_rng(7)
    effects = [analyse(simulated(rng, -0.4, monthly=True), rng=rng, draws=300) for _ in range(12)]

    assert effects[0].units == HOTSPOTS * WEEKS // 4
    assert np.median([r.relative for r in effects]) < -0.2
    assert sum(r.p_value < 0.05 for r in effects) >= 6


def test_compliance_and_the_power_statement():
    rng = np.random.default_rng(3)
    result = analyse(simulated(rng, 0.0, weeks=6), rng=rng, draws=200)

    assert result.visits_control == 0
    assert result.visited_patrol_share == 1
    assert result.visits_patrol >= 1
    assert result.detectable_now > 0
    assert result.weeks_needed is not None
    planned = analyse(simulated(np.random.default_rng(3), 0.0, weeks=6), registered_weeks=24)
    assert planned.detectable_at_end == pytest.approx(planned.detectable_now / 2)
    longer = analyse(simulated(np.random.default_rng(3), 0.0, weeks=60), draws=200)
    assert longer.detectable_now < result.detectable_now


@pytest.mark.django_db
def test_the_reader_builds_the_arrays_from_returns_and_the_seed(project_lead, area):
    trial = register(project_lead, area, weeks=4)
    hotspots = {h.pk: h for h in trial.hotspots.all()}
    for week in (1, 2):
        arms = trials.allocation(trial, week)
        on_patrol = [hotspots[pk] for pk, arm in arms.items() if arm == PATROL]
        patrol_in_week(trial, week, on_patrol, returned=True, seen=6)
    after_two = trial.starts_on + dt.timedelta(weeks=2)

    data = trial_data(trial, after_two)

    assert data.allocation.shape == (2, 6)
    assert data.allocation.sum(axis=1).tolist() == [3, 3]
    assert (data.visits == data.allocation).all()
    assert data.outcome.sum() == pytest.approx(12)  # 6 seen, shared among 3 hotspots, twice
    assert trial_data(trial, trial.starts_on + dt.timedelta(days=6)) is None


@pytest.mark.django_db
def test_the_reader_counts_crime_near_each_hotspot_by_month(project_lead, area):
    trial = register(project_lead, area, weeks=8, primary_outcome=TrialOutcome.STREET_CRIME)
    first = trial.hotspots.order_by("pk").first()
    month = trial.starts_on.replace(day=1)
    batch = ImportBatch.objects.create(
        filename="s.csv", kind="street", status="imported", force="metropolitan", month=month
    )
    CrimeRecord.objects.create(
        batch=batch,
        area=area,
        month=month,
        reported_by="Metropolitan Police Service",
        falls_within="Metropolitan Police Service",
        latitude=first.latitude,
        longitude=first.longitude,
        crime_type="Anti-social behaviour",
    )

    data = trial_data(trial, trial.starts_on + dt.timedelta(weeks=8))

    assert data.month_of_week is not None
    assert data.outcome.shape[1] == 6
    assert data.outcome.sum() == 6  # every synthetic hotspot stands on the same spot
