"""API token authentication for the REST API: ``Authorization: Bearer eph_…``."""

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from . import tokens

KEYWORD = "Bearer"


class ApiTokenAuthentication(BaseAuthentication):
    """A request with a Bearer token is authenticated by it, or refused with 401: an
    unknown, revoked, expired or malformed token, or one whose user is inactive or has no second
    factor (``tokens.verify`` answers None for all of them alike), never falls back to
    another method. ``request.auth`` is the ApiToken."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Give the token after 'Bearer', with no spaces."))
        try:
            whole = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("The token is not valid.")) from None
        token = tokens.verify(whole)
        if token is None:
            raise AuthenticationFailed(_("The token is not valid, or has expired or been revoked."))
        tokens.record_use(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{KEYWORD} realm="api"'
