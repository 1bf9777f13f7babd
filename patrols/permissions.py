"""Who may do what on the patrol pages. Every patrols view declares a right from RULES
(``permission_required``; core.permissions enforces it).

Partner users get 404 on every patrol page, as if it did not exist; a police user
whose role lacks the right gets 403; records outside the user's areas answer 404.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import POLICE_ROLES, Role
from core.permissions import has_permission, register
from referrals.models import Person
from referrals.permissions import referrals_for

from .models import Hotspot, PartnerConcern, Patrol

_POLICE = frozenset(POLICE_ROLES)
_SUPERVISORS = frozenset({Role.PROJECT_LEAD, Role.SERGEANT})

RULES: dict[str, frozenset[str]] = {
    "patrols.view": _POLICE,
    "patrols.plan": _SUPERVISORS,
    "patrols.assess_risk": _POLICE,
    "patrols.approve_risk": _SUPERVISORS,
    "patrols.deploy": _SUPERVISORS,
    "patrols.close": _SUPERVISORS,  # the return reviewed: the patrol is done with
    "patrols.file_return": _POLICE,  # and, per patrol, only an officer on it (or a supervisor)
    "patrols.amend_return": _SUPERVISORS,
    "patrols.manage_hotspots": _SUPERVISORS,
    # Intelligence: partners send concerns (patrols/views/concerns.py); supervisors read
    # every report of their areas and grade what partners sent (views/intelligence.py).
    # PCs do not: partner intelligence can name sources and is graded by a supervisor.
    "patrols.send_concern": frozenset({Role.PARTNER}),
    "patrols.grade_intelligence": _SUPERVISORS,
    # Trials (reporting/views/trials.py): the lead registers one; supervisors, who plan
    # the patrols, follow it and say why a week departed from its allocation.
    "patrols.register_trial": frozenset({Role.PROJECT_LEAD}),
    "patrols.view_trials": _SUPERVISORS,
    "patrols.explain_deviation": _SUPERVISORS,
}
register(RULES)


def get_patrol_for_user(user, uuid) -> Patrol:
    return get_object_or_404(Patrol.objects.visible_to(user), uuid=uuid)


def get_observed_patrol(user, uuid) -> Patrol:
    """A patrol of another area that ``user`` was added to as an observer: they may read
    its plan and nothing else (every other patrol page uses get_patrol_for_user)."""
    return get_object_or_404(Patrol.objects.observed_by(user), uuid=uuid)


def get_hotspot_for_user(user, uuid) -> Hotspot:
    return get_object_or_404(Hotspot.objects.visible_to(user), uuid=uuid)


def can_file_return(user, patrol: Patrol) -> bool:
    """Officers who were on the patrol file its return; supervisors may too."""
    if user.role in _SUPERVISORS:
        return True
    return patrol.officers.filter(officer=user).exists()


def return_patrols_for(user):
    """``can_file_return`` over a queryset, in SQL: the patrols of the user's areas whose
    returns (arrests, cautions, intelligence) the user may read — the ones the user was
    on, or all of them for a supervisor."""
    patrols = Patrol.objects.visible_to(user)
    if user.role in _SUPERVISORS:
        return patrols
    return patrols.with_officer(user)


def can_read_intelligence(user, report) -> bool:
    """One intelligence report, as ``selectors.intelligence_for`` scopes a list: through its
    patrol, to those who may file that patrol's return; graded from a partner's concern,
    to those who grade intelligence for the concern's area."""
    if report.patrol_id is not None:
        return can_file_return(user, report.patrol)
    concern = report.partner_concern
    return (
        concern is not None
        and has_permission(user, "patrols.grade_intelligence")
        and user.areas.filter(pk=concern.area_id).exists()
    )


def require_return_filer(user, patrol: Patrol) -> None:
    if not can_file_return(user, patrol):
        raise PermissionDenied


def get_concern_for_user(user, uuid) -> PartnerConcern:
    """A concern about one of the police user's areas; another area's answers 404. (The
    partner's side reads through selectors.concerns_sent: its agency's, its fields.)"""
    return get_object_or_404(PartnerConcern.objects.in_areas(user.areas.all()), uuid=uuid)


def people_to_link(user):
    """The women a partner may link a concern to: those with a referral held by their
    agency (django-guardian grants, in SQL); no one for anybody else."""
    return Person.objects.filter(referrals__in=referrals_for(user)).distinct()
