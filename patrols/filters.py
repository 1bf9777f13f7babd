"""django-filter FilterSets for the patrols API.

Filters never reveal whether something outside the user's scope exists: areas and wards
are matched by id, patrols and people by UUID, on the already-scoped queryset, so an
unknown or foreign value gives an empty list rather than "not one of the choices".
"""

import django_filters
from django import forms

from core.dates import PlausibleDateFilter

from .models import (
    Arrest,
    ArrestOutcome,
    CautionStatus,
    ConditionalCaution,
    Encounter,
    HandlingCode,
    Hotspot,
    IntelligenceReport,
    Offence,
    Patrol,
    PatrolStatus,
)

MAX_ID = 2**31 - 1  # beyond any key: refused as invalid rather than sent to the database


class IdFilter(django_filters.NumberFilter):
    """A row's id: a whole number the database can hold (400 otherwise, never a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


class HotspotFilter(django_filters.FilterSet):
    area = IdFilter(field_name="ward__area_id", label="Area (id)")
    ward = IdFilter(field_name="ward_id", label="Ward (id)")
    active = django_filters.BooleanFilter(label="Active (true) or retired (false)")

    class Meta:
        model = Hotspot
        fields = ["area", "ward", "active"]


class PatrolFilter(django_filters.FilterSet):
    area = IdFilter(field_name="area_id", label="Area (id)")
    ward = IdFilter(field_name="ward_id", label="Ward (id)")
    status = django_filters.MultipleChoiceFilter(choices=PatrolStatus.choices)
    starts_after = PlausibleDateFilter(
        field_name="starts_at", lookup_expr="date__gte", label="Starts on or after"
    )
    starts_before = PlausibleDateFilter(
        field_name="starts_at", lookup_expr="date__lte", label="Starts on or before"
    )
    officer = django_filters.UUIDFilter(
        field_name="officers__officer__uuid", label="An officer on the patrol (UUID)"
    )

    class Meta:
        model = Patrol
        fields = ["area", "ward", "status", "starts_after", "starts_before", "officer"]


class EncounterFilter(django_filters.FilterSet):
    patrol = django_filters.UUIDFilter(field_name="patrol__uuid", label="Patrol (UUID)")
    person = django_filters.UUIDFilter(field_name="person__uuid", label="Person (UUID)")
    occurred_after = PlausibleDateFilter(field_name="occurred_at", lookup_expr="date__gte")
    occurred_before = PlausibleDateFilter(field_name="occurred_at", lookup_expr="date__lte")
    new_to_area = django_filters.BooleanFilter()

    class Meta:
        model = Encounter
        fields = ["patrol", "person", "occurred_after", "occurred_before", "new_to_area"]


class ArrestFilter(django_filters.FilterSet):
    patrol = django_filters.UUIDFilter(field_name="patrol__uuid", label="Patrol (UUID)")
    offence = django_filters.MultipleChoiceFilter(choices=Offence.choices)
    outcome = django_filters.MultipleChoiceFilter(choices=ArrestOutcome.choices)
    arrested_after = PlausibleDateFilter(field_name="arrested_at", lookup_expr="date__gte")
    arrested_before = PlausibleDateFilter(field_name="arrested_at", lookup_expr="date__lte")

    class Meta:
        model = Arrest
        fields = ["patrol", "offence", "outcome", "arrested_after", "arrested_before"]


class CautionFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=CautionStatus.choices)
    given_after = PlausibleDateFilter(field_name="given_on", lookup_expr="gte")
    given_before = PlausibleDateFilter(field_name="given_on", lookup_expr="lte")
    deadline_before = PlausibleDateFilter(field_name="deadline", lookup_expr="lte")

    class Meta:
        model = ConditionalCaution
        fields = ["status", "given_after", "given_before", "deadline_before"]


class IntelligenceFilter(django_filters.FilterSet):
    patrol = django_filters.UUIDFilter(field_name="patrol__uuid", label="Patrol (UUID)")
    handling_code = django_filters.ChoiceFilter(choices=HandlingCode.choices)
    submitted_after = PlausibleDateFilter(field_name="submitted_at", lookup_expr="date__gte")
    submitted_before = PlausibleDateFilter(field_name="submitted_at", lookup_expr="date__lte")
    from_partner = django_filters.BooleanFilter(
        field_name="partner_concern",
        lookup_expr="isnull",
        exclude=True,
        label="Graded from a partner's concern (true) or filed on a patrol (false)",
    )

    class Meta:
        model = IntelligenceReport
        fields = ["patrol", "handling_code", "submitted_after", "submitted_before", "from_partner"]
