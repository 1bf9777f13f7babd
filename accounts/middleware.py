"""Session rules (idle and absolute timeouts, sign out everywhere) and the second factor.

Both run after django-otp's ``OTPMiddleware`` and before messages. Requests without a
session user (API tokens, checked inside DRF) pass through both untouched.
"""

from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage import default_storage
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django_htmx.http import HttpResponseClientRedirect
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

SIGNED_IN_AT = "accounts_signed_in_at"  # epoch seconds of the password sign-in
LAST_SEEN = "accounts_last_seen"  # epoch seconds of the latest request
REAUTHENTICATED_AT = "accounts_reauthenticated_at"  # password last typed (sign-in counts)

# Last-seen is written at most this often, so a burst of requests writes the session once.
_TOUCH_EVERY = 60

SIGNED_OUT_BECAUSE = {
    "idle": "You were signed out because you had not used Ephedra for a while. Sign in again.",
    "absolute": "You were signed out because your session reached its time limit. Sign in again.",
    "everywhere": "You were signed out on this device because someone chose "
    "'Sign out everywhere' on your account. Sign in again.",
}


def now_seconds() -> float:
    return timezone.now().timestamp()


def stamp_sign_in(session) -> None:
    """Mark this session as freshly signed in (the sign-in also counts as re-entering
    the password for ``accounts.reauth``)."""
    now = now_seconds()
    session[SIGNED_IN_AT] = session[LAST_SEEN] = session[REAUTHENTICATED_AT] = now


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def redirect_to(request, url: str):
    """A redirect that htmx follows as a full page load."""
    if getattr(request, "htmx", False) or request.headers.get("HX-Request") == "true":
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def _url_with_next(name: str, request) -> str:
    url = reverse(name)
    if request.method == "GET" and not is_api(request):
        url += "?" + urlencode({"next": request.get_full_path()})
    return url


class SessionOTPMiddleware(OTPMiddleware):
    """django-otp's middleware, minus its device query on every request.

    A session is verified when django_otp.login() stored the device that verified it
    (login() checks the device belongs to the user, and Django binds the session to the
    user). The device itself loads only if something reads ``user.otp_device``. A reset of
    the second factor also ends every session of the user (``sessions_valid_after``), so
    no session outlives the devices it was verified with.
    """

    def _verify_user_sync(self, request, user):
        self._init_user_fields(user)
        persistent_id = (
            request.session.get(DEVICE_ID_SESSION_KEY) if user.is_authenticated else None
        )
        if persistent_id:
            user.otp_device = SimpleLazyObject(partial(Device.from_persistent_id, persistent_id))
        return user


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            reason = self._expired(request)
            if reason:
                return self._end(request, reason)
            self._touch(request.session)
        response = self.get_response(request)
        # A sign-in just happened in this request (the sign-in view).
        if request.user.is_authenticated and SIGNED_IN_AT not in request.session:
            stamp_sign_in(request.session)
        return response

    @staticmethod
    def _expired(request) -> str | None:
        session, now = request.session, now_seconds()
        if SIGNED_IN_AT not in session:  # signed in before these rules (or force_login)
            stamp_sign_in(session)
            return None
        signed_in_at = session[SIGNED_IN_AT]
        valid_after = request.user.sessions_valid_after
        if valid_after is not None and signed_in_at < valid_after.timestamp():
            return "everywhere"
        if now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
            return "absolute"
        if (
            now - session.get(LAST_SEEN, signed_in_at)
            > settings.SESSION_IDLE_TIMEOUT.total_seconds()
        ):
            return "idle"
        return None

    @staticmethod
    def _touch(session) -> None:
        now = now_seconds()
        if now - session.get(LAST_SEEN, 0) >= _TOUCH_EVERY:
            session[LAST_SEEN] = now

    def _end(self, request, reason: str):
        auth.logout(request)
        if is_api(request):  # DRF now sees no session user and answers for itself
            return self.get_response(request)
        response = redirect_to(request, _url_with_next(settings.LOGIN_URL, request))
        # MessageMiddleware comes later and does not run for this answer: store directly.
        storage = default_storage(request)
        storage.add(message_levels.INFO, SIGNED_OUT_BECAUSE[reason])
        storage.update(response)
        return response


def _exempt_paths() -> tuple[str, ...]:
    return (
        reverse("accounts:enrol"),
        reverse("accounts:verify"),
        reverse("logout"),
        settings.STATIC_URL,
        reverse("floor"),
    )


class RequireSecondFactorMiddleware:
    """A user signed in with a password alone may only enrol or verify a second factor
    (or sign out). The admin's own sign-in page leads to ours."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        path = request.path_info
        if not user.is_authenticated:
            if path == reverse("admin:login"):
                return HttpResponseRedirect(
                    reverse(settings.LOGIN_URL)
                    + "?"
                    + urlencode({"next": request.GET.get("next", reverse("admin:index"))})
                )
            return self.get_response(request)
        if user.is_verified() or path.startswith(_exempt_paths()):
            return self.get_response(request)
        if is_api(request):
            return JsonResponse(
                {"detail": "Verify your second factor in the browser before using the API."},
                status=403,
            )
        has_device = any(True for _ in devices_for_user(user, confirmed=True))
        return redirect_to(
            request, _url_with_next("accounts:verify" if has_device else "accounts:enrol", request)
        )
