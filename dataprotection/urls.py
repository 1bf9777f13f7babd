"""Audit log, retention review and subject access pages (issue 7)."""

from django.urls import path

from governance.models import SubjectType

from .views import audit, retention, subject_access

app_name = "governance"

urlpatterns: list = [
    # The audit log (governance/views/audit.py)
    path("audit-log/", audit.AuditLogView.as_view(), name="audit_log"),
    path("audit-log/export/", audit.AuditExportView.as_view(), name="audit_export"),
    # Retention review (governance/views/retention.py): no names in these URLs.
    path("review/", retention.RetentionReviewView.as_view(), name="retention_review"),
    path(
        "review/<str:kind>/<uuid:uuid>/keep/",
        retention.RetainView.as_view(),
        name="retention_retain",
    ),
    path(
        "review/<str:kind>/<uuid:uuid>/erase/",
        retention.EraseView.as_view(),
        name="retention_erase",
    ),
    # Subject access (dataprotection/views/subject_access.py): subjects by UUID, requests
    # by their own UUID; no names or custody references in these URLs.
    path(
        "subject-access/",
        subject_access.SubjectAccessSearchView.as_view(),
        name="subject_access_search",
    ),
    path(
        "people/<uuid:uuid>/subject-access/",
        subject_access.SubjectPageView.as_view(subject_type=SubjectType.PERSON),
        name="subject_access",
    ),
    path(
        "arrests/<uuid:uuid>/subject-access/",
        subject_access.SubjectPageView.as_view(subject_type=SubjectType.ARREST),
        name="subject_access_arrest",
    ),
    path(
        "subject-access/<uuid:uuid>/",
        subject_access.SubjectAccessRequestView.as_view(),
        name="subject_access_request",
    ),
    path(
        "subject-access/<uuid:uuid>/pdf/",
        subject_access.SubjectAccessDownloadView.as_view(format="pdf"),
        name="subject_access_pdf",
    ),
    path(
        "subject-access/<uuid:uuid>/json/",
        subject_access.SubjectAccessDownloadView.as_view(format="json"),
        name="subject_access_json",
    ),
]
