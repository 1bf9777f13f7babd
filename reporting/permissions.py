"""Who may import crime data, see rankings and sheets, and ask for reports."""

from accounts.models import POLICE_ROLES, Role
from patrols.permissions import PolicePermissionMixin as _Base

_SUPERVISORS = frozenset({Role.PROJECT_LEAD, Role.SERGEANT})

RULES: dict[str, frozenset[str]] = {
    "reporting.import": frozenset({Role.PROJECT_LEAD}),
    "reporting.view_sheet": _SUPERVISORS,
    "reporting.reports": frozenset({Role.PROJECT_LEAD}),
    "reporting.view_ranking": frozenset(POLICE_ROLES),
    "reporting.evidence": frozenset({Role.PROJECT_LEAD}),
}


def has_permission(user, permission: str) -> bool:
    return user.is_authenticated and user.role in RULES[permission]


class ReportingPermissionMixin(_Base):
    """Partner users get 404, police lacking the right 403 (as on every police page)."""

    rules = RULES
