"""Passwords: changing your own (everyone, partners included), and setting one through
the one-time link e-mailed for a new or reset account (accounts.set_password)."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from . import services, set_password
from .middleware import keep_session


class ChangePasswordForm(PasswordChangeForm):
    """Django's form (old password, then the new one twice, checked against
    AUTH_PASSWORD_VALIDATORS); saving is the service's."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right",
        "password_mismatch": "The two new passwords are not the same",
    }


@sensitive_post_parameters()
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = ChangePasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(request.user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        keep_session(request.session)
        messages.success(
            request,
            "Your password has been changed. You have been signed out everywhere else, "
            "and your API tokens no longer work.",
        )
        return redirect("accounts:security")
    return render(request, "accounts/password_change.html", {"form": form})


@require_http_methods(["GET"])
def set_password_help(request):
    """Where the in-app notice points: the link itself is only in the e-mail."""
    return render(
        request,
        "accounts/set_password_help.html",
        {"lifetime": set_password.lifetime_words()},
    )


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def set_password_view(request, uidb64, token):
    user = set_password.user_for(uidb64, token)
    if user is None:
        return render(
            request,
            "accounts/set_password_help.html",
            {"lifetime": set_password.lifetime_words(), "link_failed": True},
        )
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.set_password_with_link(user, form.cleaned_data["new_password1"])
        messages.success(
            request,
            f"Your password is set. Sign in as {user.username}: you will then set up, or "
            "enter, your second factor.",
        )
        return redirect("login")
    # Never signed in: an invited person, here for the first time.
    context = {"form": form, "target": user, "first_time": user.last_login is None}
    return render(request, "accounts/set_password.html", context)
