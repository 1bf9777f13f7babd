from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class EphedraConfig(AppConfig):
    """The project package as an app: shared templatetags, the demo and its command."""

    name = "ephedra"
    default = True


class EphedraAdminConfig(admin_apps.AdminConfig):
    """The Django admin, on a site that hides itself from partner users."""

    default = False
    default_site = "accounts.admin_base.EphedraAdminSite"
