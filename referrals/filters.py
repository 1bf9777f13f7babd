"""django-filter FilterSets for the referrals API.

Filters never test whether something outside the user's scope exists: agencies and people
are matched by UUID on the already-scoped queryset (a UUID filter, not a model choice, so
an unknown or foreign UUID gives an empty list, never "not one of the available choices").
"""

import django_filters

from core.dates import PlausibleDateFilter
from partners.models import ServiceType

from .models import AgeBand, Person, Referral, ReferralStatus
from .selectors import person_text


class ReferralApiFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ReferralStatus.choices)
    service = django_filters.MultipleChoiceFilter(choices=ServiceType.choices)
    agency = django_filters.UUIDFilter(field_name="agency__uuid", label="Agency (UUID)")
    person = django_filters.UUIDFilter(field_name="person__uuid", label="Person (UUID)")
    # `referred_at`: when the referral reached its current agency (the viewset annotates it;
    # for a partner this is the only date of a referral they see, so a move never shows).
    referred_after = PlausibleDateFilter(
        field_name="referred_at", lookup_expr="date__gte", label="Referred on or after"
    )
    referred_before = PlausibleDateFilter(
        field_name="referred_at", lookup_expr="date__lte", label="Referred on or before"
    )

    class Meta:
        model = Referral
        fields = ["status", "service", "agency", "person", "referred_after", "referred_before"]


class PersonApiFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="search_text", max_length=100, label="Working name or description contains"
    )
    area = django_filters.CharFilter(field_name="area__code", max_length=9, label="Area (ONS code)")
    age_band = django_filters.MultipleChoiceFilter(choices=AgeBand.choices)
    first_seen_after = PlausibleDateFilter(field_name="first_seen", lookup_expr="gte")
    first_seen_before = PlausibleDateFilter(field_name="first_seen", lookup_expr="lte")

    class Meta:
        model = Person
        fields = ["search", "area", "age_band", "first_seen_after", "first_seen_before"]

    def search_text(self, queryset, name, value):
        return queryset.filter(person_text(value.strip())) if value.strip() else queryset
