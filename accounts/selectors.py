"""Reads of places and people, scoped to the user (police: their areas)."""

import datetime as dt

from django.db.models import Count, Q, QuerySet

from .models import POLICE_ROLES, ApiToken, Area, Notification, OfficerProfile, User, Ward


def areas_for(user, queryset: QuerySet | None = None) -> QuerySet:
    base = Area.objects.all() if queryset is None else queryset
    return base.filter(pk__in=user.areas.values("pk"))


def wards_for(user, queryset: QuerySet | None = None) -> QuerySet:
    base = Ward.objects.all() if queryset is None else queryset
    return base.filter(area__in=user.areas.values("pk"))


def trained_pool(user, day: dt.date) -> QuerySet:
    """The user's areas, each with ``officers`` (active police users) and ``trained`` (those
    Ephedra-trained by ``day``), in one query. An officer of two areas counts in both."""
    police = Q(users__is_active=True, users__role__in=POLICE_ROLES)
    trained = police & Q(users__officer_profile__ephedra_trained_on__lte=day)
    return areas_for(user).annotate(
        officers=Count("users", filter=police, distinct=True),
        trained=Count("users", filter=trained, distinct=True),
    )


def colleagues_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """The users who share an area with ``user`` (their own account included)."""
    base = User.objects.all() if queryset is None else queryset
    sharing = User.objects.filter(areas__in=user.areas.values("pk")).values("pk")
    return base.filter(pk__in=sharing)


def officer_profiles_for(user, queryset: QuerySet | None = None) -> QuerySet:
    base = OfficerProfile.objects.all() if queryset is None else queryset
    return base.filter(user__in=colleagues_for(user).values("pk"))


def own_notifications(user, queryset: QuerySet | None = None) -> QuerySet:
    base = Notification.objects.all() if queryset is None else queryset
    return base.filter(recipient=user)


def unread_notification_count(user) -> int:
    """For the header's "Notifications" count: one query."""
    return own_notifications(user).filter(read_at__isnull=True).count()


def own_tokens(user, queryset: QuerySet | None = None) -> QuerySet:
    base = ApiToken.objects.all() if queryset is None else queryset
    return base.filter(user=user)
