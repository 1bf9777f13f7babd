"""Audit log, retention review and subject access pages (issue 7)."""

from django.urls import path

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
    # Subject access (governance/views/subject_access.py)
    path(
        "people/<uuid:uuid>/subject-access/",
        subject_access.SubjectAccessView.as_view(),
        name="subject_access",
    ),
    path(
        "people/<uuid:uuid>/subject-access/pdf/",
        subject_access.SubjectAccessDownloadView.as_view(format="pdf"),
        name="subject_access_pdf",
    ),
    path(
        "people/<uuid:uuid>/subject-access/json/",
        subject_access.SubjectAccessDownloadView.as_view(format="json"),
        name="subject_access_json",
    ),
]
