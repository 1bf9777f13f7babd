"""Who may import crime data, see rankings and sheets, and ask for reports."""

from accounts.models import POLICE_ROLES, Role
from core.permissions import register

_SUPERVISORS = frozenset({Role.PROJECT_LEAD, Role.SERGEANT})

RULES: dict[str, frozenset[str]] = {
    "reporting.import": frozenset({Role.PROJECT_LEAD}),
    "reporting.view_sheet": _SUPERVISORS,
    "reporting.reports": frozenset({Role.PROJECT_LEAD}),
    "reporting.view_ranking": frozenset(POLICE_ROLES),
    "reporting.evidence": frozenset({Role.PROJECT_LEAD}),
    "reporting.rollout": frozenset({Role.PROJECT_LEAD}),
}

register(RULES)
