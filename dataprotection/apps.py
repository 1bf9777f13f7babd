from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    """Retention review, erasure, subject access and the audit log pages: the readers of
    every other app. Owns no models: it reads and writes the ledgers ``governance`` keeps
    (AuditEvent, RetentionDecision)."""

    name = "dataprotection"
    verbose_name = "Data protection pages"

    def ready(self):
        from governance import activity

        from . import retention

        # A service reports activity on a record (governance.activity.touched); the review
        # dates, which depend on every kind of record, are recomputed here.
        activity.record_activity.connect(retention.on_activity, dispatch_uid="retention")
