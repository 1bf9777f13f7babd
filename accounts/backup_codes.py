"""Backup codes as keyed hashes: what is stored, how a typed code is checked.

A code is 10 random characters (about 49 bits) from an alphabet without look-alikes, shown
once when it is made. The database keeps only ``HMAC-SHA256(SECRET_KEY, device:code)``.
A fast keyed hash, not a password hasher, because the codes are random and long, not
chosen by people: without the key a stolen table reveals nothing and cannot be guessed
at offline, and with the key an attacker could already forge set-password links. A slow
hasher (PBKDF2) would cost seconds per sign-in for ten codes and add nothing here. The
device's key in the hashed text stops one user's code hash from matching another's.

Every stored code is compared in constant time and all of them are compared, so the
time taken does not say which one (or whether one) matched. ``SECRET_KEY_FALLBACKS``
are tried too: rotating the key does not void the codes people printed.
"""

import hmac

from django.conf import settings
from django.utils.crypto import get_random_string, salted_hmac

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
LENGTH = 10
_PURPOSE = "accounts.backup_codes"


def normalised(code: str) -> str:
    return code.replace(" ", "").replace("-", "").lower()


def new_code() -> str:
    return get_random_string(LENGTH, allowed_chars=ALPHABET)


def shown(code: str) -> str:
    """How a code is printed: two groups of five, easier to copy out by hand."""
    return f"{code[:5]}-{code[5:]}"


def digest(device_id: int, code: str, secret: str | None = None) -> str:
    value = f"{device_id}:{normalised(code)}"
    return salted_hmac(_PURPOSE, value, secret=secret, algorithm="sha256").hexdigest()


def matching(device_id: int, code: str, stored: list[tuple[int, str]]) -> int | None:
    """The key of the stored ``(pk, digest)`` row ``code`` matches, or None. Compares with
    every row and every key, without stopping at a match."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    candidates = [digest(device_id, code, secret) for secret in secrets]
    found = None
    for pk, stored_digest in stored:
        for candidate in candidates:
            if hmac.compare_digest(candidate, stored_digest):
                found = pk
    return found
