"""Reads of patrols shaped for a page or the API (a fixed number of queries), and the
"viewed" audit rows for the records about people they show."""

from django.db.models import Prefetch
from django.utils import timezone

from core.permissions import has_permission
from governance import audit

from . import services
from .models import (
    CautionStatus,
    ConditionalCaution,
    Patrol,
    PatrolOfficer,
    PatrolStatus,
    ReturnStatus,
    WorkReturn,
)


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


def wellbeing_warnings_now(patrol: Patrol, duties) -> list:
    """The wellbeing warnings of a patrol still to come (none once it is over or cancelled)."""
    if (
        patrol.status in {PatrolStatus.CANCELLED, PatrolStatus.CLOSED}
        or patrol.ends_at < timezone.now()
    ):
        return []
    return services.wellbeing_warnings(patrol, [duty.officer for duty in duties])


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


def submitted_return(patrol: Patrol) -> WorkReturn | None:
    return (
        WorkReturn.objects.filter(patrol=patrol, status=ReturnStatus.SUBMITTED)
        .select_related("filed_by")
        .first()
    )


def submitted_context(request, patrol: Patrol, work_return: WorkReturn) -> dict:
    """Everything the submitted return recorded, in a fixed number of queries; each record
    about a person shown is logged as viewed (one query)."""
    context = {
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
        "can_amend": has_permission(request.user, "patrols.amend_return"),
    }
    audit.viewed_many(
        request,
        [
            work_return,
            *audit.with_related(context["encounters"], "person"),
            *audit.with_related(context["arrests"], "caution"),
            *audit.with_related(context["referrals"], "person", "caution"),
            *context["intelligence"],
        ],
    )
    return context


def amendment_history(work_return: WorkReturn) -> list[tuple]:
    """Each amendment with its changes as (field label, before, after)."""
    history = []
    for amendment in work_return.amendments.select_related("amended_by"):
        changes = amendment.changes.items()
        history.append((amendment, [(FIELD_LABELS.get(f, f), *values) for f, values in changes]))
    return history


def course_steps(caution: ConditionalCaution | None) -> list[str]:
    """What the provider may record for the course now (services.COURSE_STEPS)."""
    if caution is None:
        return []
    return [step for step, after in services.COURSE_STEPS.items() if caution.status in after]


def course_choices(caution: ConditionalCaution | None) -> list[tuple[str, str]]:
    """``course_steps`` with their labels, for a form."""
    return [(step, CautionStatus(step).label) for step in course_steps(caution)]
