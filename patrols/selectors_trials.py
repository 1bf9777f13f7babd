"""Every read of a trial: scoped to the user's areas (another area's trial is not found),
and the one gate on its allocation: a week's allocation is drawn for display only once
its planning has opened (patrols.trial_allocation.reveal_on), and the seed only once the
trial is over. Pages, the admin and the planning form all read through here.
"""

import datetime as dt
from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Hotspot, Trial, TrialDeviation
from .services.trials import allocation
from .trial_allocation import reveal_on, revealed_weeks, week_monday, week_of

ARM_LABELS = {"patrol": "trial: patrol", "control": "trial: control"}


class AllocationConcealed(Exception):
    """Asked for a week whose planning has not opened: nobody may see it yet."""


def trials_for(user):
    return Trial.objects.in_areas(user.areas.all()).select_related("area", "registered_by")


def get_trial_for_user(user, uuid) -> Trial:
    return get_object_or_404(trials_for(user), uuid=uuid)


def is_revealed(trial: Trial, week: int, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return 1 <= week <= trial.weeks and reveal_on(trial.starts_on, week) <= today


def week_allocation(trial: Trial, week: int, hotspots=None, today=None) -> dict[int, str]:
    """Hotspot pk → "patrol"/"control" for ``week``; AllocationConcealed before its
    planning opens (for everyone: there is no role that sees it earlier)."""
    if not is_revealed(trial, week, today):
        raise AllocationConcealed(
            f"Week {week}'s allocation is revealed on "
            f"{reveal_on(trial.starts_on, week):%d %B %Y}, when its planning opens."
        )
    return allocation(trial, week, hotspots)


@dataclass(frozen=True)
class TrialWeek:
    week: int
    monday: dt.date
    reveal_on: dt.date
    rows: list[tuple[Hotspot, str]] | None  # None: concealed


def trial_weeks(trial: Trial, today: dt.date | None = None) -> list[TrialWeek]:
    """Every week of the trial: the allocation of those revealed, the date of the rest."""
    today = today or timezone.localdate()
    hotspots = list(trial.hotspots.select_related("ward"))
    shown = set(revealed_weeks(trial.starts_on, trial.weeks, today))
    weeks = []
    for week in range(1, trial.weeks + 1):
        rows = None
        if week in shown:
            arms = week_allocation(trial, week, hotspots, today)
            rows = [(h, arms[h.pk]) for h in hotspots]
        monday = week_monday(trial.starts_on, week)
        weeks.append(TrialWeek(week, monday, reveal_on(trial.starts_on, week), rows))
    return weeks


@dataclass(frozen=True)
class WeekPanel:
    """A trial running in a planned week: its allocation, or when it will be revealed."""

    trial: Trial
    week: int
    reveal_on: dt.date
    rows: list[tuple[Hotspot, str]] | None  # None: concealed


def week_panels(user, monday: dt.date, today: dt.date | None = None) -> list[WeekPanel]:
    """The trials of the user's areas that run in week ``monday``, for the week page and
    the planning form (two queries, however many trials and hotspots)."""
    today = today or timezone.localdate()
    panels = []
    for trial in trials_for(user).prefetch_related("hotspots__ward"):
        week = week_of(trial.starts_on, trial.weeks, monday)
        if week is None:
            continue
        rows = None
        if is_revealed(trial, week, today):
            hotspots = sorted(trial.hotspots.all(), key=lambda h: (h.ward.name, h.name))
            arms = week_allocation(trial, week, hotspots, today)
            rows = [(h, ARM_LABELS[arms[h.pk]]) for h in hotspots]
        panels.append(WeekPanel(trial, week, reveal_on(trial.starts_on, week), rows))
    return panels


def arms_for_week(user, monday: dt.date, today: dt.date | None = None) -> dict[int, str]:
    """For planning week ``monday``: hotspot pk → "trial: patrol"/"trial: control", for
    the trials of the user's areas whose allocation for that week is revealed."""
    return {
        hotspot.pk: label
        for panel in week_panels(user, monday, today)
        for hotspot, label in panel.rows or []
    }


def seed_for_display(trial: Trial, today: dt.date | None = None) -> str | None:
    """The seed, once the trial is over (anyone can then redraw every week); None before."""
    today = today or timezone.localdate()
    over = week_monday(trial.starts_on, trial.weeks + 1) <= today
    return trial.seed if over else None


def deviations(trial: Trial):
    return TrialDeviation.objects.filter(trial=trial).select_related(
        "hotspot", "patrol", "reason_by"
    )


def get_deviation_for_user(user, trial_uuid, pk) -> TrialDeviation:
    trial = get_trial_for_user(user, trial_uuid)
    return get_object_or_404(TrialDeviation.objects.filter(trial=trial), pk=pk)


def registrable_hotspots(user):
    """What a trial may include: active hotspots in the user's areas."""
    return (
        Hotspot.objects.visible_to(user)
        .active()
        .select_related("ward__area")
        .order_by("ward__area__name", "ward__name", "name")
    )
