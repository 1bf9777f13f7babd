"""REST API for referrals and people: the portal's and the police pages' capabilities, under
the same rules, through the same functions.

The wall, as in the UI:
- Every queryset is scoped in SQL by `referrals_for` / `people_for` (ScopeFilter); a record
  outside the scope answers 404, for reading and for every action.
- Partner users get their own serializers, built from the portal's field lists: a
  referral's shared fields (referrals.selectors.REFERRAL_FIELDS, loaded with `.only()`,
  so a police-only field would cost a query the budget tests catch), a person's
  Person.SHAREABLE_FIELDS, the history and notes since the referral reached their agency
  with police users shown as "Police" (selectors.agency_history / agency_notes).
- Acting needs what the UI needs: a partner works a referral only with django-guardian's
  change permission (404 without it), police withdraw, supervisors move; the lifecycle and
  every other rule is referrals.services (TRANSITIONS, change_status ...), and the input is
  checked by the very forms the pages use, whose errors come back under the field names.
"""

from django.db import transaction
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.api import ERROR, ApiRulePermission, ScopeFilter, form_errors, rule_error
from core.permissions import has_permission
from governance import audit
from partners.models import PartnerAgency, ServiceType
from patrols.models import CautionStatus, ConditionalCaution
from patrols.selectors import course_choices, course_steps
from patrols.services import PatrolRuleError, record_course_outcome

from . import services
from .filters import PersonFilter, ReferralFilter
from .forms import NOTE_MAX_LENGTH, PortalCourseForm, PortalNoteForm, PortalStatusForm
from .forms_police import MoveForm, ReferralForm
from .models import (
    ClosedOutcome,
    ConsentMethod,
    DeclineReason,
    Person,
    Referral,
    ReferralMove,
    ReferralStatus,
)
from .permissions import RULES, can_work_referral, people_for, referrals_for
from .selectors import (
    REFERRAL_FIELDS,
    Step,
    agency_history,
    agency_notes,
    linked_records,
    shared_referrals,
)

UUID_PATTERN = "[0-9a-fA-F-]{32,36}"

# --- Serializers: what the police see -----------------------------------------------------


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
        model = ConditionalCaution
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

    class Meta(PolicePersonSerializer.Meta):
        fields = [*PolicePersonSerializer.Meta.fields, "linked_records", "referrals"]
        read_only_fields = fields

    @extend_schema_field(PolicePersonSerializer(many=True))
    def get_linked_records(self, person) -> list[dict]:
        others = self.context["linked_records"]
        return PolicePersonSerializer(others, many=True, context=self.context).data

    @extend_schema_field(PersonReferralSerializer(many=True))
    def get_referrals(self, person) -> list[dict]:
        rows = person.referrals.select_related("agency").order_by("-made_at", "-pk")
        return PersonReferralSerializer(rows, many=True).data


# --- Serializers: what a partner agency sees -----------------------------------------------


class SharedSchema:
    """Marks a partner-facing serializer: its schema is closed (additionalProperties false),
    stating in the API's contract that a partner gets these fields and nothing more."""


class SharedSchemaExtension(OpenApiSerializerExtension):
    target_class = SharedSchema
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = False
        return schema


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

    class Meta(SharedReferralSerializer.Meta):
        fields = [*SharedReferralSerializer.Meta.fields, "allowed_transitions", "course_steps"]
        read_only_fields = fields

    def get_allowed_transitions(self, referral) -> list[str]:
        if not self.context["can_work"]:
            return []
        return services.allowed_moves(referral, self.context["request"].user)

    def get_course_steps(self, referral) -> list[str]:
        return course_steps(referral.caution) if self.context["can_work"] else []


# --- Serializers: both audiences --------------------------------------------------------


class StepSerializer(serializers.Serializer):
    """One status change. A partner sees the history since the referral reached their
    agency, police users there as "Police"; the police see all of it, by name."""

    at = serializers.DateTimeField()
    from_status = serializers.ChoiceField(choices=ReferralStatus.choices, allow_blank=True)
    to_status = serializers.ChoiceField(choices=ReferralStatus.choices)
    by = serializers.CharField()
    note = serializers.CharField(allow_blank=True)


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


# --- Input: checked by the pages' own forms -----------------------------------------------


class TransitionSerializer(serializers.Serializer):
    """Move the referral on (its agency) or withdraw it (the police): the statuses on offer
    are in the referral's `allowed_transitions`. Closing needs `outcome`; declining needs
    `decline_reason` (and `decline_detail` when the reason is "other")."""

    to_status = serializers.ChoiceField(choices=ReferralStatus.choices)
    outcome = serializers.ChoiceField(choices=ClosedOutcome.choices, required=False)
    decline_reason = serializers.ChoiceField(choices=DeclineReason.choices, required=False)
    decline_detail = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH)

    def validate(self, data):
        form = PortalStatusForm(data, moves=self.context["moves"])
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        return form.cleaned_data


class CourseStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=CautionStatus.choices)

    def validate(self, data):
        form = PortalCourseForm(data, steps=self.context["steps"])
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        return form.cleaned_data


class MoveRequestSerializer(serializers.Serializer):
    agency = serializers.SlugRelatedField(
        slug_field="uuid",
        queryset=PartnerAgency.objects.none(),
        help_text="An active agency offering the same service.",
    )
    reason = serializers.CharField(help_text="Police only: neither agency sees this.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        referral = self.context.get("referral")
        if referral is not None:  # the agencies the move page offers
            self.fields["agency"].queryset = MoveForm(referral=referral).fields["agency"].queryset

    def validate(self, data):
        data = {"agency": data["agency"].pk, "reason": data["reason"]}
        form = MoveForm(data, referral=self.context["referral"])
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        return form.cleaned_data


class ReferralCreateSerializer(serializers.Serializer):
    """A referral made directly, with the person's consent (as the "Make a referral" page);
    diversion-course referrals are made from a conditional caution on the work return."""

    person = serializers.SlugRelatedField(slug_field="uuid", queryset=Person.objects.none())
    agency = serializers.SlugRelatedField(
        slug_field="uuid", queryset=PartnerAgency.objects.active()
    )
    service = serializers.ChoiceField(
        choices=ServiceType.choices, help_text="Any service but the diversion course."
    )
    consent_method = serializers.ChoiceField(choices=ConsentMethod.choices)
    consent_given_at = serializers.DateTimeField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["person"].queryset = people_for(request.user)

    def validate(self, data):
        given_at = timezone.localtime(data["consent_given_at"])
        form = ReferralForm(
            {
                "service": data["service"],
                "agency": data["agency"].pk,
                "consent_method": data["consent_method"],
                "consent_date": given_at.date(),
                "consent_time": given_at.time(),
            }
        )
        if not form.is_valid():
            rename = {"consent_date": "consent_given_at", "consent_time": "consent_given_at"}
            raise serializers.ValidationError(form_errors(form, rename))
        return {**form.cleaned_data, "person": data["person"]}


# --- Permissions and scope ----------------------------------------------------------------

# Keys composed from RULES only: reading is for the police (their areas) and for partner
# users (what was shared with their agency); a status change is a withdrawal by the police
# or a move on by the agency, the services deciding which.
API_RULES = {
    **RULES,
    "api.read": RULES["referrals.view"] | RULES["referrals.portal"],
    "api.transition": RULES["referrals.withdraw"] | RULES["referrals.portal"],
}


class ReferralPermission(ApiRulePermission):
    rules = API_RULES
    partners_allowed = True
    action_rules = {
        "list": "api.read",
        "retrieve": "api.read",
        "create": "referrals.make",
        "transition": "api.transition",
        "notes": "api.read",
        "add_note": "referrals.portal",
        "history": "api.read",
        "move": "referrals.move",
        "course": "referrals.portal",
    }


class ReferralScope(ScopeFilter):
    def scope(self, user, queryset):
        return queryset.filter(pk__in=referrals_for(user).values("pk"))


class PersonPermission(ApiRulePermission):
    rules = API_RULES
    partners_allowed = True
    action_rules = {"list": "referrals.view", "retrieve": "api.read"}


class PersonScope(ScopeFilter):
    """The police: the people of their areas. A partner: the people of the referrals
    shared with their agency, and nothing of them but the shareable fields."""

    def scope(self, user, queryset):
        if user.is_partner:
            shared = referrals_for(user).filter(person__isnull=False).values("person_id")
            return queryset.filter(pk__in=shared)
        return queryset.filter(pk__in=people_for(user).values("pk"))


# --- Documentation of the answers ----------------------------------------------------------

# The one error shape (core.api's "Error" component, added by its schema hook), with
# what each refusal means here.
REFUSALS = {
    403: OpenApiResponse(ERROR, description="Signed in, but your role may not do this."),
    404: OpenApiResponse(ERROR, description="No such record that you may see."),
}
INVALID = {400: OpenApiResponse(ERROR, description="Invalid input: messages by field name.")}


# --- Viewsets ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Referrals you may see",
        description="The police: the referrals of their areas. A partner agency: the "
        "referrals shared with it, with the fields its portal shows.",
        responses={200: REFERRAL_LIST, **INVALID, **REFUSALS},
    ),
    retrieve=extend_schema(summary="A referral", responses={200: REFERRAL_DETAIL, **REFUSALS}),
    create=extend_schema(
        summary="Make a referral (police)",
        request=ReferralCreateSerializer,
        responses={201: PoliceReferralDetailSerializer, **INVALID, **REFUSALS},
    ),
)
class ReferralViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN
    permission_classes = [ReferralPermission]
    filter_backends = [ReferralScope, DjangoFilterBackend, OrderingFilter]
    filterset_class = ReferralFilter
    # No made_at for ordering: a partner must not learn that a referral was made elsewhere
    # before it reached them.
    ordering_fields = ["referred_at", "status", "service"]
    ordering = ["-referred_at", "-pk"]
    queryset = Referral.objects.none()  # for the schema; get_queryset is the real one

    @property
    def partner(self) -> bool:
        return self.request.user.is_authenticated and self.request.user.is_partner

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Referral.objects.none()
        # shared_referrals: the user's referrals with `referred_at`, when each reached its
        # current agency; the scope filter applies referrals_for once more, as everywhere.
        referrals = shared_referrals(self.request.user)
        if self.partner:
            return referrals.select_related(
                "person", "caution", "referred_by", "consent_recorded_by"
            ).only(*REFERRAL_FIELDS)
        return referrals.select_related(
            "person", "agency", "caution", "patrol", "referred_by", "consent_recorded_by"
        )

    def get_serializer_class(self):
        if self.action == "create":
            return ReferralCreateSerializer
        if self.action == "list":
            return SharedReferralSerializer if self.partner else PoliceReferralSerializer
        return self.detail_serializer_class()

    def detail_serializer_class(self):
        return SharedReferralDetailSerializer if self.partner else PoliceReferralDetailSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        referral = getattr(self, "_object", None)
        if referral is not None and self.partner:
            context["can_work"] = can_work_referral(self.request.user, referral)
        return context

    def get_object(self):
        self._object = super().get_object()
        return self._object

    def get_workable(self) -> Referral:
        """The referral for acting on it: a partner needs the change grant (404 without)."""
        referral = self.get_object()
        if self.partner and not can_work_referral(self.request.user, referral):
            raise NotFound
        return referral

    def detail_response(self, code=status.HTTP_200_OK) -> Response:
        referral = self.get_object()  # afresh, after the change
        serializer = self.detail_serializer_class()(referral, context=self.get_serializer_context())
        return Response(serializer.data, status=code)

    # --- reading

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        audit.viewed_many(request, audit.with_related(rows, "person", "caution"))
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        audit.viewed(request, *audit.with_related([referral], "person", "caution"))
        return Response(self.get_serializer(referral).data)

    @extend_schema(
        summary="The referral's history",
        responses={200: StepSerializer(many=True), **REFUSALS},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, uuid=None):
        referral = self.get_object()
        audit.viewed(request, referral)
        if self.partner:
            steps = agency_history(referral)
        else:
            changes = referral.history.select_related("changed_by").order_by("changed_at", "pk")
            steps = [
                Step(c.changed_at, c.from_status, c.to_status, str(c.changed_by), c.note)
                for c in changes
            ]
        return Response(StepSerializer(steps, many=True).data)

    @extend_schema(
        summary="The referral's notes",
        description="A partner agency sees the notes written since the referral reached it.",
        responses={200: NoteSerializer(many=True), **REFUSALS},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def notes(self, request, uuid=None):
        referral = self.get_object()
        audit.viewed(request, referral)
        if self.partner:
            notes = agency_notes(referral)
        else:
            rows = referral.notes.select_related("author").order_by("written_at", "pk")
            notes = [{"at": n.written_at, "by": str(n.author), "text": n.text} for n in rows]
        return Response(NoteSerializer(notes, many=True).data)

    # --- acting

    def create(self, request, *args, **kwargs):
        serializer = ReferralCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data, now = serializer.validated_data, timezone.now()
        try:
            referral = services.make_referral(
                person=data["person"],
                agency=data["agency"],
                service=data["service"],
                consent_method=data["consent_method"],
                consent_given_at=data["consent_given_at"],
                consent_recorded_by=request.user,
                referred_by=request.user,
                made_at=now,
            )
        except services.ReferralRuleError as error:
            raise rule_error(error) from None
        self.kwargs[self.lookup_field] = str(referral.uuid)
        response = self.detail_response(status.HTTP_201_CREATED)
        response["Location"] = reverse("api:referral-detail", args=[referral.uuid], request=request)
        return response

    @extend_schema(
        summary="Move the referral on (its agency) or withdraw it (the police)",
        request=TransitionSerializer,
        responses={200: REFERRAL_DETAIL, **INVALID, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    @transaction.atomic
    def transition(self, request, uuid=None):
        referral = self.get_workable()
        moves = services.allowed_moves(referral, request.user)
        serializer = TransitionSerializer(data=request.data, context={"moves": moves})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.change_status(
                referral,
                data["to_status"],
                request.user,
                outcome=data.get("outcome", ""),
                decline_reason=data.get("decline_reason", ""),
                decline_detail=data.get("decline_detail", "").strip(),
                note=data["note"].strip(),
            )
        except services.ReferralRuleError as error:
            raise rule_error(error) from None
        return self.detail_response()

    @extend_schema(
        summary="Add a note (the agency working the referral)",
        description="The referring officer can read the note.",
        request=NoteSerializer,
        responses={201: NoteSerializer, **INVALID, **REFUSALS},
    )
    @notes.mapping.post
    @transaction.atomic
    def add_note(self, request, uuid=None):
        referral = self.get_workable()
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            note = services.add_note(referral, request.user, serializer.validated_data["text"])
        except services.ReferralRuleError as error:
            raise serializers.ValidationError({"text": [str(error)]}) from None
        data = {"at": note.written_at, "by": str(request.user), "text": note.text}
        return Response(NoteSerializer(data).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Refer to another agency (supervisors)",
        description="The agency the referral leaves loses access to it at once; the "
        "reason is for the police only.",
        request=MoveRequestSerializer,
        responses={200: PoliceReferralDetailSerializer, **INVALID, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    @transaction.atomic
    def move(self, request, uuid=None):
        referral = self.get_object()
        context = {"referral": referral}
        serializer = MoveRequestSerializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.move_referral(referral, data["agency"], request.user, data["reason"])
        except services.ReferralRuleError as error:
            raise rule_error(error) from None
        return self.detail_response()

    @extend_schema(
        summary="Record a step of the diversion course (its provider)",
        description="Booked, attended, completed or did not attend, as `course_steps` offers.",
        request=CourseStepSerializer,
        responses={200: SharedReferralDetailSerializer, **INVALID, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    @transaction.atomic
    def course(self, request, uuid=None):
        referral = self.get_workable()
        if referral.caution is None:
            raise NotFound
        context = {"steps": course_choices(referral.caution)}
        serializer = CourseStepSerializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        try:
            record_course_outcome(referral.caution, serializer.validated_data["step"], request.user)
        except PatrolRuleError as error:
            raise rule_error(error) from None
        return self.detail_response()


@extend_schema_view(
    list=extend_schema(
        summary="People of your areas (police)",
        responses={200: PolicePersonSerializer(many=True), **INVALID, **REFUSALS},
    ),
    retrieve=extend_schema(
        summary="A person",
        description="The police: the record with its linked records and referrals. A "
        "partner agency: only a person referred to it, and only what its portal shows.",
        responses={200: PERSON_DETAIL, **REFUSALS},
    ),
)
class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN
    permission_classes = [PersonPermission]
    filter_backends = [PersonScope, DjangoFilterBackend, OrderingFilter]
    filterset_class = PersonFilter
    ordering_fields = ["working_name", "first_seen", "created_at"]
    ordering = ["working_name", "pk"]
    queryset = Person.objects.none()

    @property
    def partner(self) -> bool:
        return self.request.user.is_authenticated and self.request.user.is_partner

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Person.objects.none()
        if self.partner:
            return Person.objects.only(*Person.SHAREABLE_FIELDS)
        return Person.objects.select_related("area", "same_as")

    def get_serializer_class(self):
        if self.partner:
            return SharedPersonSerializer
        return PolicePersonDetailSerializer if self.action == "retrieve" else PolicePersonSerializer

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        audit.viewed_many(request, rows)
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        context = self.get_serializer_context()
        if not self.partner:
            others = [p for p in linked_records(request.user, person) if p.pk != person.pk]
            context["linked_records"] = others
            audit.viewed_many(request, others)
        audit.viewed(request, person)
        return Response(self.get_serializer_class()(person, context=context).data)


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("referrals", ReferralViewSet, basename="referral")
    router.register("people", PersonViewSet, basename="person")
