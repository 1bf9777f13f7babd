"""REST framework defaults shared by every resource (settings.REST_FRAMEWORK names them):
pagination, the per-user rate limits, and the one JSON error shape.

DRF imports these while its own views module loads: import nothing here that imports
``rest_framework.views`` (or generics, routers, viewsets) at module level.
"""

import time

from django.core.exceptions import RequestDataTooBig
from django.db.models import QuerySet
from kombu.exceptions import OperationalError as BrokerUnavailable
from redis.exceptions import ConnectionError as RedisUnavailable
from redis.exceptions import TimeoutError as RedisTimeout
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle
from rest_framework.utils.urls import remove_query_param, replace_query_param

from . import keyset, rate_limit
from .queries import keyed_rows, page_rows

# --- Pagination and throttling -----------------------------------------------------------


class Pagination(CursorPagination):
    """Keyset (cursor) pages: 50 a page, ``?page_size=`` up to 200 for integrations
    pulling everything; ``next`` and ``previous`` are links carrying ``?cursor=`` (URL-safe
    base64 of compact JSON), ``null`` at the ends; the answer is ``{"next", "previous",
    "results"}``, with no COUNT over the user's whole scope.

    A page is the rows after (``previous``: before) the row its cursor names, in the
    list's ordering made total (core.keyset: the views' ``ordering`` or the client's
    ``?ordering=``, then the pk; NULLs last): however deep, the database reads by the
    ordering's index from that row on, where an OFFSET walked and dropped every row before
    it. One row more than the page is read to know whether another follows; two queries
    a page (core.queries.keyed_rows), as before. The cursor holds the values of the
    ordering's fields for a row the page showed (fields the view names in
    ``ordering_fields`` or ``ordering``, never any other: a partner must not key by
    made_at), the row named by its uuid where it has one (not its integer key), and its
    filter narrows the scoped queryset, never widens it. An ordering that cannot be keyed
    (see core.keyset) is paged by an offset in the cursor instead.

    A cursor that was not made here, or was made for another ordering, is 404 in the one
    error shape; so is ``?page=``, which lists no longer read (a client counting pages
    would read the first page for ever)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    MAX_OFFSET = 200_000_000  # beyond it an OFFSET would overflow the database's integers
    invalid_cursor_message = "Invalid cursor."
    cursor_query_description = "Where the page starts: the cursor of a next or previous link."
    template = None

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        # None: no link; "": the first page (no cursor); else the page's cursor.
        self.next_cursor = self.previous_cursor = None
        if "page" in request.query_params:
            raise NotFound("Lists are read by ?cursor=, from their next and previous links.")
        size = self.get_page_size(request)
        cursor = request.query_params.get(self.cursor_query_param) or None
        keys = keyset.keys_for(queryset, _orderable(view))
        try:
            if keys is None:
                return self._offset_page(queryset, size, cursor)
            return self._keyset_page(queryset, keys, size, cursor)
        except keyset.InvalidCursor:
            raise NotFound(self.invalid_cursor_message) from None

    def _keyset_page(self, queryset, keys, size, cursor):
        position = keyset.read_position(cursor, keys) if cursor else None
        backwards = position is not None and position.backwards
        read = [key.reversed() for key in keys] if backwards else keys
        rows = queryset.order_by(*(key.order() for key in read))
        if position is not None:
            values = keyset.at_uuids(queryset, read, position.values)
            rows = rows.filter(keyset.after(read, values))
        page = keyed_rows(rows, [key.read for key in read], size + 1)
        more, page = len(page) > size, page[:size]
        if backwards:
            page.reverse()
        first, last = (page[0][1], page[-1][1]) if page else (None, None)
        if backwards:  # rows follow this page: the ones the cursor's row begins
            self.next_cursor = keyset.position_cursor(keys, last, False) if page else ""
            if more:
                self.previous_cursor = keyset.position_cursor(keys, first, True)
        else:
            if more:
                self.next_cursor = keyset.position_cursor(keys, last, False)
            if position is not None:  # rows came before it: up to the cursor's row
                edge = first if page else position.values
                self.previous_cursor = keyset.position_cursor(keys, edge, True)
        return [row for row, _ in page]

    def _offset_page(self, queryset, size, cursor):
        terms = keyset.ordering_of(queryset) if isinstance(queryset, QuerySet) else []
        offset = keyset.read_offset(cursor, terms, self.MAX_OFFSET) if cursor else 0
        rows = page_rows(queryset, offset, size + 1)
        if len(rows) > size and offset + size <= self.MAX_OFFSET:
            self.next_cursor = keyset.offset_cursor(terms, offset + size)
        if offset > 0:
            back = offset - size
            self.previous_cursor = keyset.offset_cursor(terms, back) if back > 0 else ""
        return rows[:size]

    def get_paginated_response(self, data):
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_next_link(self):
        return self._link(self.next_cursor)

    def get_previous_link(self):
        return self._link(self.previous_cursor)

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        if cursor == "":
            return remove_query_param(url, self.cursor_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response_schema(self, schema):
        def link(direction):
            return {
                "type": "string",
                "format": "uri",
                "nullable": True,
                "description": f"The {direction} page (a link with its cursor); null at the end.",
                "example": "https://ephedra.example/api/v1/patrols/?cursor=eyJzIjoiMWYyZTNk"
                "NGM1YjZhIiwiayI6WzQyXX0",
            }

        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link("next"), "previous": link("previous"), "results": schema},
        }


def _orderable(view) -> set[str] | None:
    """The fields a cursor may carry: those the view lets clients order by and its own
    ordering (the pk always). None when the view names neither (its queryset's ordering
    is then the view's choice) or allows every field."""
    fields = getattr(view, "ordering_fields", None)
    default = getattr(view, "ordering", None)
    if fields == "__all__" or (fields is None and default is None):
        return None
    if isinstance(default, str):
        default = [default]
    return {term.removeprefix("-") for term in [*(fields or []), *(default or [])]}


class ApiRateThrottle(BaseThrottle):
    """Limits API requests per signed-in user: made with any of their tokens or from
    their browser session, all count together (core.rate_limit: atomic, so it holds
    when requests arrive at once). Anonymous requests are refused (401) before they
    cost anything, so they are not counted.

    The rate is read on each request (DRF reads it once, at import), so a test can
    change ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``; ``timer`` can be replaced too."""

    scope = "api_sustained"
    timer = staticmethod(time.time)

    def allow_request(self, request, view) -> bool:
        user = request.user
        text = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        if not (text and user and user.is_authenticated):
            return True
        rate = rate_limit.Rate.parse(text)
        count = rate_limit.hit(f"{self.scope}:{user.pk}", rate, self.timer())
        self.retry_after = count.retry_after
        return rate_limit.allows(count, rate)

    def wait(self) -> float:
        return self.retry_after


class ApiBurstRateThrottle(ApiRateThrottle):
    scope = "api_burst"


class BodyTooLarge(ParseError):
    """Over DATA_UPLOAD_MAX_MEMORY_SIZE: from core.api_parsers, or from Django when the
    body was read before DRF parsed it (CSRF's check of a session request)."""

    default_detail = "The request body is too large."
    default_code = "too_large"


# --- One error shape ---------------------------------------------------------------------

ERROR_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}

# A service the request truly needs (Redis: the cache, the task queue) is down: the client
# may try again later, so 503 with Retry-After rather than a 500.
UNAVAILABLE = (RedisUnavailable, RedisTimeout, BrokerUnavailable)
RETRY_AFTER_SECONDS = 30
UNAVAILABLE_DETAIL = "A service Ephedra needs is unavailable. Try again in a minute."


def error_body(status: int, detail: str, code: str = "", errors: dict | None = None) -> dict:
    """``{"status", "code", "detail", "errors"}``: ``errors`` maps a field name (or
    ``non_field_errors``) to its messages, and is empty unless the input was refused."""
    return {
        "status": status,
        "code": code or ERROR_CODES.get(status, "error"),
        "detail": detail,
        "errors": errors or {},
    }


def _field_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """A ValidationError's detail as {field: [messages]}; nested fields as ``a.b``/``a.0``."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for name, inner in detail.items():
            flat.update(_field_errors(inner, f"{prefix}{name}."))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, inner in enumerate(detail):
            flat.update(_field_errors(inner, f"{prefix}{index}."))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    key = prefix.rstrip(".") or api_settings.NON_FIELD_ERRORS_KEY
    return {key: [str(message) for message in messages]} if messages else {}


def exception_handler(exc, context):
    """DRF's handler (which also rolls back the request's transaction), then the shape."""
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, RequestDataTooBig):
        exc = BodyTooLarge()
    response = drf_exception_handler(exc, context)
    if response is None and isinstance(exc, UNAVAILABLE):
        return _unavailable(exc)
    if response is None:
        return None  # a bug: Django's 500 handling (core.api.server_error) takes it
    if isinstance(exc, ValidationError):
        errors = _field_errors(exc.detail)
        count = sum(len(messages) for messages in errors.values())
        detail = "The request has an error." if count == 1 else "The request has errors."
        response.data = error_body(response.status_code, detail, "invalid", errors)
    else:
        codes = exc.get_codes() if hasattr(exc, "get_codes") else ""
        code = codes if isinstance(codes, str) else ""
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        response.data = error_body(response.status_code, str(detail), code)
    return response


def _unavailable(exc):
    """503 in the error shape, logged (the operator must hear that Redis is down)."""
    import logging

    from rest_framework.response import Response

    logging.getLogger(__name__).warning("A service is unavailable: %s", type(exc).__name__)
    response = Response(error_body(503, UNAVAILABLE_DETAIL), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
