"""Patrol workflows: planning rules, status transitions, officer wellbeing.

Rules live here, not in forms, so every way in (pages, admin actions, API, commands)
obeys them. Each raises `PatrolRuleError` with a message a person can act on.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import OfficerProfile, User
from accounts.notifications import notify
from governance import activity, audit
from partners.models import ServiceType
from referrals.models import Person
from referrals.services import ReferralRuleError, flag_possible_duplicates, make_referral

from .models import (
    Arrest,
    ArrestOutcome,
    CautionStatus,
    ConditionalCaution,
    Encounter,
    HandlingCode,
    Hotspot,
    IntelligenceReport,
    Offence,
    OfficerHours,
    OfficerRole,
    Patrol,
    PatrolOfficer,
    PatrolStatus,
    ReturnAmendment,
    ReturnDraft,
    ReturnStatus,
    RiskAssessment,
    Weather,
    WorkReturn,
)

EXTENDED_SHIFTS_IN_SEVEN_DAYS = 3


class PatrolRuleError(Exception):
    """A request that would break a rule of the operation; the message says which."""


# --- Planning -------------------------------------------------------------------------


def crew_problems(patrol: Patrol, crew: list[tuple[User, str]]) -> list[str]:
    """Why this crew cannot go out, if it cannot: the pairing rule and double booking."""
    problems = []
    profiles = {
        profile.user_id: profile
        for profile in OfficerProfile.objects.filter(user__in=[officer for officer, _ in crew])
    }
    ephedra = [o for o, role in crew if role == OfficerRole.EPHEDRA_PC]
    local = [o for o, role in crew if role == OfficerRole.LOCAL_PC]
    untrained = [o for o in ephedra if not getattr(profiles.get(o.pk), "is_ephedra_trained", False)]
    for officer in untrained:
        problems.append(f"{officer} is not Ephedra-trained, so cannot be an Ephedra PC.")
    if not [o for o in ephedra if o not in untrained]:
        problems.append("A patrol needs at least one Ephedra-trained PC.")
    if not any(getattr(profiles.get(o.pk), "home_ward_id", None) == patrol.ward_id for o in local):
        problems.append(f"A patrol needs at least one local PC from {patrol.ward}.")
    for officer in double_booked(patrol, [officer for officer, _ in crew]):
        problems.append(f"{officer} is already on another patrol at that time.")
    return problems


def double_booked(patrol: Patrol, officers: list[User]) -> list[User]:
    """Officers already on another live patrol that overlaps this one."""
    clashes = (
        PatrolOfficer.objects.filter(
            officer__in=officers,
            patrol__starts_at__lt=patrol.ends_at,
            patrol__ends_at__gt=patrol.starts_at,
        )
        .exclude(patrol__status=PatrolStatus.CANCELLED)
        .exclude(patrol_id=patrol.pk)
        .values_list("officer_id", flat=True)
    )
    clash_ids = set(clashes)
    return [officer for officer in officers if officer.pk in clash_ids]


@transaction.atomic
def save_crew(patrol: Patrol, crew: list[tuple[User, str]]) -> None:
    problems = crew_problems(patrol, crew)
    if problems:
        raise PatrolRuleError(" ".join(problems))
    patrol.officers.exclude(officer__in=[officer for officer, _ in crew]).delete()
    for officer, role in crew:
        PatrolOfficer.objects.update_or_create(
            patrol=patrol, officer=officer, defaults={"role": role}
        )


def _require_status(patrol: Patrol, allowed: set[str], action: str) -> None:
    if patrol.status not in allowed:
        raise PatrolRuleError(f"A {patrol.get_status_display().lower()} patrol cannot be {action}.")


@transaction.atomic
def cancel(patrol: Patrol, reason: str) -> None:
    reason = reason.strip()
    if not reason:
        raise PatrolRuleError("Give the reason the patrol is cancelled.")
    _require_status(patrol, {PatrolStatus.PLANNED, PatrolStatus.RISK_ASSESSED}, "cancelled")
    patrol.status = PatrolStatus.CANCELLED
    patrol.cancel_reason = reason
    patrol.save(update_fields=["status", "cancel_reason", "updated_at"])


@transaction.atomic
def duplicate_week(source_patrols, shift: dt.timedelta, planner: User) -> list[Patrol]:
    """Copy patrols (times, hotspots, officers, invitations) `shift` later, as planned.

    Officers who would be double-booked at the new time are left off, so the copy
    never breaks the rules silently: the planner sees the gap on the new patrol.
    """
    copies = []
    for source in source_patrols.prefetch_related("hotspots", "officers__officer", "invitations"):
        copy = Patrol.objects.create(
            area_id=source.area_id,
            ward_id=source.ward_id,
            starts_at=source.starts_at + shift,
            ends_at=source.ends_at + shift,
            meeting_point=source.meeting_point,
            planned_by=planner,
        )
        copy.hotspots.set(source.hotspots.all())
        duties = list(source.officers.all())
        busy = set(double_booked(copy, [duty.officer for duty in duties]))
        crew = PatrolOfficer.objects.bulk_create(
            PatrolOfficer(patrol=copy, officer=duty.officer, role=duty.role)
            for duty in duties
            if duty.officer not in busy
        )
        audit.created_many(crew)  # bulk_create sends no signals
        for invitation in source.invitations.all():
            copy.invitations.create(
                agency_id=invitation.agency_id, activity=invitation.activity, notes=invitation.notes
            )
        copies.append(copy)
    return copies


# --- Risk assessment and deployment ----------------------------------------------------


@transaction.atomic
def record_risk_assessment(patrol: Patrol, hazards: str, controls: str, by: User) -> RiskAssessment:
    """Completing (or revising) the assessment withdraws any earlier approval."""
    _require_status(patrol, {PatrolStatus.PLANNED, PatrolStatus.RISK_ASSESSED}, "risk-assessed")
    assessment, _ = RiskAssessment.objects.update_or_create(
        patrol=patrol,
        defaults={
            "hazards": hazards,
            "controls": controls,
            "assessed_by": by,
            "assessed_at": timezone.now(),
            "approved_by": None,
            "approved_at": None,
        },
    )
    if patrol.status != PatrolStatus.PLANNED:
        patrol.status = PatrolStatus.PLANNED
        patrol.save(update_fields=["status", "updated_at"])
    return assessment


@transaction.atomic
def approve_risk_assessment(patrol: Patrol, by: User) -> None:
    assessment = getattr(patrol, "risk_assessment", None)
    if assessment is None:
        raise PatrolRuleError("Complete the risk assessment before it can be approved.")
    _require_status(patrol, {PatrolStatus.PLANNED}, "approved")
    assessment.approved_by = by
    assessment.approved_at = timezone.now()
    assessment.save(update_fields=["approved_by", "approved_at"])
    patrol.status = PatrolStatus.RISK_ASSESSED
    patrol.save(update_fields=["status", "updated_at"])


@transaction.atomic
def mark_deployed(patrol: Patrol) -> None:
    """Only a patrol with an approved risk assessment goes out."""
    assessment = RiskAssessment.objects.filter(patrol=patrol).first()
    if assessment is None or not assessment.is_approved:
        raise PatrolRuleError("The patrol cannot deploy until its risk assessment is approved.")
    _require_status(patrol, {PatrolStatus.RISK_ASSESSED}, "deployed")
    patrol.status = PatrolStatus.DEPLOYED
    patrol.save(update_fields=["status", "updated_at"])


# --- Wellbeing -------------------------------------------------------------------------


@dataclass(frozen=True)
class WellbeingWarning:
    officer: User
    message: str


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def hours_in_month(officers: list[User], day: dt.date) -> dict[int, Decimal]:
    """Hours each officer worked in `day`'s month, from filed returns."""
    start, end = month_bounds(day)
    rows = (
        User.objects.filter(pk__in=[o.pk for o in officers])
        .annotate(
            month_hours=Sum(
                "hours_worked__hours",
                filter=Q(
                    hours_worked__work_return__started_at__date__gte=start,
                    hours_worked__work_return__started_at__date__lt=end,
                ),
            )
        )
        .values_list("pk", "month_hours")
    )
    return {pk: hours or Decimal(0) for pk, hours in rows}


def wellbeing_warnings(patrol: Patrol, officers: list[User]) -> list[WellbeingWarning]:
    """A third extended shift within seven days, or a month over the area's threshold."""
    warnings = []
    nearby = _nearby_shifts(patrol, officers)
    hours = hours_in_month(officers, timezone.localtime(patrol.starts_at).date())
    planned = Decimal((patrol.ends_at - patrol.starts_at).total_seconds() / 3600)
    planned = planned.quantize(Decimal("0.01"))
    threshold = patrol.area.overtime_threshold_hours
    for officer in officers:
        if _third_shift_in_a_week(patrol.starts_at, nearby.get(officer.pk, [])):
            warnings.append(
                WellbeingWarning(
                    officer, f"{officer} would work a third extended shift within seven days."
                )
            )
        month_total = hours.get(officer.pk, Decimal(0)) + planned
        if month_total > threshold:
            warnings.append(
                WellbeingWarning(
                    officer,
                    f"{officer} would work {month_total} hours this month, over the "
                    f"{threshold}-hour limit for {patrol.area}.",
                )
            )
    return warnings


def _nearby_shifts(patrol: Patrol, officers: list[User]) -> dict[int, list[dt.datetime]]:
    """Start times of each officer's other live patrols within six days either side."""
    duties = (
        PatrolOfficer.objects.filter(
            officer__in=officers,
            patrol__starts_at__gt=patrol.starts_at - dt.timedelta(days=7),
            patrol__starts_at__lt=patrol.starts_at + dt.timedelta(days=7),
        )
        .exclude(patrol__status=PatrolStatus.CANCELLED)
        .exclude(patrol_id=patrol.pk)
        .values_list("officer_id", "patrol__starts_at")
    )
    nearby: dict[int, list[dt.datetime]] = {}
    for officer_id, starts_at in duties:
        nearby.setdefault(officer_id, []).append(starts_at)
    return nearby


def _third_shift_in_a_week(starts_at: dt.datetime, others: list[dt.datetime]) -> bool:
    """True if some seven-day span holds this shift and at least two others."""
    week = dt.timedelta(days=7)
    for window_start in [starts_at, *others]:
        if not window_start <= starts_at < window_start + week:
            continue
        inside = [t for t in others if window_start <= t < window_start + week]
        if len(inside) >= EXTENDED_SHIFTS_IN_SEVEN_DAYS - 1:
            return True
    return False


# --- Work returns ----------------------------------------------------------------------

MAX_RETURN_HOURS = 16
AMENDABLE_FIELDS = (
    "started_at",
    "ended_at",
    "weather",
    "hotspots_visited",
    "women_seen",
    "kerb_crawlers_seen",
    "engagement_count",
    "summary",
)


def return_refusal(patrol: Patrol) -> str:
    """Why no return can be filed for this patrol now; empty if one can."""
    if patrol.status == PatrolStatus.DEPLOYED:
        return ""
    if patrol.status == PatrolStatus.CANCELLED:
        return "This patrol was cancelled, so it has no work return."
    if patrol.status in {PatrolStatus.PLANNED, PatrolStatus.RISK_ASSESSED}:
        return "The work return can be filed once the patrol has deployed."
    return "The work return for this patrol has already been submitted."


def shift_length(started_at: dt.datetime, ended_at: dt.datetime) -> dt.timedelta:
    """Time actually elapsed, also on the nights the clocks change."""
    return ended_at.astimezone(dt.UTC) - started_at.astimezone(dt.UTC)


def check_return_times(started_at: dt.datetime, ended_at: dt.datetime) -> None:
    length = shift_length(started_at, ended_at)
    if length <= dt.timedelta(0):
        raise PatrolRuleError("The patrol must finish after it starts.")
    if length > dt.timedelta(hours=MAX_RETURN_HOURS):
        raise PatrolRuleError(f"A patrol cannot last more than {MAX_RETURN_HOURS} hours.")


@transaction.atomic
def submit_return(
    patrol: Patrol,
    by: User,
    *,
    return_fields: dict,
    hours: dict[User, Decimal],
    encounters: Sequence[dict] = (),
    arrests: Sequence[dict] = (),
    referrals: Sequence[dict] = (),
    intelligence: Sequence[dict] = (),
) -> WorkReturn:
    """File the night's return: everything it records is written together, or nothing.

    Takes validated plain data:
    - return_fields: WorkReturn field values, `hotspots_visited` a list of hotspots;
    - hours: hours worked by each officer on the patrol;
    - encounters: Encounter field values with either `person` (someone known in the area)
      or `new_person` (working_name, description, age_band);
    - arrests: Arrest field values, plus `caution` (ConditionalCaution field values) when
      the outcome is a conditional caution, which also refers the man to its provider;
    - referrals: `encounter` (an index into `encounters`), agency, service, consent_method
      and consent_given_at; the consent is recorded by the officer submitting;
    - intelligence: IntelligenceReport field values.
    """
    # The lock makes a second, simultaneous submission wait, then find the return filed.
    patrol = Patrol.objects.select_for_update().get(pk=patrol.pk)
    refusal = return_refusal(patrol)
    if refusal:
        raise PatrolRuleError(refusal)
    now = timezone.now()
    work_return = _create_return(patrol, by, now, dict(return_fields))
    _check_hotspots(patrol, [e["hotspot"] for e in encounters if e.get("hotspot")])
    _create_hours(patrol, work_return, hours)
    night = timezone.localtime(work_return.started_at).date()
    created = [_create_encounter(patrol, by, night, fields) for fields in encounters]
    for n, fields in enumerate(arrests, start=1):
        _create_arrest(patrol, by, now, fields, n)
    for n, fields in enumerate(referrals, start=1):
        _refer(patrol, by, now, created, fields, n)
    reports = [_create_intelligence(patrol, by, now, fields) for fields in intelligence]
    # Review dates: the people met (their latest activity) and the new intelligence.
    activity.touched(*{encounter.person for encounter in created}, *reports)
    patrol.status = PatrolStatus.RETURNED
    patrol.save(update_fields=["status", "updated_at"])
    ReturnDraft.objects.filter(patrol=patrol).delete()
    return work_return


def _create_return(patrol: Patrol, by: User, now: dt.datetime, fields: dict) -> WorkReturn:
    hotspots = list(fields.pop("hotspots_visited", []))
    check_return_times(fields["started_at"], fields["ended_at"])
    _check_hotspots(patrol, hotspots)
    work_return = WorkReturn.objects.create(
        patrol=patrol, filed_by=by, status=ReturnStatus.SUBMITTED, submitted_at=now, **fields
    )
    work_return.hotspots_visited.set(hotspots)
    return work_return


def retire_hotspot(hotspot: Hotspot) -> None:
    """Retire a hotspot: patrols stop being planned there.

    One conditional UPDATE: both fields change together (the database insists), and of
    two supervisors retiring at once only the first succeeds; the other is told when.
    """
    today = timezone.localdate()
    retired = Hotspot.objects.filter(pk=hotspot.pk, active=True).update(
        active=False, retired_on=today
    )
    hotspot.refresh_from_db()
    if not retired:
        on = f" on {date_format(hotspot.retired_on, 'j F Y')}" if hotspot.retired_on else ""
        raise PatrolRuleError(f"Hotspot {hotspot.name} was already retired{on}.")
    changes = {"active": [True, False], "retired_on": [None, today.isoformat()]}
    audit.record("patrols.hotspot.changed", hotspot, changes=changes)  # update(): no signal


def _check_hotspots(patrol: Patrol, hotspots: list[Hotspot]) -> None:
    ids = {hotspot.pk for hotspot in hotspots}
    if ids and Hotspot.objects.filter(pk__in=ids, ward__area=patrol.area_id).count() != len(ids):
        raise PatrolRuleError(f"Only hotspots in {patrol.area} can be recorded on this return.")


def _create_hours(patrol: Patrol, work_return: WorkReturn, hours: dict[User, Decimal]) -> None:
    if not hours:
        raise PatrolRuleError("Record the hours worked by at least one officer.")
    on_patrol = set(patrol.officers.values_list("officer_id", flat=True))
    if any(officer.pk not in on_patrol for officer in hours):
        raise PatrolRuleError("Hours can be recorded only for the officers on the patrol.")
    if any(not 0 < worked <= MAX_RETURN_HOURS for worked in hours.values()):
        raise PatrolRuleError(f"Hours worked must be more than 0 and at most {MAX_RETURN_HOURS}.")
    rows = OfficerHours.objects.bulk_create(
        OfficerHours(work_return=work_return, officer=officer, hours=worked)
        for officer, worked in hours.items()
    )
    audit.created_many(rows)  # bulk_create sends no signals


def _create_encounter(patrol: Patrol, by: User, night: dt.date, fields: dict) -> Encounter:
    fields = dict(fields)
    new_person = fields.pop("new_person", None)
    if new_person:
        fields["person"] = Person.objects.create(
            area=patrol.area, first_seen=night, created_by=by, **new_person
        )
        flag_possible_duplicates(fields["person"])
    elif fields.get("person") is None or fields["person"].area_id != patrol.area_id:
        raise PatrolRuleError(
            f"Each encounter needs a person already known in {patrol.area}, or a new person."
        )
    return Encounter.objects.create(patrol=patrol, **fields)


def _create_arrest(patrol: Patrol, by: User, now: dt.datetime, fields: dict, n: int) -> Arrest:
    fields = dict(fields)
    caution = fields.pop("caution", None)
    cautioned = fields.get("outcome") == ArrestOutcome.CONDITIONAL_CAUTION
    if cautioned != (caution is not None):
        raise PatrolRuleError(
            f"Arrest {n}: give the caution's details exactly when the outcome is a "
            "conditional caution."
        )
    if fields["offence"] == Offence.OTHER and not fields.get("offence_detail"):
        raise PatrolRuleError(f"Arrest {n}: say what the other offence was.")
    arrest = Arrest.objects.create(patrol=patrol, **fields)
    if cautioned:
        _create_caution(patrol, by, now, arrest, caution, n)
    return arrest


def _create_caution(patrol, by, now, arrest: Arrest, fields: dict, n: int) -> ConditionalCaution:
    """The caution, and its automatic referral to the provider of the diversion course."""
    if fields["deadline"] <= fields["given_on"]:
        raise PatrolRuleError(f"Arrest {n}: the course deadline must be after the caution date.")
    caution = ConditionalCaution.objects.create(arrest=arrest, **fields)
    try:
        make_referral(
            person=None,
            agency=caution.provider,
            service=ServiceType.DIVERSION_COURSE,
            referred_by=by,
            made_at=now,
            patrol=patrol,
            caution=caution,
        )
    except ReferralRuleError as error:
        raise PatrolRuleError(f"Arrest {n}: {error}") from error
    return caution


def _refer(patrol, by, now, encounters: list[Encounter], fields: dict, n: int) -> None:
    fields = dict(fields)
    index = fields.pop("encounter")
    if not 0 <= index < len(encounters):
        raise PatrolRuleError(f"Referral {n}: choose one of the encounters on this return.")
    encounter = encounters[index]
    try:
        make_referral(
            person=encounter.person,
            referred_by=by,
            made_at=now,
            consent_recorded_by=by,
            patrol=patrol,
            encounter=encounter,
            **fields,
        )
    except ReferralRuleError as error:
        raise PatrolRuleError(f"Referral {n}: {error}") from error


def _create_intelligence(patrol, by, now, fields: dict) -> IntelligenceReport:
    if fields["handling_code"] == HandlingCode.CONDITIONS and not fields.get("handling_conditions"):
        raise PatrolRuleError("Intelligence with handling code C needs its conditions stated.")
    return IntelligenceReport.objects.create(
        patrol=patrol, submitted_by=by, submitted_at=now, **fields
    )


@transaction.atomic
def save_draft(patrol: Patrol, by: User, data: dict) -> ReturnDraft:
    """Keep what has been typed so far, valid or not, until the return is submitted."""
    patrol = Patrol.objects.select_for_update().get(pk=patrol.pk)
    refusal = return_refusal(patrol)
    if refusal:
        raise PatrolRuleError(refusal)
    draft, _ = ReturnDraft.objects.update_or_create(
        patrol=patrol, defaults={"data": data, "saved_by": by}
    )
    return draft


@transaction.atomic
def amend_return(work_return: WorkReturn, by: User, reason: str, changes: dict) -> ReturnAmendment:
    """A supervisor's correction of a submitted return's main fields, kept as before/after text.

    `changes` maps fields of AMENDABLE_FIELDS to their new values; unchanged ones are ignored.
    """
    reason = reason.strip()
    if not reason:
        raise PatrolRuleError("Give the reason for the amendment.")
    unknown = sorted(set(changes) - set(AMENDABLE_FIELDS))
    if unknown:
        raise PatrolRuleError(f"These fields cannot be amended: {', '.join(unknown)}.")
    work_return = WorkReturn.objects.select_for_update().get(pk=work_return.pk)
    if work_return.status != ReturnStatus.SUBMITTED:
        raise PatrolRuleError("Only a submitted return can be amended.")
    diff = _differences(work_return, changes)
    if not diff:
        raise PatrolRuleError("Nothing was changed, so there is no amendment to record.")
    _apply(work_return, {field: changes[field] for field in diff})
    return ReturnAmendment.objects.create(
        work_return=work_return, amended_by=by, reason=reason, changes=diff
    )


def _differences(work_return: WorkReturn, changes: dict) -> dict[str, list[str]]:
    diff = {}
    for field, after in changes.items():
        before = _as_text(field, _current(work_return, field))
        if before != _as_text(field, after):
            diff[field] = [before, _as_text(field, after)]
    return diff


def _current(work_return: WorkReturn, field: str):
    if field == "hotspots_visited":
        return list(work_return.hotspots_visited.all())
    return getattr(work_return, field)


def _as_text(field: str, value) -> str:
    """How a value is written into the amendment history: as a person would read it."""
    if field == "hotspots_visited":
        return ", ".join(sorted(str(hotspot) for hotspot in value))
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if field == "weather":
        return Weather(value).label
    return str(value)


def _apply(work_return: WorkReturn, changes: dict) -> None:
    hotspots = changes.pop("hotspots_visited", None)
    for field, value in changes.items():
        setattr(work_return, field, value)
    check_return_times(work_return.started_at, work_return.ended_at)
    if hotspots is not None:
        _check_hotspots(work_return.patrol, hotspots)
        work_return.hotspots_visited.set(hotspots)
    work_return.save(update_fields=[*changes, "updated_at"])


# --- Diversion courses -------------------------------------------------------------------

# What the course provider records, and from which status.
COURSE_STEPS = {
    CautionStatus.BOOKED: {CautionStatus.ISSUED, CautionStatus.DID_NOT_ATTEND},
    CautionStatus.ATTENDED: {CautionStatus.BOOKED},
    CautionStatus.COMPLETED: {CautionStatus.ATTENDED},
    CautionStatus.DID_NOT_ATTEND: {CautionStatus.BOOKED},
}
FINISHED_COURSE = {CautionStatus.COMPLETED, CautionStatus.BREACHED}


@transaction.atomic
def record_course_outcome(caution: ConditionalCaution, status: str, by: User) -> None:
    """The provider books the course and records attendance; police see it on the caution."""
    caution = ConditionalCaution.objects.select_for_update().get(pk=caution.pk)
    referral = getattr(caution, "referral", None)
    if referral is not None and referral.status in {"closed", "declined", "withdrawn"}:
        raise PatrolRuleError(f"The course referral is {referral.get_status_display().lower()}.")
    if caution.status not in COURSE_STEPS.get(status, set()):
        raise PatrolRuleError(
            f"A course that is {caution.get_status_display().lower()} cannot be marked "
            f"{CautionStatus(status).label.lower()}."
        )
    caution.status = status
    caution.status_changed_at = timezone.now()
    caution.save(update_fields=["status", "status_changed_at"])


@transaction.atomic
def flag_missed_deadlines(today: dt.date) -> int:
    """Cautions whose course deadline has passed without completion become breached, and
    the arresting officer is told to follow up. Idempotent: a breached caution stays so."""
    missed = list(
        ConditionalCaution.objects.select_for_update()
        .filter(deadline__lt=today)
        .exclude(status__in=FINISHED_COURSE)
        .select_related("arrest__arresting_officer")
    )
    for caution in missed:
        caution.status = CautionStatus.BREACHED
        caution.status_changed_at = timezone.now()
        caution.save(update_fields=["status", "status_changed_at"])
        notify(
            [caution.arrest.arresting_officer],
            f"A conditional caution given on {caution.given_on:%d %b %Y} was breached: "
            "the diversion course was not completed by its deadline.",
            reverse("patrols:detail", args=[caution.arrest.patrol.uuid]),
        )
    return len(missed)
