"""The admin site and the base ModelAdmin every app registers with."""

from functools import wraps

from django.contrib import admin
from django.http import Http404

from accounts.permissions import can_change_in_admin, can_use_admin
from governance import audit


def _hidden_from_outsiders(view):
    """Signed-in users who may not use the admin get 404, never a hint that it exists."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and not can_use_admin(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


class EphedraAdminSite(admin.AdminSite):
    site_header = "Ephedra administration"
    site_title = "Ephedra admin"
    index_title = "Records"

    def has_permission(self, request) -> bool:
        return can_use_admin(request.user)

    def admin_view(self, view, cacheable=False):
        return _hidden_from_outsiders(super().admin_view(view, cacheable))

    def login(self, request, extra_context=None):
        return _hidden_from_outsiders(super().login)(request, extra_context)


class RolePermissionsMixin:
    """Rights follow the user's role (accounts.permissions), not per-model Django permissions."""

    def has_module_permission(self, request) -> bool:
        return can_use_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return can_use_admin(request.user)

    def has_add_permission(self, request, obj=None) -> bool:
        return can_change_in_admin(request.user, self.opts.app_label)

    def has_change_permission(self, request, obj=None) -> bool:
        return can_change_in_admin(request.user, self.opts.app_label)

    def has_delete_permission(self, request, obj=None) -> bool:
        return can_change_in_admin(request.user, self.opts.app_label)


class RoleModelAdmin(RolePermissionsMixin, admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False

    # Reading a record about a person in the admin is logged as in the application.
    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        self._log_viewed(request, response, lambda context: [context.get("original")])
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        self._log_viewed(
            request, response, lambda context: getattr(context.get("cl"), "result_list", [])
        )
        return response

    def _log_viewed(self, request, response, shown) -> None:
        context = getattr(response, "context_data", None)
        if self.opts.label_lower in audit.PERSONAL and context and response.status_code == 200:
            audit.viewed_many(request, shown(context))


class RoleInline(RolePermissionsMixin, admin.TabularInline):
    extra = 0


class ReadOnlyInline(RoleInline):
    """History written by the application (status changes, amendments): shown, never edited."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
