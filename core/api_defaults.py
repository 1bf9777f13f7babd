"""REST framework defaults shared by every resource (settings.REST_FRAMEWORK names them):
pagination, the per-user rate limits, and the one JSON error shape.

DRF imports these while its own views module loads: import nothing here that imports
``rest_framework.views`` (or generics, routers, viewsets) at module level.
"""

import time

from django.core.exceptions import RequestDataTooBig
from kombu.exceptions import OperationalError as BrokerUnavailable
from redis.exceptions import ConnectionError as RedisUnavailable
from redis.exceptions import TimeoutError as RedisTimeout
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle
from rest_framework.utils.urls import remove_query_param, replace_query_param

from . import rate_limit
from .queries import page_rows

# --- Pagination and throttling -----------------------------------------------------------


class Pagination(PageNumberPagination):
    """50 a page; ``?page_size=`` up to 200 for integrations pulling everything.

    No COUNT over the user's whole scope (at force scale it cost more than the page): one
    row more than the page is read to know whether there is a next page, and the answer
    is ``{"next", "previous", "results"}``. A page past the end, or a page that is not a
    whole number from 1 to ``MAX_PAGE``, is 404.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    MAX_PAGE = 1_000_000  # beyond it an OFFSET would overflow the database's integers
    template = None  # the browsable API's page numbers would need the count

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        self.number = self._page_number(request)
        offset = (self.number - 1) * size
        rows = page_rows(queryset, offset, size + 1)
        if self.number > 1 and not rows:
            raise NotFound(self.invalid_page_message)
        self.more = len(rows) > size
        return rows[:size]

    def _page_number(self, request) -> int:
        raw = request.query_params.get(self.page_query_param) or "1"
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= self.MAX_PAGE:
            raise NotFound(self.invalid_page_message)
        return int(raw)

    def get_paginated_response(self, data):
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_next_link(self):
        if not self.more:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number == 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        del answer["properties"]["count"]
        answer["required"] = ["results"]
        return answer


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
