"""A user's own API tokens: make one (its secret shown once), see them, revoke one.

Any signed-in user may hold tokens; a token acts as its user, under the same rules as
their pages. Another user's token answers 404. Making a token needs a session verified
with the second factor (accounts.middleware enforces that for every page).
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import tokens
from .models import ApiToken

MAX_ACTIVE = 10


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, so you can tell it apart, e.g. “Case system sync”.",
        error_messages={
            "required": "Enter a name for the token",
            "max_length": "Name must be 100 characters or fewer",
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        active = ApiToken.objects.active().filter(user=self.user)
        if active.filter(name__iexact=name).exists():
            raise forms.ValidationError("You already have a token with this name")
        if active.count() >= MAX_ACTIVE:
            raise forms.ValidationError(
                f"You have {MAX_ACTIVE} tokens: revoke one you no longer use first"
            )
        return name


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    """GET: the tokens and the form. POST: make one, and show its secret on this response
    only (never stored, never redirected with it, never cached)."""
    form = TokenForm(request.POST if request.method == "POST" else None, user=request.user)
    new_token = None
    if request.method == "POST" and form.is_valid():
        new_token = tokens.create_token(request.user, form.cleaned_data["name"])
        form = TokenForm(user=request.user)
    context = {
        "form": form,
        "tokens": tokens.tokens_for(request.user),
        "new_token": new_token,
        "token_days": settings.API_TOKEN_DAYS,
    }
    return render(request, "accounts/tokens.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, prefix):
    token = get_object_or_404(ApiToken.objects.active().filter(user=request.user), prefix=prefix)
    if request.method == "POST":
        tokens.revoke(token)
        messages.success(request, f"The token “{token.name}” is revoked. It no longer works.")
        return redirect("tokens:list")
    return render(request, "accounts/tokens_revoke.html", {"token": token})
