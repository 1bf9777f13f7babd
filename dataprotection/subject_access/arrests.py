"""An arrested or cautioned man as a data subject: one arrest (suspect description,
custody reference, offence, outcome), its conditional caution and the diversion course
referral with its history and notes, retention decisions and the audit trail — in a
fixed number of queries, leaving out what the request withholds."""

from __future__ import annotations

from django.db.models import Prefetch

from governance.models import SubjectAccessRequest
from patrols.models import Arrest
from referrals.models import Referral, ReferralNote, ReferralStatusChange

from . import common, sections
from .people import note, step


def gather(arrest: Arrest, sar: SubjectAccessRequest, by) -> tuple[dict, list]:
    """The export's data and the records it discloses (arrest, caution, course)."""
    show = sections.shown(sar.subject_type, sar.withheld_sections)
    names = common.Names(sar.include_staff_names)
    arrest = (
        Arrest.objects.select_related(
            "patrol__area", "patrol__ward", "arresting_officer", "caution__provider"
        )
        .filter(pk=arrest.pk)
        .get()
    )
    caution = getattr(arrest, "caution", None)
    course = _course(caution, show) if caution is not None else None
    data = common.header(sar, by, names)
    data["arrest"] = _arrest(arrest, show, names)
    if "caution" in show:
        data["caution"] = _caution(caution) if caution is not None else None
    if "course" in show:
        data["course"] = _referral(course, show, names) if course is not None else None
    disclosed = [r for r in (arrest, caution, course) if r is not None]
    related = [*disclosed, *_children(course, show)]
    if "retention_decisions" in show:
        data["retention_decisions"] = common.decisions(disclosed, names)
    if "audit_trail" in show:
        data["audit_trail"] = common.trail(related, names)
    return data, disclosed


def _course(caution, show: frozenset[str]) -> Referral | None:
    """The caution's diversion course referral, with what the request shows of it."""
    prefetches = [Prefetch("history", ReferralStatusChange.objects.select_related("changed_by"))]
    if "course_notes" in show:
        prefetches.append(Prefetch("notes", ReferralNote.objects.select_related("author")))
    return (
        Referral.objects.filter(caution=caution)
        .select_related("agency", "referred_by")
        .prefetch_related(*prefetches)
        .first()
    )


def _children(course: Referral | None, show: frozenset[str]) -> list:
    if course is None:
        return []
    children = list(course.history.all())
    if "course_notes" in show:
        children += list(course.notes.all())
    return children


def _arrest(arrest: Arrest, show: frozenset[str], names: common.Names) -> dict:
    data = {
        "record": str(arrest.uuid),
        "arrested_at": arrest.arrested_at,
        "offence": arrest.get_offence_display(),
        "suspect_description": arrest.suspect_description,
        "custody_reference": arrest.custody_reference,
        "outcome": arrest.get_outcome_display(),
        "arresting_officer": names(arrest.arresting_officer),
    }
    if "offence_detail" in show:
        data["offence_detail"] = arrest.offence_detail
    if "patrol" in show:
        patrol = arrest.patrol
        data["patrol"] = {
            "area": str(patrol.area),
            "ward": str(patrol.ward),
            "starts_at": patrol.starts_at,
            "ends_at": patrol.ends_at,
        }
    return data


def _caution(caution) -> dict:
    return {
        "record": str(caution.uuid),
        "given_on": caution.given_on,
        "condition": caution.get_condition_display(),
        "provider": str(caution.provider),
        "deadline": caution.deadline,
        "status": caution.get_status_display(),
        "booking_name": caution.booking_name,
        "booking_contact": caution.booking_contact,
    }


def _referral(course: Referral, show: frozenset[str], names: common.Names) -> dict:
    notes = "course_notes" in show
    data = {
        "record": str(course.uuid),
        "agency": str(course.agency),
        "service": course.get_service_display(),
        "status": course.get_status_display(),
        "made_at": course.made_at,
        "referred_by": names(course.referred_by),
        "history": [
            {**step(s, names, notes), "course_step": s.get_course_step_display()}
            for s in course.history.all()
        ],
    }
    if notes:
        data["notes"] = [note(n, names) for n in course.notes.all()]
    return data
