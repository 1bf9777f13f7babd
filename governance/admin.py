from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: nobody adds, changes or deletes audit rows through the application."""

    list_display = ["at", "actor_username", "action", "object_type", "object_id", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_username", "object_id", "action"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.role in {"admin", "project_lead"}
