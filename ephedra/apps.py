from django.contrib.admin.apps import AdminConfig


class EphedraAdminConfig(AdminConfig):
    """The Django admin, on a site that hides itself from partner users."""

    default_site = "ephedra.admin.EphedraAdminSite"
