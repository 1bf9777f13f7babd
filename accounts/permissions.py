"""Who may do what with people and places, and who may use the Django admin.

The admin is a back office for police staff and administrators. Partner users never
see it: the admin site answers them 404, as if it did not exist.
"""

from .models import Role

# Apps whose records each role may change in the admin (everyone there may view).
_ADMIN_EDITORS: dict[str, set[str]] = {
    "accounts": {Role.ADMIN},
    "auth": {Role.ADMIN},
    "partners": {Role.ADMIN, Role.PROJECT_LEAD},
    "patrols": {Role.ADMIN, Role.PROJECT_LEAD, Role.SERGEANT},
    "referrals": {Role.ADMIN, Role.PROJECT_LEAD, Role.SERGEANT},
    "reporting": {Role.ADMIN, Role.PROJECT_LEAD},
}


def can_use_admin(user) -> bool:
    return user.is_authenticated and user.is_active and user.role != Role.PARTNER


def can_change_in_admin(user, app_label: str) -> bool:
    if not can_use_admin(user):
        return False
    return user.is_superuser or user.role in _ADMIN_EDITORS.get(app_label, set())
