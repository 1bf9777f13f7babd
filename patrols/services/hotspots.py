"""Hotspots: retiring one (the only change to a hotspot that is more than a form's save)."""

from django.utils import timezone
from django.utils.formats import date_format

from governance import audit

from ..models import Hotspot
from .errors import PatrolRuleError


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
