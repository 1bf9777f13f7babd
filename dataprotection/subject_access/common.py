"""What every subject's export shares: staff names withheld or shown, the retention
decisions and the audit trail of the records, each in one query."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from accounts.models import Role
from governance.models import AuditEvent, RetentionDecision, SubjectAccessRequest, object_key

from . import sections

# Fields naming a member of staff, in the audit trail's recorded changes: their values
# (user keys) are other people's data, withheld with the names.
STAFF_FIELDS = frozenset(
    {
        "created_by", "referred_by", "consent_recorded_by", "changed_by", "decided_by",
        "author", "moved_by", "arresting_officer", "submitted_by", "amended_by",
        "assessed_by", "approved_by", "planned_by", "officer", "filed_by", "saved_by",
        "set_by", "added_by", "ended_by",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Names:
    """How the export names a member of staff: by username when the request includes
    staff names, otherwise by a marker saying only what kind of person it was
    (s.45(4)(e): the rights and freedoms of others)."""

    include: bool

    def __call__(self, user) -> str:
        if user is None:
            return ""
        if self.include:
            return user.get_username()
        if user.role == Role.PARTNER:
            return sections.AGENCY_MARK
        return (
            sections.POLICE_MARK
            if user.role in (Role.PC, Role.SERGEANT, Role.PROJECT_LEAD)
            else sections.STAFF_MARK
        )


def header(sar: SubjectAccessRequest, by, names: Names) -> dict:
    """Who asked for the export and, when the subject is told, what was withheld."""
    data = {
        "request": str(sar.uuid),
        "generated_at": timezone.now(),
        "generated_by": names(by),
        "subject_type": sar.subject_type,
        "subject": str(sar.subject_uuid),
    }
    if sar.tell_subject and sar.restricts:
        withheld = sections.labels(sar.subject_type, sar.withheld_sections)
        if not sar.include_staff_names:
            withheld.append("The names of police officers and agency staff")
        data["restriction"] = {"withheld": withheld, "ground": sar.get_ground_display()}
    return data


def decisions(objects: list, names: Names) -> list[dict]:
    """The retention decisions on these records (people, referrals...), oldest first."""
    keys = {(obj._meta.label_lower, obj.pk): str(obj.uuid) for obj in objects}
    wanted = Q(pk__in=[])
    for label in {label for label, _ in keys}:
        wanted |= Q(object_type=label, object_id__in=[pk for lab, pk in keys if lab == label])
    return [
        {
            "record": keys.get((d.object_type, d.object_id), ""),
            "record_type": d.object_type,
            "decision": d.get_decision_display(),
            "by": names(d.decided_by),
            "at": d.decided_at,
            "reason": d.reason,
            "next_review_on": d.next_review_on,
        }
        for d in RetentionDecision.objects.filter(wanted)
        .select_related("decided_by")
        .order_by("decided_at", "pk")
    ]


def trail(objects: list, names: Names) -> list[dict]:
    """Every audit row about these records, oldest first, in one query."""
    keys: dict[str, set[str]] = {}
    for obj in objects:
        keys.setdefault(obj._meta.label_lower, set()).add(object_key(obj))
    wanted = Q(pk__in=[])
    for label, ids in keys.items():
        wanted |= Q(object_type=label, object_id__in=sorted(ids))
    events = AuditEvent.objects.filter(wanted).select_related("actor").order_by("at", "id")
    return [
        {
            "at": e.at,
            "who": names(e.actor) if e.actor_id else sections.SYSTEM,
            "action": e.action,
            "record_type": e.object_type,
            "record": e.object_id,
            "changes": e.changes if names.include else _without_staff(e.changes),
            "detail": e.detail,
        }
        for e in events
    ]


def _without_staff(changes: dict) -> dict:
    """A change's staff fields (user keys) withheld with the names."""
    if not isinstance(changes, dict):
        return changes
    return {
        field: "[withheld]" if field in STAFF_FIELDS else value for field, value in changes.items()
    }
