from django.contrib import admin

from core.permissions import has_permission

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: nobody adds, changes or deletes audit rows through the application.
    Readable by those who may read the audit log pages (governance.permissions)."""

    list_display = ["at", "actor_username", "action", "object_type", "object_id", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_username", "object_id", "action"]
    date_hierarchy = "at"
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_module_permission(self, request) -> bool:
        return has_permission(request.user, "governance.audit_log")

    def has_view_permission(self, request, obj=None) -> bool:
        return has_permission(request.user, "governance.audit_log")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
