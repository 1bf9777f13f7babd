"""A woman's safeguarding record: in the police person detail, what the police page shows
(read through referrals.selectors_safeguarding.safeguarding_for); in a partner's referral
detail, the shared part the portal's referral page shows (``shared_safeguarding_for``:
plain values, the current level and the active shared markers and routes)."""

from rest_framework import serializers

from ..models import OnwardRoute, RiskLevelChange, WarningMarker
from ..selectors_safeguarding import route_status
from .shared import SharedSchema


class RiskSerializer(serializers.ModelSerializer):
    set_by = serializers.StringRelatedField()

    class Meta:
        model = RiskLevelChange
        fields = ["uuid", "level", "review_on", "reason", "set_by", "set_at"]
        read_only_fields = fields


class MarkerSerializer(serializers.ModelSerializer):
    added_by = serializers.StringRelatedField()
    ended_by = serializers.StringRelatedField()

    class Meta:
        model = WarningMarker
        fields = [
            "uuid", "kind", "reason", "nrm_referred_on", "nrm_reference", "added_by",
            "added_at", "ended_by", "ended_at", "end_reason",
        ]  # fmt: skip
        read_only_fields = fields


class RouteSerializer(serializers.ModelSerializer):
    referral = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    status = serializers.SerializerMethodField()
    added_by = serializers.StringRelatedField()
    ended_by = serializers.StringRelatedField()

    class Meta:
        model = OnwardRoute
        fields = [
            "uuid", "referral", "service", "status", "note", "added_by", "added_at",
            "ended_by", "ended_at", "end_reason",
        ]  # fmt: skip
        read_only_fields = fields

    def get_status(self, route) -> str:
        return route_status(route)


class SafeguardingSerializer(serializers.Serializer):
    """Risk levels newest first (the first is current), markers and routes active first."""

    review_overdue = serializers.BooleanField(read_only=True)
    risks = RiskSerializer(many=True, read_only=True)
    markers = MarkerSerializer(many=True, read_only=True)
    routes = RouteSerializer(many=True, read_only=True)


class SharedRiskSerializer(SharedSchema, serializers.Serializer):
    level = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    review_on = serializers.DateField(read_only=True)
    set_at = serializers.DateTimeField(read_only=True)


class SharedItemSerializer(SharedSchema, serializers.Serializer):
    label = serializers.CharField(read_only=True)
    since = serializers.DateTimeField(read_only=True)


class SharedRouteSerializer(SharedItemSerializer):
    status = serializers.CharField(read_only=True)


class SharedSafeguardingSerializer(SharedSchema, serializers.Serializer):
    """What an agency working with her sees: her current risk level (or none), and the
    active shared markers and onward routes, newest first."""

    risk = SharedRiskSerializer(read_only=True, allow_null=True)
    markers = SharedItemSerializer(many=True, read_only=True)
    routes = SharedRouteSerializer(many=True, read_only=True)
