from django.contrib import admin

from ephedra.admin import ReadOnlyInline, RoleModelAdmin

from .models import Person, Referral, ReferralStatusChange


@admin.register(Person)
class PersonAdmin(RoleModelAdmin):
    list_display = ["working_name", "age_band", "area", "first_seen"]
    list_filter = ["area", "age_band"]
    list_select_related = ["area"]
    search_fields = ["working_name", "description"]
    readonly_fields = ["uuid", "created_by", "created_at"]


class StatusChangeInline(ReadOnlyInline):
    model = ReferralStatusChange
    readonly_fields = ["from_status", "to_status", "changed_by", "changed_at", "note"]


@admin.register(Referral)
class ReferralAdmin(RoleModelAdmin):
    list_display = ["made_at", "person", "agency", "service", "status", "referred_by"]
    list_filter = ["status", "service", "agency"]
    list_select_related = ["person", "agency", "referred_by"]
    search_fields = ["person__working_name", "agency__name"]
    autocomplete_fields = ["person", "patrol", "encounter", "caution", "agency", "referred_by"]
    readonly_fields = ["uuid"]
    inlines = [StatusChangeInline]
