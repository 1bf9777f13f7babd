"""Planning a patrol: when and where, its hotspots, its crew (the pairing rule and double
booking) and the partners invited. The planning page and the API both plan and change a
patrol through `plan_patrol` and `update_patrol`, and nothing else."""

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from accounts.models import OfficerProfile, Role, User, Ward
from governance import audit

from ..models import Hotspot, OfficerRole, PartnerInvitation, Patrol, PatrolOfficer, PatrolStatus
from . import trials
from .errors import PatrolRuleError
from .lifecycle import lock, require_editable, withdraw_approval

MAX_PATROL_HOURS = 14
CHANGEABLE = frozenset(
    {"ward", "starts_at", "ends_at", "meeting_point", "hotspots", "crew", "invitations"}
)
# The parts of a plan a risk assessment is about: changing one withdraws its approval.
ASSESSED = ("crew", "ward", "hotspots", "times")
# Where each crew role's problems are shown on the planning form (and in the API).
CREW_FIELDS = {
    OfficerRole.EPHEDRA_PC: "ephedra_pcs",
    OfficerRole.LOCAL_PC: "local_pcs",
    OfficerRole.OBSERVER: "observers",
}
# Who may observe a patrol in an area they do not work in ("sergeants visit the patrols
# in other areas"): they see that patrol's plan, and nothing else of the area.
OBSERVER_ROLES = frozenset({Role.SERGEANT, Role.PROJECT_LEAD})

Crew = Sequence[tuple[User, str]]


@dataclass(frozen=True)
class CrewProblem:
    field: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class PatrolUpdate:
    patrol: Patrol
    approval_withdrawn: bool


# --- The rules ------------------------------------------------------------------------


def hotspots_outside(ward, hotspots) -> list:
    """The chosen hotspots that lie outside the patrol's ward, which a planner confirms
    (a patrol may cross a boundary; it should not do so by a slip of the mouse)."""
    return [hotspot for hotspot in hotspots if hotspot.ward_id != ward.pk]


def time_problem(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """Why a patrol cannot run between these times; empty if it can."""
    if ends_at <= starts_at:
        return "The patrol must end after it starts."
    if ends_at - starts_at > dt.timedelta(hours=MAX_PATROL_HOURS):
        return f"A patrol cannot last more than {MAX_PATROL_HOURS} hours."
    return ""


def crew_problems(patrol: Patrol, crew: Crew) -> list[CrewProblem]:
    """Why this crew cannot go out, if it cannot: the pairing rule and double booking,
    each with the field it belongs to."""
    problems = []
    profiles = {
        profile.user_id: profile
        for profile in OfficerProfile.objects.filter(user__in=[officer for officer, _ in crew])
    }
    ephedra = [o for o, role in crew if role == OfficerRole.EPHEDRA_PC]
    local = [o for o, role in crew if role == OfficerRole.LOCAL_PC]
    untrained = [o for o in ephedra if not getattr(profiles.get(o.pk), "is_ephedra_trained", False)]
    for officer in untrained:
        problems.append(
            CrewProblem(
                "ephedra_pcs", f"{officer} is not Ephedra-trained, so cannot be an Ephedra PC."
            )
        )
    if not [o for o in ephedra if o not in untrained]:
        problems.append(
            CrewProblem("ephedra_pcs", "A patrol needs at least one Ephedra-trained PC.")
        )
    if not any(getattr(profiles.get(o.pk), "home_ward_id", None) == patrol.ward_id for o in local):
        problems.append(
            CrewProblem("local_pcs", f"A patrol needs at least one local PC from {patrol.ward}.")
        )
    problems += observer_problems(patrol, [o for o, role in crew if role == OfficerRole.OBSERVER])
    roles = {officer.pk: role for officer, role in crew}
    for officer in double_booked(patrol, [officer for officer, _ in crew]):
        field = CREW_FIELDS.get(roles[officer.pk], "ephedra_pcs")
        problems.append(CrewProblem(field, f"{officer} is already on another patrol at that time."))
    return problems


def observer_problems(patrol: Patrol, observers: list[User]) -> list[CrewProblem]:
    """An observer is an active sergeant (or the lead) who does not work in the patrol's
    area: someone who does joins the crew instead."""
    local = set(
        User.objects.filter(pk__in=[o.pk for o in observers], areas=patrol.area_id).values_list(
            "pk", flat=True
        )
    )
    problems = []
    for officer in observers:
        if officer.role not in OBSERVER_ROLES or not officer.is_active:
            problems.append(
                CrewProblem("observers", f"{officer} cannot observe: only sergeants observe.")
            )
        elif officer.pk in local:
            problems.append(
                CrewProblem(
                    "observers",
                    f"{officer} works in {patrol.area}, so cannot observe there: "
                    "add them to the crew instead.",
                )
            )
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


# --- Planning and changing a patrol ------------------------------------------------------


@transaction.atomic
def plan_patrol(
    by: User,
    *,
    ward: Ward,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    crew: Crew,
    meeting_point: str = "",
    hotspots: Sequence[Hotspot] = (),
    invitations: Sequence[dict] = (),
) -> Patrol:
    """A new, planned patrol with its crew, hotspots and invitations, or nothing."""
    patrol = Patrol(
        area_id=ward.area_id,
        ward=ward,
        starts_at=starts_at,
        ends_at=ends_at,
        meeting_point=meeting_point,
        planned_by=by,
    )
    _check_times(patrol)
    _lock_officers(crew)
    _check_crew(patrol, crew)
    with _race_as_rule_error():
        patrol.save()
        _write_crew(patrol, crew)
        patrol.hotspots.set(hotspots)
        _write_invitations(patrol, invitations)
    trials.record_area_deviations(patrol.area_id)  # a control hotspot planned: recorded
    return patrol


@transaction.atomic
def update_patrol(patrol: Patrol, by: User, **changes) -> PatrolUpdate:
    """Change a planned (or approved) patrol: any of ward, starts_at, ends_at,
    meeting_point, hotspots, crew (officer, role) and invitations (agency, activity, notes),
    each replacing what the patrol had. Changing what the risk assessment was about (crew,
    ward, hotspots, times) withdraws its approval."""
    unknown = sorted(set(changes) - CHANGEABLE)
    if unknown:
        raise PatrolRuleError(f"These cannot be changed on a patrol: {', '.join(unknown)}.")
    patrol = lock(patrol)
    require_editable(patrol)
    before = _assessed_plan(patrol)
    for name in ("ward", "starts_at", "ends_at", "meeting_point"):
        if name in changes:
            setattr(patrol, name, changes[name])
    patrol.area_id = patrol.ward.area_id
    _check_times(patrol)
    crew = changes.get("crew", [(duty.officer, duty.role) for duty in patrol.officers.all()])
    _lock_officers(crew)
    _check_crew(patrol, crew)  # a new ward or time can break the crew as it stands
    with _race_as_rule_error():
        patrol.save()
        _write_crew(patrol, crew)
        if "hotspots" in changes:
            patrol.hotspots.set(changes["hotspots"])
        if "invitations" in changes:
            _write_invitations(patrol, changes["invitations"])
    changed = [part for part, value in _assessed_plan(patrol).items() if before[part] != value]
    why = f"The patrol's {', '.join(changed)} changed after its risk assessment was approved."
    withdrawn = bool(changed) and withdraw_approval(patrol, why)
    trials.record_area_deviations(patrol.area_id)
    return PatrolUpdate(patrol, withdrawn)


def save_crew(patrol: Patrol, crew: Crew) -> None:
    """Replace a patrol's crew (see update_patrol, which checks and audits the change)."""
    update_patrol(patrol, patrol.planned_by, crew=crew)


def _assessed_plan(patrol: Patrol) -> dict:
    """What the risk assessment was about, as it is in the database now."""
    return {
        "crew": set(patrol.officers.values_list("officer_id", "role")),
        "ward": patrol.ward_id,
        "hotspots": set(patrol.hotspots.values_list("pk", flat=True)),
        "times": (patrol.starts_at, patrol.ends_at),
    }


def _check_times(patrol: Patrol) -> None:
    problem = time_problem(patrol.starts_at, patrol.ends_at)
    if problem:
        raise PatrolRuleError(problem, field="end_time")


def _lock_officers(crew: Crew) -> None:
    """Two planners booking the same officer onto overlapping patrols at once: the second
    waits here, then finds the first's booking when it checks for double booking. Always
    in key order, so two bookings never wait for each other."""
    ids = sorted({officer.pk for officer, _ in crew})
    list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))


def _check_crew(patrol: Patrol, crew: Crew) -> None:
    problems = crew_problems(patrol, crew)
    if problems:
        fields = {problem.field for problem in problems}
        field = fields.pop() if len(fields) == 1 else None
        raise PatrolRuleError(" ".join(p.message for p in problems), field=field)


def _write_crew(patrol: Patrol, crew: Crew) -> None:
    patrol.officers.exclude(officer__in=[officer for officer, _ in crew]).delete()
    for officer, role in crew:
        PatrolOfficer.objects.update_or_create(
            patrol=patrol, officer=officer, defaults={"role": role}
        )


def _write_invitations(patrol: Patrol, invitations: Sequence[dict]) -> None:
    """Exactly these invitations: an agency already invited is changed in place."""
    wanted = {row["agency"].pk: row for row in invitations}
    if len(wanted) != len(invitations):
        raise PatrolRuleError("Invite each agency once.", field="invitations")
    for invitation in patrol.invitations.all():
        row = wanted.pop(invitation.agency_id, None)
        if row is None:
            invitation.delete()
        elif (invitation.activity, invitation.notes) != (row["activity"], row.get("notes", "")):
            invitation.activity, invitation.notes = row["activity"], row.get("notes", "")
            invitation.save(update_fields=["activity", "notes"])
    for row in wanted.values():
        PartnerInvitation.objects.create(
            patrol=patrol,
            agency=row["agency"],
            activity=row["activity"],
            notes=row.get("notes", ""),
        )


@contextmanager
def _race_as_rule_error() -> Iterator[None]:
    """A unique constraint broken by someone saving at the same moment (the same officer
    or agency added twice) is a refusal the planner can act on, never a server error."""
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives
            yield
    except IntegrityError as error:
        if "invitation" in str(error):
            raise PatrolRuleError(
                "Another planner changed the invitations at the same moment: check them "
                "and save again.",
                field="invitations",
            ) from error
        raise PatrolRuleError(
            "Another planner changed this crew at the same moment, so an officer may now "
            "be double-booked: check the crew and save again.",
            field="ephedra_pcs",
        ) from error


# --- Copying a week ----------------------------------------------------------------------


@transaction.atomic
def copy_week(planner: User, patrols, monday) -> list[Patrol]:
    """Copy the live patrols of the week before `monday` (from `patrols`, the planner's
    own) into that week, which must be empty, as planned patrols."""
    live = patrols.live()
    week = dt.timedelta(days=7)
    if live.filter(starts_at__date__gte=monday, starts_at__date__lt=monday + week).exists():
        raise PatrolRuleError(
            "This week already has patrols. Copy last week's plan only into an empty week."
        )
    last_week = live.filter(starts_at__date__gte=monday - week, starts_at__date__lt=monday)
    copies = duplicate_week(last_week, week, planner)
    if not copies:
        raise PatrolRuleError("Last week had no patrols to copy.")
    return copies


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
