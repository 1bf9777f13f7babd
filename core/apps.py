from importlib import import_module
from pathlib import Path

from django.apps import AppConfig, apps


class CoreConfig(AppConfig):
    """The building blocks every app stands on; imports no app."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        # Each app's permissions.py registers its RULES table with core.permissions when it
        # is imported; importing them all here means every right is known before a request.
        # (Looked up on disk, in each app's own folder, rather than by import probing.)
        for config in apps.get_app_configs():
            if Path(config.path, "permissions.py").is_file():
                import_module(f"{config.name}.permissions")
