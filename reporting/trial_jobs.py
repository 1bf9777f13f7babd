"""Each trial's result, worked out by the Evidence job of its area (``evidence_jobs.run``:
each night, after each crime import, and when the Evidence page finds no figures), never
in a request: intention to treat with 2,000 re-drawn allocations takes up to a second.

``analyse_area`` stores one ``TrialAnalysis`` per trial of the area, with when it was
worked out and the day its data runs to. A trial whose analysis fails keeps the result it
had (the page says when that was worked out), so one odd trial never stops the others or
the area's Evidence figures. Only data the analysis cannot work with is forgiven so
(``ODD_DATA``); a bug, an outage or the job's time limit stops the whole run, which
records it or tries again (evidence_jobs.run).
"""

import datetime as dt
import logging

from django.utils import timezone

from patrols.models import Trial

from .evaluation import stored
from .evaluation.trial import analyse
from .evaluation.trial_data import trial_data
from .evaluation.trial_result import FORMAT
from .models import TrialAnalysis

logger = logging.getLogger(__name__)

# What one trial's data can make the analysis raise: numpy refusing arrays of odd shapes
# or values, or a seed that is not hexadecimal (ValueError); a week, month or hotspot
# looked up and not there (LookupError: KeyError, IndexError); a division by nothing or a
# date past the calendar (ArithmeticError: ZeroDivisionError, FloatingPointError,
# OverflowError). Anything else is not about the data, and is not caught here.
ODD_DATA = (ValueError, LookupError, ArithmeticError)


def analyse_area(area_id: int, today: dt.date | None = None) -> int:
    """Work out and store the result of every trial of the area; how many were stored."""
    today = today or timezone.localdate()
    done = 0
    for trial in Trial.objects.filter(area=area_id).order_by("pk"):
        try:
            analyse_trial(trial, today)
        except ODD_DATA as error:  # the trial keeps its last result; the others go on
            logger.error("Trial %s not analysed: %s", trial.pk, type(error).__name__)
        else:
            done += 1
    return done


def analyse_trial(trial: Trial, today: dt.date) -> TrialAnalysis:
    data = trial_data(trial, today)
    result = analyse(data, registered_weeks=trial.weeks) if data is not None else None
    row, _ = TrialAnalysis.objects.update_or_create(
        trial=trial,
        defaults={
            "computed_at": timezone.now(),
            "data_until": data.last_day if data is not None else None,
            "result": stored.to_data(result) if result is not None else None,
            "result_format": FORMAT,
        },
    )
    return row
