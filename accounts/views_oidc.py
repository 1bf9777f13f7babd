"""The single sign-on pages (mozilla-django-oidc's views, answering 404 while it is off) and
the sign-in page that offers it. The decisions are in ``accounts.oidc``."""

import logging

import jwt
import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from governance import audit

from . import oidc
from .middleware import stamp_sign_in

logger = logging.getLogger(__name__)

# What the backend, a provider, a network or a forged answer can throw at the callback: each
# ends in a refusal on the sign-in page.
_BROKEN_ANSWER = (
    oidc.Refused,  # the backend's own refusals: already audited, with their reason
    SuspiciousOperation,
    jwt.PyJWTError,
    requests.RequestException,
    ValueError,
    KeyError,
)


class SignInView(auth_views.LoginView):
    """The username, password and second-factor sign-in, with "Sign in with your force
    account" above it when single sign-on is on."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"sso_enabled": settings.OIDC_ENABLED}


class _OnlyWhenEnabled(View):
    def __init__(self, **kwargs):
        # The library's views read the provider's settings here, which exist only when on.
        if settings.OIDC_ENABLED:
            super().__init__(**kwargs)
        else:
            View.__init__(self, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not configured.")
        return super().dispatch(request, *args, **kwargs)


class StartView(_OnlyWhenEnabled, OIDCAuthenticationRequestView):
    """Sends the browser to the provider, with state, nonce and a PKCE challenge; with
    ``?confirm=1`` ("Confirm it is you", accounts.reauth) the provider is asked to sign the
    person in again rather than reuse its own session."""

    def get_extra_params(self, request):
        extra = dict(super().get_extra_params(request))
        if request.GET.get("confirm") == "1":
            extra["prompt"] = "login"
        return extra


class CallbackView(_OnlyWhenEnabled, OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code: signed in, or refused with the
    reason on the sign-in page (never in the address)."""

    @property
    def failure_url(self):
        return reverse(settings.LOGIN_URL)

    def get(self, request):
        try:
            return super().get(request)
        except _BROKEN_ANSWER as exc:
            # Forged or replayed answers land here (wrong state, nonce, signature, issuer).
            logger.warning("Single sign-on refused: %s", type(exc).__name__)
            oidc.refuse(request, "failed", detail=type(exc).__name__)
            return self.login_failure()

    def login_failure(self):
        oidc.refuse(self.request, "failed")  # unless the backend already said why
        messages.error(self.request, oidc.refusal_message(self.request))
        return HttpResponseRedirect(self.failure_url)

    def login_success(self):
        request, user = self.request, self.user
        auth.login(request, user)  # always a fresh session key, even for the same user
        stamp_sign_in(request.session)
        if user.sso_second_factor:
            request.session[oidc.PROVIDER_VERIFIED] = user.pk
        audit.record(
            "accounts.user.signed_in_with_sso",
            user,
            user=user,
            request=request,
            detail="second factor: the force's identity provider"
            if user.sso_second_factor
            else "second factor: still to verify in Ephedra",
        )
        return HttpResponseRedirect(self.success_url)
