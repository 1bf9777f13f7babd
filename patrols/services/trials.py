"""Trials: registering one (then it is locked), recording where patrols departed from the
allocation, and a supervisor's reason for a deviation. The allocation scheme and its
calendar are patrols.trial_allocation's; what may be seen and when, selectors_trials'.
"""

import datetime as dt
import secrets
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Area, User
from governance import audit

from ..models import DeviationKind, Hotspot, Patrol, ReturnStatus, Trial, TrialDeviation
from ..models.trials import TrialOutcome, commitment
from ..trial_allocation import (
    CONTROL,
    PATROL,
    allocate,
    ended_weeks,
    patrols_in_block,
    revealed_weeks,
    week_monday,
)
from .errors import PatrolRuleError

MIN_HOTSPOTS = 4
MIN_WEEKS, MAX_WEEKS = 4, 104
DEFAULT_SHARE = Decimal("0.50")


def register_trial(
    by: User,
    *,
    area: Area,
    title: str,
    hotspots: list[Hotspot],
    primary_outcome: str,
    hypotheses: str,
    analysis_plan: str,
    weeks: int,
    starts_on: dt.date,
    patrol_share: Decimal = DEFAULT_SHARE,
) -> Trial:
    """Register a trial: checked, written once with a secret seed drawn now, and locked.
    The hotspots' rows are locked while they are checked, so none retires meanwhile."""
    with transaction.atomic():
        chosen = list(
            Hotspot.objects.select_for_update()
            .filter(pk__in=[h.pk for h in hotspots])
            .select_related("ward")
        )
        _check(by, area, chosen, primary_outcome, weeks, starts_on, patrol_share)
        seed = secrets.token_hex(32)
        trial = Trial.objects.create(
            area=area,
            title=title.strip(),
            primary_outcome=primary_outcome,
            hypotheses=hypotheses.strip(),
            analysis_plan=analysis_plan.strip(),
            weeks=weeks,
            starts_on=starts_on,
            patrol_share=patrol_share,
            seed=seed,
            seed_commitment=commitment(seed),
            registered_by=by,
            registered_at=timezone.now(),
        )
        trial.hotspots.set(chosen)
        audit.record(
            "patrols.trial.registered",
            trial,
            user=by,
            detail=f"{len(chosen)} hotspots: " + ", ".join(str(h.pk) for h in chosen),
        )
    return trial


def _check(by, area, hotspots, outcome, weeks, starts_on, share) -> None:
    if not by.areas.filter(pk=area.pk).exists():
        raise PatrolRuleError("You can only register a trial in an area you work in.", "area")
    if outcome not in TrialOutcome.values:
        raise PatrolRuleError("Choose the primary outcome.", "primary_outcome")
    today = timezone.localdate()
    if starts_on <= today or starts_on.weekday() != 0:
        raise PatrolRuleError("The trial must start on a Monday after today.", "starts_on")
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        raise PatrolRuleError(f"A trial lasts between {MIN_WEEKS} and {MAX_WEEKS} weeks.", "weeks")
    outside = [h.name for h in hotspots if h.ward.area_id != area.pk or not h.active]
    if outside:
        raise PatrolRuleError(
            f"Only active hotspots in {area} can be in the trial: {', '.join(outside)}.",
            "hotspots",
        )
    if len(hotspots) < MIN_HOTSPOTS:
        raise PatrolRuleError(
            f"Choose at least {MIN_HOTSPOTS} hotspots, so each week has both arms.", "hotspots"
        )
    treated = patrols_in_block(len(hotspots), float(share))
    if not (0 < share < 1) or not 0 < treated < len(hotspots):
        raise PatrolRuleError(
            "The share must leave at least one hotspot in each arm every week.", "patrol_share"
        )


def no_changes(trial: Trial) -> None:
    """A registered trial is locked: every request to change it is refused (the admin
    offers no change; Trial.save refuses a second write too)."""
    raise PatrolRuleError(
        f"{trial} was registered on {timezone.localtime(trial.registered_at):%d %B %Y} "
        "and is locked: register a new trial instead."
    )


# --- Deviations ---------------------------------------------------------------------------


def allocation(trial: Trial, week: int, hotspots=None) -> dict[int, str]:
    """Week ``week``'s allocation, drawn from the seed. Internal: pages read it through
    selectors_trials, which refuses weeks not yet revealed."""
    hotspots = hotspots if hotspots is not None else trial.hotspots.select_related("ward")
    pairs = [(h.pk, h.ward.area_id) for h in hotspots]
    return allocate(trial.seed, week, pairs, float(trial.patrol_share))


def record_deviations(trial: Trial, today: dt.date | None = None) -> list[TrialDeviation]:
    """Record, once each, the departures from the allocation in every revealed week:
    a live patrol planned at a control hotspot, a submitted return listing one, and (once
    the week is over) a patrol hotspot no return visited. Idempotent; returns the new."""
    today = today or timezone.localdate()
    weeks = revealed_weeks(trial.starts_on, trial.weeks, today)
    if not weeks:
        return []
    hotspots = list(trial.hotspots.select_related("ward"))
    first, last = week_monday(trial.starts_on, weeks[0]), week_monday(trial.starts_on, weeks[-1])
    plans = _visits(trial, first, last + dt.timedelta(days=7))
    found = []
    for week in weeks:
        arms = allocation(trial, week, hotspots)
        planned, visited = plans.get(week, ({}, {}))
        for pk, arm in arms.items():
            if arm == CONTROL and pk in planned:
                found.append((pk, week, DeviationKind.PLANNED_CONTROL, planned[pk]))
            if arm == CONTROL and pk in visited:
                found.append((pk, week, DeviationKind.VISITED_CONTROL, visited[pk]))
        if week in ended_weeks(trial.starts_on, trial.weeks, today):
            found += [
                (pk, week, DeviationKind.MISSED_PATROL, None)
                for pk, arm in arms.items()
                if arm == PATROL and pk not in visited
            ]
    return _write(trial, found)


def _visits(trial: Trial, first: dt.date, end: dt.date) -> dict[int, tuple[dict, dict]]:
    """week → ({hotspot pk: a live patrol planned there}, {hotspot pk: a patrol whose
    submitted return lists it}), for the trial's area, in two queries."""
    patrols = Patrol.objects.live().filter(
        area=trial.area_id, starts_at__date__gte=first, starts_at__date__lt=end
    )
    weeks: dict[int, tuple[dict, dict]] = defaultdict(lambda: ({}, {}))
    planned = patrols.values_list("pk", "starts_at", "hotspots")
    visited = patrols.filter(work_return__status=ReturnStatus.SUBMITTED).values_list(
        "pk", "starts_at", "work_return__hotspots_visited"
    )
    for slot, rows in ((0, planned), (1, visited)):
        for patrol_pk, starts_at, hotspot_pk in rows:
            if hotspot_pk is None:
                continue
            week = (timezone.localtime(starts_at).date() - trial.starts_on).days // 7 + 1
            weeks[week][slot].setdefault(hotspot_pk, patrol_pk)
    return weeks


def _write(trial: Trial, found: list[tuple]) -> list[TrialDeviation]:
    with transaction.atomic():
        Trial.objects.select_for_update().filter(pk=trial.pk).first()  # one writer a time
        known = set(trial.deviations.values_list("hotspot_id", "week", "kind"))
        new = [
            TrialDeviation(trial=trial, hotspot_id=pk, week=week, kind=kind, patrol_id=patrol)
            for pk, week, kind, patrol in found
            if (pk, week, kind) not in known
        ]
        TrialDeviation.objects.bulk_create(new)
        audit.created_many(new)  # bulk_create sends no signals
    return new


def record_area_deviations(area_id: int, today: dt.date | None = None) -> None:
    """After a patrol is planned or changed, or a return submitted: the area's trials
    that are running (or about to) record their deviations."""
    today = today or timezone.localdate()
    for trial in Trial.objects.filter(area=area_id, starts_on__lte=today + dt.timedelta(days=7)):
        if trial.starts_on + dt.timedelta(weeks=trial.weeks + 1) > today:
            record_deviations(trial, today)


def explain_deviation(deviation: TrialDeviation, by: User, reason: str) -> TrialDeviation:
    """A supervisor's reason for a deviation (optional, may be written later, changed)."""
    reason = reason.strip()
    if not reason:
        raise PatrolRuleError("Enter the reason for the deviation.", "reason")
    with transaction.atomic():
        deviation = TrialDeviation.objects.select_for_update().get(pk=deviation.pk)
        deviation.reason, deviation.reason_by = reason, by
        deviation.save(update_fields=["reason", "reason_by"])
    return deviation
