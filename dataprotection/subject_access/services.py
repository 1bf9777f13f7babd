"""Every change for subject access: recording a request with its s.45(4) restriction,
and writing that a request was exported. Both leave audit rows; neither writes a
personal value (nor the reason in words, which may hold one) into them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from governance import audit
from governance.models import AuditEvent, RestrictionGround, SubjectAccessRequest, SubjectType

from .sections import SECTIONS


class SubjectAccessRuleError(Exception):
    """A request that breaks a rule; ``problems`` maps each form field to its message."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class Restriction:
    """What the lead asks for: the sections withheld, the staff names shown or not, the
    s.45(4) ground and reason, and whether the subject is told (s.45(5) and (6))."""

    withheld: list[str] = field(default_factory=list)
    include_staff_names: bool = False
    ground: str = ""
    reason: str = ""
    tell_subject: bool = True

    @property
    def restricts(self) -> bool:
        return bool(self.withheld) or not self.include_staff_names


def restriction_problems(subject_type: str, restriction: Restriction) -> dict[str, str]:
    """Why this restriction cannot be recorded, field by field (empty: it can)."""
    problems = {}
    unknown = set(restriction.withheld) - set(SECTIONS.get(subject_type, {}))
    if subject_type not in SubjectType.values:
        problems["__all__"] = "Choose a person or an arrest."
    elif unknown:
        problems["withheld"] = "Choose only sections this subject's export has."
    if restriction.restricts:
        if restriction.ground not in RestrictionGround.values:
            problems["ground"] = (
                "Choose the ground in section 45(4) for withholding information "
                "(staff names withheld count: usually (e), the rights of others)."
            )
        if not restriction.reason.strip():
            problems["reason"] = (
                "Say why the information is withheld: section 45(7) asks that the reason "
                "is recorded."
            )
    return problems


@transaction.atomic
def create_request(user, subject_type: str, subject, restriction: Restriction):
    """Record the request, and an audit row saying what it withholds and on which ground
    (the reason is masked: it is kept on the request, which the audit log links to)."""
    problems = restriction_problems(subject_type, restriction)
    if problems:
        raise SubjectAccessRuleError(problems)
    restricts = restriction.restricts
    sar = SubjectAccessRequest.objects.create(
        subject_type=subject_type,
        subject_uuid=subject.uuid,
        made_by=user,
        withheld=" ".join(sorted(set(restriction.withheld))),
        include_staff_names=restriction.include_staff_names,
        ground=restriction.ground if restricts else "",
        reason=restriction.reason.strip(),
        tell_subject=restriction.tell_subject if restricts else True,
    )
    audit.record(
        "governance.subjectaccessrequest.created",
        sar,
        user=user,
        changes={
            "subject_type": [None, sar.subject_type],
            "subject": [None, str(sar.subject_uuid)],
            "withheld": [None, sar.withheld],
            "include_staff_names": [None, sar.include_staff_names],
            "ground": [None, sar.ground],
            "tell_subject": [None, sar.tell_subject],
            **({"reason": audit.MASKED} if sar.reason else {}),
        },
        detail=f"Subject access request for {subject._meta.label_lower} {subject.uuid}",
    )
    return sar


def record_export(request, sar: SubjectAccessRequest, disclosed: list, what: str) -> None:
    """One ``exported`` row per record the export discloses, naming the request."""
    AuditEvent.objects.bulk_create(
        audit.event(
            f"{obj._meta.label_lower}.exported",
            obj,
            request=request,
            detail=f"Subject access request {sar.uuid}: {what}",
        )
        for obj in disclosed
    )
