"""Whether a user has a second factor they can use: the one rule shared by the sign-in
pages (enrol or verify?) and API tokens (a token works only for a user who has one).

A second factor is a confirmed authenticator app, or a confirmed set of backup codes with
at least one code left. A user with neither — never enrolled, reset by a sergeant, or left
with used-up codes after an administrator removed their app — must enrol afresh, and their
API tokens are refused until then.
"""

from django.db.models import Exists, OuterRef, Q
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User


def usable(user_ref: str = "pk") -> Q:
    """A filter for any queryset: the user whose key is at ``user_ref`` (``"pk"`` on
    users, ``"user_id"`` on their tokens) has a second factor. Two EXISTS subqueries in
    the one query, so a list or a token check costs no extra query per user."""
    app = TOTPDevice.objects.filter(user=OuterRef(user_ref), confirmed=True)
    codes = StaticToken.objects.filter(device__user=OuterRef(user_ref), device__confirmed=True)
    return Q(Exists(app)) | Q(Exists(codes))


def has_second_factor(user) -> bool:
    """One query."""
    return User.objects.filter(usable(), pk=user.pk).exists()
