"""One-time set-password links: made when the e-mail is sent, checked by the page.

The token is Django's password-reset token (its own salt, so a token for one purpose
never works for another): an HMAC with ``SECRET_KEY`` of the user's key, password hash,
last sign-in and the time it was made. Setting the password or signing in changes what
it hashes, so a link works once; it expires after ``PASSWORD_RESET_TIMEOUT``.

The link itself is never stored: the notification written by the service points at the
help page (``HELP_PATH``), and the e-mail task asks ``email_body`` for a fresh link when
it sends. The e-mail holds no name, username or other personal data, only the link.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from .models import User

HELP_PATH = reverse_lazy("accounts:set_password_help")


class SetPasswordTokens(PasswordResetTokenGenerator):
    key_salt = "accounts.set_password.SetPasswordTokens"


tokens = SetPasswordTokens()


def link(user: User) -> str:
    path = reverse(
        "accounts:set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": tokens.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def user_for(uidb64: str, token: str) -> User | None:
    """The active user the link is for, if the link is genuine, unused and not expired."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not tokens.check_token(user, token):
        return None
    return user


def lifetime_words() -> str:
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    if hours % 24 == 0:
        days = hours // 24
        return "1 day" if days == 1 else f"{days} days"
    return "1 hour" if hours == 1 else f"{hours} hours"


def email_body(user: User) -> str:
    return (
        "You have been given access to Ephedra, or asked to set a new password.\n\n"
        f"Set your password here. The link works once and expires in {lifetime_words()}:\n"
        f"{link(user)}\n\n"
        "If you did not expect this e-mail, do not use the link and tell your supervisor."
    )


def is_set_password_notice(url: str) -> bool:
    return url == str(HELP_PATH)
