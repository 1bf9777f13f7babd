"""API tokens: making one (the whole secret is shown once), checking one, revoking them.

A token reads ``eph_<prefix>_<secret>``. The prefix (10 hex characters, not secret) finds
the row and lets its owner tell tokens apart; only a SHA-256 hash of the whole token is
stored, compared in constant time. The secret never reaches the database, a log or the
audit table (``secret_hash`` is in governance.audit.IGNORED_FIELDS).

A token expires API_TOKEN_DAYS after it is made (``ApiToken.expires_at``). It follows its
person: it works only while its user is active and has a second
factor (``accounts.second_factor``), and every active token of a user is revoked when
their second factor is reset, they sign out everywhere, they are deactivated or their
password changes (``accounts.services.revoke_tokens``).
"""

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from governance import audit

from . import second_factor
from .models import ApiToken

SCHEME = "eph"
PREFIX_BYTES = 5  # 10 hex characters
SECRET_BYTES = 32
# Writing last_used_at on every request would cost a write per call; a minute's
# precision is all a person looking at their token list needs.
LAST_USE_PRECISION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the whole token, shown to its owner once and never stored


def hash_secret(whole_token: str) -> str:
    return hashlib.sha256(whole_token.encode()).hexdigest()


def create_token(user, name: str) -> NewToken:
    prefix = secrets.token_hex(PREFIX_BYTES)
    while ApiToken.objects.filter(prefix=prefix).exists():  # 1 in 10^12: but never a 500
        prefix = secrets.token_hex(PREFIX_BYTES)
    whole = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=prefix, secret_hash=hash_secret(whole)
    )
    return NewToken(token=token, secret=whole)


def split(whole_token: str) -> str | None:
    """The prefix of a well-formed token, else None."""
    scheme, _, rest = whole_token.partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != SCHEME or len(prefix) != 2 * PREFIX_BYTES or not secret:
        return None
    return prefix


def verify(whole_token: str) -> ApiToken | None:
    """The active token (with its user) this string is, or None — also when its user is
    inactive or has no second factor, with nothing to tell those apart from a wrong
    token. One query."""
    prefix = split(whole_token)
    candidate = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(second_factor.usable("user_id"), prefix=prefix, user__is_active=True)
        .first()
        if prefix
        else None
    )
    expected = candidate.secret_hash if candidate else hash_secret("")
    matches = hmac.compare_digest(expected, hash_secret(whole_token))
    return candidate if candidate and matches else None


def record_use(token: ApiToken, now: dt.datetime | None = None) -> None:
    """Note when the token was last used, at most once a minute (a queryset update: no
    signal, so no audit row per request)."""
    now = now or timezone.now()
    if token.last_used_at and now - token.last_used_at < LAST_USE_PRECISION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


BY_HAND = "revoked by hand"  # by its owner (/account/api-tokens/) or an administrator


def revoke(token: ApiToken, reason: str = BY_HAND) -> None:
    """Revoke this one token for good (nothing happens if it already is)."""
    revoke_many(ApiToken.objects.filter(pk=token.pk), reason)
    token.refresh_from_db(fields=["revoked_at"])


@transaction.atomic
def revoke_many(queryset, reason: str, *, by=None) -> int:
    """Revoke the active tokens among ``queryset`` (locked first), each with one
    ``accounts.apitoken.revoked`` audit row saying why; how many were revoked.

    A queryset update sends no signal, so the automatic 'changed' row is not written
    too: one event per token per cause. ``by`` is the actor when no request says who.
    """
    active = list(queryset.active().select_for_update().only("pk", "name", "prefix"))
    if not active:
        return 0
    now = timezone.now()
    ApiToken.objects.filter(pk__in=[token.pk for token in active]).update(revoked_at=now)
    audit.record_many(
        "accounts.apitoken.revoked",
        active,
        user=by,
        detail=reason,
        changes={"revoked_at": [None, str(now)]},
    )
    return len(active)


def tokens_for(user):
    """The user's own tokens: active first, newest first."""
    return ApiToken.objects.filter(user=user).order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at", "-pk"
    )
