from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from . import permissions, selectors, services, tokens, training
from .admin_base import RoleInline, RoleModelAdmin, RolePermissionsMixin, service_action
from .models import (
    POLICE_ROLES,
    ApiToken,
    Area,
    Notification,
    OfficerProfile,
    TrainingSession,
    User,
    Ward,
)


class WardInline(RoleInline):
    model = Ward
    scope = staticmethod(selectors.wards_for)
    fields = ["name", "code"]


@admin.register(Area)
class AreaAdmin(RoleModelAdmin):
    scope = staticmethod(selectors.areas_for)
    list_display = ["name", "code", "overtime_threshold_hours", "separate_approver"]
    search_fields = ["name", "code"]
    inlines = [WardInline]


@admin.register(Ward)
class WardAdmin(RoleModelAdmin):
    scope = staticmethod(selectors.wards_for)
    list_display = ["name", "code", "area"]
    list_filter = ["area"]
    list_select_related = ["area"]
    search_fields = ["name", "code"]


class OfficerProfileInline(RolePermissionsMixin, admin.StackedInline):
    model = OfficerProfile
    fk_name = "user"
    scope = staticmethod(selectors.officer_profiles_for)
    max_num = 1
    autocomplete_fields = ["home_ward", "ephedra_trainer"]


class EphedraUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "role", "agency"]


class EphedraUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User

    def clean(self):
        cleaned = super().clean()
        police = cleaned.get("role") in POLICE_ROLES
        if police and not cleaned.get("areas"):
            self.add_error("areas", "A police user works in at least one area.")
        if not police and cleaned.get("areas"):
            self.add_error("areas", "Only police users belong to areas.")
        return cleaned


@admin.register(User)
class EphedraUserAdmin(RoleModelAdmin, UserAdmin):
    scope = staticmethod(selectors.colleagues_for)
    form = EphedraUserChangeForm
    add_form = EphedraUserCreationForm
    list_display = ["username", "get_full_name", "role", "agency", "is_active", "last_login"]
    list_filter = ["role", "is_active", "agency", "areas"]
    list_select_related = ["agency"]
    search_fields = ["username", "first_name", "last_name", "email"]
    filter_horizontal = ["areas"]
    inlines = [OfficerProfileInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "email", "phone"]}),
        ("Role", {"fields": ["role", "agency", "areas"]}),
        ("Access", {"fields": ["is_active", "is_superuser", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "role", "agency", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    actions = [
        service_action(
            "send_set_password_link",
            "E-mail a one-time link to set a password",
            services.send_set_password_link,
            (services.AccountRuleError,),
            allowed=permissions.may_reset_second_factors,
        )
    ]


@admin.register(OfficerProfile)
class OfficerProfileAdmin(RoleModelAdmin):
    scope = staticmethod(selectors.officer_profiles_for)
    list_display = ["collar_number", "user", "home_ward", "ephedra_trained_on"]
    list_filter = ["home_ward__area", ("ephedra_trained_on", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "home_ward"]
    search_fields = ["collar_number", "user__username", "user__last_name"]
    autocomplete_fields = ["user", "home_ward", "ephedra_trainer"]


@admin.register(Notification)
class NotificationAdmin(RoleModelAdmin):
    scope = staticmethod(selectors.own_notifications)
    list_display = ["recipient", "message", "created_at", "read_at"]
    list_filter = [("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["recipient"]
    readonly_fields = ["recipient", "message", "url", "created_at", "read_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(RoleModelAdmin):
    """Read-only: tokens are made by their owners (/account/api-tokens/); an administrator
    can only revoke them. The secret is never stored, so never shown."""

    scope = staticmethod(selectors.own_tokens)
    list_display = [
        "name",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    fields = readonly_fields = [
        "user",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        active = list(queryset.filter(revoked_at__isnull=True))
        for token in active:
            tokens.revoke(token)
        self.message_user(request, f"{len(active)} token(s) revoked.")


@admin.register(TrainingSession)
class TrainingSessionAdmin(RoleModelAdmin):
    """Read-only: a session is recorded on the training page (/training/), whose service
    also makes its attendees trained; an admin form would skip that."""

    scope = staticmethod(training.sessions_for_admin)
    list_display = ["held_on", "area", "trainer"]
    list_select_related = ["area", "trainer"]
    fields = readonly_fields = ["held_on", "area", "trainer", "attendees", "recorded_by"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
