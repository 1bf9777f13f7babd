"""Work returns: what a deployed patrol files after the shift, its draft, and a
supervisor's amendment. Filing the return moves the patrol on (lifecycle.TRANSITIONS)."""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from governance import activity, audit
from partners.models import ServiceType
from referrals.models import Person
from referrals.services import ReferralRuleError, flag_possible_duplicates, make_referral

from ..models import (
    Arrest,
    ArrestOutcome,
    ConditionalCaution,
    Encounter,
    HandlingCode,
    Hotspot,
    IntelligenceReport,
    Offence,
    OfficerHours,
    Patrol,
    PatrolStatus,
    ReturnAmendment,
    ReturnDraft,
    ReturnStatus,
    Weather,
    WorkReturn,
)
from . import trials
from .errors import PatrolRuleError
from .lifecycle import lock, move
from .visits import check_visits, create_visits, replace_visits

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
    "visits",  # the timed visits, replaced whole: [{hotspot, arrived_at, left_at}, ...]
)


def return_refusal(patrol: Patrol) -> str:
    """Why no return can be filed for this patrol now; empty if one can."""
    if patrol.status == PatrolStatus.DEPLOYED:
        return ""
    if patrol.status == PatrolStatus.CANCELLED:
        return "This patrol was cancelled, so it has no work return."
    if patrol.status in {PatrolStatus.PLANNED, PatrolStatus.APPROVED}:
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
    visits: Sequence[dict] = (),
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
    - intelligence: IntelligenceReport field values;
    - visits: timed visits (hotspot, arrived_at, left_at), optional; each visit's hotspot
      counts as visited (services.visits has their rules).
    """
    # The lock makes a second, simultaneous submission wait, then find the return filed.
    patrol = lock(patrol)
    refusal = return_refusal(patrol)
    if refusal:
        raise PatrolRuleError(refusal)
    now = timezone.now()
    work_return = _create_return(patrol, by, now, dict(return_fields), visits)
    _check_hotspots(patrol, [e["hotspot"] for e in encounters if e.get("hotspot")])
    _create_hours(patrol, work_return, hours)
    night = timezone.localtime(work_return.started_at).date()
    created = [
        _create_encounter(patrol, by, night, fields, n) for n, fields in enumerate(encounters, 1)
    ]
    made = [_create_arrest(patrol, by, now, fields, n) for n, fields in enumerate(arrests, 1)]
    for n, fields in enumerate(referrals, start=1):
        _refer(patrol, by, now, created, fields, n)
    reports = [_create_intelligence(patrol, by, now, fields) for fields in intelligence]
    # Review dates: the people met (their latest activity), the arrests (by offence: MoPI
    # group 2 or 3) and the new intelligence. A caution's date waits for its course's end.
    activity.touched(*{encounter.person for encounter in created}, *made, *reports)
    move(patrol, PatrolStatus.RETURNED, "given a work return")
    ReturnDraft.objects.filter(patrol=patrol).delete()
    trials.record_area_deviations(patrol.area_id)  # a control hotspot visited: recorded
    return work_return


def _create_return(
    patrol: Patrol, by: User, now: dt.datetime, fields: dict, visits: Sequence[dict]
) -> WorkReturn:
    hotspots = list(fields.pop("hotspots_visited", []))
    check_return_times(fields["started_at"], fields["ended_at"])
    check_visits(fields["started_at"], fields["ended_at"], visits)
    hotspots += [v["hotspot"] for v in visits if v["hotspot"] not in hotspots]
    _check_hotspots(patrol, hotspots)
    work_return = WorkReturn.objects.create(
        patrol=patrol, filed_by=by, status=ReturnStatus.SUBMITTED, submitted_at=now, **fields
    )
    work_return.hotspots_visited.set(hotspots)
    create_visits(work_return, visits)
    return work_return


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


def _create_encounter(patrol: Patrol, by: User, night: dt.date, fields: dict, n: int) -> Encounter:
    fields = dict(fields)
    new_person = fields.pop("new_person", None)
    if new_person:
        fields["person"] = Person.objects.create(
            area=patrol.area, first_seen=night, created_by=by, **new_person
        )
        flag_possible_duplicates(fields["person"])
    elif fields.get("person") is None or fields["person"].area_id != patrol.area_id:
        raise PatrolRuleError(
            f"Encounter {n}: choose a person already known in {patrol.area}, or a new person."
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
    patrol = lock(patrol)
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
    The timed visits (``visits``) follow the rules they had at submission (services.visits),
    checked against the shift as amended, and each visit's hotspot counts as visited.
    """
    reason = reason.strip()
    if not reason:
        raise PatrolRuleError("Give the reason for the amendment.")
    unknown = sorted(set(changes) - set(AMENDABLE_FIELDS))
    if unknown:
        raise PatrolRuleError(f"These fields cannot be amended: {', '.join(unknown)}.")
    lock(work_return.patrol)  # the patrol first, as every patrols service locks
    work_return = WorkReturn.objects.select_for_update().get(pk=work_return.pk)
    if work_return.status != ReturnStatus.SUBMITTED:
        raise PatrolRuleError("Only a submitted return can be amended.")
    changes = _with_visit_hotspots(work_return, changes)
    diff = _differences(work_return, changes)
    if not diff:
        raise PatrolRuleError("Nothing was changed, so there is no amendment to record.")
    _apply(work_return, {field: changes[field] for field in diff})
    amendment = ReturnAmendment.objects.create(
        work_return=work_return, amended_by=by, reason=reason, changes=diff
    )
    if "hotspots_visited" in diff:
        trials.record_area_deviations(work_return.patrol.area_id)  # a control hotspot now
    return amendment


def _differences(work_return: WorkReturn, changes: dict) -> dict[str, list[str]]:
    diff = {}
    for field, after in changes.items():
        before = _as_text(field, _current(work_return, field))
        if before != _as_text(field, after):
            diff[field] = [before, _as_text(field, after)]
    return diff


def _with_visit_hotspots(work_return: WorkReturn, changes: dict) -> dict:
    """As at submission, a timed visit's hotspot is among the hotspots visited."""
    if "visits" not in changes and "hotspots_visited" not in changes:
        return changes
    visits = changes.get("visits", _current(work_return, "visits"))
    hotspots = list(changes.get("hotspots_visited", _current(work_return, "hotspots_visited")))
    hotspots += [v["hotspot"] for v in visits if v.get("hotspot") and v["hotspot"] not in hotspots]
    return changes | {"hotspots_visited": hotspots}


def _current(work_return: WorkReturn, field: str):
    if field == "hotspots_visited":
        return list(work_return.hotspots_visited.all())
    if field == "visits":
        rows = work_return.visits.select_related("hotspot")
        return [
            {"hotspot": v.hotspot, "arrived_at": v.arrived_at, "left_at": v.left_at} for v in rows
        ]
    return getattr(work_return, field)


def _as_text(field: str, value) -> str:
    """How a value is written into the amendment history: as a person would read it."""
    if field == "hotspots_visited":
        return ", ".join(sorted(str(hotspot) for hotspot in value))
    if field == "visits":
        return "; ".join(sorted(_visit_text(visit) for visit in value)) or "none"
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if field == "weather":
        return Weather(value).label
    return str(value)


def _visit_text(visit: dict) -> str:
    arrived, left = (visit.get(name) for name in ("arrived_at", "left_at"))
    times = "–".join(
        f"{timezone.localtime(t):%Y-%m-%d %H:%M}" if t else "?" for t in (arrived, left)
    )
    return f"{visit.get('hotspot')} {times}"


def _apply(work_return: WorkReturn, changes: dict) -> None:
    hotspots = changes.pop("hotspots_visited", None)
    visits = changes.pop("visits", None)
    for field, value in changes.items():
        setattr(work_return, field, value)
    check_return_times(work_return.started_at, work_return.ended_at)
    # The visits as they will be, against the shift as it will be (new times or not).
    after = visits if visits is not None else _current(work_return, "visits")
    check_visits(work_return.started_at, work_return.ended_at, after)
    if hotspots is not None:
        _check_hotspots(work_return.patrol, hotspots)
        work_return.hotspots_visited.set(hotspots)
    if visits is not None:
        replace_visits(work_return, visits)
    work_return.save(update_fields=[*changes, "updated_at"])
