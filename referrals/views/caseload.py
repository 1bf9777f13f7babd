"""The partner portal's home: the agency's caseload, and its CSV export.

Each referral with its age, the deadline it is measured against (red/amber/green, as a
tag with words), and whether it reached the agency since the user's last visit; search
and filters in SQL (referrals.selectors.caseload), through the agency's grants only. The
export asks for the password again and writes one "exported" row per referral.
"""

import csv
import datetime as dt
from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from accounts.reauth import RecentAuthenticationRequiredMixin
from core.pagination import SelectorPaginator
from core.paths import uuid_paths
from core.permissions import PermissionRequiredMixin
from core.queries import page_rows
from core.spreadsheet import safe_cell
from governance import audit

from .. import deadlines, services
from ..forms import PortalFilterForm
from ..models import Referral, ReferralStatus, ServiceType
from ..selectors import caseload, caseload_summary, previous_portal_visit

PAGE_SIZE = 50
CSV_COLUMNS = [
    "Reference",
    "Reached the agency",
    "Age in days",
    "Name",
    "Service",
    "Status",
    "Deadline",
    "Due on",
    "Deadline status",
]


@dataclass(frozen=True)
class CaseRow:
    referral: Referral
    arrived_on: dt.date  # the local day it reached the agency
    age_days: int
    deadline: deadlines.DeadlineState | None
    is_new: bool
    url: str  # the referral's page in the portal

    @property
    def name(self) -> str:
        referral = self.referral
        return referral.person.working_name if referral.person else referral.caution.booking_name

    @property
    def service_name(self) -> str:
        """The service's name; the model's get_service_display looks it up among all
        the field's choices made hashable, on each call."""
        return ServiceType(self.referral.service).label

    @property
    def status_name(self) -> str:
        return ReferralStatus(self.referral.status).label


def case_rows(referrals, agency, since: dt.datetime | None, today: dt.date) -> list[CaseRow]:
    link = uuid_paths("referrals:partner_detail")
    return [case_row(referral, agency, since, today, link) for referral in referrals]


def case_row(referral, agency, since: dt.datetime | None, today: dt.date, link) -> CaseRow:
    arrived_on = timezone.localdate(referral.referred_at)
    return CaseRow(
        referral,
        arrived_on,
        (today - arrived_on).days,
        deadlines.state_of(referral, agency, today),
        since is None or referral.referred_at > since,
        link(referral.uuid),
    )


def partner_home(request):
    """The partner's start page, also served at "/" (pages.urls)."""
    return PartnerHomeView.as_view()(request)


class PartnerHomeView(PermissionRequiredMixin, View):
    permission_required = "referrals.portal"
    http_method_names = ["get"]
    template_name = "referrals/portal/home.html"

    def get(self, request):
        user, today = request.user, timezone.localdate()
        since = services.record_portal_visit(user)
        form = PortalFilterForm(request.GET or None)
        filters = form.filters() if form.is_bound else {}
        counts, overdue = caseload_summary(user, today)
        total = sum(n for _, n in counts)
        rows = caseload(user, filters, since, today)
        # A page's keys first, then those referrals with their people and cautions
        # (page_rows): joined before sorting, the agency's thousands of referrals were
        # hashed against every person and caution. The unfiltered caseload's count is the
        # counts' total, so none is run for it.
        paginator = SelectorPaginator(rows, PAGE_SIZE, page_rows, count=None if filters else total)
        page = paginator.get_page(request.GET.get("page"))
        audit.viewed_many(request, audit.with_related(page, "person", "caution"))
        context = {
            "form": form,
            "filtered": bool(filters),
            # Filtered by status alone: the table says which.
            "status": ReferralStatus(filters["status"]) if set(filters) == {"status"} else None,
            "counts": counts,
            "total": total,
            "overdue": overdue,
            "since": since,
            "agency": user.agency,
            "page_obj": page,
            "rows": case_rows(page, user.agency, since, today),
        }
        return render(request, self.template_name, context)


class PartnerExportView(PermissionRequiredMixin, RecentAuthenticationRequiredMixin, View):
    """The agency's referrals (with the page's search and filters) as CSV."""

    permission_required = "referrals.portal"
    http_method_names = ["get"]

    def get(self, request):
        user, today = request.user, timezone.localdate()
        form = PortalFilterForm(request.GET or None)
        filters = form.filters() if form.is_bound else {}
        referrals = list(caseload(user, filters, previous_portal_visit(user), today))
        audit.record_many(
            "referrals.referral.exported", referrals, request=request, detail="Caseload CSV"
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"referrals-{today:%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        write_csv(response, case_rows(referrals, user.agency, None, today))
        return response


def write_csv(out, rows: list[CaseRow]) -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        referral, deadline = row.referral, row.deadline
        cells = [
            str(referral.uuid),
            f"{row.arrived_on:%Y-%m-%d}",
            str(row.age_days),
            row.name,
            row.service_name,
            row.status_name,
            deadline.label if deadline else "",
            f"{deadline.due_on:%Y-%m-%d}" if deadline else "",
            dict(deadlines.Rag.CHOICES)[deadline.rag] if deadline else "",
        ]
        writer.writerow([safe_cell(cell) for cell in cells])
