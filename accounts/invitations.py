"""Inviting people (issue 20): an account is made with no password, and its person sets
one through the one-time link e-mailed to them (``services.send_set_password_link``),
then sets up their second factor at the first sign-in (``accounts.middleware``).

The rules for one person are ``problems`` (shown at the field by the invite form, and
line by line for a CSV upload, ``accounts.invite_csv``); ``invite_many`` checks them again
and makes every account of a batch, or none, in one transaction. Whom a user may invite,
and into which areas, is ``permissions.invitation_scope``.
"""

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from governance import audit

from . import services
from .models import Area, OfficerProfile, Role, User, Ward
from .permissions import invitation_scope

INVITED = "invited"
USERNAME_LENGTH = 30
NAME_LENGTH = 150  # User.first_name and last_name
COLLAR_LENGTH = 20  # OfficerProfile.collar_number


class InvitationRuleError(Exception):
    """An invitation the rules refuse; ``field`` is the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class Invitee:
    """One person to invite: a police officer (areas, collar number, ...) or a partner
    user (agency). ``agency`` is a ``partners.PartnerAgency`` (partners sits above
    accounts, so it is passed in, never imported)."""

    first_name: str
    last_name: str
    email: str
    role: str
    areas: Sequence[Area] = ()
    collar_number: str = ""
    home_ward: Ward | None = None
    trained_on: dt.date | None = None
    agency: object = None
    line: int | None = field(default=None, compare=False)  # of a CSV upload

    @property
    def is_police(self) -> bool:
        return self.role != Role.PARTNER

    @property
    def role_label(self) -> str:
        return dict(Role.choices).get(self.role, self.role)


def agencies():
    """The active partner agencies, for the form's choices (the model is the User's
    ``agency`` foreign key's: partners is a layer above accounts)."""
    model = User._meta.get_field("agency").related_model
    return model.objects.filter(active=True).order_by("name")


def problems(invitee: Invitee, by: User, others: Iterable[Invitee] = ()) -> dict[str, str]:
    """What stops ``by`` inviting ``invitee``, by field (empty: nothing). ``others`` are
    the people invited with them (the rows above in a CSV): an e-mail address or collar
    number may not be used twice there either."""
    found: dict[str, str] = {}
    scope = invitation_scope(by)
    others = list(others)
    for name in ("first_name", "last_name"):
        value = getattr(invitee, name).strip()
        if not value or len(value) > NAME_LENGTH:
            found[name] = (
                f"Enter the person's {name.replace('_', ' ')} (at most {NAME_LENGTH} characters)"
            )
    email = invitee.email.strip()
    if not _is_email(email):
        found["email"] = "Enter an e-mail address, like name@example.org"
    elif User.objects.filter(email__iexact=email).exists():
        found["email"] = "Someone already has an account with this e-mail address"
    elif any(other.email.strip().lower() == email.lower() for other in others):
        found["email"] = "This e-mail address is used twice"
    if invitee.is_police:
        found.update(_police_problems(invitee, scope, others))
    elif not scope.partners:
        found["role"] = "You may not invite partner users"
    elif invitee.agency is None or not getattr(invitee.agency, "active", False):
        found["agency"] = "Choose an active partner agency"
    return found


def _police_problems(invitee: Invitee, scope, others: list[Invitee]) -> dict[str, str]:
    found: dict[str, str] = {}
    if invitee.role not in scope.roles:
        found["role"] = "You may not give this role"
    allowed = set(scope.areas.values_list("pk", flat=True))
    if not invitee.areas:
        found["areas"] = "Choose at least one area"
    elif any(area.pk not in allowed for area in invitee.areas):
        found["areas"] = "Choose only areas you work in"
    collar = normalised_collar(invitee.collar_number)
    if not collar or len(collar) > COLLAR_LENGTH:
        found["collar_number"] = (
            f"Enter the officer's collar number (at most {COLLAR_LENGTH} characters)"
        )
    elif OfficerProfile.objects.filter(collar_number__iexact=collar).exists():
        found["collar_number"] = "Another officer already has this collar number"
    elif any(normalised_collar(other.collar_number) == collar for other in others):
        found["collar_number"] = "This collar number is used twice"
    ward = invitee.home_ward
    if ward is not None and ward.area_id not in {area.pk for area in invitee.areas}:
        found["home_ward"] = "Choose a home ward in one of the officer's areas"
    if invitee.trained_on is not None and invitee.trained_on > timezone.localdate():
        found["trained_on"] = "The training date must be today or in the past"
    return found


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def normalised_collar(collar: str) -> str:
    return collar.strip().upper()


def invite(invitee: Invitee, by: User) -> User:
    return invite_many([invitee], by)[0]


def invite_many(invitees: Sequence[Invitee], by: User) -> list[User]:
    """Make each person's account (no usable password), their officer profile if police,
    and send each their set-password link: all of them, or none if any is refused."""
    try:
        return _invite_all(invitees, by)
    except IntegrityError:  # a collar number taken by an invitation made at the same moment
        raise InvitationRuleError(
            "Someone was invited with the same details at the same moment. Nobody was "
            "invited: check the users list and try again."
        ) from None


@transaction.atomic
def _invite_all(invitees: Sequence[Invitee], by: User) -> list[User]:
    for index, invitee in enumerate(invitees):
        found = problems(invitee, by, invitees[:index])
        if found:
            field_name, message = next(iter(found.items()))
            raise InvitationRuleError(message, field_name)
    return [_make(invitee, by) for invitee in invitees]


def _make(invitee: Invitee, by: User) -> User:
    user = User(
        username=unique_username(invitee.email),
        first_name=invitee.first_name.strip(),
        last_name=invitee.last_name.strip(),
        email=invitee.email.strip(),
        role=invitee.role,
        agency=None if invitee.is_police else invitee.agency,
    )
    user.set_unusable_password()
    user.save()
    if invitee.is_police:
        user.areas.set(invitee.areas)
        OfficerProfile.objects.create(
            user=user,
            collar_number=normalised_collar(invitee.collar_number),
            home_ward=invitee.home_ward,
            ephedra_trained_on=invitee.trained_on,
        )
    audit.record("accounts.user.invited", user, user=by, detail=user.get_role_display())
    services.send_set_password_link(user, by, reason=INVITED)
    return user


def unique_username(email: str) -> str:
    """The e-mail address's local part, in lower-case letters, digits, dots, dashes and
    underscores; a number is added when it is taken (``jo.bloggs2``)."""
    base = re.sub(r"[^a-z0-9._-]", "", email.split("@", 1)[0].lower())[:USERNAME_LENGTH]
    base = base.strip("._-") or "user"
    taken = set(User.objects.filter(username__istartswith=base).values_list("username", flat=True))
    taken = {name.lower() for name in taken}
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}{number}"
    return candidate
