"""Who may do what on the patrol pages. Every patrols view declares a permission here.

Partner users get 404 on every patrol page, as if it did not exist; a police user
whose role lacks the right gets 403; records outside the user's areas answer 404.
"""

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import POLICE_ROLES, Role

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


def has_permission(user, permission: str) -> bool:
    return user.is_authenticated and user.role in RULES[permission]


def check_police(user) -> None:
    """Partner users must not learn that police pages exist."""
    if not user.is_authenticated or not user.is_police:
        raise Http404


class PolicePermissionMixin(AccessMixin):
    """Declare `permission_required` (a key of RULES) on the view; this enforces it."""

    permission_required: str = ""
    rules: dict[str, frozenset[str]] = RULES  # another app's pages pass their own rules

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            if getattr(request, "htmx", False):
                # A fragment request after the session ended: send the whole page to sign-in.
                return HttpResponseClientRedirect(redirect_to_login(request.get_full_path()).url)
            return self.handle_no_permission()
        if request.user.role == Role.PARTNER:
            raise Http404
        if request.user.role not in self.rules[self.permission_required]:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def get_patrol_for_user(user, uuid) -> Patrol:
    return get_object_or_404(Patrol.objects.visible_to(user), uuid=uuid)


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
