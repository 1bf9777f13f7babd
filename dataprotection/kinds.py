"""The kinds of record that carry a review date (``review_on``) and can be erased: one
entry per row of the schedule (``schedule.py``) that is enforced record by record.

Each kind says, as query expressions, what starts its retention period, which area a
record belongs to, and which of the model's rows it covers (arrests are two kinds: the
MoPI group 2 offences are reviewed later than the rest). Encounters are reviewed with
the person, generated reports expire by age (``erasure.expire_reports``) and audit
events are only counted (``retention.old_audit_events``): none has a kind here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest

from patrols.models import (
    Arrest,
    CautionStatus,
    ConditionalCaution,
    Encounter,
    IntelligenceReport,
    PartnerConcern,
)
from referrals.models import (
    Person,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
    RiskLevelChange,
    WarningMarker,
)

from . import schedule

FINAL_STATUSES = (ReferralStatus.CLOSED, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN)
# A caution's course has ended: completed, missed (did not attend) or breached.
COURSE_ENDED = (CautionStatus.COMPLETED, CautionStatus.DID_NOT_ATTEND, CautionStatus.BREACHED)


@dataclass(frozen=True)
class Kind:
    key: str  # in URLs (/review/<key>/<uuid>/...) and in schedule.KINDS
    model: type[models.Model]
    label: str  # singular, for people
    activity: Callable[[], models.Expression]  # when the period starts (None: never due)
    area: str  # the path to the record's area, in lookups
    created: str  # the field shown as "Created" on the review page
    scope: Q = field(default_factory=Q)  # the model's rows this kind covers

    @property
    def review(self) -> schedule.Review:
        return schedule.KINDS[self.key]

    @property
    def setting(self) -> str:
        return self.review.setting

    @property
    def months(self) -> int:
        return getattr(settings, self.setting)

    @property
    def mopi(self) -> str:
        return self.review.mopi

    @property
    def object_type(self) -> str:
        return self.model._meta.label_lower

    def in_areas(self, areas) -> Q:
        return Q(**{f"{self.area}__in": areas})

    def area_name(self) -> models.Expression:
        return F(f"{self.area}__name")


def latest(model, field_name: str, link: str, **filters) -> Subquery:
    rows = model.objects.filter(**{link: OuterRef("pk")}, **filters).order_by()
    return Subquery(rows.values(link).annotate(latest=Max(field_name)).values("latest")[:1])


def _person_activity():
    return Greatest(
        "created_at",
        Coalesce(latest(Encounter, "occurred_at", "person"), "created_at"),
        Coalesce(latest(Referral, "made_at", "person"), "created_at"),
        # Safeguarding her (a risk level set, a warning added) is activity too.
        Coalesce(latest(RiskLevelChange, "set_at", "person"), "created_at"),
        Coalesce(latest(WarningMarker, "added_at", "person"), "created_at"),
    )


def _referral_activity():
    closed = latest(ReferralStatusChange, "changed_at", "referral", to_status__in=FINAL_STATUSES)
    return models.Case(
        models.When(status__in=FINAL_STATUSES, then=Coalesce(closed, "updated_at")),
        default=None,
        output_field=models.DateTimeField(),
    )


def _caution_activity():
    return models.Case(
        models.When(status__in=COURSE_ENDED, then=F("status_changed_at")),
        default=None,
        output_field=models.DateTimeField(),
    )


class _ReferralKind(Kind):
    """A referral's area: its person's, or for a course referral, its caution's patrol's."""

    def in_areas(self, areas) -> Q:
        return Q(person__area__in=areas) | Q(
            person__isnull=True, caution__arrest__patrol__area__in=areas
        )

    def area_name(self) -> models.Expression:
        return Coalesce("person__area__name", "caution__arrest__patrol__area__name")


class _IntelligenceKind(Kind):
    """A report's area: its patrol's, or for one graded from a partner, the concern's."""

    def in_areas(self, areas) -> Q:
        return Q(patrol__area__in=areas) | Q(patrol__isnull=True, partner_concern__area__in=areas)

    def area_name(self) -> models.Expression:
        return Coalesce("patrol__area__name", "partner_concern__area__name")


SERIOUS = Q(offence__in=schedule.SERIOUS_OFFENCES)

PERSON = Kind("person", Person, "Person", _person_activity, "area", "created_at")
INTELLIGENCE = _IntelligenceKind(
    "intelligence", IntelligenceReport, "Intelligence report",
    lambda: F("submitted_at"), "patrol__area", "submitted_at",
)  # fmt: skip
# What a partner sent, kept as intelligence is (its graded report is reviewed on its own).
CONCERN = Kind(
    "concern", PartnerConcern, "Concern sent by a partner",
    lambda: F("sent_at"), "area", "sent_at",
)  # fmt: skip
REFERRAL = _ReferralKind("referral", Referral, "Referral", _referral_activity, "", "made_at")
ARREST = Kind(
    "arrest", Arrest, "Arrest", lambda: F("arrested_at"), "patrol__area", "arrested_at", ~SERIOUS
)
ARREST_SERIOUS = Kind(
    "arrest_serious", Arrest, "Arrest (serious offence)",
    lambda: F("arrested_at"), "patrol__area", "arrested_at", SERIOUS,
)  # fmt: skip
CAUTION = Kind(
    "caution", ConditionalCaution, "Conditional caution",
    _caution_activity, "arrest__patrol__area", "given_on",
)  # fmt: skip
KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (PERSON, INTELLIGENCE, CONCERN, REFERRAL, ARREST, ARREST_SERIOUS, CAUTION)
}


def kind_of(obj) -> Kind:
    if isinstance(obj, Arrest):
        return KINDS[schedule.for_arrest(obj.offence).kind]
    return next(kind for kind in KINDS.values() if isinstance(obj, kind.model))
