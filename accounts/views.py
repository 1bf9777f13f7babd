"""Account security pages: the second factor, your account, resets and lockouts."""

import segno
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import oidc, permissions, second_factor, services
from .browser_copy import clear_browser_storage
from .demo_codes import demo_code
from .forms import ConfirmDeviceForm, ConfirmPasswordForm, UserSearchForm, VerifyForm
from .middleware import REAUTHENTICATED_AT, keep_session, now_seconds
from .models import BackupCode, BackupCodeDevice
from .reauth import recent_authentication_required

USERS_SHOWN = 50


def safe_next(request, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


# --- Second factor: enrolment and verification --------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    user = request.user
    if second_factor.has_second_factor(user):
        return redirect(reverse("accounts:verify") + _next_query(request))
    device = services.pending_app_device(user)
    form = ConfirmDeviceForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_app_device(user, device)
        otp_login(request, device)
        return render(
            request, "accounts/backup_codes.html", {"codes": codes, "next": safe_next(request)}
        )
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device),
            "secret": _spaced(_base32(device)),
            "next": safe_next(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    user = request.user
    if user.is_verified():
        return redirect(safe_next(request))
    if not second_factor.has_second_factor(user):
        return redirect(reverse("accounts:enrol") + _next_query(request))
    form = VerifyForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        otp_login(request, form.device)
        if isinstance(form.device, BackupCodeDevice):
            messages.info(request, "You used a backup code. It cannot be used again.")
        return redirect(safe_next(request))
    return render(
        request,
        "accounts/verify.html",
        {"form": form, "next": safe_next(request), "demo_code": demo_code(user)},
    )


def _next_query(request) -> str:
    target = request.GET.get("next")
    if not target:
        return ""
    from urllib.parse import urlencode

    return "?" + urlencode({"next": target})


def _base32(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def _spaced(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (no JavaScript, no images)."""
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(scale=4, border=2, title="QR code to scan with your authenticator app")


# --- Your account --------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def security(request):
    user = request.user
    return render(
        request,
        "accounts/security.html",
        {
            "app_devices": TOTPDevice.objects.filter(user=user, confirmed=True),
            "backup_codes_left": BackupCode.objects.filter(device__user=user).count(),
            "can_reset_others": permissions.may_reset_second_factors(user),
            "can_manage_lockouts": permissions.may_manage_lockouts(user),
        },
    )


@login_required
@require_POST
@recent_authentication_required
def backup_codes(request):
    """New codes need the password again (recently typed); every other session ends."""
    codes = services.new_backup_codes(request.user)
    keep_session(request.session)
    return render(
        request,
        "accounts/backup_codes.html",
        {"codes": codes, "next": reverse("accounts:security")},
    )


@login_required
@require_POST
def sign_out_everywhere(request):
    services.sign_out_everywhere(request.user)
    logout(request)
    messages.success(request, "You have been signed out on every device, this one included.")
    return clear_browser_storage(redirect(settings.LOGIN_URL))


class SignOutView(auth_views.LogoutView):
    """Django's sign-out, which also clears what this site stored in the browser."""

    def post(self, request, *args, **kwargs):
        return clear_browser_storage(super().post(request, *args, **kwargs))


# --- Confirm it is you (before personal data leaves the system) ---------------------


@login_required
@require_http_methods(["GET", "POST"])
def confirm_identity(request):
    form = ConfirmPasswordForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        request.session[REAUTHENTICATED_AT] = now_seconds()
        return redirect(safe_next(request))
    return render(
        request,
        "accounts/confirm_identity.html",
        {
            "form": form,
            "next": safe_next(request),
            "through_provider": oidc.signed_in_through_provider(request),
        },
    )


# --- Second-factor resets (sergeants and administrators) ----------------------------


@login_required
@require_http_methods(["GET"])
def user_list(request):
    if not permissions.may_reset_second_factors(request.user):
        permissions.deny_account_security(request.user)
    form = UserSearchForm(request.GET or None)
    users = permissions.second_factor_resettable_users(request.user)
    if form.is_valid() and form.cleaned_data["q"]:
        users = users.filter(username__icontains=form.cleaned_data["q"])
    disableable = permissions.disableable_users(request.user).filter(pk=OuterRef("pk"))
    users = users.annotate(
        has_second_factor=ExpressionWrapper(second_factor.usable(), output_field=BooleanField()),
        may_disable=Exists(disableable),
    ).order_by("username")
    shown = list(users[: USERS_SHOWN + 1])
    context = {
        "form": form,
        "users": shown[:USERS_SHOWN],
        "more": len(shown) > USERS_SHOWN,
        "can_invite": permissions.invitation_scope(request.user).any,
    }
    return render(request, "accounts/user_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_reset(request, uuid):
    if not permissions.may_reset_second_factors(request.user):
        permissions.deny_account_security(request.user)
    target = get_object_or_404(permissions.second_factor_resettable_users(request.user), uuid=uuid)
    if request.method == "POST":
        services.reset_second_factor(target, by=request.user)
        messages.success(
            request, f"{target.username} will set up a new second factor at their next sign-in."
        )
        return redirect("accounts:users")
    return render(request, "accounts/second_factor_reset.html", {"target": target})


# --- Lockouts (django-axes) -----------------------------------------------------------


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the sign-in page again, saying sign-in is paused, without
    saying whether the account exists or the password was right."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/login.html",
        {"form": AuthenticationForm(request), "locked_out": True, "lockout_minutes": minutes},
        status=429,
    )


def _lockout_rows():
    cutoff = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(attempt_time__gte=cutoff).order_by("-attempt_time")


@login_required
@require_http_methods(["GET"])
def lockouts(request):
    if not permissions.may_manage_lockouts(request.user):
        permissions.deny_account_security(request.user)
    rows = list(
        _lockout_rows().only("pk", "username", "ip_address", "failures_since_start", "attempt_time")
    )
    for row in rows:
        row.locked = row.failures_since_start >= settings.AXES_FAILURE_LIMIT
    context = {
        "rows": rows,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "accounts/lockouts.html", context)


@login_required
@require_POST
def lockout_lift(request, pk):
    if not permissions.may_manage_lockouts(request.user):
        permissions.deny_account_security(request.user)
    services.lift_lockout(get_object_or_404(AccessAttempt, pk=pk))
    messages.success(request, "Lockout lifted. Sign-in from there works again.")
    return redirect("accounts:lockouts")
