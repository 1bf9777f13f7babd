"""What every patrols viewset shares: UUIDs in URLs, the scope filter first, the documented
refusals, and the read-only viewset for records about people (each one shown is logged as
viewed)."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from governance import audit

UUID_PATTERN = "[0-9a-fA-F-]{32,36}"

REFUSALS = {
    403: OpenApiResponse(description="Signed in, but your role may not do this."),
    404: OpenApiResponse(description="No such record that you may see."),
}
INVALID = {400: OpenApiResponse(description="Invalid input: messages by field name.")}


class ScopedViewSet(viewsets.GenericViewSet):
    """UUIDs in URLs; the scope filter first, then filtering and ordering."""

    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN
    filter_backends: list = []
    model = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return self.model.objects.none()
        return self.rows(self.model.objects.all())

    def rows(self, queryset):
        """The queryset with everything the serializer reads, in a fixed number of queries."""
        return queryset


class PersonalRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Read-only records about people: every record shown is logged as viewed, with the
    related records about people shown with it (``audited_with``)."""

    audited_with: tuple[str, ...] = ()

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        shown = page if page is not None else list(queryset)
        audit.viewed_many(request, audit.with_related(shown, *self.audited_with))
        data = self.get_serializer(shown, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        record = self.get_object()
        audit.viewed_many(request, audit.with_related([record], *self.audited_with))
        return Response(self.get_serializer(record).data)
