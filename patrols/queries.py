"""Reads shared by the patrol pages, the patrols API and the weekly sheet: what a patrol
table shows, and a submitted return with everything it recorded. (The admin's scoped
per-type queries are in patrols/selectors.py.)"""

from django.db.models import Prefetch

from governance import audit

from .models import Patrol, PatrolOfficer, ReturnStatus, WorkReturn

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
