"""The police home pages: what a supervisor and a PC need to see first."""

import datetime as dt

from django.shortcuts import render
from django.utils import timezone

from accounts.selectors import trained_pool

from ..models import Patrol
from ..selectors import officers_near_limit, patrol_rows

OVERDUE_AFTER = dt.timedelta(hours=24)


def supervisor_home(request):
    """This week's and next week's patrols, those missing an approved risk assessment,
    returns owed, officers near their monthly hours limit and each area's trained pool,
    in the sergeant's or project lead's areas."""
    mine = Patrol.objects.visible_to(request.user)
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    return render(
        request,
        "home/supervisor.html",
        {
            "this_week": patrol_rows(
                mine.starting_between(monday, monday + dt.timedelta(days=6)).order_by("starts_at")
            ),
            "next_week": patrol_rows(
                mine.starting_between(
                    monday + dt.timedelta(days=7), monday + dt.timedelta(days=13)
                ).order_by("starts_at")
            ),
            "awaiting_approval": patrol_rows(mine.awaiting_risk_approval()),
            "returns_owed": patrol_rows(mine.returns_owed()),
            "overdue_before": timezone.now() - OVERDUE_AFTER,
            "observing": patrol_rows(
                Patrol.objects.observed_by(request.user).upcoming().order_by("starts_at")
            ),
            "near_limit": officers_near_limit(request.user, today),
            "trained_pool": trained_pool(request.user, today),
        },
    )


def pc_home(request):
    """The PC's upcoming patrols, the returns they still owe, and those recently filed."""
    mine = Patrol.objects.visible_to(request.user).with_officer(request.user)
    return render(
        request,
        "home/pc.html",
        {
            "upcoming": patrol_rows(mine.upcoming()),
            "returns_owed": patrol_rows(mine.returns_owed()),
            "recently_filed": patrol_rows(mine.recently_returned()),
            "overdue_before": timezone.now() - OVERDUE_AFTER,
        },
    )
