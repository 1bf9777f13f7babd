"""The REST API's shared pieces: the two base classes each resource specialises — a
permission class that applies the app's own RULES (the same dict its pages use) and a
filter backend that scopes the queryset in SQL.

Outsiders get 404 (the scoped queryset does not hold the object), partner users get 404
from police-only resources, police users whose role lacks the right get 403.

Also here: the JSON 404 for unknown addresses under /api/ and the OpenAPI pieces (the
Bearer-token security scheme, a hook documenting the error responses on every operation).
Pagination, throttles and the error shape are in ``core.api_defaults`` (DRF imports
them from its settings while loading its views, so that module must not import views).
"""

import sys

from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import status as http_status
from rest_framework.exceptions import NotFound
from rest_framework.filters import BaseFilterBackend
from rest_framework.permissions import BasePermission
from rest_framework.serializers import ValidationError
from rest_framework.settings import api_settings

from .api_defaults import RETRY_AFTER_SECONDS, UNAVAILABLE, UNAVAILABLE_DETAIL, error_body
from .permissions import is_partner

# --- Permissions and scoping -------------------------------------------------------------


class RulePermission(BasePermission):
    """Maps each viewset action to a key of an app's RULES.

    Subclasses set ``rules`` (the app's RULES dict) and ``action_rules`` ({action: key});
    an action missing from ``action_rules`` is refused. ``partners_allowed`` is False for
    police-only resources: partner users then get 404 for every request. A method the
    route does not have (DELETE on a read-only resource) is 405 for every signed-in user.
    """

    rules: dict[str, frozenset[str]] = {}
    action_rules: dict[str, str] = {}
    partners_allowed = False

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        action_map = getattr(view, "action_map", None)
        method = request.method.lower()
        if action_map is not None and method not in action_map and method != "options":
            return True  # a method the route does not have: DRF answers 405, for everyone
        if is_partner(user) and not self.partners_allowed:
            raise NotFound
        key = self.action_rules.get(_action(request, view))
        if key is None:
            return False
        allowed = user.role in self.rules[key]
        if not allowed and is_partner(user):
            raise NotFound
        if allowed and method == "options" and _names_a_record(view):
            view.get_object()  # through the scope: 404 for a record the user may not see
        return allowed


def _action(request, view) -> str:
    """The viewset action whose rule applies. OPTIONS (DRF's action "metadata") describes
    the address, so it takes the rule of reading it (or of its one action, for a POST-only
    route); DRF's metadata then asks again for PUT and POST with their own actions."""
    action = getattr(view, "action", None) or ""
    if action != "metadata":
        return action
    action_map = getattr(view, "action_map", None) or {}
    method = request.method.lower()
    if method != "options":
        return action_map.get(method, "")
    return action_map.get("get") or next(iter(action_map.values()), "")


def _names_a_record(view) -> bool:
    lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", None)
    return bool(lookup) and lookup in getattr(view, "kwargs", {})


class ApiRulePermission(RulePermission):
    """A method the endpoint does not offer answers 405 to a signed-in user, before any
    lookup (the same answer for every UUID, as the portal's POST-only pages)."""

    def has_permission(self, request, view) -> bool:
        if request.user.is_authenticated and getattr(view, "action", None) is None:
            return True  # DRF then answers 405 Method Not Allowed
        return super().has_permission(request, view)


class ScopeFilter(BaseFilterBackend):
    """Narrows a list or detail queryset to what the user may see, in SQL.

    Subclasses implement ``scope(user, queryset)`` by calling the app's own scoping
    function (``Patrol.objects.visible_to``, ``referrals_for`` ...), never re-implementing it.
    """

    def scope(self, user, queryset):
        raise NotImplementedError

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "swagger_fake_view", False):  # schema generation: no user
            return queryset.none()
        try:
            return self.scope(request.user, queryset)
        except Http404:
            raise NotFound from None


def form_errors(form, rename: dict[str, str] | None = None) -> dict[str, list[str]]:
    """A page's Django form errors under the API's field names (non-field errors as DRF's),
    so the API validates with the same forms as the pages."""
    rename = {"__all__": api_settings.NON_FIELD_ERRORS_KEY, **(rename or {})}
    errors: dict[str, list[str]] = {}
    for field, messages in form.errors.items():
        errors.setdefault(rename.get(field, field), []).extend(messages)
    return errors


def rule_error(error: Exception, field: str | None = None) -> ValidationError:
    """A service's refusal (a domain rule) as a 400 with its message."""
    return ValidationError({field or api_settings.NON_FIELD_ERRORS_KEY: [str(error)]})


@csrf_exempt  # it only ever answers 404: a PUT here must not get the HTML CSRF page
def not_found(request, path=""):
    """Any address under /api/ that names no resource: JSON, never the HTML 404 page."""
    detail = "Nothing is at this address."
    if not request.path.endswith("/"):
        try:
            if resolve(request.path + "/").url_name != "not_found":
                detail = f"Nothing is at this address. Did you mean {request.path}/ ?"
        except Resolver404:
            pass
    return JsonResponse(error_body(404, detail), status=http_status.HTTP_404_NOT_FOUND)


# --- Django's error handlers (ephedra/urls.py): JSON under /api/, the pages elsewhere ---
# DRF answers what its views raise; these answer the rest under /api/ (a bug's 500, an
# error in a middleware, a request Django itself refuses) in the same shape.


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _api_error(status: int, detail: str) -> JsonResponse:
    return JsonResponse(error_body(status, detail), status=status)


def bad_request(request, exception):
    if _is_api(request):
        return _api_error(400, "The request could not be read.")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _is_api(request):
        return _api_error(403, "You may not do this.")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _is_api(request):
        return _api_error(404, "Nothing is at this address.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    """A bug (logged by Django before this runs), or a service down: 503 + Retry-After."""
    if not _is_api(request):
        return defaults.server_error(request)
    if isinstance(sys.exception(), UNAVAILABLE):
        response = _api_error(503, UNAVAILABLE_DETAIL)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return _api_error(500, "Something went wrong on our side; it has been logged.")


# --- OpenAPI -----------------------------------------------------------------------------


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "eph_<prefix>_<secret>",
            "description": "A personal API token: make one at /account/api-tokens/.",
        }


# Where an operation's error response points in the schema (the component added below).
ERROR = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error answer has this shape.",
    "properties": {
        "status": {"type": "integer", "description": "The HTTP status code."},
        "code": {"type": "string", "description": "A machine-readable reason, e.g. invalid."},
        "detail": {"type": "string", "description": "What went wrong, for a person."},
        "errors": {
            "type": "object",
            "description": "Each refused field (or non_field_errors) and its messages.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["status", "code", "detail", "errors"],
}
ERROR_DESCRIPTIONS = {
    "400": "The request was refused: see `errors` for each field.",
    "401": "No credentials, or a token that is unknown, expired, revoked or belongs to an "
    "inactive user.",
    "403": "Your role may not do this.",
    "404": "No such record, or not one you may see.",
    "415": "The body must be JSON (Content-Type: application/json).",
    "429": "Too many requests from you (tokens and session together): wait for Retry-After.",
}
BODY_METHODS = {"post", "put", "patch"}


def document_error_responses(result, generator, request, public):
    """Every operation may answer 400/401/403/404/429 (and 415 if it takes a body), in
    the one error shape: documented so clients (and Schemathesis) expect them."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["400", "401", "403", "404", "429"]
            if method in BODY_METHODS:
                codes.append("415")
            for code in codes:
                # A viewset may have described the error already: keep its words.
                response = operation["responses"].setdefault(code, {})
                response.setdefault("description", ERROR_DESCRIPTIONS[code])
                response.setdefault("content", {"application/json": {"schema": ref}})
    return result
