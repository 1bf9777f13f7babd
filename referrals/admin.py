from django.contrib import admin

from ephedra.admin import ReadOnlyInline, RoleModelAdmin

from .models import (
    Person,
    PossibleDuplicate,
    Referral,
    ReferralMove,
    ReferralNote,
    ReferralStatusChange,
)


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


class NoteInline(ReadOnlyInline):
    model = ReferralNote
    readonly_fields = ["author", "written_at", "text"]


class MoveInline(ReadOnlyInline):
    model = ReferralMove
    fk_name = "referral"
    readonly_fields = ["from_agency", "to_agency", "moved_by", "moved_at", "reason"]


@admin.register(PossibleDuplicate)
class PossibleDuplicateAdmin(RoleModelAdmin):
    list_display = ["person", "other", "status", "flagged_at", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["person", "other", "decided_by"]
    readonly_fields = [
        "person",
        "other",
        "reason",
        "flagged_at",
        "status",
        "decided_by",
        "decided_at",
    ]


@admin.register(Referral)
class ReferralAdmin(RoleModelAdmin):
    list_display = ["made_at", "person", "agency", "service", "status", "referred_by"]
    list_filter = ["status", "service", "agency"]
    list_select_related = ["person", "agency", "referred_by"]
    search_fields = ["person__working_name", "agency__name"]
    autocomplete_fields = ["person", "patrol", "encounter", "caution", "agency", "referred_by"]
    readonly_fields = ["uuid"]
    inlines = [StatusChangeInline, NoteInline, MoveInline]
