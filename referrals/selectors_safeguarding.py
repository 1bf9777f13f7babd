"""Reading a woman's safeguarding record: the one place that decides who sees which field.

Who sees what (the README has the same table):

=====================================  ====================  ==========================
field                                  police of her area    agencies working with her
=====================================  ====================  ==========================
risk level, review date, date set      yes                   yes (the current level)
who set the level, why; past levels    yes                   no
markers: violent client, do not
approach alone, drug or alcohol use,
mental health (kind, date added)       yes                   yes (active ones)
markers: exploitation, trafficking     yes                   no (not even that one exists)
a marker's reason, who added or ended
it, the NRM referral date and number   yes                   no
ended markers and routes               yes                   no
onward routes: service and status      yes                   yes (active ones)
a route's note, who added it           yes                   no
=====================================  ====================  ==========================

An agency *works with her* while it holds an open referral for her (made, received,
contacted or engaged) through django-guardian's grant on the referral. Police see the
record of a woman in their areas. Everyone else gets 404. A partner's view is built of
plain values from rows fetched with ``.only()`` the shared fields and filtered in SQL, so a
template cannot reach a police-only field.

The record covers every record linked to her as the same woman (``Person.same_as``).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import (
    MarkerKind,
    OnwardRoute,
    Person,
    Referral,
    ReferralStatus,
    RiskLevel,
    RiskLevelChange,
    WarningMarker,
)
from .permissions import people_for, referrals_for
from .selectors import TimelineEvent

SHARED_MARKERS = frozenset(
    {
        MarkerKind.VIOLENT_CLIENT,
        MarkerKind.APPROACH_IN_PAIRS,
        MarkerKind.DRUG_USE,
        MarkerKind.MENTAL_HEALTH,
    }
)
POLICE_ONLY_MARKERS = frozenset(MarkerKind.values) - SHARED_MARKERS
WORKING_STATUSES = (
    ReferralStatus.MADE,
    ReferralStatus.RECEIVED,
    ReferralStatus.CONTACTED,
    ReferralStatus.ENGAGED,
)


@dataclass(frozen=True)
class SharedRisk:
    level: str
    label: str
    review_on: dt.date
    set_at: dt.datetime


@dataclass(frozen=True)
class SharedItem:
    """A marker or a route as an agency sees it: what it is, since when, where it stands."""

    label: str
    since: dt.datetime
    status: str = ""


@dataclass
class Safeguarding:
    """Her record as the reader may see it. For the police the rows are model instances
    (``risks`` newest first, ``markers`` and ``routes`` active and ended); for an agency,
    SharedRisk and SharedItem values, active ones only."""

    police: bool
    risks: list = field(default_factory=list)
    markers: list = field(default_factory=list)
    routes: list = field(default_factory=list)

    @property
    def risk(self):
        return self.risks[0] if self.risks else None

    @property
    def review_overdue(self) -> bool:
        return self.risk is not None and self.risk.review_on < timezone.localdate()

    def rows(self) -> list:
        """The rows shown, for the "viewed" audit (police only: an agency's are values)."""
        return [*self.risks, *self.markers, *self.routes] if self.police else []


def group_of(person: Person) -> Q:
    """Her record and every record linked to it (links are one level deep), as a condition
    on the rows' `person`: the group's root is found in SQL, so a person fetched with only
    her shared fields costs no query more."""
    root = Coalesce(
        Subquery(Person.objects.filter(pk=person.pk).values("same_as_id")[:1]), Value(person.pk)
    )
    return Q(person_id=root) | Q(person__same_as_id=root)


def safeguarding_for(user, person: Person) -> Safeguarding:
    """The record as this user may see it; 404 to anyone outside the table above."""
    if people_for(user).filter(pk=person.pk).exists():
        return police_safeguarding(person)
    if works_with(user, person):
        return shared_safeguarding(person)
    raise Http404


def police_safeguarding(person: Person) -> Safeguarding:
    """Everything, for an officer of her area (the caller checked the scope)."""
    group = group_of(person)
    risks = RiskLevelChange.objects.filter(group).select_related("set_by", "person")
    markers = WarningMarker.objects.filter(group).select_related("added_by", "ended_by", "person")
    routes = OnwardRoute.objects.filter(group).select_related(
        "referral__agency", "added_by", "ended_by", "person"
    )
    return Safeguarding(
        police=True,
        risks=list(risks.order_by("-set_at", "-pk")),
        markers=sorted(markers, key=_active_first),
        routes=sorted(routes, key=_active_first),
    )


def _active_first(row) -> tuple:
    return (not row.active, -row.added_at.timestamp())


def works_with(user, person: Person) -> bool:
    """The user's agency holds an open referral for her (or a record linked to her)."""
    if not user.is_partner:
        return False
    referrals = referrals_for(user).filter(group_of(person), status__in=WORKING_STATUSES)
    return referrals.exists()


def shared_safeguarding_for(user, person: Person | None) -> Safeguarding | None:
    """For a partner's referral page: the shared part while the agency works with her,
    else nothing (a closed referral's page, a diversion course without a person)."""
    if person is None or not works_with(user, person):
        return None
    return shared_safeguarding(person)


def shared_safeguarding(person: Person) -> Safeguarding:
    """The shared part only, as plain values (the caller checked the agency works with her)."""
    group = group_of(person)
    risk = (
        RiskLevelChange.objects.filter(group)
        .only("level", "review_on", "set_at")
        .order_by("-set_at", "-pk")
        .first()
    )
    markers = (
        WarningMarker.objects.filter(group, ended_at__isnull=True, kind__in=SHARED_MARKERS)
        .only("kind", "added_at")
        .order_by("-added_at", "-pk")
    )
    routes = (
        OnwardRoute.objects.filter(group, ended_at__isnull=True)
        .select_related("referral__agency")
        .only(
            "service",
            "added_at",
            "referral__service",
            "referral__status",
            "referral__agency__name",
        )
        .order_by("-added_at", "-pk")
    )
    return Safeguarding(
        police=False,
        risks=[SharedRisk(risk.level, RiskLevel(risk.level).label, risk.review_on, risk.set_at)]
        if risk
        else [],
        markers=[SharedItem(MarkerKind(m.kind).label, m.added_at) for m in markers],
        routes=[SharedItem(route_label(r), r.added_at, route_status(r)) for r in routes],
    )


def route_label(route: OnwardRoute) -> str:
    if route.referral_id:
        return f"{route.referral.agency.name}: {route.referral.get_service_display()}"
    return route.service


def route_status(route: OnwardRoute) -> str:
    """An ended route is ended; a referral's route stands where the referral does."""
    if route.ended_at is not None:
        return "Ended"
    if route.referral_id:
        return route.referral.get_status_display()
    return "Active"


def referrals_to_route(person: Person):
    """Her referrals an onward route may name: those of this record, newest first."""
    return (
        Referral.objects.filter(person=person).select_related("agency").order_by("-made_at", "-pk")
    )


SAFEGUARDING_KINDS = ("risk", "marker", "marker_ended", "route", "route_ended")


def timeline_events(record: Safeguarding) -> list[TimelineEvent]:
    """Each setting of her risk level, each marker and route added and ended, for the
    police timeline (no query: the rows were read for the section)."""
    events = [TimelineEvent(r.set_at, "risk", r, r.person) for r in record.risks]
    for kind, rows in (("marker", record.markers), ("route", record.routes)):
        for row in rows:
            events.append(TimelineEvent(row.added_at, kind, row, row.person))
            if row.ended_at is not None:
                events.append(TimelineEvent(row.ended_at, f"{kind}_ended", row, row.person))
    return events


def get_marker_for_user(user, uuid) -> WarningMarker:
    """A marker on a woman of the officer's areas; 404 for anyone else."""
    markers = WarningMarker.objects.filter(person__in=people_for(user)).select_related("person")
    return get_object_or_404(markers, uuid=uuid)


def get_route_for_user(user, uuid) -> OnwardRoute:
    """A route of a woman of the officer's areas; 404 for anyone else."""
    routes = OnwardRoute.objects.filter(person__in=people_for(user)).select_related("person")
    return get_object_or_404(routes, uuid=uuid)
