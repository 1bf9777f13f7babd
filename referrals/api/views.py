"""The referrals API's viewsets: each action parses its input, calls one service or query,
and answers with the reader's serializer (see the package's docstring for the wall)."""

from django.db import transaction
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.api import rule_error
from governance import audit

from .. import services
from ..filters import PersonApiFilter, ReferralApiFilter
from ..models import Person, Referral
from ..permissions import can_work_referral
from ..selectors import (
    REFERRAL_FIELDS,
    agency_history,
    agency_notes,
    linked_records,
    police_history,
    police_notes,
    shared_referrals,
)
from ..selectors_safeguarding import safeguarding_for, shared_safeguarding_for
from .access import (
    INVALID,
    REFUSALS,
    UUID_PATTERN,
    PersonPermission,
    PersonScope,
    ReferralPermission,
    ReferralScope,
)
from .inputs import (
    CourseStepSerializer,
    MoveRequestSerializer,
    ReferralCreateSerializer,
    TransitionSerializer,
)
from .serializers import (
    PERSON_DETAIL,
    REFERRAL_DETAIL,
    REFERRAL_LIST,
    NoteSerializer,
    PolicePersonDetailSerializer,
    PolicePersonSerializer,
    PoliceReferralDetailSerializer,
    PoliceReferralSerializer,
    SharedPersonSerializer,
    SharedReferralDetailSerializer,
    SharedReferralSerializer,
    StepSerializer,
)

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
    filterset_class = ReferralApiFilter
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
            context["safeguarding"] = shared_safeguarding_for(self.request.user, referral.person)
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
        steps = agency_history(referral) if self.partner else police_history(referral)
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
        notes = agency_notes(referral) if self.partner else police_notes(referral)
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
        context = {"steps": services.open_course_steps(referral)}
        serializer = CourseStepSerializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.record_course_step(referral, data["step"], request.user, on=data.get("on"))
        except services.ReferralRuleError as error:
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
    filterset_class = PersonApiFilter
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
            context["safeguarding"] = record = safeguarding_for(request.user, person)
            audit.viewed_many(request, [*others, *record.rows()])
        audit.viewed(request, person)
        return Response(self.get_serializer_class()(person, context=context).data)
