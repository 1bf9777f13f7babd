from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Data protection"

    def ready(self):
        from . import audit

        audit.connect_signals()
