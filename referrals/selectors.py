"""Every read of people and referrals, scoped to the user: one function per object type.

Police read the people and referrals of their areas; a partner user reads exactly the
referrals django-guardian granted to their agency (``referrals.permissions``) and no
person record. Each function takes an optional base queryset (the admin's, the API's)
and narrows it in SQL, never in Python.
"""

from django.db.models import QuerySet

from .models import Person, PossibleDuplicate, Referral
from .permissions import people_for, referrals_for


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
