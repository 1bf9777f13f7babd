"""What a patrol recorded about people, read-only: encounters, arrests, conditional cautions
and intelligence (police only; a return's records only to those who may read the return)."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.filters import OrderingFilter

from ..filters import ArrestFilter, CautionFilter, EncounterFilter, IntelligenceFilter
from ..models import Arrest, ConditionalCaution, Encounter, IntelligenceReport
from . import access
from .base import INVALID, REFUSALS, PersonalRecordViewSet
from .serializers import (
    ArrestSerializer,
    CautionSerializer,
    EncounterSerializer,
    IntelligenceSerializer,
)

# --- What a patrol recorded ----------------------------------------------------------------


def _read_docs(name: str, serializer) -> dict:
    return {
        "list": extend_schema(
            summary=f"{name} of your areas",
            responses={200: serializer(many=True), **INVALID, **REFUSALS},
        ),
        "retrieve": extend_schema(
            summary=f"One of the {name.lower()}", responses={200: serializer, **REFUSALS}
        ),
    }


@extend_schema_view(**_read_docs("Encounters", EncounterSerializer))
class EncounterViewSet(PersonalRecordViewSet):
    model = Encounter
    serializer_class = EncounterSerializer
    permission_classes = [access.EncounterPermission]
    filter_backends = [access.EncounterScope, DjangoFilterBackend, OrderingFilter]
    filterset_class = EncounterFilter
    ordering_fields = ["occurred_at"]
    ordering = ["-occurred_at", "-pk"]
    audited_with = ("person",)

    def rows(self, queryset):
        return queryset.select_related("patrol", "person", "hotspot")


@extend_schema_view(**_read_docs("Arrests", ArrestSerializer))
class ArrestViewSet(PersonalRecordViewSet):
    """Lists hold the arrests of the patrols you were on (all of your areas' for a
    supervisor), as the work return shows them."""

    model = Arrest
    serializer_class = ArrestSerializer
    permission_classes = [access.ReturnRecordPermission]
    filter_backends = [access.ReturnRecordScope, DjangoFilterBackend, OrderingFilter]
    filterset_class = ArrestFilter
    ordering_fields = ["arrested_at", "offence", "outcome"]
    ordering = ["-arrested_at", "-pk"]
    audited_with = ("caution",)

    def rows(self, queryset):
        return queryset.select_related("patrol", "arresting_officer", "caution")


@extend_schema_view(**_read_docs("Conditional cautions", CautionSerializer))
class CautionViewSet(PersonalRecordViewSet):
    """The course's status is recorded by its provider (through the referral); the police
    read it here."""

    model = ConditionalCaution
    serializer_class = CautionSerializer
    permission_classes = [access.CautionPermission]
    filter_backends = [access.CautionScope, DjangoFilterBackend, OrderingFilter]
    filterset_class = CautionFilter
    ordering_fields = ["given_on", "deadline", "status"]
    ordering = ["-given_on", "-pk"]

    def rows(self, queryset):
        return queryset.select_related("arrest__patrol", "provider")


@extend_schema_view(**_read_docs("Intelligence reports", IntelligenceSerializer))
class IntelligenceViewSet(PersonalRecordViewSet):
    model = IntelligenceReport
    serializer_class = IntelligenceSerializer
    permission_classes = [access.IntelligencePermission]
    filter_backends = [access.IntelligenceScope, DjangoFilterBackend, OrderingFilter]
    filterset_class = IntelligenceFilter
    ordering_fields = ["submitted_at", "handling_code"]
    ordering = ["-submitted_at", "-pk"]

    def rows(self, queryset):
        return queryset.select_related("patrol", "submitted_by", "partner_concern__agency")
