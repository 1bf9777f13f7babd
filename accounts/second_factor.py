"""The second factor's rules: whether a user has one they can use (the sign-in pages ask
"enrol or verify?", API tokens work only for a user who has one), and checking a code.

A second factor is a confirmed authenticator app, or a confirmed set of backup codes with
at least one code left. A user with neither — never enrolled, reset by a sergeant, or left
with used-up codes after an administrator removed their app — must enrol afresh, and their
API tokens are refused until then.

Codes are checked through django-otp's public device API (``verify_is_allowed``,
``verify_token``) with its own throttling: after each wrong code a device refuses every
code, a right one too, for 1, 2, 4, 8... seconds (``OTP_*_THROTTLE_FACTOR``). The answer
says so, with how long to wait, so a right code refused is not called wrong. Every wrong
code and every refusal is written to the audit log.
"""

import math
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from governance import audit

from .models import BackupCode, BackupCodeDevice, User

# After this many wrong codes in a row the answer says how long to wait; fewer, and the
# pause (one or two seconds) is over before anyone types again.
WARN_AFTER_FAILURES = 3
FAILED = "accounts.user.second_factor_failed"
BACKUP_CODE_USED = "accounts.user.backup_code_used"


def usable(user_ref: str = "pk") -> Q:
    """A filter for any queryset: the user whose key is at ``user_ref`` (``"pk"`` on
    users, ``"user_id"`` on their tokens) has a second factor. Two EXISTS subqueries in
    the one query, so a list or a token check costs no extra query per user."""
    app = TOTPDevice.objects.filter(user=OuterRef(user_ref), confirmed=True)
    codes = BackupCode.objects.filter(device__user=OuterRef(user_ref), device__confirmed=True)
    return Q(Exists(app)) | Q(Exists(codes))


def has_second_factor(user) -> bool:
    """One query."""
    return User.objects.filter(usable(), pk=user.pk).exists()


@dataclass(frozen=True)
class Outcome:
    device: Device | None = None  # the device that accepted the code
    refused_unchecked: bool = False  # paused: the code was not even looked at
    failures: int = 0  # wrong codes in a row, on the device the code was for
    wait_until: datetime | None = None  # no code is accepted before then

    @property
    def wait_words(self) -> str:
        return in_words((self.wait_until - timezone.now()).total_seconds())


def in_words(seconds: float) -> str:
    seconds = max(1, math.ceil(seconds))
    if seconds < 60:
        return "1 second" if seconds == 1 else f"{seconds} seconds"
    minutes = math.ceil(seconds / 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def is_app_code(code: str) -> bool:
    """Six digits are an app's code; anything else is tried as a backup code (a backup
    code is ten characters), so a mistyped backup code pauses only the backup codes."""
    return code.isdigit() and len(code) == 6


@transaction.atomic
def verify(user: User, code: str) -> Outcome:
    """Sign-in's second step: ``code`` from the user's app or one of their backup codes."""
    model = TOTPDevice if is_app_code(code) else BackupCodeDevice
    devices = [
        device
        for device in devices_for_user(user, confirmed=True, for_verify=True)
        if isinstance(device, model)
    ]
    return _check(user, devices, code)


@transaction.atomic
def verify_new_app(user: User, device: TOTPDevice, code: str) -> Outcome:
    """Enrolment: the first code from an app being set up (an unconfirmed device)."""
    locked = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    outcome = _check(user, [locked], code)
    device.refresh_from_db()
    return outcome


def _check(user: User, devices: list[Device], code: str) -> Outcome:
    pauses = [_paused_until(device) for device in devices]
    if devices and all(pauses):
        return _failed(user, devices, code, refused_unchecked=True)
    for device, paused in zip(devices, pauses, strict=True):
        if not paused and device.verify_token(code):
            if isinstance(device, BackupCodeDevice):
                audit.record(BACKUP_CODE_USED, user, user=user, detail=_left(device))
            return Outcome(device=device)
    return _failed(user, devices, code, refused_unchecked=False)


def _failed(user: User, devices: list[Device], code: str, *, refused_unchecked: bool) -> Outcome:
    failures = max((getattr(d, "throttling_failure_count", 0) for d in devices), default=0)
    pauses = [until for until in map(_paused_until, devices) if until]
    kind = "Authenticator app code" if is_app_code(code) else "Backup code"
    detail = (
        f"{kind} refused unchecked: paused after {failures} wrong codes."
        if refused_unchecked
        else f"{kind} wrong ({failures} in a row)."
    )
    audit.record_lasting(FAILED, user, user=user, detail=detail)  # outlives a failed request
    return Outcome(
        refused_unchecked=refused_unchecked,
        failures=failures,
        wait_until=min(pauses) if pauses else None,
    )


def _paused_until(device: Device) -> datetime | None:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    return (info or {}).get("locked_until") or timezone.now()


def _left(device: BackupCodeDevice) -> str:
    left = device.codes.count()
    return f"{left} backup code{'s' if left != 1 else ''} left."
