"""Who may do what on the patrol pages. Every patrols view declares a right from RULES
(``permission_required``; core.permissions enforces it).

Partner users get 404 on every patrol page, as if it did not exist; a police user
whose role lacks the right gets 403; records outside the user's areas answer 404.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import POLICE_ROLES, Role
from core.permissions import register

from .models import Hotspot, Patrol

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


def require_return_filer(user, patrol: Patrol) -> None:
    if not can_file_return(user, patrol):
        raise PermissionDenied
