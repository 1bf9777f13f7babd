"""Single sign-on for police users: the force's identity provider (OpenID Connect) says who
is signing in; Ephedra decides whether that person may, and as which account.

mozilla-django-oidc runs the code flow (state, nonce, PKCE, the RS256 signature against
the provider's keys); this backend adds what it leaves to us: the ID token must come from
our issuer and be meant for us, and the person must match exactly one active police
account. No account is ever created or changed here: roles and areas stay Ephedra's own.
Partner users and administrators are refused (they sign in with a password and a second
factor of Ephedra's), and so is everyone Ephedra does not know.

The provider's sign-in stands for the second factor when its ID token says it asked for
more than one (``amr`` holds "mfa", RFC 8176), or when ``OIDC_TRUST_PROVIDER_MFA`` says the
force's provider always does. The session then carries ``PROVIDER_VERIFIED``, honoured by
``accounts.middleware`` only for a police user signed in through this backend.
"""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from governance import audit

from .models import User

BACKEND = "accounts.oidc.PoliceOIDCBackend"
PROVIDER_VERIFIED = "accounts_sso_second_factor"  # the user's pk, when the provider vouched
REFUSAL = "_sso_refusal"  # on the request: why this sign-in was refused

# What the sign-in page says to someone refused, by reason (none names the account).
REFUSED = {
    "unknown": "Your force account is not registered in Ephedra. "
    "Ask your administrator to invite you.",
    "disabled": "Your Ephedra account is disabled. Ask your administrator if you need it again.",
    "not_police": "Single sign-on is for police officers. Sign in below with your "
    "username, password and second factor.",
    "ambiguous": "More than one Ephedra account has your e-mail address. "
    "Ask your administrator to correct it.",
    "failed": "Signing in with your force account did not work. Try again, or sign in below.",
}


class Refused(Exception):  # noqa: N818 - a decision, not a fault
    """Someone the provider vouched for whom Ephedra will not sign in (already audited).
    Raised rather than returned as None, so Django does not send ``user_login_failed``:
    no password was guessed, and the address's lockout (django-axes) must not count it."""


def refuse(request, reason: str, account: User | None = None, detail: str = "") -> None:
    """Audit a refused single sign-on once, and remember why for the sign-in page."""
    if getattr(request, REFUSAL, None):
        return
    setattr(request, REFUSAL, reason)
    audit.record_lasting(
        "accounts.user.sso_refused",
        account,
        user=None,
        request=request,
        detail=f"{reason}: {detail}" if detail else reason,
    )


def refusal_message(request) -> str:
    return REFUSED[getattr(request, REFUSAL, None) or "failed"]


def provider_verified(session, user) -> bool:
    """True when this session's sign-in through the provider counts as the second factor:
    only for the police user it was made for, and only through this backend."""
    return (
        session.get(PROVIDER_VERIFIED) == user.pk
        and session.get(BACKEND_SESSION_KEY) == BACKEND
        and user.is_police
    )


def signed_in_through_provider(request) -> bool:
    """This session was made by single sign-on (which "Confirm it is you" may then use)."""
    return settings.OIDC_ENABLED and request.session.get(BACKEND_SESSION_KEY) == BACKEND


def provider_did_mfa(id_token: dict) -> bool:
    amr = id_token.get("amr") or []
    return settings.OIDC_TRUST_PROVIDER_MFA or (isinstance(amr, list) and "mfa" in amr)


def police_account(request, claims: dict) -> User:
    """The one active police account the claim names; otherwise refused (audited)."""
    value = str(claims.get(settings.OIDC_MATCH_CLAIM) or "").strip()
    accounts = list(User.objects.filter(email__iexact=value)[:2]) if value else []
    if not accounts:
        refuse(request, "unknown")
    elif len(accounts) > 1:
        refuse(request, "ambiguous")
    elif not accounts[0].is_active:
        refuse(request, "disabled", accounts[0])
    elif not accounts[0].is_police:
        refuse(request, "not_police", accounts[0])
    else:
        return accounts[0]
    raise Refused(getattr(request, REFUSAL))


class PoliceOIDCBackend(OIDCAuthenticationBackend):
    def verify_token(self, token, **kwargs):
        """The library checks the signature, expiry and nonce; we also check the token was
        issued by our provider, for us (OpenID Connect Core 3.1.3.7)."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if payload.get("iss") != settings.OIDC_ISSUER:
            raise SuspiciousOperation("The ID token comes from another issuer.")
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token is meant for another client.")
        if "exp" not in payload:
            raise SuspiciousOperation("The ID token has no expiry.")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The user info is about someone else.")
        user = police_account(self.request, claims)
        user.sso_second_factor = provider_did_mfa(payload)
        return user

    def get_user(self, user_id):
        """A session made here ends when its account is disabled or stops being police."""
        user = super().get_user(user_id)
        if user is None or not self.user_can_authenticate(user) or not user.is_police:
            return None
        return user
