"""Trials (issue 18, item 6): registration is checked and locks everything; the weekly
allocation is balanced within blocks, reproducible from the seed and concealed until the
week's planning opens; deviations from it are recorded once each."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.models import Role
from governance.models import AuditEvent
from patrols import selectors_trials, services
from patrols.models import DeviationKind, OfficerRole, Trial, TrialDeviation
from patrols.models.trials import commitment
from patrols.services import PatrolRuleError, trials
from patrols.trial_allocation import (
    allocate,
    patrols_in_block,
    reveal_on,
    revealed_weeks,
    week_of,
)
from tests.factories import AreaFactory, HotspotFactory, OfficerFactory, WardFactory

from .cast import local_pc_for, night
from .trials import next_monday, patrol_in_week, register

pytestmark = pytest.mark.django_db

SEED = "ab" * 32


# --- The scheme (no database) -------------------------------------------------------------


@pytest.mark.parametrize(("n", "share", "treated"), [(4, 0.5, 2), (5, 0.5, 3), (7, 0.3, 2)])
def test_each_block_gets_exactly_round_share_times_n_every_week(n, share, treated):
    hotspots = [(pk, "A") for pk in range(n)] + [(100 + pk, "B") for pk in range(n + 2)]
    for week in range(1, 30):
        arms = allocate(SEED, week, hotspots, share)
        in_a = sum(arms[pk] == "patrol" for pk, block in hotspots if block == "A")
        in_b = sum(arms[pk] == "patrol" for pk, block in hotspots if block == "B")
        assert (in_a, in_b) == (treated, patrols_in_block(n + 2, share))


def test_a_half_is_rounded_up_not_to_even():
    assert patrols_in_block(1, 0.5) == 1
    assert patrols_in_block(5, 0.5) == 3


def test_the_allocation_is_reproducible_from_the_seed_and_week_in_any_order():
    hotspots = [(pk, 1) for pk in (7, 3, 9, 1, 5, 2)]
    first = allocate(SEED, 4, hotspots, 0.5)
    assert allocate(SEED, 4, list(reversed(hotspots)), 0.5) == first
    assert (
        allocate("cd" * 32, 4, hotspots, 0.5) != first
        or allocate("ef" * 32, 4, hotspots, 0.5) != first
    )
    weeks = {tuple(sorted(allocate(SEED, w, hotspots, 0.5).items())) for w in range(1, 20)}
    assert len(weeks) > 5  # a fresh draw each week, not one allocation repeated


def test_over_many_weeks_each_hotspot_is_on_patrol_about_half_the_time():
    hotspots = [(pk, 1) for pk in range(6)]
    counts = Counter(
        pk
        for week in range(1, 401)
        for pk, arm in allocate(SEED, week, hotspots, 0.5).items()
        if arm == "patrol"
    )
    assert all(160 <= counts[pk] <= 240 for pk in range(6)), counts


def test_week_calendar_reveals_a_week_on_the_monday_before_it():
    start = dt.date(2027, 1, 4)
    assert reveal_on(start, 1) == dt.date(2026, 12, 28)
    assert revealed_weeks(start, 8, dt.date(2026, 12, 27)) == []
    assert revealed_weeks(start, 8, dt.date(2027, 1, 4)) == [1, 2]
    assert week_of(start, 8, dt.date(2027, 1, 10)) == 1
    assert week_of(start, 8, dt.date(2027, 3, 1)) is None


# --- Registration -------------------------------------------------------------------------


def test_registration_records_a_secret_seed_its_commitment_and_the_time(project_lead, area):
    trial = register(project_lead, area)

    assert len(trial.seed) == 64
    assert trial.seed_commitment == commitment(trial.seed)
    assert trial.registered_at is not None
    assert trial.registered_by == project_lead
    assert trial.hotspots.count() == 6
    event = AuditEvent.objects.get(action="patrols.trial.registered")
    assert trial.seed not in str(event.changes) + event.detail
    created = AuditEvent.objects.get(action="patrols.trial.created")
    assert trial.seed not in str(created.changes)


def test_two_trials_get_different_seeds(project_lead, area):
    assert register(project_lead, area).seed != register(project_lead, area).seed


def test_a_registered_trial_is_locked(project_lead, area):
    trial = register(project_lead, area)
    trial.weeks = 52

    with pytest.raises(ValidationError):
        trial.save()
    with pytest.raises(PatrolRuleError, match="locked"):
        trials.no_changes(trial)
    assert Trial.objects.get(pk=trial.pk).weeks == 8


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"hotspots": 3}, "hotspots"),
        ({"weeks": 3}, "weeks"),
        ({"weeks": 105}, "weeks"),
        ({"starts_on": next_monday() + dt.timedelta(days=1)}, "starts_on"),
        ({"starts_on": next_monday(-2)}, "starts_on"),
        ({"patrol_share": Decimal("0.05")}, "patrol_share"),
        ({"primary_outcome": "vibes"}, "primary_outcome"),
    ],
)
def test_registration_refuses_at_the_field(project_lead, area, fields, field):
    with pytest.raises(PatrolRuleError) as refused:
        register(project_lead, area, **fields)
    assert refused.value.field == field
    assert not Trial.objects.exists()


def test_hotspots_must_be_active_and_in_the_area(project_lead, area, other_area):
    elsewhere = HotspotFactory(ward=WardFactory(area=other_area))
    retired = HotspotFactory(ward=WardFactory(area=area), active=False, retired_on=dt.date.today())
    for odd in (elsewhere, retired):
        ward = WardFactory(area=area)
        chosen = [HotspotFactory(ward=ward) for _ in range(4)] + [odd]
        with pytest.raises(PatrolRuleError) as refused:
            trials.register_trial(
                project_lead,
                area=area,
                title="T",
                hotspots=chosen,
                primary_outcome="return_sightings",
                hypotheses="H",
                analysis_plan="P",
                weeks=8,
                starts_on=next_monday(),
            )
        assert refused.value.field == "hotspots"


def test_a_lead_cannot_register_in_an_area_they_do_not_work_in(project_lead, other_area):
    with pytest.raises(PatrolRuleError) as refused:
        register(project_lead, other_area)
    assert refused.value.field == "area"


# --- Concealment ---------------------------------------------------------------------------


def test_a_week_is_concealed_until_its_planning_opens_for_everyone(project_lead, area):
    trial = register(project_lead, area, starts_on=next_monday(3))
    opens = reveal_on(trial.starts_on, 2)

    with pytest.raises(selectors_trials.AllocationConcealed):
        selectors_trials.week_allocation(trial, 2, today=opens - dt.timedelta(days=1))
    assert len(selectors_trials.week_allocation(trial, 2, today=opens)) == 6
    weeks = selectors_trials.trial_weeks(trial, today=opens)
    assert [w.rows is not None for w in weeks] == [True, True] + [False] * 6


def test_the_planning_labels_show_only_revealed_weeks(project_lead, area):
    trial = register(project_lead, area, starts_on=next_monday(3))
    before = selectors_trials.arms_for_week(project_lead, trial.starts_on, today=next_monday(1))
    after = selectors_trials.arms_for_week(project_lead, trial.starts_on, today=next_monday(2))

    assert before == {}
    assert Counter(after.values()) == {"trial: patrol": 3, "trial: control": 3}


def test_the_seed_is_shown_only_after_the_trial(project_lead, area):
    trial = register(project_lead, area)
    last_day = trial.starts_on + dt.timedelta(weeks=8, days=-1)
    assert selectors_trials.seed_for_display(trial, last_day) is None
    assert selectors_trials.seed_for_display(trial, last_day + dt.timedelta(days=1)) == trial.seed


def test_another_areas_trial_is_not_found(project_lead, area, other_area):
    trial = register(project_lead, area)
    outsider = OfficerFactory(role=Role.PROJECT_LEAD, areas=[AreaFactory(name="Elsewhere")])
    with pytest.raises(Http404):
        selectors_trials.get_trial_for_user(outsider, trial.uuid)


# --- Deviations ----------------------------------------------------------------------------


def arms(trial, week):
    allocation = trials.allocation(trial, week)
    hotspots = {h.pk: h for h in trial.hotspots.all()}
    patrol = [hotspots[pk] for pk, arm in allocation.items() if arm == "patrol"]
    control = [hotspots[pk] for pk, arm in allocation.items() if arm == "control"]
    return patrol, control


def test_planning_and_visiting_a_control_hotspot_are_deviations_recorded_once(project_lead, area):
    trial = register(project_lead, area)
    patrol_arm, control_arm = arms(trial, 1)
    patrol = patrol_in_week(trial, 1, patrol_arm + control_arm[:1], returned=True)
    during = trial.starts_on + dt.timedelta(days=5)

    first = trials.record_deviations(trial, during)
    again = trials.record_deviations(trial, during)

    assert {(d.kind, d.hotspot_id, d.patrol_id) for d in first} == {
        (DeviationKind.PLANNED_CONTROL, control_arm[0].pk, patrol.pk),
        (DeviationKind.VISITED_CONTROL, control_arm[0].pk, patrol.pk),
    }
    assert again == []
    assert TrialDeviation.objects.count() == 2
    assert AuditEvent.objects.filter(action="patrols.trialdeviation.created").count() == 2


def test_a_patrol_hotspot_with_no_visit_is_a_deviation_once_the_week_is_over(project_lead, area):
    trial = register(project_lead, area)
    patrol_arm, _ = arms(trial, 1)
    patrol_in_week(trial, 1, patrol_arm[:2], returned=True)

    assert trials.record_deviations(trial, trial.starts_on + dt.timedelta(days=6)) == []
    missed = trials.record_deviations(trial, trial.starts_on + dt.timedelta(days=7))

    assert {d.hotspot_id for d in missed} == {patrol_arm[2].pk}
    assert {d.kind for d in missed} == {DeviationKind.MISSED_PATROL}


def test_no_deviation_is_recorded_for_a_week_not_yet_revealed(project_lead, area):
    trial = register(project_lead, area, starts_on=next_monday(3))
    patrol_in_week(trial, 2, list(trial.hotspots.all()))

    assert trials.record_deviations(trial, next_monday(1)) == []


def test_planning_a_control_hotspot_through_the_service_records_the_deviation(
    project_lead, pc, area
):
    trial = register(project_lead, area)
    _, control_arm = arms(trial, 1)
    ward = control_arm[0].ward
    friday = night(trial.starts_on + dt.timedelta(days=4))
    crew = [(pc, OfficerRole.EPHEDRA_PC), (local_pc_for(ward, area), OfficerRole.LOCAL_PC)]
    fields = {"ward": ward, "starts_at": friday, "ends_at": friday + dt.timedelta(hours=6)}

    patrol = services.plan_patrol(project_lead, crew=crew, **fields)
    assert not TrialDeviation.objects.exists()
    services.update_patrol(patrol, project_lead, hotspots=control_arm[:1])

    deviation = TrialDeviation.objects.get()
    assert (deviation.kind, deviation.hotspot_id) == ("planned_control", control_arm[0].pk)
    assert deviation.patrol == patrol


def test_a_supervisor_explains_a_deviation_and_a_blank_reason_is_refused(
    project_lead, sergeant, area
):
    trial = register(project_lead, area)
    _, control_arm = arms(trial, 1)
    patrol_in_week(trial, 1, control_arm[:1])
    deviation = trials.record_deviations(trial, trial.starts_on)[0]

    with pytest.raises(PatrolRuleError) as refused:
        trials.explain_deviation(deviation, sergeant, "  ")
    trials.explain_deviation(deviation, sergeant, "A call to an incident nearby.")

    assert refused.value.field == "reason"
    deviation.refresh_from_db()
    assert (deviation.reason, deviation.reason_by) == ("A call to an incident nearby.", sergeant)


def test_a_submitted_return_listing_a_control_hotspot_records_the_deviation(project_lead, pc, area):
    trial = register(project_lead, area)
    _, control_arm = arms(trial, 1)
    patrol = patrol_in_week(trial, 1, [], officer=pc)
    patrol.status = "deployed"
    patrol.save()
    fields = {
        "started_at": patrol.starts_at,
        "ended_at": patrol.ends_at,
        "weather": "dry",
        "hotspots_visited": control_arm[:1],
        "women_seen": 1,
        "kerb_crawlers_seen": 0,
        "engagement_count": 0,
        "summary": "Synthetic.",
    }

    services.submit_return(patrol, pc, return_fields=fields, hours={pc: Decimal("6")})

    deviation = TrialDeviation.objects.get()
    assert (deviation.kind, deviation.hotspot_id) == ("visited_control", control_arm[0].pk)


def test_the_nightly_task_records_a_week_just_ended(project_lead, area, monkeypatch):
    from patrols import tasks

    trial = register(project_lead, area)
    after_week_one = trial.starts_on + dt.timedelta(days=7)
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: after_week_one)

    assert tasks.record_trial_deviations() == 3  # no visits: every patrol hotspot missed
    assert tasks.record_trial_deviations() == 0  # idempotent
