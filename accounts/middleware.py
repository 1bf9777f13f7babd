"""Session rules (idle and absolute timeouts, sign out everywhere) and the second factor.

Both run after ``SecondFactorMiddleware`` (which stands in for django-otp's
``OTPMiddleware``) and before messages. Requests without a
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
from django_otp.middleware import is_verified
from django_otp.models import Device

SIGNED_IN_AT = "accounts_signed_in_at"  # epoch seconds of the password sign-in
LAST_SEEN = "accounts_last_seen"  # epoch seconds of the latest request
REAUTHENTICATED_AT = "accounts_reauthenticated_at"  # password last typed (sign-in counts)
# Set when this session survived its user's "end every other session" (new backup codes, a
# new password): 'sign out everywhere' counts from here, the time limit still from sign-in.
KEPT_AT = "accounts_kept_at"

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


def keep_session(session) -> None:
    """This session stays signed in after the service ended the user's sessions now."""
    session[KEPT_AT] = now_seconds()


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


class SecondFactorMiddleware:
    """What django-otp's ``OTPMiddleware`` does, without a device query on every request,
    through django-otp's public API only: ``request.user.otp_device`` and
    ``request.user.is_verified()``.

    A session is verified when ``django_otp.login()`` stored the device that verified it
    under ``DEVICE_ID_SESSION_KEY`` (login() checks the device belongs to the user, and
    Django binds the session to the user), or when a police user's single sign-on came
    with the provider's own second factor (``accounts.oidc.provider_verified``). The
    device itself is loaded, with
    ``Device.from_persistent_id``, only if something reads ``user.otp_device``. Removing a
    confirmed device or resetting the second factor ends every session of its user
    (``sessions_valid_after``, see accounts.apps), so no session outlives the devices it
    was verified with.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None:
            request.user = SimpleLazyObject(partial(_with_second_factor, request, user))
        return self.get_response(request)


def _with_second_factor(request, user):
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY) if user.is_authenticated else None
    user.otp_device = (
        SimpleLazyObject(partial(_device, persistent_id, user.pk)) if persistent_id else None
    )
    user.is_verified = partial(_is_verified, user, request.session)
    return user


def _is_verified(user, session) -> bool:
    """django-otp's answer, or the force's identity provider's (accounts.oidc)."""
    from . import oidc  # the OpenID Connect client loads only when a session asks

    return is_verified(user) or (user.is_authenticated and oidc.provider_verified(session, user))


def _device(persistent_id: str, user_pk: int):
    device = Device.from_persistent_id(persistent_id)
    return device if device is not None and device.user_id == user_pk else None


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
        kept_at = session.get(KEPT_AT, signed_in_at)
        if valid_after is not None and kept_at < valid_after.timestamp():
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
        reverse("accounts:set_password_help"),  # a set-password link works in any browser
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
