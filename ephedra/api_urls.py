"""/api/: the versioned resources (/api/v1/), the OpenAPI schema and its two readers.

The schema and the docs are for signed-in users and token holders (a partner's developer
reads the schema with their token); a browser that is not signed in is sent to sign in.
Swagger UI and ReDoc come from drf-spectacular-sidecar (no outside host) and need a little
more than the site's strict Content Security Policy allows: those two pages, and only
they, get it (Django's ``csp_override``). Anything else under /api/ answers a JSON 404.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path, re_path
from django.utils.csp import CSP
from django.views import View
from django.views.decorators.csp import csp_override
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from core.api import not_found
from partners import api as partners_api
from patrols import api as patrols_api
from referrals import api as referrals_api
from reporting import api as reporting_api

app_name = "api"

# Swagger UI and ReDoc style their pages from script (inline style attributes and, for
# ReDoc, <style> elements) and show data: images; ReDoc searches in a blob: web worker.
# Scripts stay 'self' only: the split Swagger view serves its start-up script as a file.
DOCS_CSP = {
    **settings.SECURE_CSP,
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "worker-src": [CSP.SELF, "blob:"],
}


def build_router() -> DefaultRouter:
    """The router every app with resources registers with."""
    # No ".json" suffix routes: one address per resource, JSON is the only format.
    router = DefaultRouter()
    router.include_format_suffixes = False
    for module in (partners_api, patrols_api, referrals_api, reporting_api):
        module.register(router)
    return router


class SwaggerDocs(SpectacularSwaggerSplitView):
    # OPTIONS answers the methods, as for any page: DRF's metadata answer would be
    # rendered with this view's HTML renderer, which has no template for it (a 500).
    options = View.options


class RedocDocs(SpectacularRedocView):
    options = View.options


def docs_page(view):
    """Sign-in first for a browser with no credentials; then the docs' own CSP."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated and "HTTP_AUTHORIZATION" not in request.META:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return csp_override(DOCS_CSP)(wrapper)


urlpatterns = [
    path("v1/", include(build_router().urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        docs_page(SwaggerDocs.as_view(url_name="api:schema")),
        name="docs",
    ),
    path(
        "docs/redoc/",
        docs_page(RedocDocs.as_view(url_name="api:schema", template_name="api/redoc.html")),
        name="redoc",
    ),
    re_path(r"^(?P<path>.*)$", not_found, name="not_found"),
]
