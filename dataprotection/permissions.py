"""Who may read the audit log, review retention and export subject access.

The audit log: the project lead, who answers for how the operation uses personal data,
and the system administrator, who also reads it (read-only) in the admin. Other police
users get 403; partner users 404, as on every police page (core.permissions). Nobody may
change or delete a row, anywhere in the application.

The rights keep the ``governance.`` names the pages and the admin have always used.
"""

from accounts.models import Role
from core.permissions import register

RULES: dict[str, frozenset[str]] = {
    "governance.audit_log": frozenset({Role.PROJECT_LEAD, Role.ADMIN}),
    # Retention review (keep or erase records due) and subject access exports: the
    # project lead alone, for the records of their areas.
    "governance.review": frozenset({Role.PROJECT_LEAD}),
    "governance.subject_access": frozenset({Role.PROJECT_LEAD}),
}
register(RULES)
