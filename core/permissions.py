"""The one permission registry and the one view mixin.

Each app declares its rules table in its own ``permissions.py`` (right -> roles allowed)
and registers it here with ``register(RULES)``; ``has_permission(user, "app.right")`` then
answers for every page, API resource, admin and context processor alike.

What a refusal looks like is decided here once: a user without the right gets 403, except
a partner user, who gets 404 (partners must not learn that police pages exist); a visitor
who is not signed in is sent to sign in (for an htmx fragment request, the whole page is).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from django_htmx.http import HttpResponseClientRedirect

Rules = Mapping[str, frozenset[str]]

_RULES: dict[str, frozenset[str]] = {}


def register(rules: Rules) -> None:
    """Add an app's rules. A right is declared once: a second, different declaration is
    a programming error (two homes for one rule)."""
    for right, roles in rules.items():
        if _RULES.get(right, roles) != roles:
            raise ImproperlyConfigured(f"The right {right!r} is declared twice, differently.")
        _RULES[right] = frozenset(roles)


def roles_with(right: str) -> frozenset[str]:
    """The roles that hold the right; an unknown right raises KeyError (a typo must fail)."""
    return _RULES[right]


def has_permission(user, right: str) -> bool:
    """Whether the signed-in, active user's role holds the right."""
    allowed = roles_with(right)
    if not (user is not None and user.is_authenticated and user.is_active):
        return False
    return user.role in allowed


def is_partner(user) -> bool:
    return bool(getattr(user, "is_partner", False))


def deny(user) -> None:
    """Refuse a signed-in user: 404 for a partner user, 403 for anyone else."""
    if is_partner(user):
        raise Http404
    raise PermissionDenied


class PermissionRequiredMixin(AccessMixin):
    """Declare ``permission_required`` (a registered right) on the view; this enforces it."""

    permission_required: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not self.permission_required:
            raise ImproperlyConfigured(f"{type(self).__name__} declares no permission_required.")
        user = request.user
        if not user.is_authenticated:
            if getattr(request, "htmx", False):
                # A fragment request after the session ended: send the whole page to sign-in.
                return HttpResponseClientRedirect(redirect_to_login(request.get_full_path()).url)
            return self.handle_no_permission()
        if not has_permission(user, self.permission_required):
            deny(user)
        return super().dispatch(request, *args, **kwargs)
