"""A trial's stored result, for its page: read, never worked out here (``trial_jobs``
works it out with the area's Evidence figures), so the page loads no analysis code."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from patrols.models import Trial
from patrols.trial_allocation import ended_weeks, week_monday

from .evaluation import stored
from .evaluation.trial_result import FORMAT, TrialResult
from .models import TrialAnalysis


@dataclass(frozen=True)
class StoredTrialResult:
    analysis: TrialAnalysis | None  # None: not worked out yet (or in an older format)
    result: TrialResult | None  # None: nothing to analyse when it was worked out
    behind: bool  # a week of the trial has ended since it was worked out


def stored_result(trial: Trial, today: dt.date | None = None) -> StoredTrialResult:
    """The trial's newest stored result (one query); one stored in another format, or
    that cannot be read, counts as none (the next run writes it again)."""
    today = today or timezone.localdate()
    analysis = TrialAnalysis.objects.filter(trial=trial, result_format=FORMAT).first()
    result = None
    if analysis is not None and analysis.result is not None:
        try:
            result = stored.from_data(TrialResult, analysis.result)
        except stored.StoredFormatError:
            analysis = None
    return StoredTrialResult(analysis, result, _behind(trial, analysis, today))


def _behind(trial: Trial, analysis: TrialAnalysis | None, today: dt.date) -> bool:
    ended = ended_weeks(trial.starts_on, trial.weeks, today)
    if analysis is None or not ended:
        return False
    last_ended_on = week_monday(trial.starts_on, ended[-1] + 1)  # the Monday after it
    return last_ended_on > timezone.localdate(analysis.computed_at)
