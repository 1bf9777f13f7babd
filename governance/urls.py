"""Audit log, retention review and subject access pages (issue 7)."""

app_name = "governance"

urlpatterns: list = []
