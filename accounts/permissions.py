"""Who may do what with people and places, and who may use the Django admin.

The admin is a back office for police staff and administrators. Partner users never
see it: the admin site answers them 404, as if it did not exist.
"""

from core.permissions import deny, register

from .models import Role

RULES = {
    # Ephedra training sessions (accounts/training.py): recorded for one's own areas.
    "accounts.record_training": frozenset({Role.PROJECT_LEAD, Role.SERGEANT}),
    # Add a borough: its area, wards and coverage in one flow (accounts/boroughs.py).
    "accounts.add_borough": frozenset({Role.ADMIN}),
}
register(RULES)

# Reference data a role may change in the admin, by app. Records of the operation's
# casework (patrols, returns, people, referrals, reports, crime data) are changed by no one
# there: their state changes are admin actions that call the services, so that no rule is
# skipped. Everyone who may use the admin may view, within their areas.
_ADMIN_EDITORS: dict[str, set[str]] = {
    "accounts": {Role.ADMIN},
    "auth": {Role.ADMIN},
    "partners": {Role.ADMIN, Role.PROJECT_LEAD},
    "patrols": {Role.ADMIN},  # hotspots' descriptions only: see patrols/admin.py
}


def is_system_admin(user) -> bool:
    """A system administrator: sees every area's records in the admin."""
    return user.is_authenticated and user.is_active and user.role == Role.ADMIN


def can_use_admin(user) -> bool:
    return user.is_authenticated and user.is_active and user.role != Role.PARTNER


def can_change_in_admin(user, app_label: str) -> bool:
    """May change reference data of ``app_label`` in the admin (never casework records)."""
    if not can_use_admin(user):
        return False
    return user.role in _ADMIN_EDITORS.get(app_label, set())


# --- Account security (issue 7): second-factor resets and lockouts. ---------------------

_RESETTERS = {Role.ADMIN, Role.PROJECT_LEAD, Role.SERGEANT}


def may_reset_second_factors(user) -> bool:
    """Sergeants (and the project lead, a sergeant too) reset police users in their
    areas; administrators reset anyone."""
    return user.is_authenticated and (user.is_superuser or user.role in _RESETTERS)


def second_factor_resettable_users(user):
    """The users whose second factor ``user`` may reset (never themselves)."""
    from .models import POLICE_ROLES, User

    if not may_reset_second_factors(user):
        return User.objects.none()
    users = User.objects.exclude(pk=user.pk)
    if user.is_superuser or user.role == Role.ADMIN:
        return users
    return users.filter(role__in=POLICE_ROLES, areas__in=user.areas.all()).distinct()


def may_manage_lockouts(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN)


def deny_account_security(user) -> None:
    """Partner users never learn these police/admin pages exist (404); other
    signed-in users without the right get 403 (core.permissions decides, as everywhere)."""
    deny(user)
