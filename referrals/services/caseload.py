"""A partner user's visits to the caseload: what "new since your last visit" is measured
against."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ..models import PortalVisit

# Opening the caseload again within this time is the same visit: the "new" marks stay while
# the user works through the list, and go once they come back later.
SAME_VISIT = dt.timedelta(minutes=30)


def record_portal_visit(user, now: dt.datetime | None = None) -> dt.datetime | None:
    """Note this visit; return when the previous visit was (None: the first)."""
    now = now or timezone.now()
    with transaction.atomic():
        visit, created = PortalVisit.objects.select_for_update().get_or_create(
            user=user, defaults={"last_at": now}
        )
        if created:
            return None
        if now - visit.last_at > SAME_VISIT:
            visit.previous_at = visit.last_at
        visit.last_at = now
        visit.save(update_fields=["previous_at", "last_at"])
    return visit.previous_at
