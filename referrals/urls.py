from django.urls import path

from .views import caseload, people, person, police, portal

app_name = "referrals"

urlpatterns = [
    # The partner portal (referrals/views/portal.py): partner users only.
    path("partner/", caseload.PartnerHomeView.as_view(), name="partner_home"),
    path("partner/referrals.csv", caseload.PartnerExportView.as_view(), name="partner_export"),
    path("partner/patrols/", portal.InvitedPatrolsView.as_view(), name="invited_patrols"),
    path(
        "partner/referrals/<uuid:uuid>/",
        portal.PartnerReferralView.as_view(),
        name="partner_detail",
    ),
    path(
        "partner/referrals/<uuid:uuid>/status/",
        portal.PartnerStatusView.as_view(),
        name="partner_status",
    ),
    path(
        "partner/referrals/<uuid:uuid>/notes/",
        portal.PartnerNoteView.as_view(),
        name="partner_note",
    ),
    path(
        "partner/referrals/<uuid:uuid>/course/",
        portal.PartnerCourseView.as_view(),
        name="partner_course",
    ),
    # Police pages (referrals/views/police.py): partner users get 404.
    path("referrals/", police.ReferralListView.as_view(), name="list"),
    path("referrals/new/", police.ReferralCreateView.as_view(), name="create"),
    path("referrals/<uuid:uuid>/", police.ReferralDetailView.as_view(), name="detail"),
    path("referrals/<uuid:uuid>/withdraw/", police.ReferralWithdrawView.as_view(), name="withdraw"),
    path("referrals/<uuid:uuid>/move/", police.ReferralMoveView.as_view(), name="move"),
    path("people/", people.PersonSearchView.as_view(), name="people"),
    path("people/<uuid:uuid>/", person.PersonTimelineView.as_view(), name="person"),
    # A woman's safeguarding record (referrals/views/person.py): POST only.
    path(
        "people/<uuid:uuid>/safeguarding/risk/",
        person.RiskLevelView.as_view(),
        name="person_risk",
    ),
    path(
        "people/<uuid:uuid>/safeguarding/markers/",
        person.MarkerAddView.as_view(),
        name="person_marker",
    ),
    path(
        "people/<uuid:uuid>/safeguarding/routes/",
        person.RouteAddView.as_view(),
        name="person_route",
    ),
    path("people/markers/<uuid:uuid>/end/", person.MarkerEndView.as_view(), name="marker_end"),
    path("people/routes/<uuid:uuid>/end/", person.RouteEndView.as_view(), name="route_end"),
    path("people/possible-duplicates/", police.DuplicateListView.as_view(), name="duplicates"),
    path(
        "people/possible-duplicates/<uuid:uuid>/",
        police.DuplicateDecideView.as_view(),
        name="duplicate_decide",
    ),
    path("notifications/", police.NotificationListView.as_view(), name="notifications"),
]
