"""Changing a woman's safeguarding record: her risk level, warning markers and onward routes.

Police of her area record it (``referrals.safeguard``: the project lead, sergeants and PCs,
whose scope is their areas); agencies only read the shared part (see
``referrals.selectors_safeguarding``). Each change locks her person record, so two
officers changing her record at once are taken one after the other, checks its rule
against what is stored now, writes a new row (nothing is overwritten or deleted: an end
is recorded on the row), and writes an audit row that names the record, never the text.
A refusal raises ``SafeguardingRuleError`` naming the form field it belongs to.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core.permissions import has_permission
from governance import activity, audit

from ..models import (
    MarkerKind,
    OnwardRoute,
    Person,
    Referral,
    RiskLevel,
    RiskLevelChange,
    WarningMarker,
)
from ..permissions import people_for
from .lifecycle import ReferralRuleError

# A risk level is looked at again within a year at the latest (a high one much sooner,
# as the officer judges): a later review date is a mistake, not a plan.
LONGEST_REVIEW = dt.timedelta(days=366)
NRM_REFERENCE = "nrm_reference"


class SafeguardingRuleError(ReferralRuleError):
    """A change the rules refuse; ``field`` is the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _locked_person(person: Person, by) -> Person:
    """Her record, locked, if the user may record safeguarding for her (404-like refusal
    otherwise: the views fetched her through the same scope, so this is a second guard)."""
    if not has_permission(by, "referrals.safeguard"):
        raise SafeguardingRuleError("Only police officers record safeguarding.")
    person = people_for(by).select_for_update().filter(pk=person.pk).first()
    if person is None:
        raise SafeguardingRuleError("This person is not in your areas.")
    if person.erased_at is not None:
        raise SafeguardingRuleError("This record was erased: nothing more can be recorded.")
    return person


def _required(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise SafeguardingRuleError(message, field)
    return text


# --- Risk level -------------------------------------------------------------------------


@transaction.atomic
def set_risk_level(person: Person, by, *, level: str, review_on: dt.date, reason: str):
    """A new current risk level: a new row, the earlier ones kept as her history."""
    person = _locked_person(person, by)
    if level not in RiskLevel.values:
        raise SafeguardingRuleError("Choose the risk level.", "level")
    today = timezone.localdate()
    if review_on <= today:
        raise SafeguardingRuleError("The review date must be after today.", "review_on")
    if review_on > today + LONGEST_REVIEW:
        raise SafeguardingRuleError(
            "Review the risk level within a year: choose an earlier date.", "review_on"
        )
    reason = _required(reason, "reason", "Say why she is at this level of risk.")
    row = RiskLevelChange.objects.create(
        person=person, level=level, review_on=review_on, reason=reason, set_by=by,
        set_at=timezone.now(),
    )  # fmt: skip
    audit.record("referrals.person.risk_set", person, user=by, detail=RiskLevel(level).label)
    activity.touched(person)  # safeguarding her is activity: her review date moves on
    return row


# --- Warning markers --------------------------------------------------------------------


@transaction.atomic
def add_marker(
    person: Person,
    by,
    *,
    kind: str,
    reason: str,
    nrm_referred_on: dt.date | None = None,
    nrm_reference: str = "",
) -> WarningMarker:
    """A warning on her record. Only one of each kind stands at a time; the National
    Referral Mechanism referral belongs to a trafficking marker only."""
    person = _locked_person(person, by)
    if kind not in MarkerKind.values:
        raise SafeguardingRuleError("Choose the kind of warning.", "kind")
    if WarningMarker.objects.filter(person=person, kind=kind, ended_at__isnull=True).exists():
        raise SafeguardingRuleError(
            f"“{MarkerKind(kind).label}” is already on her record: end it first to replace it.",
            "kind",
        )
    reason = _required(reason, "reason", "Say why the warning is added.")
    nrm_reference = _check_nrm(kind, nrm_referred_on, (nrm_reference or "").strip())
    marker = WarningMarker.objects.create(
        person=person, kind=kind, reason=reason, nrm_referred_on=nrm_referred_on,
        nrm_reference=nrm_reference, added_by=by, added_at=timezone.now(),
    )  # fmt: skip
    audit.record("referrals.person.marker_added", person, user=by, detail=str(marker.uuid))
    activity.touched(person)
    return marker


def _check_nrm(kind: str, referred_on: dt.date | None, reference: str) -> str:
    if (referred_on or reference) and kind != MarkerKind.TRAFFICKING:
        raise SafeguardingRuleError(
            "A National Referral Mechanism referral belongs to a trafficking marker.",
            "nrm_referred_on",
        )
    if reference and referred_on is None:
        raise SafeguardingRuleError(
            "Give the date of the National Referral Mechanism referral.", "nrm_referred_on"
        )
    if referred_on is not None and referred_on > timezone.localdate():
        raise SafeguardingRuleError("The referral date cannot be in the future.", "nrm_referred_on")
    return reference


@transaction.atomic
def end_marker(marker: WarningMarker, by, reason: str) -> WarningMarker:
    """The marker no longer applies: ended, and kept in her history."""
    _locked_person(marker.person, by)
    marker = WarningMarker.objects.select_for_update().get(pk=marker.pk)
    if marker.ended_at is not None:
        raise SafeguardingRuleError("This warning was already ended.", "reason")
    marker.end_reason = _required(reason, "reason", "Say why the warning no longer applies.")
    marker.ended_at, marker.ended_by = timezone.now(), by
    marker.save(update_fields=["ended_at", "ended_by", "end_reason"])
    audit.record("referrals.person.marker_ended", marker.person, user=by, detail=str(marker.uuid))
    return marker


# --- Onward routes ----------------------------------------------------------------------


@transaction.atomic
def add_route(
    person: Person, by, *, referral: Referral | None = None, service: str = "", note: str = ""
) -> OnwardRoute:
    """A route of her support plan: one of her referrals, or a service named in words."""
    person = _locked_person(person, by)
    service = (service or "").strip()
    if (referral is None) == (not service):
        raise SafeguardingRuleError(
            "Choose one of her referrals or name the service, not both.", "referral"
        )
    if referral is not None and referral.person_id != person.pk:
        raise SafeguardingRuleError("Choose one of her referrals.", "referral")
    active = OnwardRoute.objects.filter(person=person, ended_at__isnull=True)
    if referral is not None and active.filter(referral=referral).exists():
        raise SafeguardingRuleError("This referral is already a route of her plan.", "referral")
    if service and active.filter(service__iexact=service).exists():
        raise SafeguardingRuleError("This service is already a route of her plan.", "service")
    route = OnwardRoute.objects.create(
        person=person, referral=referral, service=service, note=(note or "").strip(),
        added_by=by, added_at=timezone.now(),
    )  # fmt: skip
    audit.record("referrals.person.route_added", person, user=by, detail=str(route.uuid))
    return route


@transaction.atomic
def end_route(route: OnwardRoute, by, reason: str) -> OnwardRoute:
    _locked_person(route.person, by)
    route = OnwardRoute.objects.select_for_update().get(pk=route.pk)
    if route.ended_at is not None:
        raise SafeguardingRuleError("This route was already ended.", "reason")
    route.end_reason = _required(reason, "reason", "Say why the route ends.")
    route.ended_at, route.ended_by = timezone.now(), by
    route.save(update_fields=["ended_at", "ended_by", "end_reason"])
    audit.record("referrals.person.route_ended", route.person, user=by, detail=str(route.uuid))
    return route
