"""Account-security changes, one function each: enrolling an authenticator app, new backup
codes, a second-factor reset, signing out everywhere, deactivation, lifting a lockout,
revoking a user's API tokens, and passwords (changing one, sending a set-password link,
setting one through the link).

Each locks the user row it changes, writes its audit rows in the same transaction, and
revokes the user's API tokens there too: a token follows its person. A deactivation or a
password change made anywhere else (the admin's forms, ``set_password`` then ``save``)
revokes them from ``User.save``, which calls ``revoke_tokens`` below.
"""

from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from governance import audit

from . import backup_codes, permissions, set_password, tokens
from .models import ApiToken, BackupCode, BackupCodeDevice, User
from .notifications import notify

SECOND_FACTOR_RESET = "second factor reset"
SIGNED_OUT_EVERYWHERE = "signed out everywhere"
DEACTIVATED = "account deactivated"
PASSWORD_CHANGED = "password changed"  # noqa: S105 (a reason for the audit log)

BACKUP_CODE_COUNT = 10
LINK_SENT_MESSAGE = (
    "Set your Ephedra password with the link in the e-mail we sent you. The link works once."
)


class AccountRuleError(Exception):
    """A change the rules refuse; the message can be shown to the person asking."""


APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


def pending_app_device(user: User) -> TOTPDevice:
    """The authenticator app being set up: the user's unconfirmed one, or a new one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm_app_device(user: User, device: TOTPDevice) -> list[str]:
    """The app's first code was right: the device counts, any other unconfirmed one goes,
    and the user gets a first set of backup codes (returned, to be shown once)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    audit.record("accounts.user.second_factor_enrolled", user)
    return _replace_backup_codes(user)


@transaction.atomic
def new_backup_codes(user: User) -> list[str]:
    """Replace the user's backup codes with a fresh set (the plain codes are returned to
    be shown once) and end the user's sessions: whoever may have seen the old codes is
    signed out. The page asking keeps its own session (``middleware.keep_session``)."""
    locked = _lock(user)
    codes = _replace_backup_codes(locked)
    _end_sessions(locked)
    audit.record("accounts.user.backup_codes_regenerated", locked, user=user)
    return codes


def _replace_backup_codes(user: User) -> list[str]:
    """Only keyed hashes are stored (``accounts.backup_codes``); the codes, as shown."""
    device, _ = BackupCodeDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.codes.all().delete()
    codes = [backup_codes.new_code() for _ in range(BACKUP_CODE_COUNT)]
    BackupCode.objects.bulk_create(
        BackupCode(device=device, digest=backup_codes.digest(device.pk, code)) for code in codes
    )
    return [backup_codes.shown(code) for code in codes]


@transaction.atomic
def lift_lockout(attempt) -> None:
    """Forget a lockout (django-axes' AccessAttempt). Only a real account is named in the
    log: a mistyped username may be a password."""
    account = User.objects.filter(username=attempt.username).first()
    attempt.delete()
    audit.record(
        "accounts.user.lockout_lifted",
        account,
        detail="" if account else "failed sign-ins under a username that is not an account",
    )


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
    """A leaver: the user can no longer sign in, every session of theirs ends now, and
    their API tokens are revoked (by ``by``; ``User.save`` would revoke them too, but
    without saying who). ``by`` must be someone who looks after the account."""
    if by is not None and not permissions.disableable_users(by).filter(pk=user.pk).exists():
        raise AccountRuleError("You may not disable this account.")
    locked = _lock(user)
    revoke_tokens(locked, DEACTIVATED, by=by)
    was_active = locked.is_active
    locked.is_active = False
    locked.sessions_valid_after = timezone.now()
    locked.save(update_fields=["is_active", "sessions_valid_after"])
    if was_active:
        audit.record("accounts.user.deactivated", locked, user=by)
    user.is_active = False


def _lock(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _end_sessions(user: User) -> None:
    """Sessions signed in before now are refused (accounts.middleware)."""
    user.sessions_valid_after = timezone.now()
    user.save(update_fields=["sessions_valid_after"])


# --- Passwords --------------------------------------------------------------------------


@transaction.atomic
def change_password(user: User, new_password: str) -> None:
    """The user chose a new password (already checked against the password validators by
    the form): every other session ends (the page asking keeps its own), and so do the
    user's API tokens (``User.save``, with the reason PASSWORD_CHANGED)."""
    locked = _lock(user)
    locked.set_password(new_password)
    locked.sessions_valid_after = timezone.now()
    locked.save(update_fields=["password", "sessions_valid_after"])
    audit.record("accounts.user.password_changed", locked, user=user)
    user.password = locked.password


@transaction.atomic
def send_set_password_link(user: User, by: User, reason: str = "") -> None:
    """E-mail ``user`` a one-time link to set their password (a new account, or one whose
    password is forgotten), through the notification outbox. The link is made when the
    e-mail is sent, never stored (``accounts.set_password``)."""
    if not permissions.second_factor_resettable_users(by).filter(pk=user.pk).exists():
        raise AccountRuleError("You may not send a set-password link to this user.")
    locked = _lock(user)
    if not locked.is_active:
        raise AccountRuleError("This account is deactivated. Reactivate it first.")
    if not locked.email:
        raise AccountRuleError("This account has no e-mail address. Add one first.")
    notify([locked], LINK_SENT_MESSAGE, set_password.HELP_PATH)
    audit.record("accounts.user.set_password_link_sent", locked, user=by, detail=reason)


@transaction.atomic
def set_password_with_link(user: User, new_password: str) -> None:
    """The password chosen through a set-password link. The link stops working (its token
    hashes the password), every session and API token of the user ends; the second factor
    is set up, or asked for, at the sign-in that follows."""
    locked = _lock(user)
    locked.set_password(new_password)
    locked.sessions_valid_after = timezone.now()
    locked.save(update_fields=["password", "sessions_valid_after"])
    audit.record("accounts.user.password_set_with_link", locked, user=locked)


def mark_notifications_read(user: User) -> int:
    """Every unread notification of the user, read now (one UPDATE); how many there were."""
    return user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
