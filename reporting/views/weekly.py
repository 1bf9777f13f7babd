"""The weekly deployment sheet (sergeants and the project lead) and the hotspot ranking
(all police), for one of the user's areas and a week (`?area=<pk>&week=YYYY-MM-DD`)."""

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from accounts.reauth import RecentAuthenticationRequiredMixin
from core.dates import DateParameterError, parse_query_date
from core.permissions import PermissionRequiredMixin
from governance import audit

from .. import services
from ..models import GeneratedReport, ReportKind, ReportStatus
from ..ranking import area_ranking
from ..reports.weekly import coming_monday, weekly_sheet
from ..selectors import chosen_area
from ..services import ReportRuleError, request_report


@dataclass(frozen=True)
class Choice:
    """The area and week a page shows, and the links to the weeks either side."""

    area: object
    areas: list
    monday: dt.date

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    def query(self, monday: dt.date | None = None) -> str:
        return urlencode(
            {"area": getattr(self.area, "pk", ""), "week": f"{monday or self.monday:%Y-%m-%d}"}
        )

    @property
    def previous_query(self) -> str:
        return self.query(self.monday - dt.timedelta(days=7))

    @property
    def next_query(self) -> str:
        return self.query(self.monday + dt.timedelta(days=7))


def chosen_week(request, value: str | None) -> dt.date:
    """The Monday of the week asked for; the coming week if none. A week that is not a
    date in the range people enter (core.dates) is refused with a message: the windows
    reaching months back from it could fall off the calendar."""
    try:
        day = parse_query_date(value)
    except DateParameterError as error:
        messages.warning(request, f"{error} The coming week is shown instead.")
        day = None
    if day is None:
        return coming_monday(timezone.localdate())
    return day - dt.timedelta(days=day.weekday())


def choice_from(request, data) -> Choice:
    areas = list(request.user.areas.all())
    return Choice(
        area=chosen_area(areas, data.get("area")),
        areas=areas,
        monday=chosen_week(request, data.get("week")),
    )


class HotspotRankingView(PermissionRequiredMixin, View):
    permission_required = "reporting.view_ranking"

    def get(self, request):
        choice = choice_from(request, request.GET)
        ranking = area_ranking(choice.area, choice.monday) if choice.area else None
        return render(
            request,
            "reporting/weekly/ranking.html",
            {"choice": choice, "ranking": ranking, "url_name": "reporting:ranking"},
        )


class WeeklySheetView(PermissionRequiredMixin, RecentAuthenticationRequiredMixin, View):
    permission_required = "reporting.view_sheet"

    def needs_recent_authentication(self, request) -> bool:
        return "download" in request.GET  # the PDF, not the page

    def get(self, request):
        choice = choice_from(request, request.GET)
        report = self.current_report(choice) if choice.area else None
        if "download" in request.GET:
            response = self.download(report)
            services.record_download(report, request)
            return response
        sheet = weekly_sheet(choice.area, choice.monday) if choice.area else None
        if sheet is not None:  # s.62: the intelligence lines on the page were consulted
            audit.viewed_many(request, [line.record for line in sheet.intelligence])
        return render(
            request,
            "reporting/weekly/sheet.html",
            {
                "choice": choice,
                "sheet": sheet,
                "report": report,
                "url_name": "reporting:weekly_sheet",
            },
        )

    def post(self, request):
        """Ask for the PDF of this sheet; it is built in the background."""
        try:
            parse_query_date(request.POST.get("week"))
        except DateParameterError as error:  # never a PDF of another week than asked
            messages.error(request, f"{error} No PDF was asked for.")
            return redirect("reporting:weekly_sheet")
        choice = choice_from(request, request.POST)
        if choice.area is None:
            raise Http404
        try:
            request_report(
                ReportKind.WEEKLY_DEPLOYMENT,
                choice.area,
                choice.monday,
                choice.sunday,
                by=request.user,
            )
        except ReportRuleError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "The PDF is queued and will be ready in a minute or two.")
        return redirect(f"{reverse('reporting:weekly_sheet')}?{choice.query()}")

    @staticmethod
    def current_report(choice: Choice) -> GeneratedReport | None:
        return GeneratedReport.objects.filter(
            kind=ReportKind.WEEKLY_DEPLOYMENT,
            area=choice.area,
            period_start=choice.monday,
            period_end=choice.sunday,
            superseded=False,
        ).first()

    @staticmethod
    def download(report: GeneratedReport | None) -> FileResponse:
        if report is None or report.status != ReportStatus.READY:
            raise Http404
        name = report.file.name.rsplit("/", 1)[-1]
        return FileResponse(
            report.file.open("rb"),
            as_attachment=True,
            filename=name,
            content_type="application/pdf",
        )
