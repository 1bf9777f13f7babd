"""Hotspots: adding or changing one, and retiring one."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from governance import audit

from ..models import Hotspot
from .errors import PatrolRuleError

# What a supervisor may set on a hotspot (its state, active or retired, is retire_hotspot's).
HOTSPOT_FIELDS = ("ward", "name", "latitude", "longitude", "reason", "identified_on")


def duplicate_name_message(ward, name: str) -> str:
    return f"{ward.name} already has a hotspot called {name}. Choose another name."


def save_hotspot(hotspot: Hotspot | None, fields: dict) -> Hotspot:
    """Add a hotspot (``hotspot`` None) or change one. A name taken in the ward since the
    form was checked (another supervisor, at the same moment) is refused at the field."""
    hotspot = hotspot if hotspot is not None else Hotspot()
    for name in HOTSPOT_FIELDS:
        if name in fields:
            setattr(hotspot, name, fields[name])
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives
            hotspot.save()
    except IntegrityError:
        raise PatrolRuleError(
            duplicate_name_message(hotspot.ward, hotspot.name), field="name"
        ) from None
    return hotspot


def retire_hotspot(hotspot: Hotspot) -> None:
    """Retire a hotspot: patrols stop being planned there.

    One conditional UPDATE: both fields change together (the database insists), and of
    two supervisors retiring at once only the first succeeds; the other is told when.
    """
    today = timezone.localdate()
    retired = Hotspot.objects.filter(pk=hotspot.pk, active=True).update(
        active=False, retired_on=today
    )
    hotspot.refresh_from_db()
    if not retired:
        on = f" on {date_format(hotspot.retired_on, 'j F Y')}" if hotspot.retired_on else ""
        raise PatrolRuleError(f"Hotspot {hotspot.name} was already retired{on}.")
    changes = {"active": [True, False], "retired_on": [None, today.isoformat()]}
    audit.record("patrols.hotspot.changed", hotspot, changes=changes)  # update(): no signal
