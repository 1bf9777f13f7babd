"""The patrols API's viewsets. Each fetches through its scope filter (404 outside the
user's areas), is guarded by its permission class (the pages' RULES), and acts through
the same forms and patrols.services functions as the pages: nothing here decides a rule.

Reading a record about a person (encounter, arrest, caution, intelligence, work return)
writes an audit "viewed" row for each record shown, in one INSERT for a whole page.
"""

from django.db.models import Prefetch, Q
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from core.api import rule_error

from .. import services
from ..filters import (
    HotspotFilter,
    PatrolFilter,
)
from ..forms.planning import invitation_rows
from ..models import (
    Hotspot,
    OfficerRole,
    PartnerInvitation,
    Patrol,
    PatrolOfficer,
    WorkReturn,
)
from ..selectors import submitted_records, submitted_return
from . import access
from .base import INVALID, REFUSALS, ScopedViewSet
from .inputs import (
    AmendmentInputSerializer,
    HotspotWriteSerializer,
    PatrolWriteSerializer,
    ReasonSerializer,
    ReturnSubmitSerializer,
    RiskAssessmentInputSerializer,
    return_choices,
)
from .serializers import (
    PATROL_LIST_FIELDS,
    HotspotSerializer,
    PatrolDetailSerializer,
    PatrolListSerializer,
    WorkReturnSerializer,
)

# --- Hotspots ------------------------------------------------------------------------------

HOTSPOT_WRITE = {**INVALID, **REFUSALS}


@extend_schema_view(
    list=extend_schema(
        summary="Hotspots of your areas",
        responses={200: HotspotSerializer(many=True), **INVALID, **REFUSALS},
    ),
    retrieve=extend_schema(summary="A hotspot", responses={200: HotspotSerializer, **REFUSALS}),
    create=extend_schema(
        summary="Add a hotspot (supervisors)",
        request=HotspotWriteSerializer,
        responses={201: HotspotSerializer, **HOTSPOT_WRITE},
    ),
    update=extend_schema(
        summary="Change a hotspot (supervisors)",
        request=HotspotWriteSerializer,
        responses={200: HotspotSerializer, **HOTSPOT_WRITE},
    ),
    partial_update=extend_schema(
        summary="Change some of a hotspot's fields (supervisors)",
        request=HotspotWriteSerializer(partial=True),
        responses={200: HotspotSerializer, **HOTSPOT_WRITE},
    ),
)
class HotspotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Hotspot
    serializer_class = HotspotSerializer
    permission_classes = [access.HotspotPermission]
    filter_backends = [access.HotspotScope, DjangoFilterBackend, OrderingFilter]
    filterset_class = HotspotFilter
    ordering_fields = ["name", "identified_on", "active"]
    ordering = ["-active", "ward__area__name", "ward__name", "name", "pk"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def rows(self, queryset):
        return queryset.select_related("ward__area")

    def create(self, request, *args, **kwargs):
        serializer = HotspotWriteSerializer(data=request.data, context={"request": request})
        return self._save(serializer, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        context = {"request": request, "hotspot": self.get_object()}
        serializer = HotspotWriteSerializer(data=request.data, partial=partial, context=context)
        return self._save(serializer, status.HTTP_200_OK)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def _save(self, serializer, code) -> Response:
        serializer.is_valid(raise_exception=True)
        form = serializer.form
        existing = form.instance if form.instance.pk else None
        try:
            hotspot = services.save_hotspot(existing, form.cleaned_data)
        except services.PatrolRuleError as error:
            raise rule_error(error, error.field) from None
        hotspot = self.rows(Hotspot.objects).get(pk=hotspot.pk)
        return Response(self.get_serializer(hotspot).data, status=code)

    @extend_schema(
        summary="Retire a hotspot (supervisors)",
        description="Patrols stop being planned there; it stays on past patrols and returns.",
        request=None,
        responses={200: HotspotSerializer, **HOTSPOT_WRITE},
    )
    @action(detail=True, methods=["post"])
    def retire(self, request, uuid=None):
        hotspot = self.get_object()
        try:
            services.retire_hotspot(hotspot)
        except services.PatrolRuleError as error:
            raise rule_error(error) from None
        return Response(self.get_serializer(hotspot).data)


# --- Patrols -------------------------------------------------------------------------------

PATROL_STEP = {200: PatrolDetailSerializer, **INVALID, **REFUSALS}


@extend_schema_view(
    list=extend_schema(
        summary="Patrols of your areas",
        description="Each row links (`url`) to the patrol in full: its crew, hotspots, "
        "invitations and risk assessment.",
        responses={200: PatrolListSerializer(many=True), **INVALID, **REFUSALS},
    ),
    retrieve=extend_schema(
        summary="A patrol, with its crew's wellbeing warnings",
        responses={200: PatrolDetailSerializer, **REFUSALS},
    ),
    create=extend_schema(
        summary="Plan a patrol (supervisors)",
        description="The crew needs an Ephedra-trained PC and a local PC from the ward, none "
        "double-booked; a patrol lasts at most 14 hours.",
        request=PatrolWriteSerializer,
        responses={201: PatrolDetailSerializer, **INVALID, **REFUSALS},
    ),
    update=extend_schema(
        summary="Change a planned patrol (supervisors)",
        description="Replaces its hotspots, crew and invitations with those sent.",
        request=PatrolWriteSerializer,
        responses=PATROL_STEP,
    ),
    partial_update=extend_schema(
        summary="Change some of a planned patrol (supervisors)",
        description="Fields not sent keep their values; a list sent replaces the list.",
        request=PatrolWriteSerializer(partial=True),
        responses=PATROL_STEP,
    ),
)
class PatrolViewSet(mixins.ListModelMixin, ScopedViewSet):
    model = Patrol
    serializer_class = PatrolListSerializer
    permission_classes = [access.PatrolPermission]
    filter_backends = [access.PatrolScope, DjangoFilterBackend, OrderingFilter]
    filterset_class = PatrolFilter
    ordering_fields = ["starts_at", "status", "created_at"]
    ordering = ["-starts_at", "-pk"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def rows(self, queryset):
        if self.action == "list":  # the list's rows carry a link, not the nested records
            return queryset.select_related("area", "ward", "work_return").only(*PATROL_LIST_FIELDS)
        return self.detail_rows(queryset)

    def detail_rows(self, queryset):
        return queryset.select_related(
            "area",
            "ward",
            "planned_by",
            "risk_assessment__assessed_by",
            "risk_assessment__approved_by",
            "work_return",
        ).prefetch_related(
            "hotspots",
            Prefetch(
                "officers",
                queryset=PatrolOfficer.objects.select_related("officer").order_by("role", "pk"),
            ),
            Prefetch("invitations", queryset=PartnerInvitation.objects.select_related("agency")),
        )

    def detail_response(self, patrol: Patrol, code=status.HTTP_200_OK) -> Response:
        """The patrol afresh (after a change), with the warnings its page shows."""
        patrol = self.detail_rows(Patrol.objects).get(pk=patrol.pk)
        warnings = services.patrol_warnings(patrol, list(patrol.officers.all()))
        context = {**self.get_serializer_context(), "warnings": warnings}
        return Response(PatrolDetailSerializer(patrol, context=context).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(self.get_object())

    # --- planning

    def create(self, request, *args, **kwargs):
        serializer = PatrolWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        patrol = self._act(
            services.plan_patrol,
            request.user,
            **serializer.form.plan(),
            invitations=invitation_rows(serializer.formset),
        )
        return self.detail_response(patrol, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        patrol = self.get_object()
        refusal = services.edit_refusal(patrol)  # before the input: nothing sent could help
        if refusal:
            raise rule_error(refusal)
        data = request.data
        if partial:  # JSON: the fields sent, over the patrol as it is
            sent = data.dict() if hasattr(data, "dict") else data
            data = {**_current(patrol), **sent}
        context = {"request": request, "patrol": patrol}
        serializer = PatrolWriteSerializer(data=data, context=context)
        serializer.is_valid(raise_exception=True)
        update = self._act(
            services.update_patrol,
            patrol,
            request.user,
            **serializer.form.plan(),
            invitations=invitation_rows(serializer.formset),
        )
        return self.detail_response(update.patrol)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @staticmethod
    def _act(service, *args, **kwargs):
        """Call one patrols service; its refusal is a 400 under the field it names."""
        try:
            return service(*args, **kwargs)
        except services.PatrolRuleError as error:
            raise rule_error(error, error.field) from None

    # --- the steps before deployment

    def _step(self, act, body=None) -> Response:
        """Fetch (404 outside the user's areas), check the body, then act through the
        service; a step the service refuses is a 400 saying why."""
        patrol = self.get_object()
        data = {}
        if body is not None:
            serializer = body(data=self.request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        self._act(act, patrol, **data)
        return self.detail_response(patrol)

    @extend_schema(
        summary="Cancel a planned patrol (supervisors)",
        request=ReasonSerializer,
        responses=PATROL_STEP,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, uuid=None):
        return self._step(services.cancel, ReasonSerializer)

    @extend_schema(
        summary="Complete or revise the risk assessment",
        description="Revising it withdraws an earlier approval.",
        request=RiskAssessmentInputSerializer,
        responses=PATROL_STEP,
    )
    @action(detail=True, methods=["post"], url_path="assess-risk")
    def assess_risk(self, request, uuid=None):
        record = services.record_risk_assessment
        return self._step(
            lambda patrol, **data: record(patrol, by=request.user, **data),
            RiskAssessmentInputSerializer,
        )

    @extend_schema(
        summary="Approve the risk assessment (supervisors)", request=None, responses=PATROL_STEP
    )
    @action(detail=True, methods=["post"], url_path="approve-risk")
    def approve_risk(self, request, uuid=None):
        return self._step(lambda patrol: services.approve_risk_assessment(patrol, by=request.user))

    @extend_schema(
        summary="Mark the patrol deployed (supervisors)",
        description="Only once its risk assessment is approved.",
        request=None,
        responses=PATROL_STEP,
    )
    @action(detail=True, methods=["post"])
    def deploy(self, request, uuid=None):
        return self._step(services.mark_deployed)

    @extend_schema(
        summary="Close the patrol once its return is reviewed (supervisors)",
        request=None,
        responses=PATROL_STEP,
    )
    @action(detail=True, methods=["post"])
    def close(self, request, uuid=None):
        return self._step(lambda patrol: services.close_patrol(patrol, by=request.user))

    # --- the work return

    def return_response(self, patrol: Patrol, work_return: WorkReturn, code=status.HTTP_200_OK):
        """The return as its page shows it (and logs as viewed), with everything it holds."""
        records = submitted_records(self.request, patrol, work_return)
        for record in [*records["encounters"], *records["arrests"], *records["intelligence"]]:
            record.patrol = patrol  # each names its patrol: no query per row for it
        data = WorkReturnSerializer(work_return, context={"records": records}).data
        return Response(data, status=code)

    @extend_schema(
        summary="The patrol's submitted work return",
        description="For the officers on the patrol and supervisors.",
        responses={200: WorkReturnSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["get"], url_path="return")
    def work_return(self, request, uuid=None):
        patrol = self.get_object()
        work_return = submitted_return(patrol)
        if work_return is None:
            raise NotFound("This patrol has no submitted work return.")
        return self.return_response(patrol, work_return)

    @extend_schema(
        summary="File the work return (the patrol's officers, or a supervisor)",
        description="Everything it records is written together, or nothing. The patrol must "
        "be deployed.",
        request=ReturnSubmitSerializer,
        responses={201: WorkReturnSerializer, **INVALID, **REFUSALS},
    )
    @work_return.mapping.post
    def submit_return(self, request, uuid=None):
        patrol = self.get_object()
        serializer = ReturnSubmitSerializer(data=request.data, context=return_choices(patrol))
        serializer.is_valid(raise_exception=True)
        try:
            work_return = services.submit_return(patrol, request.user, **serializer.submission())
        except services.PatrolRuleError as error:
            raise rule_error(error, error.field) from None
        return self.return_response(patrol, work_return, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Amend the submitted return (supervisors)",
        description="Send the reason and only the fields that change; the change is kept in "
        "the return's amendment history.",
        request=AmendmentInputSerializer,
        responses={200: WorkReturnSerializer, **INVALID, **REFUSALS},
    )
    @action(detail=True, methods=["post"], url_path="return/amend")
    def amend_return(self, request, uuid=None):
        patrol = self.get_object()
        work_return = submitted_return(patrol)
        if work_return is None:
            raise NotFound("This patrol has no submitted work return.")
        choices = return_choices(patrol)
        # As the amend page: the area's active hotspots, and any since retired it records.
        choices["return_hotspots"] = Hotspot.objects.filter(
            Q(ward__area=patrol.area_id, active=True) | Q(visits=work_return)
        ).distinct()
        context = {**choices, "work_return": work_return}
        serializer = AmendmentInputSerializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data["reason"]
        try:
            services.amend_return(work_return, request.user, reason, serializer.changes())
        except services.PatrolRuleError as error:
            raise rule_error(error) from None
        work_return.refresh_from_db()
        return self.return_response(patrol, work_return)


def _current(patrol: Patrol) -> dict:
    """A patrol as the write serializer takes it, for a partial change."""
    starts, ends = timezone.localtime(patrol.starts_at), timezone.localtime(patrol.ends_at)
    duties = list(patrol.officers.all())
    return {
        "ward": patrol.ward_id,
        "date": starts.date(),
        "start_time": starts.time(),
        "end_time": ends.time(),
        "meeting_point": patrol.meeting_point,
        "hotspots": [str(hotspot.uuid) for hotspot in patrol.hotspots.all()],
        "ephedra_pcs": [str(d.officer.uuid) for d in duties if d.role == OfficerRole.EPHEDRA_PC],
        "local_pcs": [str(d.officer.uuid) for d in duties if d.role == OfficerRole.LOCAL_PC],
        "invitations": [
            {"agency": str(i.agency.uuid), "activity": i.activity, "notes": i.notes}
            for i in patrol.invitations.all()
        ],
    }
