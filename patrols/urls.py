from django.urls import path

from .views import concerns, hotspots, intelligence, planning, returns

app_name = "patrols"

urlpatterns = [
    # Planning (patrols/views/planning.py)
    path("patrols/", planning.PatrolListView.as_view(), name="list"),
    path("patrols/week/", planning.WeekView.as_view(), name="week"),
    path("patrols/new/", planning.PatrolCreateView.as_view(), name="create"),
    path("patrols/copy-last-week/", planning.CopyLastWeekView.as_view(), name="copy_last_week"),
    path("patrols/<uuid:uuid>/", planning.PatrolDetailView.as_view(), name="detail"),
    path("patrols/<uuid:uuid>/edit/", planning.PatrolEditView.as_view(), name="edit"),
    path("patrols/<uuid:uuid>/cancel/", planning.PatrolCancelView.as_view(), name="cancel"),
    path(
        "patrols/<uuid:uuid>/risk-assessment/",
        planning.RiskAssessmentView.as_view(),
        name="risk_assessment",
    ),
    path(
        "patrols/<uuid:uuid>/risk-assessment/approve/",
        planning.ApproveRiskAssessmentView.as_view(),
        name="approve_risk_assessment",
    ),
    path("patrols/<uuid:uuid>/deploy/", planning.DeployView.as_view(), name="deploy"),
    path("patrols/<uuid:uuid>/close/", planning.ClosePatrolView.as_view(), name="close"),
    path("wellbeing/", planning.WellbeingView.as_view(), name="wellbeing"),
    # Work returns (patrols/views/returns.py)
    path("patrols/<uuid:uuid>/return/", returns.WorkReturnView.as_view(), name="work_return"),
    path("patrols/<uuid:uuid>/return/draft/", returns.SaveDraftView.as_view(), name="save_draft"),
    path(
        "patrols/<uuid:uuid>/return/amend/", returns.AmendReturnView.as_view(), name="amend_return"
    ),
    # Hotspots (patrols/views/hotspots.py)
    path("hotspots/", hotspots.HotspotListView.as_view(), name="hotspots"),
    path("hotspots/new/", hotspots.HotspotCreateView.as_view(), name="hotspot_create"),
    path("hotspots/<uuid:uuid>/edit/", hotspots.HotspotEditView.as_view(), name="hotspot_edit"),
    path(
        "hotspots/<uuid:uuid>/retire/", hotspots.HotspotRetireView.as_view(), name="hotspot_retire"
    ),
    # Intelligence: police (patrols/views/intelligence.py), supervisors only.
    path("intelligence/", intelligence.IntelligenceListView.as_view(), name="intelligence"),
    path(
        "intelligence/concerns/<uuid:uuid>/",
        intelligence.ConcernGradeView.as_view(),
        name="concern",
    ),
    # Concerns partners send (patrols/views/concerns.py): partner users only.
    path("partner/concerns/", concerns.ConcernListView.as_view(), name="partner_concerns"),
    path("partner/concerns/new/", concerns.ConcernCreateView.as_view(), name="partner_concern_new"),
    path(
        "partner/concerns/<uuid:uuid>/",
        concerns.ConcernDetailView.as_view(),
        name="partner_concern",
    ),
]
