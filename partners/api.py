"""REST API for partner agencies: the police see every active agency and its services (to
make referrals); a partner user sees their own agency only, any other answers 404."""

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.filters import OrderingFilter

from accounts.models import Role
from core.api import ERROR, ApiRulePermission, ScopeFilter

from .models import AgencyKind, AgencyService, PartnerAgency, ServiceType
from .permissions import RULES


def agencies_for(user):
    """The agencies a user may see, as one SQL query."""
    if user.role == Role.PARTNER:
        return PartnerAgency.objects.filter(pk=user.agency_id)
    if user.role in RULES["partners.view"]:
        return PartnerAgency.objects.active()
    return PartnerAgency.objects.none()


class AgencyServiceSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_service_display", read_only=True)

    class Meta:
        model = AgencyService
        fields = ["service", "label"]


class PartnerAgencySerializer(serializers.ModelSerializer):
    services = AgencyServiceSerializer(many=True, read_only=True)
    areas = serializers.StringRelatedField(many=True)
    contact_email = serializers.EmailField(read_only=True, allow_blank=True)

    class Meta:
        model = PartnerAgency
        fields = [
            "uuid",
            "name",
            "kind",
            "services",
            "areas",
            "contact_email",
            "contact_phone",
            "sharing_agreement_from",
            "sharing_agreement_until",
        ]
        read_only_fields = fields


class AgencyFilter(django_filters.FilterSet):
    service = django_filters.ChoiceFilter(
        choices=ServiceType.choices, field_name="services__service", label="Offers this service"
    )
    kind = django_filters.MultipleChoiceFilter(choices=AgencyKind.choices)

    class Meta:
        model = PartnerAgency
        fields = ["service", "kind"]


class AgencyPermission(ApiRulePermission):
    rules = RULES
    partners_allowed = True
    action_rules = {"list": "partners.view", "retrieve": "partners.view"}


class AgencyScope(ScopeFilter):
    def scope(self, user, queryset):
        return queryset.filter(pk__in=agencies_for(user).values("pk"))


REFUSALS = {
    403: OpenApiResponse(ERROR, description="Signed in, but your role may not do this."),
    404: OpenApiResponse(ERROR, description="No such agency that you may see."),
}


@extend_schema_view(
    list=extend_schema(
        summary="Partner agencies",
        description="The police: every active agency and what it offers. A partner user: "
        "their own agency.",
        responses={
            200: PartnerAgencySerializer(many=True),
            400: OpenApiResponse(ERROR, description="Invalid filter: messages by field name."),
            **REFUSALS,
        },
    ),
    retrieve=extend_schema(
        summary="A partner agency", responses={200: PartnerAgencySerializer, **REFUSALS}
    ),
)
class PartnerAgencyViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"
    serializer_class = PartnerAgencySerializer
    permission_classes = [AgencyPermission]
    filter_backends = [AgencyScope, DjangoFilterBackend, OrderingFilter]
    filterset_class = AgencyFilter
    ordering_fields = ["name", "kind"]
    ordering = ["name"]
    queryset = PartnerAgency.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PartnerAgency.objects.none()
        return PartnerAgency.objects.prefetch_related("services", "areas")


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("partner-agencies", PartnerAgencyViewSet, basename="partner-agency")
