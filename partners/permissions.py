"""Who may read partner agencies: the police, who refer to them, and partner users (their
own agency only; ``partners.api.agencies_for`` scopes it)."""

from accounts.models import POLICE_ROLES, Role
from core.permissions import register

RULES: dict[str, frozenset[str]] = {
    "partners.view": frozenset(POLICE_ROLES) | {Role.PARTNER},
}
register(RULES)
