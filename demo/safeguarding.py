"""Demo safeguarding records: a few women with open referrals get a risk level (one review
overdue), warning markers (a shared one, and a police-only trafficking marker with its
National Referral Mechanism referral) and onward routes, so both the police person page
and the agency's referral page show the section. Idempotent: stable keys."""

import datetime as dt

from django.utils import timezone

from referrals.models import (
    MarkerKind,
    OnwardRoute,
    Referral,
    ReferralStatus,
    RiskLevel,
    RiskLevelChange,
    WarningMarker,
)

from .data import World, key

OPEN = [ReferralStatus.MADE, ReferralStatus.RECEIVED, ReferralStatus.CONTACTED]
LEVELS = [RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.STANDARD]


def seed_safeguarding(world: World, today: dt.date) -> None:
    officer = world.logins["sergeant"]
    referrals = Referral.objects.filter(person__isnull=False, status__in=OPEN).order_by("made_at")
    for n, referral in enumerate(referrals[:3]):
        person, set_at = referral.person, referral.made_at + dt.timedelta(hours=1)
        review_on = today - dt.timedelta(days=2) if n == 1 else today + dt.timedelta(days=28)
        RiskLevelChange.objects.update_or_create(
            uuid=key("risk", n),
            defaults={
                "person": person, "level": LEVELS[n], "review_on": review_on, "set_by": officer,
                "set_at": set_at, "reason": "Synthetic demo assessment.",
            },
        )  # fmt: skip
        _marker(n, person, MarkerKind.VIOLENT_CLIENT, officer, set_at)
        if n == 0:
            _marker(n, person, MarkerKind.TRAFFICKING, officer, set_at, nrm=today)
        _route(("route", n), person, officer, set_at, referral=referral)
        _route(("gp", n), person, officer, set_at, service="GP registration (synthetic)")


def _marker(n, person, kind, officer, at, nrm=None) -> None:
    WarningMarker.objects.update_or_create(
        uuid=key("marker", kind, n),
        defaults={
            "person": person, "kind": kind, "reason": "Synthetic demo marker.",
            "added_by": officer, "added_at": at, "nrm_referred_on": nrm,
            "nrm_reference": "NRM-DEMO-0001" if nrm else "",
        },
    )  # fmt: skip


def _route(parts, person, officer, at, referral=None, service="") -> None:
    OnwardRoute.objects.update_or_create(
        uuid=key(*parts),
        defaults={
            "person": person, "referral": referral, "service": service,
            "added_by": officer, "added_at": at or timezone.now(),
        },
    )  # fmt: skip
