"""The REST API's shared pieces: the router every app registers with, and the two base
classes each resource specialises — a permission class that applies the app's own RULES
(the same dict its pages use) and a filter backend that scopes the queryset in SQL.

Outsiders get 404 (the scoped queryset does not hold the object), partner users get 404
from police-only resources, police users whose role lacks the right get 403.
"""

from django.http import Http404
from rest_framework.exceptions import NotFound
from rest_framework.filters import BaseFilterBackend
from rest_framework.permissions import BasePermission
from rest_framework.routers import DefaultRouter

from accounts.models import Role


class RulePermission(BasePermission):
    """Maps each viewset action to a key of an app's RULES.

    Subclasses set ``rules`` (the app's RULES dict) and ``action_rules`` ({action: key});
    an action missing from ``action_rules`` is refused. ``partners_allowed`` is False for
    police-only resources: partner users then get 404 for every request.
    """

    rules: dict[str, frozenset[str]] = {}
    action_rules: dict[str, str] = {}
    partners_allowed = False

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.role == Role.PARTNER and not self.partners_allowed:
            raise NotFound
        key = self.action_rules.get(getattr(view, "action", None) or "")
        if key is None:
            return False
        allowed = user.role in self.rules[key]
        if not allowed and user.role == Role.PARTNER:
            raise NotFound
        return allowed


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


def build_router() -> DefaultRouter:
    from accounts import api as accounts_api
    from partners import api as partners_api
    from patrols import api as patrols_api
    from referrals import api as referrals_api
    from reporting import api as reporting_api

    router = DefaultRouter()
    for module in (accounts_api, partners_api, patrols_api, referrals_api, reporting_api):
        module.register(router)
    return router
