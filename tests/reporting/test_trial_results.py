"""A trial's result is worked out by the Evidence job and read by the trial page: the job
stores it with when it was worked out and the day its data runs to; the page never runs
the analysis (it renders with the analysis broken), and says in words when there is no
result yet, when none was worked out, and when a week has ended since."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.urls import reverse
from django.utils import timezone

from patrols.services import trials
from patrols.trial_allocation import PATROL
from reporting import evidence_jobs, trial_jobs
from reporting.evaluation import stored
from reporting.evaluation import trial as analysis
from reporting.evaluation import trial_data as reader
from reporting.evaluation.trial_result import FORMAT, TrialResult
from reporting.models import EvidenceRun, EvidenceStatus, TrialAnalysis
from reporting.selectors_trials import stored_result
from tests.patrols.trials import patrol_in_week, register

pytestmark = pytest.mark.django_db


def two_weeks_returned(lead, area):
    """A trial whose first two weeks are over, each patrolled as allocated."""
    trial = register(lead, area, weeks=4)
    hotspots = {h.pk: h for h in trial.hotspots.all()}
    for week in (1, 2):
        arms = trials.allocation(trial, week)
        on_patrol = [hotspots[pk] for pk, arm in arms.items() if arm == PATROL]
        patrol_in_week(trial, week, on_patrol, returned=True, seen=6)
    return trial, trial.starts_on + dt.timedelta(weeks=2)


def break_analysis(monkeypatch):
    """Any attempt to work a result out fails from now on: only a stored one can show."""

    def refuse(*args, **kwargs):
        raise AssertionError("the analysis ran")

    for module in (analysis, trial_jobs):
        monkeypatch.setattr(module, "analyse", refuse)
    for module in (reader, trial_jobs):
        monkeypatch.setattr(module, "trial_data", refuse)


def page(client, user, trial) -> str:
    client.force_login(user)
    response = client.get(reverse("reporting:trial", args=[trial.uuid]))
    assert response.status_code == 200
    return response.content.decode()


# --- The job stores it -----------------------------------------------------------------------


def test_the_job_stores_the_result_with_when_and_the_day_the_data_runs_to(project_lead, area):
    trial, after_two = two_weeks_returned(project_lead, area)

    assert trial_jobs.analyse_area(area.pk, after_two) == 1

    row = TrialAnalysis.objects.get(trial=trial)
    assert row.result_format == FORMAT
    assert row.data_until == trial.starts_on + dt.timedelta(days=13)  # week 2's Sunday
    assert timezone.now() - row.computed_at < dt.timedelta(minutes=5)
    expected = analysis.analyse(reader.trial_data(trial, after_two), registered_weeks=4)
    # Compared as stored (NaN as "nan"): a week with too little data gives NaN, which is
    # never equal to itself, and the test failed whenever the synthetic weeks did.
    assert stored.to_data(stored.from_data(TrialResult, row.result)) == stored.to_data(expected)


def test_working_it_out_again_replaces_the_stored_result(project_lead, area):
    trial, after_two = two_weeks_returned(project_lead, area)
    trial_jobs.analyse_area(area.pk, trial.starts_on + dt.timedelta(weeks=1))
    trial_jobs.analyse_area(area.pk, after_two)

    row = TrialAnalysis.objects.get(trial=trial)
    assert row.data_until == trial.starts_on + dt.timedelta(days=13)
    assert stored.from_data(TrialResult, row.result).units == 12  # 2 weeks × 6 hotspots


def test_the_areas_evidence_run_stores_its_trials_results(project_lead, area, other_area):
    trial = register(project_lead, area)
    run = EvidenceRun.objects.create(area=area, as_of=timezone.localdate())

    evidence_jobs.run(run.pk)

    run.refresh_from_db()
    assert run.status == EvidenceStatus.READY
    row = TrialAnalysis.objects.get(trial=trial)
    assert row.result is None  # it starts next Monday: no week is over yet
    assert row.data_until is None


def test_a_trial_that_cannot_be_analysed_keeps_its_last_result_and_stops_nothing(
    project_lead, area, monkeypatch
):
    trial, after_two = two_weeks_returned(project_lead, area)
    trial_jobs.analyse_area(area.pk, after_two)
    before = TrialAnalysis.objects.get(trial=trial)

    def odd(*args, **kwargs):
        raise ValueError("odd data")

    monkeypatch.setattr(trial_jobs, "trial_data", odd)
    run = EvidenceRun.objects.create(area=area, as_of=timezone.localdate())
    evidence_jobs.run(run.pk)

    run.refresh_from_db()
    assert run.status == EvidenceStatus.READY
    after = TrialAnalysis.objects.get(trial=trial)
    assert (after.computed_at, after.result) == (before.computed_at, before.result)


@pytest.mark.parametrize("kind", [ValueError, IndexError, KeyError, ZeroDivisionError])
def test_odd_data_in_one_trial_is_logged_and_the_next_trial_is_analysed(
    project_lead, area, monkeypatch, caplog, kind
):
    odd = register(project_lead, area)  # analysed first (by pk)
    fine = register(project_lead, area)
    read = trial_jobs.trial_data

    def data(trial, today):
        if trial.pk == odd.pk:
            raise kind("odd data")
        return read(trial, today)

    monkeypatch.setattr(trial_jobs, "trial_data", data)

    assert trial_jobs.analyse_area(area.pk) == 1
    assert list(TrialAnalysis.objects.values_list("trial", flat=True)) == [fine.pk]
    assert f"Trial {odd.pk} not analysed: {kind.__name__}" in caplog.text


@pytest.mark.parametrize("kind", [TypeError, AttributeError, NameError])
def test_a_bug_in_a_trial_s_analysis_fails_the_area_s_run(project_lead, area, monkeypatch, kind):
    """Not odd data but a mistake in the code: it is not logged and forgotten; the run
    fails with its kind, for the administrator to see."""
    register(project_lead, area)

    def bug(*args, **kwargs):
        raise kind("a bug")

    monkeypatch.setattr(trial_jobs, "trial_data", bug)
    with pytest.raises(kind):
        trial_jobs.analyse_area(area.pk)

    run = EvidenceRun.objects.create(area=area, as_of=timezone.localdate())
    evidence_jobs.run(run.pk)

    run.refresh_from_db()
    assert run.status == EvidenceStatus.FAILED
    assert f"({kind.__name__})" in run.error
    assert not TrialAnalysis.objects.exists()


def test_the_time_limit_in_a_trial_fails_the_whole_run(project_lead, area, monkeypatch):
    register(project_lead, area)

    def slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(trial_jobs, "trial_data", slow)
    run = EvidenceRun.objects.create(area=area, as_of=timezone.localdate())
    evidence_jobs.run(run.pk)

    run.refresh_from_db()
    assert run.status == EvidenceStatus.FAILED
    assert "longer than" in run.error


# --- The page reads it -----------------------------------------------------------------------


def test_the_page_shows_the_stored_result_without_running_the_analysis(
    client, project_lead, sergeant, area, monkeypatch
):
    trial, after_two = two_weeks_returned(project_lead, area)
    trial_jobs.analyse_area(area.pk, after_two)
    row = TrialAnalysis.objects.get(trial=trial)
    result = stored.from_data(TrialResult, row.result)
    break_analysis(monkeypatch)

    html = page(client, sergeant, trial)

    assert "data-result" in html
    assert f"{result.draws} re-drawn allocations" in html
    assert f"{result.p_value:.3f}" in html
    data_until = trial.starts_on + dt.timedelta(days=13)
    assert f"with data up to {data_until:%A} {data_until.day} {data_until:%B %Y}" in html
    assert f"Worked out on {timezone.localtime(row.computed_at):%A}" in html


def test_not_worked_out_yet_is_said_in_words(client, project_lead, area, monkeypatch):
    trial = register(project_lead, area)
    break_analysis(monkeypatch)

    html = page(client, project_lead, trial)

    assert "Not worked out yet" in html
    assert "data-result" not in html
    assert "Worked out on" not in html


def test_worked_out_before_any_week_was_over_says_so(client, project_lead, area):
    trial = register(project_lead, area)
    trial_jobs.analyse_area(area.pk)

    html = page(client, project_lead, trial)

    assert "Worked out on" in html
    assert "No result yet: the analysis starts once the first week is over" in html
    assert "Not worked out yet" not in html


def test_a_result_in_an_older_format_counts_as_not_worked_out(client, project_lead, area):
    trial, after_two = two_weeks_returned(project_lead, area)
    trial_jobs.analyse_area(area.pk, after_two)
    TrialAnalysis.objects.filter(trial=trial).update(result_format=FORMAT - 1)

    html = page(client, project_lead, trial)

    assert "Not worked out yet" in html
    assert "data-result" not in html


def test_a_stored_result_that_cannot_be_read_counts_as_none(project_lead, area):
    trial, after_two = two_weeks_returned(project_lead, area)
    trial_jobs.analyse_area(area.pk, after_two)
    TrialAnalysis.objects.filter(trial=trial).update(result={"units": "many"})

    assert stored_result(trial, after_two).analysis is None


def test_a_week_ended_since_it_was_worked_out_is_said(project_lead, area):
    trial, after_two = two_weeks_returned(project_lead, area)
    trial_jobs.analyse_area(area.pk, after_two)
    worked_out = timezone.make_aware(dt.datetime.combine(after_two, dt.time(2)))
    TrialAnalysis.objects.filter(trial=trial).update(computed_at=worked_out)

    assert not stored_result(trial, after_two).behind  # week 2 ended before it ran
    assert not stored_result(trial, after_two + dt.timedelta(days=6)).behind
    assert stored_result(trial, after_two + dt.timedelta(days=7)).behind  # week 3 is over


def test_no_page_loads_the_trial_analysis():
    """The urls (every view) import neither the analysis nor the job that runs it."""
    code = (
        "import django, sys; django.setup(); import ephedra.urls; "
        "print(sorted(m for m in sys.modules if m in {"
        "'reporting.evaluation.trial', 'reporting.evaluation.trial_data', "
        "'reporting.trial_jobs', 'matplotlib'}))"
    )
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "ephedra.settings"}
    out = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[]"
