"""Every read of patrol records, scoped to the user: one function per object type.

Police see their areas' hotspots, patrols, risk assessments and encounters. What a
return recorded about people (the return itself, arrests, cautions, intelligence, hours)
is read by the officers who were on the patrol, or by any supervisor of the area
(``patrols.permissions.return_patrols_for``). Anyone else gets an empty queryset, so a
page, the API or the admin that fetches through these answers 404 to outsiders.

Each function takes an optional base queryset (the admin's, the API's) and narrows it in
SQL; it never filters in Python.
"""

from django.db.models import QuerySet

from .models import (
    Arrest,
    ConditionalCaution,
    Encounter,
    Hotspot,
    IntelligenceReport,
    OfficerHours,
    Patrol,
    ReturnDraft,
    RiskAssessment,
    WorkReturn,
)
from .permissions import return_patrols_for


def _base(model, queryset: QuerySet | None) -> QuerySet:
    return model.objects.all() if queryset is None else queryset


def hotspots_for(user, queryset: QuerySet | None = None) -> QuerySet:
    return _base(Hotspot, queryset).filter(ward__area__in=user.areas.all())


def patrols_for(user, queryset: QuerySet | None = None) -> QuerySet:
    return _base(Patrol, queryset).filter(area__in=user.areas.all())


def risk_assessments_for(user, queryset: QuerySet | None = None) -> QuerySet:
    return _base(RiskAssessment, queryset).filter(patrol__area__in=user.areas.all())


def encounters_for(user, queryset: QuerySet | None = None) -> QuerySet:
    return _base(Encounter, queryset).filter(patrol__area__in=user.areas.all())


def returns_for(user, queryset: QuerySet | None = None) -> QuerySet:
    return _base(WorkReturn, queryset).filter(patrol__in=return_patrols_for(user))


def return_drafts_for(user, queryset: QuerySet | None = None) -> QuerySet:
    return _base(ReturnDraft, queryset).filter(patrol__in=return_patrols_for(user))


def officer_hours_for(user, queryset: QuerySet | None = None) -> QuerySet:
    return _base(OfficerHours, queryset).filter(work_return__patrol__in=return_patrols_for(user))


def arrests_for(user, queryset: QuerySet | None = None) -> QuerySet:
    return _base(Arrest, queryset).filter(patrol__in=return_patrols_for(user))


def cautions_for(user, queryset: QuerySet | None = None) -> QuerySet:
    return _base(ConditionalCaution, queryset).filter(arrest__patrol__in=return_patrols_for(user))


def intelligence_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """Intelligence is police only, and only through a patrol the user may read the
    return of (a report with no patrol is for system administrators alone)."""
    return _base(IntelligenceReport, queryset).filter(patrol__in=return_patrols_for(user))
