"""Add a borough in one flow: the form, its preview (nothing saved), the confirmation and the
new borough's page. The rules are accounts/boroughs.py's; the pending borough travels in a
signed hidden field, never in the database, and is checked again when confirmed."""

from django.contrib import messages
from django.core import signing
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from core.permissions import PermissionRequiredMixin

from . import boroughs
from .forms_boroughs import BoroughForm
from .models import POLICE_ROLES, Area, User

PENDING_MAX_AGE = 60 * 60  # a preview left open longer is entered again


class BoroughNewView(PermissionRequiredMixin, View):
    """GET: the form. POST: the form's details → the preview; or "Change" from the preview
    → the form again, filled in."""

    permission_required = "accounts.add_borough"

    def get(self, request):
        return form_page(request, BoroughForm())

    def post(self, request):
        if "change" in request.POST:
            pending = read_pending(request)
            initial = as_form_data(pending) if pending else None
            if initial is not None:  # a checkbox's initial is a bool, not the posted "on"
                initial["separate_approver"] = bool(pending.get("separate"))
            form = BoroughForm(initial=initial)
            return form_page(request, form)
        form = BoroughForm(request.POST, request.FILES)
        if not form.is_valid():
            return form_page(request, form)
        return preview_page(request, form)


class BoroughCreateView(PermissionRequiredMixin, View):
    """POST only: create the previewed borough, after checking it all again."""

    permission_required = "accounts.add_borough"
    http_method_names = ["post"]

    def post(self, request):
        pending = read_pending(request)
        if pending is None:
            form = BoroughForm()
            form.refuse("The borough's details could not be read: enter them again.")
            return form_page(request, form, status=400)
        form = BoroughForm(as_form_data(pending))
        if form.is_valid():
            data = form.cleaned_data
            try:
                area = boroughs.create_borough(
                    name=data["name"],
                    code=data["code"],
                    wards=data["wards"],
                    overtime_threshold_hours=data["overtime_threshold_hours"],
                    separate_approver=data["separate_approver"],
                    coverers=list(data["coverers"]),
                    by=request.user,
                )
            except boroughs.BoroughRuleError as error:
                form.add_error(error.field, str(error))
            else:
                wards = len(data["wards"])
                messages.success(request, f"{area.name} added, with {wards} wards.")
                return redirect("accounts:borough", code=area.code)
        return form_page(request, form)


class BoroughView(PermissionRequiredMixin, View):
    """A borough's wards, who covers it, its geography and what to do next."""

    permission_required = "accounts.add_borough"

    def get(self, request, code: str):
        people = User.objects.filter(role__in=POLICE_ROLES, is_active=True).order_by(
            "role", "last_name", "first_name"
        )
        area = get_object_or_404(
            Area.objects.prefetch_related("wards", Prefetch("users", queryset=people)),
            code=code,
        )
        context = {
            "area": area,
            "geography": boroughs.geography_message(area.code, area.name),
        }
        return render(request, "accounts/borough.html", context)


def form_page(request, form, status: int = 200):
    return render(request, "accounts/borough_new.html", {"form": form}, status=status)


def preview_page(request, form):
    data = form.cleaned_data
    context = {
        "data": data,
        "pending": signing.dumps(as_pending(data), salt=_salt(request), compress=True),
        "geography": boroughs.geography_message(data["code"], data["name"]),
    }
    return render(request, "accounts/borough_preview.html", context)


def as_pending(data: dict) -> dict:
    return {
        "name": data["name"],
        "code": data["code"],
        "wards": [[row.code, row.name] for row in data["wards"]],
        "hours": data["overtime_threshold_hours"],
        "separate": data["separate_approver"],
        "coverers": [user.pk for user in data["coverers"]],
    }


def read_pending(request) -> dict | None:
    """The previewed borough, if its signature is this user's and it is recent."""
    try:
        pending = signing.loads(
            request.POST.get("pending", ""), salt=_salt(request), max_age=PENDING_MAX_AGE
        )
    except signing.BadSignature:  # tampered with, another user's, or expired
        return None
    return pending if isinstance(pending, dict) else None


def as_form_data(pending: dict) -> dict:
    data = {
        "name": pending.get("name", ""),
        "code": pending.get("code", ""),
        "wards_text": boroughs.ward_rows_as_text(pending.get("wards", [])),
        "overtime_threshold_hours": pending.get("hours", ""),
        "coverers": [str(pk) for pk in pending.get("coverers", [])],
    }
    if pending.get("separate"):
        data["separate_approver"] = "on"
    return data


def _salt(request) -> str:
    return f"accounts.borough:{request.user.pk}"
