"""Inviting people (one, or a CSV of officers), sending the link again, and disabling a
leaver. The rules are in accounts/invitations.py and accounts/services.py; whom a user
may invite is ``permissions.invitation_scope``, whom they look after ``manageable_users``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.permissions import deny

from . import invitations, invite_csv, permissions, services
from .forms_invite import (
    InviteConfirmForm,
    InviteOfficerForm,
    InvitePartnerForm,
    InviteUploadForm,
)

PARTNER = "partner"


def _scope_or_deny(user) -> permissions.InvitationScope:
    scope = permissions.invitation_scope(user)
    if not scope.any:
        deny(user)
    return scope


@login_required
@require_http_methods(["GET", "POST"])
def invite(request):
    scope = _scope_or_deny(request.user)
    kind = request.POST.get("kind") or request.GET.get("kind")
    partner = kind == PARTNER and scope.partners
    form_class = InvitePartnerForm if partner else InviteOfficerForm
    form = form_class(request.POST or None, by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.invite(form.invitee, request.user)
        except invitations.InvitationRuleError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(
                request,
                f"{user.get_full_name()} is invited as {user.username}. They have been "
                "e-mailed a link to set their password; it works once.",
            )
            return redirect("accounts:users")
    context = {"form": form, "partner": partner, "scope": scope, "partner_kind": PARTNER}
    return render(request, "accounts/invite.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def invite_upload(request):
    """Upload → every row checked → a preview → confirm → all invited, or none."""
    _scope_or_deny(request.user)
    if request.method == "POST" and "text" in request.POST:
        return _confirm(request)
    form = InviteUploadForm(request.POST or None, request.FILES or None, by=request.user)
    if request.method == "POST" and form.is_valid():
        checked = form.checked
        if checked.ok:
            confirm = InviteConfirmForm(initial={"text": form.text})
            context = {"checked": checked, "confirm": confirm}
            return render(request, "accounts/invite_preview.html", context)
        context = {"form": form, "errors": checked.errors, "columns": invite_csv.COLUMNS}
        return render(request, "accounts/invite_upload.html", context)
    context = {"form": form, "columns": invite_csv.COLUMNS}
    return render(request, "accounts/invite_upload.html", context)


def _confirm(request):
    confirm = InviteConfirmForm(request.POST)
    checked = None
    if confirm.is_valid():
        try:
            checked = invite_csv.check(confirm.cleaned_data["text"], request.user)
        except invite_csv.UploadRefused:
            checked = None
    if checked is None or not checked.ok:
        messages.error(request, "The file no longer passes the checks: upload it again.")
        return redirect("accounts:invite_upload")
    try:
        users = invitations.invite_many(checked.invitees, request.user)
    except invitations.InvitationRuleError as error:
        messages.error(request, f"Nobody was invited: {error}. Upload the file again.")
        return redirect("accounts:invite_upload")
    messages.success(
        request,
        f"{len(users)} people are invited. Each has been e-mailed a link to set their password.",
    )
    return redirect("accounts:users")


@login_required
@require_POST
def resend_invite(request, uuid):
    if not permissions.may_reset_second_factors(request.user):
        permissions.deny_account_security(request.user)
    target = get_object_or_404(permissions.manageable_users(request.user), uuid=uuid)
    try:
        services.send_set_password_link(target, request.user, reason="sent again")
    except services.AccountRuleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The set-password link was sent to {target.username} again.")
    return redirect("accounts:users")


@login_required
@require_http_methods(["GET", "POST"])
def deactivate(request, uuid):
    if not permissions.may_reset_second_factors(request.user):
        permissions.deny_account_security(request.user)
    target = get_object_or_404(
        permissions.disableable_users(request.user), uuid=uuid, is_active=True
    )
    if request.method == "POST":
        services.deactivate(target, by=request.user)
        messages.success(
            request,
            f"{target.username} is disabled: signed out everywhere, and their API tokens "
            "no longer work.",
        )
        return redirect("accounts:users")
    return render(request, "accounts/deactivate.html", {"target": target})
