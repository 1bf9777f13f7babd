from django.contrib import admin

from ephedra.admin import ReadOnlyInline, RoleInline, RoleModelAdmin

from . import models


@admin.register(models.Hotspot)
class HotspotAdmin(RoleModelAdmin):
    list_display = ["name", "ward", "active", "identified_on", "latitude", "longitude"]
    list_filter = ["active", "ward__area", "ward"]
    list_select_related = ["ward"]
    search_fields = ["name", "reason"]


class PatrolOfficerInline(RoleInline):
    model = models.PatrolOfficer
    autocomplete_fields = ["officer"]


class PartnerInvitationInline(RoleInline):
    model = models.PartnerInvitation


@admin.register(models.Patrol)
class PatrolAdmin(RoleModelAdmin):
    list_display = ["starts_at", "ends_at", "area", "ward", "status", "planned_by"]
    list_filter = ["status", "area", ("starts_at", admin.DateFieldListFilter)]
    list_select_related = ["area", "ward", "planned_by"]
    date_hierarchy = "starts_at"
    search_fields = ["ward__name", "meeting_point"]
    autocomplete_fields = ["ward", "planned_by", "hotspots"]
    inlines = [PatrolOfficerInline, PartnerInvitationInline]


@admin.register(models.RiskAssessment)
class RiskAssessmentAdmin(RoleModelAdmin):
    list_display = ["patrol", "assessed_by", "assessed_at", "approved_by", "approved_at"]
    list_filter = [("approved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["patrol__area", "assessed_by", "approved_by"]
    autocomplete_fields = ["patrol", "assessed_by", "approved_by"]


class OfficerHoursInline(RoleInline):
    model = models.OfficerHours
    autocomplete_fields = ["officer"]


class ReturnAmendmentInline(ReadOnlyInline):
    model = models.ReturnAmendment
    readonly_fields = ["amended_by", "amended_at", "reason", "changes"]


@admin.register(models.ReturnDraft)
class ReturnDraftAdmin(RoleModelAdmin):
    list_display = ["patrol", "saved_by", "saved_at"]
    list_select_related = ["patrol__area", "saved_by"]
    readonly_fields = ["patrol", "saved_by", "saved_at", "data"]


@admin.register(models.WorkReturn)
class WorkReturnAdmin(RoleModelAdmin):
    list_display = ["patrol", "status", "weather", "women_seen", "engagement_count", "filed_by"]
    list_filter = ["status", "weather", "patrol__area"]
    list_select_related = ["patrol__area", "filed_by"]
    autocomplete_fields = ["patrol", "filed_by", "hotspots_visited"]
    inlines = [OfficerHoursInline, ReturnAmendmentInline]


@admin.register(models.Encounter)
class EncounterAdmin(RoleModelAdmin):
    list_display = ["occurred_at", "person", "hotspot", "engaged", "new_to_area"]
    list_filter = ["engaged", "new_to_area", "patrol__area"]
    list_select_related = ["person", "hotspot"]
    search_fields = ["person__working_name", "location"]
    autocomplete_fields = ["patrol", "person", "hotspot"]


@admin.register(models.Arrest)
class ArrestAdmin(RoleModelAdmin):
    list_display = ["arrested_at", "offence", "outcome", "arresting_officer"]
    list_filter = ["offence", "outcome", "patrol__area"]
    list_select_related = ["arresting_officer"]
    search_fields = ["custody_reference"]
    autocomplete_fields = ["patrol", "arresting_officer"]


@admin.register(models.ConditionalCaution)
class ConditionalCautionAdmin(RoleModelAdmin):
    list_display = ["given_on", "provider", "deadline", "status"]
    list_filter = ["status", "provider"]
    list_select_related = ["provider"]
    search_fields = ["booking_name", "arrest__custody_reference"]
    autocomplete_fields = ["arrest", "provider"]


@admin.register(models.IntelligenceReport)
class IntelligenceReportAdmin(RoleModelAdmin):
    list_display = [
        "submitted_at",
        "subject_description",
        "source_evaluation",
        "intelligence_assessment",
        "handling_code",
        "submitted_by",
    ]
    list_filter = ["source_evaluation", "intelligence_assessment", "handling_code"]
    list_select_related = ["submitted_by"]
    search_fields = ["subject_description", "details"]
    autocomplete_fields = ["patrol", "submitted_by"]
