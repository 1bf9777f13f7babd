"""The roll-out page: the project lead's table of how each of their areas is doing this
month (``?month=YYYY-MM`` for another month). Counts only; one query for the table."""

from django.contrib import messages
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from core.dates import DateParameterError, parse_query_month
from core.permissions import PermissionRequiredMixin

from ..rollout import month_of, rollout_rows


def _add_months(first, months: int):
    index = first.year * 12 + first.month - 1 + months
    return first.replace(year=index // 12, month=index % 12 + 1)


class RolloutView(PermissionRequiredMixin, View):
    permission_required = "reporting.rollout"

    def get(self, request):
        try:
            first = parse_query_month(request.GET.get("month"))
        except DateParameterError as error:
            messages.warning(request, f"{error} This month is shown instead.")
            first = None
        month = month_of(first)
        this_month = timezone.localdate().replace(day=1)
        context = {
            "month": month,
            "rows": rollout_rows(request.user, month),
            "previous": _add_months(month.first, -1),
            "next": _add_months(month.first, 1) if month.first < this_month else None,
        }
        return render(request, "reporting/rollout.html", context)
