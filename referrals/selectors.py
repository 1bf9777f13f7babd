"""Every read of people and referrals: scoped to the user (police: their areas; a partner:
exactly what django-guardian granted to their agency), and shaped for the pages and the
API — the partner's view of a referral (its fields, its history and notes since it
reached the agency), the police history, a person's linked records and timeline. Each
fetches through the user's scope and answers 404 to outsiders.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.db.models.functions import Lower, Trim
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Role
from partners.models import PartnerAgency, ServiceType

from . import deadlines
from .models import (
    AgeBand,
    CourseStatus,
    DuplicateStatus,
    Person,
    PortalVisit,
    PossibleDuplicate,
    Referral,
    ReferralMove,
    ReferralStatus,
    ReferralStatusChange,
)
from .permissions import can_work_referral, people_for, referrals_for

POLICE = "Police"
# Two working names that begin with this many letters alike (same age band) may be one woman.
NAME_PREFIX_LENGTH = 4
# Who took a step no person took: the daily check of course deadlines.
AUTOMATIC = "Ephedra (daily deadline check)"
FINAL_STATUSES = {ReferralStatus.CLOSED, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN}

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


# --- A partner's referrals ----------------------------------------------------------------


def shared_referrals(user):
    """The user's referrals, each with `referred_at`: when it reached its current agency
    (the last move to it, or when it was made), so a move never shows to a partner."""
    return deadlines.with_arrival(referrals_for(user))


def caseload(user, filters: dict, since: dt.datetime | None, today: dt.date) -> QuerySet:
    """The agency's referrals for its caseload page and export, newest arrival first,
    searched and filtered in SQL (PortalFilterForm.filters). `since`: the user's previous
    visit, for "new since your last visit"."""
    rows = shared_referrals(user).select_related("person", "caution").only(*LIST_FIELDS)
    agency = user.agency
    if text := filters.get("q"):
        rows = rows.filter(_search(text))
    if status := filters.get("status"):
        rows = rows.filter(status=status)
    if service := filters.get("service"):
        rows = rows.filter(service=service)
    if rag := filters.get("deadline"):
        rows = rows.filter(deadlines.rag_q(agency, rag, today))
    if filters.get("new"):
        rows = rows.filter(referred_at__gt=since) if since else rows
    return rows.order_by("-referred_at", "-pk")


def _search(text: str) -> Q:
    """Working name or description (or a diversion referral's booking name), or a service
    or status whose name holds the text."""
    words = text.lower()
    services = [value for value, label in ServiceType.choices if words in label.lower()]
    statuses = [value for value, label in ReferralStatus.choices if words in label.lower()]
    return (
        Q(person__working_name__icontains=text)
        | Q(person__description__icontains=text)
        | Q(caution__booking_name__icontains=text)
        | Q(service__in=services)
        | Q(status__in=statuses)
    )


def previous_portal_visit(user) -> dt.datetime | None:
    visit = PortalVisit.objects.filter(user=user).only("previous_at").first()
    return visit.previous_at if visit else None


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


def caseload_summary(user, today: dt.date) -> tuple[list[tuple[ReferralStatus, int]], int]:
    """The portal's counts, in one query over the agency's referrals: how many are at each
    status (lifecycle order), and how many are overdue (red)."""
    red = deadlines.rag_q(user.agency, deadlines.Rag.RED, today)
    grouped = (
        shared_referrals(user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=red))
    )
    counts, overdue = {}, 0
    for status, n, late in grouped:
        counts[status] = n
        overdue += late
    return [(status, counts.get(status, 0)) for status in ReferralStatus], overdue


def invitations_for(user):
    """The patrols the user's agency is invited to (patrols.PartnerInvitation, reached
    through the agency: referrals does not import the app above it)."""
    return PartnerAgency(pk=user.agency_id).invitations.all()


# --- A referral's history and notes ---------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One line of a referral's history, as its reader may see it."""

    at: dt.datetime
    from_status: str
    to_status: str
    by: str
    note: str = ""
    course_step: str = ""
    course_step_on: dt.date | None = None

    @property
    def from_label(self) -> str:
        return ReferralStatus(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str:
        return ReferralStatus(self.to_status).label

    @property
    def course_label(self) -> str:
        return CourseStatus(self.course_step).label if self.course_step else ""


def _step(change: ReferralStatusChange, by: str) -> Step:
    return Step(
        change.changed_at,
        change.from_status,
        change.to_status,
        by,
        change.note,
        change.course_step,
        change.course_step_on,
    )


def shown_name(user, referral: Referral) -> str:
    """An agency worker's own colleagues by name; the system as such; anyone else "Police"."""
    if user is None:
        return AUTOMATIC
    if user.role == Role.PARTNER and user.agency_id == referral.agency_id:
        return str(user)
    return POLICE


def police_history(referral: Referral) -> list[Step]:
    """The whole history, by name, for the police."""
    changes = referral.history.select_related("changed_by").order_by("changed_at", "pk")
    return [_step(c, str(c.changed_by) if c.changed_by else AUTOMATIC) for c in changes]


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
            "course_step",
            "course_step_on",
            "changed_by__role",
            "changed_by__agency_id",
            *(f"changed_by__{name}" for name in _NAME),
        )
        .order_by("changed_at", "pk")
    )
    made = Step(referral.referred_at, "", ReferralStatus.MADE, POLICE)
    return [made] + [_step(c, shown_name(c.changed_by, referral)) for c in changes]


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


def police_notes(referral: Referral) -> list[dict]:
    rows = referral.notes.select_related("author").order_by("written_at", "pk")
    return [{"at": n.written_at, "by": str(n.author), "text": n.text} for n in rows]


# --- A person's records and timeline ---------------------------------------------------------


@dataclass(frozen=True)
class TimelineEvent:
    """One item of a timeline: `record` is an Encounter, a Referral or, for an outcome,
    the ReferralStatusChange that ended the referral; `person` the record it belongs to."""

    at: dt.datetime
    kind: str
    record: object
    person: Person


def linked_records(user, person: Person) -> list[Person]:
    """The person and every record linked to her: links are one level deep (a group of
    records all point at the oldest), so one query finds the whole group."""
    root_id = person.same_as_id or person.pk
    group = people_for(user).filter(Q(pk=root_id) | Q(same_as_id=root_id))
    return list(group.order_by("first_seen", "pk"))


def _encounters_of(records: list[Person]):
    """patrols.Encounter rows of these people, reached through Person's reverse relation."""
    encounter = Person._meta.get_field("encounters").related_model
    return encounter.objects.filter(person__in=records).select_related("patrol__ward", "hotspot")


def timeline(records: list[Person], also: Iterable[TimelineEvent] = ()) -> list[TimelineEvent]:
    """Encounters, referrals and their outcomes for all the records, newest first, in
    four queries however many there are; with `also` (events already read, such as her
    safeguarding record's: selectors_safeguarding.timeline_events) in their place."""
    by_pk = {record.pk: record for record in records}
    referrals = (
        Referral.objects.filter(person__in=records)
        .select_related("agency", "referred_by")
        .prefetch_related(
            Prefetch("history", queryset=ReferralStatusChange.objects.select_related("changed_by")),
            Prefetch(
                "moves", queryset=ReferralMove.objects.select_related("from_agency", "to_agency")
            ),
        )
    )
    events = [
        TimelineEvent(e.occurred_at, "encounter", e, by_pk[e.person_id])
        for e in _encounters_of(records)
    ]
    events += also
    for referral in referrals:
        person = by_pk[referral.person_id]
        events.append(TimelineEvent(referral.made_at, "referral", referral, person))
        events += [
            TimelineEvent(step.changed_at, "outcome", step, person)
            for step in referral.history.all()
            if step.to_status in FINAL_STATUSES and step.from_status != step.to_status
        ]
    return sorted(events, key=lambda event: event.at, reverse=True)


def flags_for(user):
    """Flags about people in the user's areas (both records of a pair share an area)."""
    return PossibleDuplicate.objects.filter(person__in=people_for(user))


def open_flags_about(records: list[Person]):
    return PossibleDuplicate.objects.filter(
        Q(person__in=records) | Q(other__in=records), status=DuplicateStatus.OPEN
    ).select_related("person", "other")


# --- Scoped reads, one per object type ---------------------------------------------------


def people_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    base = Person.objects.all() if queryset is None else queryset
    return base.filter(pk__in=people_for(user).values("pk"))


def referrals_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    base = Referral.objects.all() if queryset is None else queryset
    return base.filter(pk__in=referrals_for(user).values("pk"))


def duplicates_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """A possible duplicate names two people: both must be the user's to read."""
    base = PossibleDuplicate.objects.all() if queryset is None else queryset
    people = people_for(user).values("pk")
    return base.filter(person__in=people, other__in=people)


# --- Finding a person ---------------------------------------------------------------------


def person_text(text: str) -> Q:
    """A person whose working name or description holds the text (any case)."""
    return Q(working_name__icontains=text) | Q(description__icontains=text)


def search_people(user, *, text: str = "", age_band: str = "", area=None) -> QuerySet:
    """People in the user's areas matching what the officer typed, newest sighting first
    (records never seen on a patrol last), each with the area and when she was last seen,
    in one query. Erased records are no one to find."""
    people = people_for(user).filter(erased_at__isnull=True)
    if text.strip():
        people = people.filter(person_text(text.strip()))
    if age_band:
        people = people.filter(age_band=age_band)
    if area is not None:
        people = people.filter(area=area)
    return (
        people.select_related("area")
        .annotate(last_seen=Max("encounters__occurred_at"))
        .order_by(F("last_seen").desc(nulls_last=True), "working_name", "pk")
    )


def similar_people(area_id: int, working_name: str, age_band: str) -> QuerySet:
    """Records in the area that may be the same woman as a new one with this name and age
    band: the same working name (ignoring case and surrounding spaces), or the same first
    NAME_PREFIX_LENGTH letters and the same known age band. One rule for the warning before
    a new person is saved and for the possible duplicates flagged after."""
    name = working_name.strip().lower()
    match = Q(normalised_name=name)
    prefix = name[:NAME_PREFIX_LENGTH]
    # "Not known" is no evidence: two records of unknown age do not match on age.
    if len(prefix) == NAME_PREFIX_LENGTH and age_band != AgeBand.UNKNOWN:
        match |= Q(normalised_name__startswith=prefix, age_band=age_band)
    return (
        Person.objects.annotate(normalised_name=Lower(Trim("working_name")))
        .filter(match, area_id=area_id, erased_at__isnull=True)
        .select_related("area")
        .order_by("first_seen", "pk")
    )
