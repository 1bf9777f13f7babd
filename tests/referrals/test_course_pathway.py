"""The diversion pathway in one piece: a course provider records booked, attended, completed
(or did not attend); each step moves the referral, writes a history row the police and the
provider both read, an audit row, and tells the referring officer. The daily job breaches
missed deadlines and closes the referral."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from ephedra.celery import app as celery_app
from governance.models import AuditEvent, object_key
from patrols.models import CautionStatus, ConditionalCaution
from referrals import services, tasks
from referrals.models import ClosedOutcome, CourseStatus, Referral, ReferralStatus
from referrals.services.course import breach
from tests.factories import course_referral

pytestmark = pytest.mark.django_db

S, C = ReferralStatus, CourseStatus
TODAY = timezone.localdate


@pytest.fixture
def course(agency_a, pc, sergeant, area):
    """Referred by the PC; the sergeant made the arrest. Caution given 30 days ago."""
    return course_referral(provider=agency_a, referred_by=pc, arresting_officer=sergeant, area=area)


def fresh(referral: Referral) -> Referral:
    return Referral.objects.select_related("caution").get(pk=referral.pk)


def steps_rows(referral):
    return list(referral.history.exclude(course_step="").order_by("changed_at", "pk"))


def audit_rows(referral):
    return AuditEvent.objects.filter(
        action="referrals.referral.course_step", object_id=object_key(referral)
    )


def notes_for(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def snapshot(referral) -> tuple:
    """Everything a step could change: refused steps must leave it as it was."""
    referral = fresh(referral)
    return (
        referral.status,
        referral.closed_outcome,
        referral.caution.status,
        referral.history.count(),
        Notification.objects.count(),
        audit_rows(referral).count(),
    )


# --- The tables -----------------------------------------------------------------------------


def test_course_statuses_are_the_cautions_statuses():
    """referrals names the caution's statuses without importing patrols: they must agree."""
    assert CourseStatus.choices == CautionStatus.choices


def test_the_course_steps_table_edge_by_edge():
    assert {
        C.BOOKED: {C.ISSUED},
        C.ATTENDED: {C.BOOKED},
        C.COMPLETED: {C.ATTENDED},
        C.DID_NOT_ATTEND: {C.BOOKED},
    } == services.COURSE_STEPS
    assert services.REFERRAL_EFFECT == {
        C.BOOKED: (S.ENGAGED, ""),
        C.ATTENDED: None,
        C.COMPLETED: (S.CLOSED, ClosedOutcome.COURSE_COMPLETED),
        C.DID_NOT_ATTEND: (S.CLOSED, ClosedOutcome.COURSE_NOT_ATTENDED),
        C.BREACHED: (S.CLOSED, ClosedOutcome.COURSE_DEADLINE_MISSED),
    }


EXPECTED_COURSE_MOVES = {
    (S.MADE, S.ENGAGED),
    (S.MADE, S.CLOSED),
    (S.RECEIVED, S.ENGAGED),
    (S.RECEIVED, S.CLOSED),
    (S.CONTACTED, S.ENGAGED),
    (S.CONTACTED, S.CLOSED),
    (S.ENGAGED, S.CLOSED),
}


@pytest.mark.parametrize("before", S.values)
@pytest.mark.parametrize("after", S.values)
def test_the_course_moves_of_the_referral_edge_by_edge(before, after):
    assert (after in services.COURSE_MOVES[before]) == ((before, after) in EXPECTED_COURSE_MOVES)


def test_course_moves_are_never_offered_on_a_form(partner_a, course):
    """Made → engaged is the course's move only: the agency still walks received first."""
    assert S.ENGAGED not in services.allowed_moves(course, partner_a)
    assert S.ENGAGED not in services.TRANSITIONS[S.MADE]


# --- Each step --------------------------------------------------------------------------------


@pytest.mark.parametrize("start", [S.MADE, S.RECEIVED, S.CONTACTED, S.ENGAGED])
def test_booking_engages_the_referral_from_any_open_status(course, partner_a, start):
    Referral.objects.filter(pk=course.pk).update(status=start)

    services.record_course_step(course, C.BOOKED, partner_a)

    referral = fresh(course)
    assert (referral.status, referral.caution.status) == (S.ENGAGED, C.BOOKED)
    row = steps_rows(referral)[-1]
    assert (row.from_status, row.to_status, row.course_step) == (start, S.ENGAGED, C.BOOKED)


WALK = [
    (C.BOOKED, S.ENGAGED, ""),
    (C.ATTENDED, S.ENGAGED, ""),
    (C.COMPLETED, S.CLOSED, ClosedOutcome.COURSE_COMPLETED),
]


@pytest.mark.parametrize("n", range(len(WALK)))
def test_each_step_moves_the_referral_records_audits_and_tells_the_officer(
    client, course, partner_a, pc, sergeant, n
):
    for step, _, _ in WALK[:n]:
        services.record_course_step(course, step, partner_a)
    step, status, outcome = WALK[n]
    on = TODAY() - dt.timedelta(days=2)
    told_before = len(notes_for(pc))
    before = timezone.now()

    services.record_course_step(course, step, partner_a, on=on)

    referral = fresh(course)
    assert (referral.status, referral.closed_outcome, referral.caution.status) == (
        status,
        outcome,
        step,
    )
    assert referral.caution.status_changed_at >= before  # when the caution last moved
    row = steps_rows(referral)[-1]
    assert (row.course_step, row.course_step_on, row.changed_by) == (step, on, partner_a)
    assert audit_rows(referral).order_by("pk").last().detail == f"{C(step).label} {on}"
    assert audit_rows(referral).count() == n + 1
    told = notes_for(pc)[told_before:]
    assert len(told) == 1
    assert C(step).label.lower() in told[0].message
    assert f"{on:%d %b %Y}" in told[0].message
    assert "Synthname" not in told[0].message  # the man's booking name stays on the caution
    assert told[0].url == reverse("referrals:detail", args=[course.uuid])
    assert not Notification.objects.filter(recipient=partner_a).exists()  # not told of itself
    shown = f"Course: {C(step).label.lower()} on {on:%-d %b %Y}"
    client.force_login(pc)
    assert shown in client.get(reverse("referrals:detail", args=[course.uuid])).content.decode()
    client.force_login(partner_a)
    page = client.get(reverse("referrals:partner_detail", args=[course.uuid]))
    assert shown in page.content.decode()


def test_did_not_attend_closes_the_referral_with_that_outcome(course, partner_a, pc):
    services.record_course_step(course, C.BOOKED, partner_a)

    services.record_course_step(course, C.DID_NOT_ATTEND, partner_a)

    referral = fresh(course)
    assert (referral.status, referral.closed_outcome) == (S.CLOSED, "course_not_attended")
    assert referral.caution.status == C.DID_NOT_ATTEND
    assert "closed: did not attend the diversion course" in notes_for(pc)[-1].message


def test_the_provider_records_through_the_portal_with_its_date(client, course, partner_a, pc):
    client.force_login(partner_a)
    on = TODAY() - dt.timedelta(days=1)
    url = reverse("referrals:partner_course", args=[course.uuid])

    response = client.post(url, {"course-step": "booked", "course-on": on.isoformat()})

    assert response.status_code == 302
    row = steps_rows(course)[-1]
    assert (row.course_step, row.course_step_on, row.changed_by) == (C.BOOKED, on, partner_a)
    assert fresh(course).status == S.ENGAGED


def test_the_api_records_the_step_and_answers_with_the_referral(client, course, partner_a):
    client.force_login(partner_a)
    url = reverse("api:referral-course", args=[course.uuid])

    response = client.post(url, {"step": "booked"}, content_type="application/json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == S.ENGAGED
    history = client.get(reverse("api:referral-history", args=[course.uuid])).json()
    assert history[-1]["course_step"] == C.BOOKED
    assert history[-1]["course_step_on"] == TODAY().isoformat()


def test_a_caution_is_accepted_for_its_referral(course, partner_a):
    services.record_course_step(course.caution, C.BOOKED, partner_a)
    assert fresh(course).status == S.ENGAGED


# --- Refused steps: the message, and nothing changed ----------------------------------------


@pytest.mark.parametrize(
    ("done", "step", "message"),
    [
        ([], C.COMPLETED, "A course that is issued cannot be marked completed."),
        ([], C.ATTENDED, "A course that is issued cannot be marked attended."),
        ([C.BOOKED], C.BOOKED, "A course that is course booked cannot be marked course booked."),
        ([], C.BREACHED, "That is not a step of the diversion course."),
    ],
)
def test_a_step_out_of_order_is_refused(course, partner_a, done, step, message):
    for earlier in done:
        services.record_course_step(course, earlier, partner_a)
    before = snapshot(course)

    with pytest.raises(services.ReferralRuleError) as refusal:
        services.record_course_step(course, step, partner_a)

    assert str(refusal.value) == message
    assert snapshot(course) == before


@pytest.mark.parametrize("status", [S.CLOSED, S.DECLINED, S.WITHDRAWN])
def test_no_step_on_a_finished_referral(course, partner_a, status):
    outcome = "support_completed" if status == S.CLOSED else ""
    reason = "other" if status == S.DECLINED else ""
    Referral.objects.filter(pk=course.pk).update(
        status=status, closed_outcome=outcome, decline_reason=reason
    )
    before = snapshot(course)

    with pytest.raises(services.ReferralRuleError, match=f"The course referral is {status}"):
        services.record_course_step(course, C.BOOKED, partner_a)

    assert snapshot(course) == before
    assert services.open_course_steps(fresh(course)) == []


@pytest.mark.parametrize(
    ("days", "message"),
    [(1, "cannot be in the future"), (-31, "cannot be before the caution")],
)
def test_a_step_dated_outside_the_course_is_refused(course, partner_a, days, message):
    before = snapshot(course)

    whole = f"^The date of a course step {message}\\.$"  # the message, exactly
    with pytest.raises(services.ReferralRuleError, match=whole):
        services.record_course_step(course, C.BOOKED, partner_a, on=TODAY() + dt.timedelta(days))

    assert snapshot(course) == before


def test_a_refused_step_is_shown_at_the_field_on_the_portal(client, course, partner_a):
    client.force_login(partner_a)
    before = snapshot(course)
    future = (TODAY() + dt.timedelta(days=3)).isoformat()
    url = reverse("referrals:partner_course", args=[course.uuid])

    response = client.post(url, {"course-step": "booked", "course-on": future})

    assert response.status_code == 200
    assert response.context["course_form"].errors["step"] == [
        "The date of a course step cannot be in the future."
    ]
    assert snapshot(course) == before


def test_a_refused_step_is_a_400_in_the_api(client, course, partner_a, pc):
    services.change_status(course, S.WITHDRAWN, pc)
    client.force_login(partner_a)
    before = snapshot(course)
    url = reverse("api:referral-course", args=[course.uuid])

    response = client.post(url, {"step": "booked"}, content_type="application/json")

    assert response.status_code == 400
    assert snapshot(course) == before


# --- The daily job: missed deadlines ----------------------------------------------------------


@pytest.fixture
def missed(agency_a, pc, sergeant, area):
    """A course whose deadline passed yesterday, not done."""
    return course_referral(
        provider=agency_a, referred_by=pc, arresting_officer=sergeant, area=area, due_in=-1
    )


def test_the_beat_schedule_names_the_breach_task():
    entry = settings.CELERY_BEAT_SCHEDULE["flag-breached-cautions"]
    assert entry["task"] == "referrals.tasks.flag_breached_cautions"
    assert celery_app.tasks[entry["task"]].name == tasks.flag_breached_cautions.name


def test_the_daily_task_breaches_closes_and_tells_once(client, missed, course, pc, sergeant):
    assert tasks.flag_breached_cautions.delay().get() == 1

    referral = fresh(missed)
    assert referral.caution.status == C.BREACHED
    assert (referral.status, referral.closed_outcome) == (S.CLOSED, "course_deadline_missed")
    row = steps_rows(referral)[-1]
    assert (row.course_step, row.course_step_on, row.changed_by) == (C.BREACHED, TODAY(), None)
    assert audit_rows(referral).count() == 1
    for officer in (pc, sergeant):  # the referring and the arresting officer
        told = [n for n in notes_for(officer) if "breached" in n.message]
        assert len(told) == 1
        assert told[0].url == reverse("referrals:detail", args=[missed.uuid])
    assert fresh(course).caution.status == C.ISSUED  # not yet due
    client.force_login(pc)
    page = client.get(reverse("referrals:detail", args=[missed.uuid])).content.decode()
    assert "Ephedra (daily deadline check)" in page


def test_the_daily_task_is_idempotent(missed, pc):
    tasks.flag_breached_cautions.delay().get()
    before = snapshot(missed)

    assert tasks.flag_breached_cautions.delay().get() == 0

    assert snapshot(missed) == before


def test_a_completed_course_is_never_breached(course, partner_a):
    for step in (C.BOOKED, C.ATTENDED, C.COMPLETED):
        services.record_course_step(course, step, partner_a)
    ConditionalCaution.objects.filter(pk=course.caution_id).update(deadline=TODAY())

    assert services.flag_missed_deadlines(TODAY() + dt.timedelta(days=1)) == 0

    assert fresh(course).closed_outcome == ClosedOutcome.COURSE_COMPLETED


def test_a_missed_course_already_closed_is_breached_and_stays_closed(course, partner_a):
    services.record_course_step(course, C.BOOKED, partner_a)
    services.record_course_step(course, C.DID_NOT_ATTEND, partner_a)
    due = fresh(course).caution.deadline + dt.timedelta(days=1)

    assert services.flag_missed_deadlines(due) == 1

    referral = fresh(course)
    assert referral.caution.status == C.BREACHED
    assert (referral.status, referral.closed_outcome) == (S.CLOSED, "course_not_attended")
    assert steps_rows(referral)[-1].course_step == C.BREACHED


def test_a_caution_without_its_referral_is_still_breached(course):
    """Cautions recorded before courses had referrals: breached as before, nothing else."""
    caution = course.caution
    Referral.objects.filter(pk=course.pk).delete()
    due = caution.deadline + dt.timedelta(days=1)

    assert services.flag_missed_deadlines(due) == 1

    caution.refresh_from_db()
    assert caution.status == C.BREACHED
    row = AuditEvent.objects.get(action="patrols.conditionalcaution.breached")
    assert row.object_id == object_key(caution)


def test_a_course_is_not_breached_on_its_deadline_day(course):
    """The deadline is the last day to finish: a breach only once it has passed, however
    the breach is asked for (the job, or one caution at once)."""
    deadline = fresh(course).caution.deadline
    before = snapshot(course)

    assert services.flag_missed_deadlines(deadline) == 0
    assert breach(course.caution_id, deadline) is False

    assert snapshot(course) == before
    assert breach(course.caution_id, deadline + dt.timedelta(days=1)) is True


def test_a_course_completed_while_the_job_waited_is_not_breached(course, partner_a):
    """The job picks its cautions first and breaches each after locking it: a completion
    recorded in between must win (the status is read again after the lock)."""
    for step in (C.BOOKED, C.ATTENDED, C.COMPLETED):
        services.record_course_step(course, step, partner_a)
    before = snapshot(course)
    due = fresh(course).caution.deadline + dt.timedelta(days=1)

    assert breach(course.caution_id, due) is False

    assert snapshot(course) == before


# --- Who did it, who is told, what else moves (make mutants) ------------------------------


def test_a_step_is_audited_as_the_one_who_recorded_it(course, partner_a):
    services.record_course_step(course, C.BOOKED, partner_a)
    (row,) = audit_rows(course)
    assert (row.actor, row.actor_username) == (partner_a, partner_a.username)


def test_the_officer_who_records_a_step_is_not_told_of_it(course, pc):
    """The referring officer recording the step (e.g. by the API) gets no notification
    of their own act; the provider recording it would have told them."""
    services.record_course_step(course, C.BOOKED, pc)
    assert notes_for(pc) == []


def test_a_course_that_closes_the_referral_starts_its_review_clock(course, partner_a):
    assert fresh(course).review_on is None  # open: no review yet
    for step in (C.BOOKED, C.ATTENDED, C.COMPLETED):
        services.record_course_step(course, step, partner_a)
    assert fresh(course).review_on > TODAY()  # closed: reviewed a year on


def test_a_move_the_tables_disagree_on_is_refused_in_words(course, partner_a, monkeypatch):
    """Defence in depth: should the course table ever ask for a move the referral's
    lifecycle does not allow, the step is refused with both statuses named."""
    from referrals.services import course as course_services

    monkeypatch.setitem(course_services.COURSE_MOVES, ReferralStatus.MADE, set())
    before = snapshot(course)
    with pytest.raises(services.ReferralRuleError) as refused:
        services.record_course_step(course, C.BOOKED, partner_a)
    assert str(refused.value) == "A made referral cannot be engaged by the course."
    assert snapshot(course) == before
