"""What the referrals API answers with: the police's serializers, the partner's (closed
schemas, built from the portal's field lists) and those both audiences share."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from core.api import form_errors
from core.permissions import has_permission
from partners.models import PartnerAgency

from .. import services
from ..forms import NOTE_MAX_LENGTH, PortalNoteForm
from ..models import (
    ClosedOutcome,
    ConsentMethod,
    CourseStatus,
    DeclineReason,
    Person,
    Referral,
    ReferralMove,
    ReferralStatus,
)
from ..services.course import caution_model
from .safeguarding import SafeguardingSerializer, SharedSafeguardingSerializer
from .shared import SharedSchema

# --- What the police see ------------------------------------------------------------------


class PersonBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["uuid", "working_name"]


class AgencyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnerAgency
        fields = ["uuid", "name"]


class CourseSerializer(serializers.ModelSerializer):
    """A diversion course as its provider books it (the police see the same on the caution)."""

    class Meta:
        model = caution_model()
        fields = ["booking_name", "booking_contact", "deadline", "status"]


class ReferralBaseSerializer(serializers.ModelSerializer):
    """Choices that are blank until they apply (read-only model fields lose `allow_blank`)."""

    closed_outcome = serializers.ChoiceField(
        choices=ClosedOutcome.choices, allow_blank=True, read_only=True
    )
    decline_reason = serializers.ChoiceField(
        choices=DeclineReason.choices, allow_blank=True, read_only=True
    )
    consent_method = serializers.ChoiceField(
        choices=ConsentMethod.choices,
        allow_blank=True,
        read_only=True,
        help_text="Blank for a diversion-course referral, whose basis is the caution.",
    )


class PoliceReferralSerializer(ReferralBaseSerializer):
    """A referral as the police see it."""

    person = PersonBriefSerializer(read_only=True, allow_null=True)
    agency = AgencyBriefSerializer(read_only=True)
    course = CourseSerializer(source="caution", read_only=True, allow_null=True)
    patrol = serializers.SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)
    referred_by = serializers.StringRelatedField()
    consent_recorded_by = serializers.StringRelatedField(allow_null=True)
    referred_at = serializers.DateTimeField(
        read_only=True, help_text="When the referral reached its current agency."
    )

    class Meta:
        model = Referral
        fields = [
            "uuid",
            "person",
            "agency",
            "service",
            "status",
            "closed_outcome",
            "decline_reason",
            "decline_detail",
            "consent_method",
            "consent_given_at",
            "consent_recorded_by",
            "course",
            "patrol",
            "referred_by",
            "made_at",
            "referred_at",
            "updated_at",
        ]
        read_only_fields = fields


class MoveSerializer(serializers.ModelSerializer):
    from_agency = AgencyBriefSerializer()
    to_agency = AgencyBriefSerializer()
    moved_by = serializers.StringRelatedField()

    class Meta:
        model = ReferralMove
        fields = ["from_agency", "to_agency", "moved_by", "moved_at", "reason"]


class PoliceReferralDetailSerializer(PoliceReferralSerializer):
    """A referral as the police see it, with its moves between agencies."""

    moves = MoveSerializer(many=True, read_only=True)
    allowed_transitions = serializers.SerializerMethodField()

    class Meta(PoliceReferralSerializer.Meta):
        fields = [*PoliceReferralSerializer.Meta.fields, "moves", "allowed_transitions"]
        read_only_fields = fields

    def get_allowed_transitions(self, referral) -> list[str]:
        user = self.context["request"].user
        if not has_permission(user, "referrals.withdraw"):
            return []
        return services.allowed_moves(referral, user)


class PolicePersonSerializer(serializers.ModelSerializer):
    """A person's record, police only."""

    area = serializers.StringRelatedField()
    same_as = serializers.SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)

    class Meta:
        model = Person
        fields = [
            "uuid",
            "working_name",
            "description",
            "age_band",
            "first_seen",
            "area",
            "police_notes",
            "same_as",
            "created_at",
        ]
        read_only_fields = fields


class PersonReferralSerializer(serializers.ModelSerializer):
    agency = AgencyBriefSerializer()

    class Meta:
        model = Referral
        fields = ["uuid", "agency", "service", "status", "made_at"]


class PolicePersonDetailSerializer(PolicePersonSerializer):
    """A person's record with the records linked to it and her referrals, police only."""

    linked_records = serializers.SerializerMethodField(
        help_text="Other records of the same woman, linked by a sergeant (oldest first)."
    )
    referrals = serializers.SerializerMethodField()
    safeguarding = serializers.SerializerMethodField(
        help_text="Her safeguarding record (referrals.selectors_safeguarding)."
    )

    class Meta(PolicePersonSerializer.Meta):
        fields = [
            *PolicePersonSerializer.Meta.fields,
            "linked_records",
            "referrals",
            "safeguarding",
        ]
        read_only_fields = fields

    @extend_schema_field(PolicePersonSerializer(many=True))
    def get_linked_records(self, person) -> list[dict]:
        others = self.context["linked_records"]
        return PolicePersonSerializer(others, many=True, context=self.context).data

    @extend_schema_field(PersonReferralSerializer(many=True))
    def get_referrals(self, person) -> list[dict]:
        rows = person.referrals.select_related("agency").order_by("-made_at", "-pk")
        return PersonReferralSerializer(rows, many=True).data

    @extend_schema_field(SafeguardingSerializer)
    def get_safeguarding(self, person) -> dict:
        return SafeguardingSerializer(self.context["safeguarding"]).data


# --- Serializers: what a partner agency sees -----------------------------------------------


class SharedPersonSerializer(SharedSchema, serializers.ModelSerializer):
    """The person as the portal shows her to the agency she was referred to."""

    class Meta:
        model = Person
        fields = list(Person.SHAREABLE_FIELDS)
        read_only_fields = fields


class SharedCourseSerializer(SharedSchema, CourseSerializer):
    """What the course provider needs to book the course: no arrest, no offence."""


class OfficerContactSerializer(SharedSchema, serializers.Serializer):
    """The referring officer, as the portal shows them: name, email and phone."""

    name = serializers.CharField(source="__str__")
    email = serializers.EmailField(allow_blank=True)
    phone = serializers.CharField()


class SharedReferralSerializer(SharedSchema, ReferralBaseSerializer):
    """A referral as the agency it was made to sees it (the portal's referral page)."""

    person = SharedPersonSerializer(read_only=True, allow_null=True)
    course = SharedCourseSerializer(source="caution", read_only=True, allow_null=True)
    consent_recorded_by = serializers.StringRelatedField(allow_null=True)
    referring_officer = OfficerContactSerializer(source="referred_by", read_only=True)
    referred_at = serializers.DateTimeField(
        read_only=True, help_text="When the referral reached your agency."
    )

    class Meta:
        model = Referral
        fields = [
            "uuid",
            "person",
            "service",
            "status",
            "closed_outcome",
            "decline_reason",
            "decline_detail",
            "consent_method",
            "consent_given_at",
            "consent_recorded_by",
            "course",
            "referring_officer",
            "referred_at",
        ]
        read_only_fields = fields


class SharedReferralDetailSerializer(SharedReferralSerializer):
    """A referral as its agency sees it, with what the agency may do with it now."""

    allowed_transitions = serializers.SerializerMethodField()
    course_steps = serializers.SerializerMethodField(
        help_text="What your agency may record for the diversion course now."
    )
    safeguarding = serializers.SerializerMethodField(
        help_text="The shared part of her safeguarding record while your agency works with "
        "her (an open referral); null otherwise."
    )

    class Meta(SharedReferralSerializer.Meta):
        fields = [
            *SharedReferralSerializer.Meta.fields,
            "allowed_transitions",
            "course_steps",
            "safeguarding",
        ]
        read_only_fields = fields

    @extend_schema_field(SharedSafeguardingSerializer(allow_null=True))
    def get_safeguarding(self, referral) -> dict | None:
        record = self.context["safeguarding"]
        return None if record is None else SharedSafeguardingSerializer(record).data

    def get_allowed_transitions(self, referral) -> list[str]:
        if not self.context["can_work"]:
            return []
        return services.allowed_moves(referral, self.context["request"].user)

    def get_course_steps(self, referral) -> list[str]:
        return services.open_course_steps(referral) if self.context["can_work"] else []


# --- Serializers: both audiences --------------------------------------------------------


class StepSerializer(serializers.Serializer):
    """One status change. A partner sees the history since the referral reached their
    agency, police users there as "Police"; the police see all of it, by name."""

    at = serializers.DateTimeField()
    from_status = serializers.ChoiceField(choices=ReferralStatus.choices, allow_blank=True)
    to_status = serializers.ChoiceField(choices=ReferralStatus.choices)
    by = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    course_step = serializers.ChoiceField(
        choices=CourseStatus.choices,
        allow_blank=True,
        help_text="A step of the diversion course, when this row records one.",
    )
    course_step_on = serializers.DateField(allow_null=True, help_text="The day of that step.")


class NoteSerializer(serializers.Serializer):
    at = serializers.DateTimeField(read_only=True)
    by = serializers.CharField(read_only=True)
    text = serializers.CharField(max_length=NOTE_MAX_LENGTH)

    def validate(self, data):
        form = PortalNoteForm(data)
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        return form.cleaned_data


def _closed(name: str, police, shared, *, many: bool | None = None):
    """One documented response for both audiences: exactly one of the two shapes."""
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[police, shared],
        resource_type_field_name=None,
        many=many,
    )


REFERRAL_LIST = _closed("ReferralForUser", PoliceReferralSerializer, SharedReferralSerializer)
REFERRAL_DETAIL = _closed(
    "ReferralDetailForUser", PoliceReferralDetailSerializer, SharedReferralDetailSerializer
)
PERSON_DETAIL = _closed("PersonForUser", PolicePersonDetailSerializer, SharedPersonSerializer)
