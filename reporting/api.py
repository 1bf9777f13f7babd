"""REST API for crime data and generated reports: the police pages' capabilities, under
the same rules (reporting.permissions.RULES), through the same functions.

- Crime records: read-only, any police role (the ranking's right), scoped in SQL to the
  user's areas; filter by area code, month, crime type and LSOA.
- Generated reports: the project lead's, as on the reports page — list and status, ask for
  one (validated by the page's own form, built by ``services.request_report``), download
  the PDF (an audit row ``reporting.generatedreport.downloaded``). Reports are found
  through the user's areas (``reports_for``); partner users get 404, as on the page,
  where no partner sees reports.
"""

import datetime as dt
import re

import django_filters
from django import forms
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse

from accounts.models import Area
from core.api import RulePermission, ScopeFilter, rule_error
from core.dates import ApiDateField, validate_plausible

from . import services
from .forms_reports import ReportRequestForm
from .models import CrimeRecord, CrimeType, GeneratedReport, ReportKind, ReportStatus
from .permissions import RULES
from .selectors import crimes_for, download_name, reports_for

# --- Crime records ------------------------------------------------------------------------


class MonthField(forms.CharField):
    """A month written YYYY-MM, as its first day."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{2})", value)
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
            raise forms.ValidationError("Enter a month as a year and month, like 2025-03.")
        month = dt.date(int(match[1]), int(match[2]), 1)
        validate_plausible(month)
        return month


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2025-03"})
class MonthFilter(django_filters.Filter):
    field_class = MonthField


class CrimeRecordFilter(django_filters.FilterSet):
    area = django_filters.CharFilter(field_name="area__code", label="Area (ONS code)")
    month = MonthFilter(field_name="month", label="Month (YYYY-MM)")
    month_from = MonthFilter(field_name="month", lookup_expr="gte", label="From month")
    month_to = MonthFilter(field_name="month", lookup_expr="lte", label="To month")
    crime_type = django_filters.MultipleChoiceFilter(choices=CrimeType.choices)
    lsoa = django_filters.CharFilter(field_name="lsoa_code", label="LSOA code")

    class Meta:
        model = CrimeRecord
        fields = ["area", "month", "month_from", "month_to", "crime_type", "lsoa"]


class CrimeRecordSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = CrimeRecord
        fields = [
            "id",
            "crime_id",
            "area",
            "month",
            "date",
            "crime_type",
            "last_outcome",
            "location",
            "latitude",
            "longitude",
            "lsoa_code",
            "lsoa_name",
            "reported_by",
            "falls_within",
            "context",
        ]
        read_only_fields = fields


class CrimeRecordPermission(RulePermission):
    rules = RULES
    action_rules = {"list": "reporting.view_ranking", "retrieve": "reporting.view_ranking"}


class CrimeScope(ScopeFilter):
    def scope(self, user, queryset):
        return queryset & crimes_for(user)


@extend_schema(tags=["crime data"])
class CrimeRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """Imported crime records (data.police.uk and local extracts) of your areas."""

    queryset = CrimeRecord.objects.select_related("area").order_by("-month", "pk")
    serializer_class = CrimeRecordSerializer
    permission_classes = [CrimeRecordPermission]
    filter_backends = [
        CrimeScope,
        django_filters.rest_framework.DjangoFilterBackend,
        OrderingFilter,
    ]
    filterset_class = CrimeRecordFilter
    ordering_fields = ["month", "date", "crime_type", "lsoa_code"]


# --- Generated reports --------------------------------------------------------------------


class PDFRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf`` on a download."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class GeneratedReportSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    requested_by = serializers.StringRelatedField(allow_null=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = GeneratedReport
        fields = [
            "uuid",
            "kind",
            "area",
            "period_start",
            "period_end",
            "status",
            "superseded",
            "last_error",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "download",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_download(self, report) -> str | None:
        if report.status != ReportStatus.READY:
            return None
        request = self.context.get("request")
        return reverse("api:report-download", args=[report.uuid], request=request)


class ReportRequestSerializer(serializers.Serializer):
    """What the reports page asks for; checked by the page's own form (ReportRequestForm)."""

    kind = serializers.ChoiceField(choices=ReportKind.choices)
    area = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.none(), help_text="One of your areas (ONS code)."
    )
    month = serializers.RegexField(
        r"^\d{4}-\d{1,2}$",
        required=False,
        allow_blank=True,
        help_text="Monthly reports: YYYY-MM (last month if left out).",
    )
    week = ApiDateField(
        required=False, allow_null=True, help_text="Deployment sheet: any day of the week."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["area"].queryset = request.user.areas.all()

    def validate(self, attrs):
        data = {
            "kind": attrs["kind"],
            "area": attrs["area"].pk,
            "month": attrs.get("month") or "",
            "week": attrs["week"].isoformat() if attrs.get("week") else "",
        }
        form = ReportRequestForm(data, user=self.context["request"].user)
        if not form.is_valid():
            errors = {name: list(messages) for name, messages in form.errors.items()}
            if "__all__" in errors:
                errors["non_field_errors"] = errors.pop("__all__")
            raise serializers.ValidationError(errors)
        return form.cleaned_data


class ReportPermission(RulePermission):
    rules = RULES
    action_rules = dict.fromkeys(["list", "retrieve", "create", "download"], "reporting.reports")


class ReportScope(ScopeFilter):
    def scope(self, user, queryset):
        return queryset & reports_for(user)


class ReportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ReportKind.choices)
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)
    area = django_filters.CharFilter(field_name="area__code", label="Area (ONS code)")
    superseded = django_filters.BooleanFilter()

    class Meta:
        model = GeneratedReport
        fields = ["kind", "status", "area", "superseded"]


@extend_schema(tags=["reports"])
class GeneratedReportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Reports built in the background: ask for one, watch its status, download it."""

    queryset = GeneratedReport.objects.select_related("area", "requested_by").order_by(
        "-created_at", "-pk"
    )
    serializer_class = GeneratedReportSerializer
    permission_classes = [ReportPermission]
    filter_backends = [
        ReportScope,
        django_filters.rest_framework.DjangoFilterBackend,
        OrderingFilter,
    ]
    filterset_class = ReportFilter
    ordering_fields = ["created_at", "period_start", "status"]
    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"

    @extend_schema(
        request=ReportRequestSerializer,
        responses={201: GeneratedReportSerializer},
        summary="Ask for a report",
    )
    def create(self, request, *args, **kwargs):
        asked = ReportRequestSerializer(data=request.data, context={"request": request})
        asked.is_valid(raise_exception=True)
        data = asked.validated_data
        try:
            period = (data["period_start"], data["period_end"])
            report = services.request_report(data["kind"], data["area"], *period, by=request.user)
        except services.ReportRuleError as error:
            raise rule_error(error) from None
        report = self.get_queryset().get(pk=report.pk)
        body = self.get_serializer(report).data
        location = reverse("api:report-detail", args=[report.uuid], request=request)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        summary="Download a ready report (PDF)",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF.")
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PDFRenderer])
    def download(self, request, uuid=None):
        report = self.get_object()
        if report.status != ReportStatus.READY:
            raise NotFound("The report is not ready: see its status.")
        try:
            handle = report.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise NotFound from None  # the file went missing: as if there were no report
        services.record_download(report, request._request)
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=download_name(report),
            content_type="application/pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        # An error on a download asked for as PDF is still JSON, in the error shape.
        if isinstance(response, Response) and isinstance(
            getattr(request, "accepted_renderer", None), PDFRenderer
        ):
            request.accepted_renderer, request.accepted_media_type = (
                JSONRenderer(),
                "application/json",
            )
        return super().finalize_response(request, response, *args, **kwargs)


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("crime-records", CrimeRecordViewSet, basename="crime-record")
    router.register("reports", GeneratedReportViewSet, basename="report")
