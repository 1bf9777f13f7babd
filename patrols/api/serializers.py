"""How the patrols API reads: hotspots, patrols, work returns and the records they hold.

Related records are named by UUID (people, patrols, agencies, users) or by id (areas and
wards, which are not about anyone), with a name to show. Each list's queryset is loaded
with everything these serializers touch (see the viewsets), so a page costs the same
number of queries whatever its length.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Area, User, Ward
from referrals.api import AgencyBriefSerializer, PersonBriefSerializer
from referrals.models import Referral

from ..models import (
    Arrest,
    ConditionalCaution,
    Encounter,
    Hotspot,
    HotspotVisit,
    IntelligenceReport,
    OfficerHours,
    PartnerInvitation,
    Patrol,
    PatrolOfficer,
    ReturnAmendment,
    RiskAssessment,
    WorkReturn,
)

# --- Brief references ----------------------------------------------------------------------


class AreaRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "name"]


class WardRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ward
        fields = ["id", "name"]


class UserRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["uuid", "name"]


class HotspotRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hotspot
        fields = ["uuid", "name"]


class VisitSerializer(serializers.ModelSerializer):
    hotspot = HotspotRefSerializer(read_only=True)

    class Meta:
        model = HotspotVisit
        fields = ["hotspot", "arrived_at", "left_at"]


def return_status(patrol: Patrol) -> str | None:
    try:
        return patrol.work_return.status  # loaded with select_related
    except WorkReturn.DoesNotExist:
        return None


def patrol_ref(**kwargs) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="uuid", read_only=True, **kwargs)


# --- Hotspots ------------------------------------------------------------------------------


class HotspotSerializer(serializers.ModelSerializer):
    ward = WardRefSerializer(read_only=True)
    area = AreaRefSerializer(source="ward.area", read_only=True)

    class Meta:
        model = Hotspot
        fields = [
            "uuid",
            "name",
            "area",
            "ward",
            "latitude",
            "longitude",
            "reason",
            "identified_on",
            "active",
            "retired_on",
        ]
        read_only_fields = fields


# --- Patrols -------------------------------------------------------------------------------


class PatrolOfficerSerializer(serializers.ModelSerializer):
    officer = UserRefSerializer(read_only=True)

    class Meta:
        model = PatrolOfficer
        fields = ["officer", "role"]


class InvitationSerializer(serializers.ModelSerializer):
    agency = AgencyBriefSerializer(read_only=True)

    class Meta:
        model = PartnerInvitation
        fields = ["agency", "activity", "notes"]


class RiskAssessmentSerializer(serializers.ModelSerializer):
    assessed_by = UserRefSerializer(read_only=True)
    approved_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = RiskAssessment
        fields = ["hazards", "controls", "assessed_by", "assessed_at", "approved_by", "approved_at"]


class PatrolBaseSerializer(serializers.ModelSerializer):
    """What a row of the list and the patrol in full both say: the patrol's area and ward,
    and its work return's status."""

    area = AreaRefSerializer(read_only=True)
    ward = WardRefSerializer(read_only=True)
    return_status = serializers.SerializerMethodField(
        help_text="The work return's status (null until one is filed)."
    )

    class Meta:
        model = Patrol
        fields = ["uuid", "area", "ward", "return_status"]
        read_only_fields = fields

    def get_return_status(self, patrol) -> str | None:
        return return_status(patrol)


class PatrolListSerializer(PatrolBaseSerializer):
    """A row of the patrol list: the patrol's own fields, its area and ward, and a link
    to its detail (crew, hotspots, invitations, risk assessment). Nesting those in every
    row cost more than the page's SQL at force scale (about 150 of 250 ms for 50 rows)."""

    url = serializers.HyperlinkedIdentityField(
        view_name="api:patrol-detail", lookup_field="uuid", help_text="The patrol in full."
    )

    class Meta(PatrolBaseSerializer.Meta):
        fields = [
            "uuid",
            "url",
            "area",
            "ward",
            "starts_at",
            "ends_at",
            "status",
            "return_status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# The list's fields, and what they read (PatrolViewSet.rows for the list).
PATROL_LIST_FIELDS = (
    "uuid",
    "area__name",
    "ward__name",
    "starts_at",
    "ends_at",
    "status",
    "created_at",
    "updated_at",
    "work_return__status",
)


class PatrolSerializer(PatrolBaseSerializer):
    """A patrol in full: the detail and every step's answer."""

    hotspots = HotspotRefSerializer(many=True, read_only=True)
    officers = PatrolOfficerSerializer(many=True, read_only=True)
    invitations = InvitationSerializer(many=True, read_only=True)
    risk_assessment = RiskAssessmentSerializer(read_only=True, allow_null=True)
    planned_by = UserRefSerializer(read_only=True)

    class Meta(PatrolBaseSerializer.Meta):
        fields = [
            "uuid",
            "area",
            "ward",
            "starts_at",
            "ends_at",
            "meeting_point",
            "status",
            "cancel_reason",
            "hotspots",
            "officers",
            "invitations",
            "risk_assessment",
            "return_status",
            "planned_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PatrolDetailSerializer(PatrolSerializer):
    wellbeing_warnings = serializers.SerializerMethodField(
        help_text="What planning warns about this crew: a third extended shift within seven "
        "days, or a month over the area's overtime threshold."
    )

    class Meta(PatrolSerializer.Meta):
        fields = [*PatrolSerializer.Meta.fields, "wellbeing_warnings"]
        read_only_fields = fields

    def get_wellbeing_warnings(self, patrol) -> list[str]:
        return [warning.message for warning in self.context.get("warnings", [])]


# --- What a patrol recorded ----------------------------------------------------------------


class EncounterSerializer(serializers.ModelSerializer):
    patrol = patrol_ref()
    person = PersonBriefSerializer(read_only=True)
    hotspot = HotspotRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Encounter
        fields = [
            "uuid",
            "patrol",
            "person",
            "hotspot",
            "location",
            "occurred_at",
            "engaged",
            "new_to_area",
            "notes",
        ]
        read_only_fields = fields


class CautionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConditionalCaution
        fields = ["uuid", "status", "deadline"]


class ArrestSerializer(serializers.ModelSerializer):
    patrol = patrol_ref()
    arresting_officer = UserRefSerializer(read_only=True)
    caution = CautionRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Arrest
        fields = [
            "uuid",
            "patrol",
            "arrested_at",
            "offence",
            "offence_detail",
            "suspect_description",
            "custody_reference",
            "arresting_officer",
            "outcome",
            "caution",
        ]
        read_only_fields = fields


class CautionSerializer(serializers.ModelSerializer):
    arrest = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    patrol = serializers.SlugRelatedField(source="arrest.patrol", slug_field="uuid", read_only=True)
    provider = AgencyBriefSerializer(read_only=True)

    class Meta:
        model = ConditionalCaution
        fields = [
            "uuid",
            "arrest",
            "patrol",
            "given_on",
            "condition",
            "provider",
            "deadline",
            "booking_name",
            "booking_contact",
            "status",
            "status_changed_at",
        ]
        read_only_fields = fields


class IntelligenceSerializer(serializers.ModelSerializer):
    patrol = patrol_ref(allow_null=True)
    submitted_by = UserRefSerializer(read_only=True)
    # Graded from what a partner sent: the concern's key and the agency that sent it.
    partner_concern = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    from_agency = serializers.CharField(
        source="partner_concern.agency.name", default=None, read_only=True
    )

    class Meta:
        model = IntelligenceReport
        fields = [
            "uuid",
            "patrol",
            "partner_concern",
            "from_agency",
            "submitted_by",
            "submitted_at",
            "subject_description",
            "details",
            "source_evaluation",
            "intelligence_assessment",
            "handling_code",
            "handling_conditions",
        ]
        read_only_fields = fields


# --- The work return -----------------------------------------------------------------------


class OfficerHoursSerializer(serializers.ModelSerializer):
    officer = UserRefSerializer(read_only=True)

    class Meta:
        model = OfficerHours
        fields = ["officer", "hours"]


class ReturnReferralSerializer(serializers.ModelSerializer):
    person = PersonBriefSerializer(read_only=True, allow_null=True)
    agency = AgencyBriefSerializer(read_only=True)

    class Meta:
        model = Referral
        fields = ["uuid", "person", "agency", "service", "status", "made_at"]


class AmendmentSerializer(serializers.ModelSerializer):
    amended_by = UserRefSerializer(read_only=True)
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name: [before, after], as a person reads them.",
    )

    class Meta:
        model = ReturnAmendment
        fields = ["amended_by", "amended_at", "reason", "changes"]


class WorkReturnSerializer(serializers.ModelSerializer):
    """The submitted return with everything it recorded. Built from
    ``patrols.selectors.submitted_context`` (the return page's own loading and audit),
    passed as the ``records`` context."""

    patrol = patrol_ref()
    filed_by = UserRefSerializer(read_only=True)
    hotspots_visited = serializers.SerializerMethodField()
    visits = serializers.SerializerMethodField()
    hours = serializers.SerializerMethodField()
    encounters = serializers.SerializerMethodField()
    arrests = serializers.SerializerMethodField()
    referrals = serializers.SerializerMethodField()
    intelligence = serializers.SerializerMethodField()
    amendments = serializers.SerializerMethodField()

    class Meta:
        model = WorkReturn
        fields = [
            "uuid",
            "patrol",
            "status",
            "started_at",
            "ended_at",
            "weather",
            "hotspots_visited",
            "visits",
            "women_seen",
            "kerb_crawlers_seen",
            "engagement_count",
            "summary",
            "filed_by",
            "submitted_at",
            "updated_at",
            "hours",
            "encounters",
            "arrests",
            "referrals",
            "intelligence",
            "amendments",
        ]
        read_only_fields = fields

    def _records(self, name: str, serializer):
        return serializer(self.context["records"][name], many=True).data

    @extend_schema_field(HotspotRefSerializer(many=True))
    def get_hotspots_visited(self, work_return):
        return self._records("hotspots", HotspotRefSerializer)

    @extend_schema_field(VisitSerializer(many=True))
    def get_visits(self, work_return):
        return self._records("visits", VisitSerializer)

    @extend_schema_field(OfficerHoursSerializer(many=True))
    def get_hours(self, work_return):
        return self._records("hours", OfficerHoursSerializer)

    @extend_schema_field(EncounterSerializer(many=True))
    def get_encounters(self, work_return):
        return self._records("encounters", EncounterSerializer)

    @extend_schema_field(ArrestSerializer(many=True))
    def get_arrests(self, work_return):
        return self._records("arrests", ArrestSerializer)

    @extend_schema_field(ReturnReferralSerializer(many=True))
    def get_referrals(self, work_return):
        return self._records("referrals", ReturnReferralSerializer)

    @extend_schema_field(IntelligenceSerializer(many=True))
    def get_intelligence(self, work_return):
        return self._records("intelligence", IntelligenceSerializer)

    @extend_schema_field(AmendmentSerializer(many=True))
    def get_amendments(self, work_return):
        amendments = [amendment for amendment, _ in self.context["records"]["amendments"]]
        return AmendmentSerializer(amendments, many=True).data
