"""A small patrol world for the lifecycle tests: a ward, a trained and a local PC, and a
crewed patrol next Friday night (synthetic people only)."""

import datetime as dt

from django.utils import timezone

from accounts.models import Role
from patrols.models import OfficerRole, Patrol, PatrolOfficer, RiskAssessment
from tests.factories import OfficerFactory, PatrolFactory


def next_friday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=(4 - today.weekday()) % 7 or 7)


def night(day: dt.date, hour: int = 20) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def local_pc_for(ward, area):
    return OfficerFactory(
        role=Role.PC, areas=[area], profile__home_ward=ward, profile__ephedra_trained_on=None
    )


def crewed(ward, ephedra_pc, local_pc, **fields) -> Patrol:
    fields.setdefault("starts_at", night(next_friday()))
    fields.setdefault("ends_at", fields["starts_at"] + dt.timedelta(hours=8))
    patrol = PatrolFactory(ward=ward, **fields)
    PatrolOfficer.objects.create(patrol=patrol, officer=ephedra_pc, role=OfficerRole.EPHEDRA_PC)
    PatrolOfficer.objects.create(patrol=patrol, officer=local_pc, role=OfficerRole.LOCAL_PC)
    return patrol


def assess(patrol: Patrol, by, *, approved_by=None) -> RiskAssessment:
    """An assessment written straight to the database, approved or not, whatever the
    patrol's status: the tests choose the state, the services are what they test."""
    now = timezone.now()
    return RiskAssessment.objects.create(
        patrol=patrol,
        hazards="Traffic (synthetic).",
        controls="Hi-vis (synthetic).",
        assessed_by=by,
        assessed_at=now,
        approved_by=approved_by,
        approved_at=now if approved_by else None,
    )
