"""Every read for subject access, scoped to the project lead's areas: a person through
``referrals.permissions.people_for``, an arrest through ``patrols.selectors.arrests_for``,
a recorded request through its subject. Anything outside answers 404, as if it did not
exist (partners never get this far: the pages are police only)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from governance.models import SubjectAccessRequest, SubjectType
from patrols.models import Arrest
from patrols.selectors import arrests_for
from referrals.models import Person
from referrals.permissions import people_for

SEARCH_LIMIT = 50  # a custody reference names one detention; more than this is a typo


def arrests_by_custody_reference(user, reference: str) -> list[Arrest]:
    """The arrests in the user's areas with this custody reference (case and surrounding
    spaces ignored): one query, whatever their number."""
    return list(
        arrests_for(user)
        .filter(custody_reference__iexact=reference.strip())
        .select_related("patrol__area", "caution")
        .order_by("-arrested_at", "pk")[:SEARCH_LIMIT]
    )


def get_arrest_for_user(user, uuid) -> Arrest:
    return get_object_or_404(arrests_for(user).select_related("patrol__area", "caution"), uuid=uuid)


def get_subject_for_user(user, subject_type: str, uuid) -> Person | Arrest:
    if subject_type == SubjectType.ARREST:
        return get_arrest_for_user(user, uuid)
    return get_object_or_404(people_for(user).select_related("area"), uuid=uuid)


def requests_for(user) -> QuerySet[SubjectAccessRequest]:
    """The requests about subjects in the user's areas, in SQL."""
    return SubjectAccessRequest.objects.filter(
        Q(subject_type=SubjectType.PERSON, subject_uuid__in=people_for(user).values("uuid"))
        | Q(subject_type=SubjectType.ARREST, subject_uuid__in=arrests_for(user).values("uuid"))
    )


def get_request_for_user(user, uuid) -> tuple[SubjectAccessRequest, Person | Arrest]:
    """The request and its subject, both through the user's scope."""
    sar = get_object_or_404(requests_for(user).select_related("made_by"), uuid=uuid)
    return sar, get_subject_for_user(user, sar.subject_type, sar.subject_uuid)


def requests_about(subject_type: str, subject) -> list[SubjectAccessRequest]:
    """The requests already recorded about this subject, newest first (the subject page
    lists them)."""
    return list(
        SubjectAccessRequest.objects.filter(subject_type=subject_type, subject_uuid=subject.uuid)
        .select_related("made_by")
        .order_by("-made_at", "-id")[:20]
    )
