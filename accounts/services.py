"""Account-security changes, one function each: a second-factor reset, signing out
everywhere, deactivation, and revoking a user's API tokens.

Each locks the user row it changes, writes its audit rows in the same transaction, and
revokes the user's API tokens there too: a token follows its person. A deactivation or a
password change made anywhere else (the admin's forms, ``set_password`` then ``save``)
revokes them from ``User.save``, which calls ``revoke_tokens`` below.
"""

from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user

from governance import audit

from . import tokens
from .models import ApiToken, User

SECOND_FACTOR_RESET = "second factor reset"
SIGNED_OUT_EVERYWHERE = "signed out everywhere"
DEACTIVATED = "account deactivated"
PASSWORD_CHANGED = "password changed"  # noqa: S105 (a reason for the audit log)


def revoke_tokens(user: User, reason: str, *, by: User | None = None) -> int:
    """Every active API token of the user stops working now, each with an
    ``accounts.apitoken.revoked`` audit row giving ``reason``; how many there were."""
    return tokens.revoke_many(ApiToken.objects.filter(user=user), reason, by=by)


@transaction.atomic
def reset_second_factor(target: User, by: User) -> None:
    """``target`` sets up a new second factor at their next sign-in: their devices and
    backup codes go, every session of theirs ends, and so do their API tokens."""
    locked = _lock(target)
    for device in devices_for_user(locked, confirmed=None):
        device.delete()
    _end_sessions(locked)
    audit.record("accounts.user.second_factor_reset", locked, user=by)
    revoke_tokens(locked, SECOND_FACTOR_RESET, by=by)


@transaction.atomic
def sign_out_everywhere(user: User) -> None:
    """Every session of the user ends (this one too) and every API token of theirs."""
    _end_sessions(_lock(user))
    revoke_tokens(user, SIGNED_OUT_EVERYWHERE, by=user)


@transaction.atomic
def deactivate(user: User, by: User | None = None) -> None:
    """The user can no longer sign in, and their API tokens are revoked (by ``by``;
    ``User.save`` would revoke them too, but without saying who)."""
    locked = _lock(user)
    revoke_tokens(locked, DEACTIVATED, by=by)
    if locked.is_active:
        locked.is_active = False
        locked.save(update_fields=["is_active"])
    user.is_active = False


def _lock(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _end_sessions(user: User) -> None:
    """Sessions signed in before now are refused (accounts.middleware)."""
    user.sessions_valid_after = timezone.now()
    user.save(update_fields=["sessions_valid_after"])


def mark_notifications_read(user: User) -> int:
    """Every unread notification of the user, read now (one UPDATE); how many there were."""
    return user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
