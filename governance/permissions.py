"""Who may read the audit log.

The project lead, who answers for how the operation uses personal data, and the system
administrator, who also reads it (read-only) in the admin: both search and export it.
Other police users get 403; partner users 404, as on every police page. Nobody may
change or delete a row, anywhere in the application.
"""

from accounts.models import Role
from patrols.permissions import PolicePermissionMixin as _Base

RULES: dict[str, frozenset[str]] = {
    "governance.audit_log": frozenset({Role.PROJECT_LEAD, Role.ADMIN}),
    # Retention review (keep or erase records due) and subject access exports: the
    # project lead alone, for the records of their areas.
    "governance.review": frozenset({Role.PROJECT_LEAD}),
    "governance.subject_access": frozenset({Role.PROJECT_LEAD}),
}


def has_permission(user, permission: str) -> bool:
    return user.is_authenticated and user.is_active and user.role in RULES[permission]


class GovernancePermissionMixin(_Base):
    """Partner users get 404, other roles lacking the right 403."""

    rules = RULES
