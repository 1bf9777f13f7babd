from django.urls import path

from .views import evidence, imports, reports, rollout, trials, weekly

app_name = "reporting"

urlpatterns = [
    path("crime-data/import/", imports.ImportCrimesView.as_view(), name="import"),
    path("crime-data/imports/<uuid:uuid>/", imports.ImportJobView.as_view(), name="import_job"),
    path(
        "crime-data/imports/<uuid:uuid>/status/",
        imports.ImportJobStatusView.as_view(),
        name="import_job_status",
    ),
    path("reports/", reports.ReportListView.as_view(), name="reports"),
    path("reports/<uuid:uuid>/status/", reports.ReportStatusView.as_view(), name="report_status"),
    path("reports/<uuid:uuid>/", reports.MonthlyReportView.as_view(), name="report"),
    path(
        "reports/<uuid:uuid>/download/",
        reports.ReportDownloadView.as_view(),
        name="report_download",
    ),
    path("deployment/", weekly.WeeklySheetView.as_view(), name="weekly_sheet"),
    path("hotspot-ranking/", weekly.HotspotRankingView.as_view(), name="ranking"),
    path("evidence/", evidence.EvidenceView.as_view(), name="evidence"),
    path("roll-out/", rollout.RolloutView.as_view(), name="rollout"),
    path("evidence/status/", evidence.EvidenceStatusView.as_view(), name="evidence_status"),
    # Trials (issue 18, item 6): the lead registers one; supervisors follow it.
    path("evidence/trials/new/", trials.TrialRegisterView.as_view(), name="trial_register"),
    path("evidence/trials/<uuid:uuid>/", trials.TrialView.as_view(), name="trial"),
    path(
        "evidence/trials/<uuid:uuid>/deviations/<int:pk>/",
        trials.DeviationReasonView.as_view(),
        name="trial_deviation",
    ),
]
