"""Ephedra training (issue 16, item 7): a session (date, trainer, attendees) makes the
officers who attend it Ephedra-trained. The one change is ``record_training``; the reads
are ``sessions_for`` and ``trainable_officers``. The project lead and sergeants record
sessions for their own areas; the officers are police users of that area.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .models import POLICE_ROLES, Area, OfficerProfile, TrainingSession, User


class TrainingRuleError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def trainable_officers(user, area: Area | None = None) -> QuerySet:
    """Police officers with a profile in the user's areas (or in ``area``), the untrained
    first: who may attend, or train."""
    areas = user.areas.all() if area is None else Area.objects.filter(pk=area.pk)
    officers = User.objects.filter(
        role__in=POLICE_ROLES, is_active=True, areas__in=areas, officer_profile__isnull=False
    ).distinct()
    return officers.select_related("officer_profile").order_by(
        "-officer_profile__ephedra_trained_on", "last_name", "first_name"
    )


def sessions_for(user) -> QuerySet:
    """The sessions held in the user's areas, newest first, with trainer and attendees."""
    attendees = Prefetch("attendees", queryset=User.objects.order_by("last_name", "first_name"))
    return (
        TrainingSession.objects.filter(area__in=user.areas.all())
        .select_related("area", "trainer")
        .prefetch_related(attendees)
    )


def sessions_for_admin(user, queryset: QuerySet | None = None) -> QuerySet:
    """The admin's scope: the sessions of the user's areas (every area for a system
    administrator, as everywhere in the admin)."""
    from .permissions import is_system_admin

    base = TrainingSession.objects.all() if queryset is None else queryset
    return base if is_system_admin(user) else base.filter(area__in=user.areas.all())


@transaction.atomic
def record_training(
    *, held_on: dt.date, area: Area, trainer: User, attendees: list[User], by: User
) -> TrainingSession:
    """Record a session; each attendee not yet trained becomes trained on its date (an
    earlier training date is kept: the first session counts)."""
    _check(held_on, area, trainer, attendees, by)
    session = TrainingSession.objects.create(
        held_on=held_on, area=area, trainer=trainer, recorded_by=by
    )
    session.attendees.set(attendees)
    profiles = OfficerProfile.objects.select_for_update().filter(user__in=attendees)
    for profile in profiles:
        if profile.ephedra_trained_on is None or profile.ephedra_trained_on > held_on:
            profile.ephedra_trained_on, profile.ephedra_trainer = held_on, trainer
            profile.save(update_fields=["ephedra_trained_on", "ephedra_trainer"])  # audited
    return session


def _check(held_on, area, trainer, attendees, by) -> None:
    if held_on > timezone.localdate():
        raise TrainingRuleError("A session is recorded once it has been held.", "held_on")
    if not by.areas.filter(pk=area.pk).exists():
        raise TrainingRuleError("Choose one of your areas.", "area")
    if not attendees:
        raise TrainingRuleError("Choose at least one officer who attended.", "attendees")
    allowed = trainable_officers(by, area)
    if allowed.filter(pk__in=[a.pk for a in attendees]).count() != len(set(attendees)):
        raise TrainingRuleError(f"Only officers of {area} can be recorded.", "attendees")
    if not allowed.filter(pk=trainer.pk).exists():
        raise TrainingRuleError(f"Choose a trainer among the officers of {area}.", "trainer")
    if trainer in attendees:
        raise TrainingRuleError("The trainer cannot also be an attendee.", "trainer")
