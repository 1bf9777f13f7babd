"""The reports page: the project lead asks for a report, watches it being built (htmx
polls each unfinished row) and downloads it. Reports are found through the user's areas;
anything else answers 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from accounts.reauth import RecentAuthenticationRequiredMixin
from core.permissions import PermissionRequiredMixin
from core.polling import poll_context
from governance import audit

from .. import services
from ..forms_reports import MONTHLY_KINDS, ReportRequestForm
from ..models import GeneratedReport, ReportStatus
from ..selectors import (
    download_name,
    get_built_monthly_report_for_user,
    get_report_for_user,
    reports_for,
)

PER_PAGE = 25
UNFINISHED = (ReportStatus.PENDING, ReportStatus.RUNNING)
# A row still being built asks again after 2, 3, 5, 8, 15, then every 30 seconds; a row
# that is finished or superseded (a newer request covers its period) asks no more.
POLL_DELAYS = (2, 3, 5, 8, 15, 30)


class ReportListView(PermissionRequiredMixin, View):
    permission_required = "reporting.reports"
    http_method_names = ["get", "post"]

    def get(self, request):
        return self.page(request, ReportRequestForm(user=request.user))

    def post(self, request):
        form = ReportRequestForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.page(request, form)
        data = form.cleaned_data
        try:
            period = (data["period_start"], data["period_end"])
            report = services.request_report(data["kind"], data["area"], *period, by=request.user)
        except services.ReportRuleError as error:
            form.add_error(None, str(error))
            return self.page(request, form)
        messages.success(
            request,
            f"{report.get_kind_display()} for {report.area}, {period_label(report)}, asked for. "
            "It is listed below and updates itself when it is ready.",
        )
        return redirect("reporting:reports")

    def page(self, request, form):
        page = Paginator(reports_for(request.user).order_by("-created_at", "-pk"), PER_PAGE)
        reports = page.get_page(request.GET.get("page"))
        return render(
            request,
            "reporting/reports/list.html",
            {"form": form, "reports": reports},
        )


class ReportStatusView(PermissionRequiredMixin, View):
    """One report's row, for htmx to swap in while it is awaited (pending or running, not
    superseded), each time a little later."""

    permission_required = "reporting.reports"
    http_method_names = ["get"]

    def get(self, request, uuid):
        report = get_report_for_user(request.user, uuid)
        finished = report.status not in UNFINISHED
        return render(
            request,
            "reporting/reports/_status.html",
            {
                "report": report,
                "announce": finished and getattr(request, "htmx", False),
            }
            | poll_context(request.GET.get("poll"), POLL_DELAYS),
        )


class ReportDownloadView(PermissionRequiredMixin, RecentAuthenticationRequiredMixin, View):
    permission_required = "reporting.reports"
    http_method_names = ["get"]

    def get(self, request, uuid):
        report = get_object_or_404(
            reports_for(request.user).filter(status=ReportStatus.READY), uuid=uuid
        )
        try:
            handle = report.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None  # the file went missing: as if there were no report
        services.record_download(report, request)
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=download_name(report),
            content_type="application/pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response


class MonthlyReportView(PermissionRequiredMixin, View):
    """A built monthly report on the web: its first page and every chart with its numbers,
    in the report's own edition, found as its download is found (404 for anyone else)."""

    permission_required = "reporting.reports"
    http_method_names = ["get"]

    def get(self, request, uuid):
        from ..reports.monthly import web_context  # matplotlib: only when a report is shown

        report = get_built_monthly_report_for_user(request.user, uuid)
        audit.viewed(request, report)
        context = {"report": report, "period": period_label(report)}
        return render(request, "reporting/reports/monthly.html", context | web_context(report))


def period_label(report: GeneratedReport) -> str:
    if report.kind in MONTHLY_KINDS:
        return f"{report.period_start:%B %Y}"
    return f"week of {report.period_start:%-d %B %Y}"
