"""Patrol records in the admin: read through the selectors, changed only by actions that
call the services (see accounts/admin_base.py)."""

from django.contrib import admin

from accounts.admin_base import ReadOnlyInline, RoleModelAdmin, service_action
from accounts.permissions import is_system_admin
from core.permissions import has_permission

from . import models, selectors, services


def _may(right: str):
    return lambda user: is_system_admin(user) or has_permission(user, right)


def _retire(hotspot, by, reason) -> None:
    services.retire_hotspot(hotspot)


def _cancel(patrol, by, reason) -> None:
    services.cancel(patrol, reason)


def _approve(patrol, by, reason) -> None:
    services.approve_risk_assessment(patrol, by)


def _deploy(patrol, by, reason) -> None:
    services.mark_deployed(patrol)


def _close(patrol, by, reason) -> None:
    services.close_patrol(patrol, by)


@admin.register(models.Hotspot)
class HotspotAdmin(RoleModelAdmin):
    """A system administrator may correct a hotspot's description; retiring is an action
    (the hotspot pages' own service), and hotspots are made on the hotspot pages."""

    scope = staticmethod(selectors.hotspots_for)
    list_display = ["name", "ward", "active", "identified_on", "latitude", "longitude"]
    list_filter = ["active", "ward__area", "ward"]
    list_select_related = ["ward"]
    search_fields = ["name", "reason"]
    readonly_fields = ["ward", "active", "retired_on"]
    actions = [
        service_action(
            "retire",
            "Retire the selected hotspots",
            _retire,
            (services.PatrolRuleError,),
            allowed=_may("patrols.manage_hotspots"),
        )
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PatrolOfficerInline(ReadOnlyInline):
    model = models.PatrolOfficer
    fields = readonly_fields = ["officer", "role"]


class PartnerInvitationInline(ReadOnlyInline):
    model = models.PartnerInvitation
    fields = readonly_fields = ["agency", "activity"]


@admin.register(models.Patrol)
class PatrolAdmin(RoleModelAdmin):
    scope = staticmethod(selectors.patrols_for)
    service_owned = True
    list_display = ["starts_at", "ends_at", "area", "ward", "status", "planned_by"]
    list_filter = ["status", "area", ("starts_at", admin.DateFieldListFilter)]
    list_select_related = ["area", "ward", "planned_by"]
    date_hierarchy = "starts_at"
    search_fields = ["ward__name", "meeting_point"]
    inlines = [PatrolOfficerInline, PartnerInvitationInline]
    actions = [
        service_action(
            "approve_risk_assessment",
            "Approve the risk assessment of the selected patrols",
            _approve,
            (services.PatrolRuleError,),
            allowed=_may("patrols.approve_risk"),
        ),
        service_action(
            "mark_deployed",
            "Mark the selected patrols deployed",
            _deploy,
            (services.PatrolRuleError,),
            allowed=_may("patrols.deploy"),
        ),
        service_action(
            "close",
            "Close the selected patrols (return reviewed)",
            _close,
            (services.PatrolRuleError,),
            allowed=_may("patrols.close"),
        ),
        service_action(
            "cancel",
            "Cancel the selected patrols",
            _cancel,
            (services.PatrolRuleError,),
            allowed=_may("patrols.plan"),
            ask_reason=True,
        ),
    ]


@admin.register(models.RiskAssessment)
class RiskAssessmentAdmin(RoleModelAdmin):
    scope = staticmethod(selectors.risk_assessments_for)
    service_owned = True
    list_display = ["patrol", "assessed_by", "assessed_at", "approved_by", "approved_at"]
    list_filter = [("approved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["patrol__area", "assessed_by", "approved_by"]


class OfficerHoursInline(ReadOnlyInline):
    model = models.OfficerHours
    fields = readonly_fields = ["officer", "hours"]


class HotspotVisitInline(ReadOnlyInline):
    model = models.HotspotVisit
    fields = readonly_fields = ["hotspot", "arrived_at", "left_at"]


class ReturnAmendmentInline(ReadOnlyInline):
    model = models.ReturnAmendment
    fields = readonly_fields = ["amended_by", "amended_at", "reason", "changes"]


@admin.register(models.ReturnDraft)
class ReturnDraftAdmin(RoleModelAdmin):
    scope = staticmethod(selectors.return_drafts_for)
    service_owned = True
    list_display = ["patrol", "saved_by", "saved_at"]
    list_select_related = ["patrol__area", "saved_by"]


@admin.register(models.WorkReturn)
class WorkReturnAdmin(RoleModelAdmin):
    scope = staticmethod(selectors.returns_for)
    service_owned = True
    list_display = ["patrol", "status", "weather", "women_seen", "engagement_count", "filed_by"]
    list_filter = ["status", "weather", "patrol__area"]
    list_select_related = ["patrol__area", "filed_by"]
    inlines = [OfficerHoursInline, HotspotVisitInline, ReturnAmendmentInline]


@admin.register(models.Encounter)
class EncounterAdmin(RoleModelAdmin):
    scope = staticmethod(selectors.encounters_for)
    service_owned = True
    list_display = ["occurred_at", "person", "hotspot", "engaged", "new_to_area"]
    list_filter = ["engaged", "new_to_area", "patrol__area"]
    list_select_related = ["person", "hotspot"]
    search_fields = ["person__working_name", "location"]


@admin.register(models.Arrest)
class ArrestAdmin(RoleModelAdmin):
    scope = staticmethod(selectors.arrests_for)
    service_owned = True
    list_display = ["arrested_at", "offence", "outcome", "arresting_officer"]
    list_filter = ["offence", "outcome", "patrol__area"]
    list_select_related = ["arresting_officer"]
    search_fields = ["custody_reference"]


@admin.register(models.ConditionalCaution)
class ConditionalCautionAdmin(RoleModelAdmin):
    scope = staticmethod(selectors.cautions_for)
    service_owned = True
    list_display = ["given_on", "provider", "deadline", "status"]
    list_filter = ["status", "provider"]
    list_select_related = ["provider"]
    search_fields = ["booking_name", "arrest__custody_reference"]


@admin.register(models.IntelligenceReport)
class IntelligenceReportAdmin(RoleModelAdmin):
    scope = staticmethod(selectors.intelligence_for)
    service_owned = True
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


@admin.register(models.PartnerConcern)
class PartnerConcernAdmin(RoleModelAdmin):
    """Read only: sent by partners, received and graded on the intelligence pages."""

    scope = staticmethod(selectors.concerns_for)
    service_owned = True
    list_display = ["sent_at", "agency", "area", "kind", "anonymised", "received_at"]
    list_filter = ["kind", "anonymised", "area"]
    list_select_related = ["agency", "area"]
    search_fields = ["subject_description", "details"]
