"""The admin site and the base ModelAdmin every app registers with.

The admin is a back office that cannot go around the application's rules:

- **Areas.** A police user who is not a system administrator sees only the records the
  application's selectors give them (``scope``): their areas' patrols, people and
  referrals, the returns of the patrols they may read. Anything else answers 404, on the
  change, history and delete pages alike, and autocomplete lists only what is in scope.
- **Services.** Casework records (patrols, returns, people, referrals, reports, crime
  data) are read-only here for everyone; their state changes are admin actions that call
  the services (``service_action``), which check the rule, lock and audit as the pages do.
  Reference data (areas, wards, users, agencies) is changed by the roles that own it
  (``accounts.permissions.can_change_in_admin``); every change is audited (with values
  by ``governance.audit``'s model signals, or as a row naming the fields changed).
- **Libraries' internals** (groups, second-factor devices, lockouts) are not offered.
"""

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import Http404
from django.template.response import TemplateResponse

from accounts.admin_words import in_plain_words
from accounts.permissions import can_change_in_admin, can_use_admin, is_system_admin
from governance import audit


def _hidden_from_outsiders(view):
    """Signed-in users who may not use the admin get 404, never a hint that it exists."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and not can_use_admin(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


# Libraries' own records: groups (django-guardian's per-agency grants), second-factor
# devices and lockouts. Ephedra has pages for what a person needs of them (second-factor
# resets, lockouts); editing them raw would break grants or leak secrets, so the admin
# never offers them.
LIBRARY_APPS = frozenset({"auth", "otp_totp", "otp_static", "axes"})


class EphedraAdminSite(admin.AdminSite):
    site_header = "Ephedra administration"
    site_title = "Ephedra admin"
    index_title = "Ephedra's records"

    def get_app_list(self, request, app_label=None):
        return in_plain_words(super().get_app_list(request, app_label))

    def register(self, model_or_iterable, admin_class=None, **options):
        models = (
            model_or_iterable
            if isinstance(model_or_iterable, list | tuple)
            else [model_or_iterable]
        )
        kept = [model for model in models if model._meta.app_label not in LIBRARY_APPS]
        if kept:
            super().register(kept, admin_class, **options)

    def has_permission(self, request) -> bool:
        return can_use_admin(request.user)

    def admin_view(self, view, cacheable=False):
        return _hidden_from_outsiders(super().admin_view(view, cacheable))

    def login(self, request, extra_context=None):
        return _hidden_from_outsiders(super().login)(request, extra_context)


def nobody(user, queryset: QuerySet) -> QuerySet:
    """The scope of records only system administrators read in the admin."""
    return queryset.none()


def within_parent(user, queryset: QuerySet) -> QuerySet:
    """An inline's rows: Django narrows them to the parent record, which the parent's
    admin fetched through its own scope (404 outside it)."""
    return queryset


class RolePermissionsMixin:
    """Rights follow the user's role (accounts.permissions), not per-model Django
    permissions; what a police user sees follows the app's selectors (``scope``)."""

    # ``scope(user, queryset)``: the records a police user may read, from the selectors.
    scope: Callable[..., QuerySet] = staticmethod(nobody)
    # Casework: never added, changed or deleted here; state changes are actions.
    service_owned = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_system_admin(request.user):
            return queryset
        return type(self).scope(request.user, queryset)

    def has_module_permission(self, request) -> bool:
        return can_use_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return can_use_admin(request.user)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._may_edit(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may_edit(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may_edit(request)

    def _may_edit(self, request) -> bool:
        return not self.service_owned and can_change_in_admin(request.user, self.opts.app_label)


class RoleModelAdmin(RolePermissionsMixin, admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Out of scope and missing alike: 404, never "perhaps it was deleted" (Django's
        # redirect would tell an outsider nothing, but 404 is the rule everywhere).
        raise Http404

    # Every change made here is audited: the audited models by governance.audit's model
    # signals (with their values); any other model here by one row naming what changed
    # (field names only, never values).
    def log_addition(self, request, obj, message):
        self._audit_admin_change("added", obj, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit_admin_change("changed", obj, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        if self.opts.label_lower not in audit.AUDITED:
            audit.record_many(f"{self.opts.label_lower}.deleted", queryset, detail="in the admin")
        return super().log_deletions(request, queryset)

    def _audit_admin_change(self, verb: str, obj, message) -> None:
        if self.opts.label_lower in audit.AUDITED:
            return
        entries = message if isinstance(message, list) else []
        fields = sorted(
            {
                name
                for entry in entries
                for part in entry.values()
                if isinstance(part, dict)
                for name in part.get("fields", [])
            }
        )
        detail = "in the admin" + (f"; fields: {', '.join(fields)}" if fields else "")
        audit.record(f"{self.opts.label_lower}.{verb}", obj, detail=detail)

    def delete_view(self, request, object_id, extra_context=None):
        # Django checks the right before fetching: look first, so that outsiders get 404.
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().delete_view(request, object_id, extra_context)

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
    scope = staticmethod(within_parent)


class ReadOnlyInline(RoleInline):
    """History and casework written by the application: shown, never edited here."""

    service_owned = True


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), max_length=500
    )


def service_action(
    name: str,
    description: str,
    service: Callable,
    errors: tuple[type[Exception], ...],
    *,
    allowed: Callable = lambda user: True,
    ask_reason: bool = False,
):
    """An admin action that changes each selected record through ``service(obj, user,
    reason)`` — the same function the pages and the API call — and reports, per record,
    the service's refusal. With ``ask_reason`` the action first asks for a reason."""

    def action(model_admin, request, queryset):
        if not allowed(request.user):
            model_admin.message_user(request, "Your role may not do this.", messages.ERROR)
            return None
        reason = ""
        if ask_reason:
            form = ReasonForm(request.POST if "apply" in request.POST else None)
            if not form.is_valid():
                return _reason_page(model_admin, request, queryset, description, form)
            reason = form.cleaned_data["reason"]
        _apply(model_admin, request, queryset, service, errors, reason)
        return None

    action.short_description = description
    action.allowed_permissions = ("view",)
    action.__name__ = name
    return action


def _apply(model_admin, request, queryset, service, errors, reason: str) -> None:
    done = 0
    for obj in queryset:
        try:
            service(obj, request.user, reason)
        except errors as error:
            model_admin.message_user(request, f"{obj}: {error}", messages.ERROR)
        else:
            done += 1
    if done:
        model_admin.message_user(request, f"{description_of(done)} changed.", messages.SUCCESS)


def description_of(count: int) -> str:
    return f"{count} record" if count == 1 else f"{count} records"


def _reason_page(model_admin, request, queryset, description, form):
    context = {
        **model_admin.admin_site.each_context(request),
        "title": description,
        "opts": model_admin.opts,
        "queryset": queryset,
        "form": form,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/action_reason.html", context)
