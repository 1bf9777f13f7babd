"""Reads of referrals and people shaped for the pages and the API: what a partner agency
may see of its referrals (only the shared fields, police staff shown as "Police"), and a
person's linked records. Scoped through referrals.permissions, in SQL."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Role

from .models import Person, Referral, ReferralMove, ReferralStatus
from .permissions import can_work_referral, people_for, referrals_for

POLICE = "Police"


_NAME = ("first_name", "last_name", "username")


# What a partner may see of a referral (Person.SHAREABLE_FIELDS; of a caution, only what
# the course provider needs to book it); everything else stays deferred.
REFERRAL_FIELDS = (
    "uuid",
    "agency_id",
    "service",
    "status",
    "closed_outcome",
    "decline_reason",
    "decline_detail",
    "made_at",
    "consent_method",
    "consent_given_at",
    *(f"person__{name}" for name in ("uuid", "working_name", "description", "age_band")),
    *(
        f"caution__{name}"
        for name in ("uuid", "booking_name", "booking_contact", "deadline", "status")
    ),
    *(f"referred_by__{name}" for name in (*_NAME, "email", "phone")),
    *(f"consent_recorded_by__{name}" for name in _NAME),
)


LIST_FIELDS = (
    "uuid",
    "service",
    "status",
    "made_at",
    "person__uuid",  # the uuids name the records in the audit log's "viewed" rows
    "person__working_name",
    "caution__uuid",
    "caution__booking_name",
)


def shared_referrals(user):
    """The user's agency's referrals, each with `referred_at`: when it reached the agency
    (the last move to it, or when it was made), so a move never shows."""
    arrivals = ReferralMove.objects.filter(referral=OuterRef("pk"), to_agency=OuterRef("agency"))
    last_arrival = Subquery(arrivals.order_by("-moved_at").values("moved_at")[:1])
    return referrals_for(user).annotate(referred_at=Coalesce(last_arrival, "made_at"))


def get_shared_referral(user, uuid) -> Referral:
    """The referral with only its shared fields; 404 unless granted to the user's agency."""
    referrals = shared_referrals(user).select_related(
        "person", "caution", "referred_by", "consent_recorded_by"
    )
    return get_object_or_404(referrals.only(*REFERRAL_FIELDS), uuid=uuid)


def get_workable_referral(user, uuid) -> Referral:
    """As get_shared_referral, for acting on it: 404 also without the change permission."""
    referral = get_shared_referral(user, uuid)
    if not can_work_referral(user, referral):
        raise Http404
    return referral


@dataclass(frozen=True)
class Step:
    """One line of a referral's history as the agency sees it."""

    at: dt.datetime
    from_status: str
    to_status: str
    by: str
    note: str = ""

    @property
    def from_label(self) -> str:
        return ReferralStatus(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str:
        return ReferralStatus(self.to_status).label


def shown_name(user, referral: Referral) -> str:
    """An agency worker's own colleagues by name; anyone else as "Police"."""
    if user.role == Role.PARTNER and user.agency_id == referral.agency_id:
        return str(user)
    return POLICE


def agency_history(referral: Referral) -> list[Step]:
    """The status history since the referral reached the agency. Only creation and a move
    lead to "made": both are shown as one "made" step, by the police."""
    changes = (
        referral.history.filter(changed_at__gte=referral.referred_at)
        .exclude(to_status=ReferralStatus.MADE)
        .select_related("changed_by")
        .only(
            "changed_at",
            "from_status",
            "to_status",
            "note",
            "changed_by__role",
            "changed_by__agency_id",
            *(f"changed_by__{name}" for name in _NAME),
        )
        .order_by("changed_at", "pk")
    )
    made = Step(referral.referred_at, "", ReferralStatus.MADE, POLICE)
    return [made] + [
        Step(c.changed_at, c.from_status, c.to_status, shown_name(c.changed_by, referral), c.note)
        for c in changes
    ]


def agency_notes(referral: Referral) -> list[dict]:
    """Notes written since the referral reached the agency, oldest first."""
    notes = (
        referral.notes.filter(written_at__gte=referral.referred_at)
        .select_related("author")
        .only(
            "written_at",
            "text",
            "author__role",
            "author__agency_id",
            *(f"author__{name}" for name in _NAME),
        )
        .order_by("written_at", "pk")
    )
    return [
        {"by": shown_name(n.author, referral), "at": n.written_at, "text": n.text} for n in notes
    ]


def linked_records(user, person: Person) -> list[Person]:
    """The person and every record linked to her: links are one level deep (a group of
    records all point at the oldest), so one query finds the whole group."""
    root_id = person.same_as_id or person.pk
    group = people_for(user).filter(Q(pk=root_id) | Q(same_as_id=root_id))
    return list(group.order_by("first_seen", "pk"))
