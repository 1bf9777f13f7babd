"""Asking for the password again before personal data leaves the system (exports, downloads).

The sign-in counts as entering the password; after ``settings.REAUTHENTICATE_AFTER`` the
user is sent to "Confirm it is you" and then back to where they were going.
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from .middleware import REAUTHENTICATED_AT, now_seconds, redirect_to


def recently_authenticated(request) -> bool:
    at = request.session.get(REAUTHENTICATED_AT)
    return at is not None and now_seconds() - at <= settings.REAUTHENTICATE_AFTER.total_seconds()


def _confirm_first(request):
    url = reverse("accounts:confirm_identity")
    # After confirming, come back with a GET: the page that offered the download.
    back = (
        request.get_full_path() if request.method == "GET" else request.headers.get("Referer", "")
    )
    if back:
        url += "?" + urlencode({"next": back})
    return redirect_to(request, url)


class RecentAuthenticationRequiredMixin:
    """On a view that exports or downloads personal data. Put it after the permission
    mixin, so outsiders still get their 404 before being asked for a password."""

    def needs_recent_authentication(self, request) -> bool:
        """Override when only some requests of the view let data out (a ?download)."""
        return True

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and self.needs_recent_authentication(request)
            and not recently_authenticated(request)
        ):
            return _confirm_first(request)
        return super().dispatch(request, *args, **kwargs)


def recent_authentication_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and not recently_authenticated(request):
            return _confirm_first(request)
        return view(request, *args, **kwargs)

    return wrapper
