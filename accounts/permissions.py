"""Who may do what with people and places, and who may use the Django admin.

The admin is a back office for police staff and administrators. Partner users never
see it: the admin site answers them 404, as if it did not exist.
"""

from dataclasses import dataclass

from core.permissions import deny, has_permission, register

from .models import Role

RULES = {
    # Ephedra training sessions (accounts/training.py): recorded for one's own areas.
    "accounts.record_training": frozenset({Role.PROJECT_LEAD, Role.SERGEANT}),
    # Add a borough: its area, wards and coverage in one flow (accounts/boroughs.py).
    "accounts.add_borough": frozenset({Role.ADMIN}),
    # Inviting people (accounts/invitations.py): whom, and where, is invitation_scope's.
    "accounts.invite": frozenset({Role.ADMIN, Role.PROJECT_LEAD, Role.SERGEANT}),
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


def manageable_users(user):
    """The users whose account ``user`` may look after on the users page: reset the second
    factor, send the set-password link again. The same scope as second-factor resets."""
    return second_factor_resettable_users(user)


def disableable_users(user):
    """The users whose account ``user`` may disable (a leaver): those they look after,
    except that a sergeant never disables the project lead."""
    users = manageable_users(user)
    return users.exclude(role=Role.PROJECT_LEAD) if user.role == Role.SERGEANT else users


# --- Invitations (issue 20): who may invite whom, into which areas. ---------------------


@dataclass(frozen=True)
class InvitationScope:
    """What ``user`` may give a person they invite: the police roles, the areas (a
    queryset), and whether partner users (of any agency) too."""

    roles: tuple[str, ...]
    areas: object
    partners: bool

    @property
    def any(self) -> bool:
        return bool(self.roles) or self.partners


def invitation_scope(user) -> InvitationScope:
    """The one rule: system administrators invite police into any area and partner users
    of any agency; the project lead and sergeants invite PCs and sergeants into their own
    areas (never a lead or an administrator); anyone else invites no one. The form's
    choices come from here and the service checks against it again."""
    from .models import Area

    if not has_permission(user, "accounts.invite"):
        return InvitationScope((), Area.objects.none(), partners=False)
    if user.role == Role.ADMIN:
        police = (Role.PC, Role.SERGEANT, Role.PROJECT_LEAD)
        return InvitationScope(police, Area.objects.all(), partners=True)
    return InvitationScope(
        (Role.PC, Role.SERGEANT), Area.objects.filter(pk__in=user.areas.values("pk")), False
    )


def may_manage_lockouts(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN)


def deny_account_security(user) -> None:
    """Partner users never learn these police/admin pages exist (404); other
    signed-in users without the right get 403 (core.permissions decides, as everywhere)."""
    deny(user)
