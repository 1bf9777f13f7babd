from django.contrib import admin

from accounts.admin_base import ReadOnlyInline, RoleModelAdmin, service_action
from accounts.permissions import is_system_admin
from core.permissions import has_permission

from . import selectors, services
from .models import (
    Person,
    PossibleDuplicate,
    Referral,
    ReferralMove,
    ReferralNote,
    ReferralStatus,
    ReferralStatusChange,
)


def _withdraw(referral, by, reason) -> None:
    services.change_status(referral, ReferralStatus.WITHDRAWN, by, note=reason)


def _may_withdraw(user) -> bool:
    return is_system_admin(user) or has_permission(user, "referrals.withdraw")


@admin.register(Person)
class PersonAdmin(RoleModelAdmin):
    scope = staticmethod(selectors.people_visible_to)
    service_owned = True
    list_display = ["working_name", "age_band", "area", "first_seen"]
    list_filter = ["area", "age_band"]
    list_select_related = ["area"]
    search_fields = ["working_name", "description"]


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
    scope = staticmethod(selectors.duplicates_visible_to)
    service_owned = True
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
    """Read-only: making, moving, working and withdrawing a referral are the referral
    services' (django-guardian grants move with the agency); withdrawing is an action."""

    scope = staticmethod(selectors.referrals_visible_to)
    service_owned = True
    list_display = ["made_at", "person", "agency", "service", "status", "referred_by"]
    list_filter = ["status", "service", "agency"]
    list_select_related = ["person", "agency", "referred_by"]
    search_fields = ["person__working_name", "agency__name"]
    inlines = [StatusChangeInline, NoteInline, MoveInline]
    actions = [
        service_action(
            "withdraw",
            "Withdraw the selected referrals",
            _withdraw,
            (services.ReferralRuleError,),
            allowed=_may_withdraw,
            ask_reason=True,
        )
    ]
