"""Every read of patrol records: scoped to the user, one function per object type (police:
their areas; what a return recorded about people: the officers who were on the patrol,
or any supervisor of the area), and shaped for a page or the API in a fixed number of
queries, with the "viewed" audit rows for the records about people shown.

Each scope function takes an optional base queryset (the admin's, the API's) and narrows
it in SQL; it never filters in Python. Outsiders get an empty queryset, hence 404.
"""

from django.db.models import Prefetch, QuerySet

from governance import audit

from .models import (
    Arrest,
    ConditionalCaution,
    Encounter,
    Hotspot,
    IntelligenceReport,
    OfficerHours,
    Patrol,
    PatrolOfficer,
    ReturnDraft,
    ReturnStatus,
    RiskAssessment,
    WorkReturn,
)
from .permissions import return_patrols_for

# How the amendment history names each field it records.
FIELD_LABELS = {
    "started_at": "Start",
    "ended_at": "Finish",
    "weather": "Weather",
    "hotspots_visited": "Hotspots visited",
    "women_seen": "Women seen",
    "kerb_crawlers_seen": "Kerb crawlers seen",
    "engagement_count": "People served at engagement",
    "summary": "Summary",
}


def patrol_rows(queryset):
    """What every patrol table shows, fetched in a fixed number of queries."""
    return queryset.select_related(
        "area", "ward", "risk_assessment", "work_return"
    ).prefetch_related(
        "hotspots",
        Prefetch(
            "officers", queryset=PatrolOfficer.objects.select_related("officer").order_by("role")
        ),
    )


def submitted_return(patrol: Patrol) -> WorkReturn | None:
    return (
        WorkReturn.objects.filter(patrol=patrol, status=ReturnStatus.SUBMITTED)
        .select_related("filed_by")
        .first()
    )


def submitted_records(request, patrol: Patrol, work_return: WorkReturn) -> dict:
    """Everything the submitted return recorded, in a fixed number of queries; each record
    about a person shown is logged as viewed (one query)."""
    records = {
        "patrol": patrol,
        "work_return": work_return,
        "hotspots": work_return.hotspots_visited.all(),
        "hours": work_return.hours.select_related("officer").order_by("officer__last_name"),
        "encounters": list(
            patrol.encounters.select_related("person", "hotspot").order_by("occurred_at", "pk")
        ),
        "arrests": list(
            patrol.arrests.select_related("arresting_officer", "caution__provider").order_by(
                "arrested_at", "pk"
            )
        ),
        "referrals": list(
            patrol.referrals.select_related("agency", "person", "caution").order_by("made_at", "pk")
        ),
        "intelligence": list(patrol.intelligence.order_by("submitted_at", "pk")),
        "amendments": amendment_history(work_return),
    }
    audit.viewed_many(
        request,
        [
            work_return,
            *audit.with_related(records["encounters"], "person"),
            *audit.with_related(records["arrests"], "caution"),
            *audit.with_related(records["referrals"], "person", "caution"),
            *records["intelligence"],
        ],
    )
    return records


def amendment_history(work_return: WorkReturn) -> list[tuple]:
    """Each amendment with its changes as (field label, before, after)."""
    history = []
    for amendment in work_return.amendments.select_related("amended_by"):
        changes = amendment.changes.items()
        history.append((amendment, [(FIELD_LABELS.get(f, f), *values) for f, values in changes]))
    return history


# --- Scoped reads, one per object type ---------------------------------------------------


def _base(model, queryset: QuerySet | None) -> QuerySet:
    return model.objects.all() if queryset is None else queryset


def hotspots_for(user, queryset: QuerySet | None = None) -> QuerySet:
    return _base(Hotspot, queryset).visible_to(user)  # the user's areas (HotspotQuerySet)


def patrols_for(user, queryset: QuerySet | None = None) -> QuerySet:
    return _base(Patrol, queryset).visible_to(user)  # the user's areas (PatrolQuerySet)


def risk_assessments_for(user, queryset: QuerySet | None = None) -> QuerySet:
    return _base(RiskAssessment, queryset).filter(patrol__in=patrols_for(user))


def encounters_for(user, queryset: QuerySet | None = None) -> QuerySet:
    return _base(Encounter, queryset).filter(patrol__in=patrols_for(user))


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
