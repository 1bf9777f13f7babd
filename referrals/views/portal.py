"""The partner portal: a partner agency's referrals, working one, and invited patrols.

The wall: a partner user sees only what was shared with their agency.
- Referrals are fetched only through `referrals_for(user)` (django-guardian grants, in
  SQL); anything else answers 404, on every URL, and acting needs the object permission
  `referrals.change_referral` too (404 without it).
- Rows are fetched with `.only()` the shared fields, so a template cannot show a
  police-only field (police notes, the arrest behind a caution) without a query of its own,
  which the query-budget tests would catch.
- Moves between agencies are police business: the agency sees a referral's story from
  the moment it reached them, and police users appear as "Police", except the referring
  officer's contact details.
Rules live in referrals.services (the course too); a refused step is a form error at its
field. Reads are in referrals.selectors, shared with the API.
"""

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from core.permissions import PermissionRequiredMixin
from governance import audit

from .. import services
from ..forms import PortalCourseForm, PortalNoteForm, PortalStatusForm
from ..models import CourseStatus, Referral, ReferralStatus
from ..permissions import can_work_referral
from ..selectors import (
    agency_history,
    agency_notes,
    get_shared_referral,
    get_workable_referral,
    invitations_for,
)
from ..selectors_safeguarding import shared_safeguarding_for

RECENT_PATROLS = dt.timedelta(weeks=4)


class PortalView(PermissionRequiredMixin, View):
    permission_required = "referrals.portal"


# --- A referral --------------------------------------------------------------------------


def render_referral(request, referral: Referral, **forms):
    """The referral page; `forms` are bound forms to show again with their errors."""
    user = request.user
    audit.viewed(request, *audit.with_related([referral], "person", "caution"))
    can_act = can_work_referral(user, referral)
    moves = services.allowed_moves(referral, user) if can_act else []
    steps = services.open_course_steps(referral) if can_act else []
    context = {
        "referral": referral,
        "history": agency_history(referral),
        "notes": agency_notes(referral),
        "safeguarding": shared_safeguarding_for(user, referral.person),
        "can_act": can_act,
        "status_form": forms.get("status_form")
        or (PortalStatusForm(prefix="status", moves=moves) if moves else None),
        "note_form": forms.get("note_form") or (PortalNoteForm(prefix="note") if can_act else None),
        "course_form": forms.get("course_form")
        or (PortalCourseForm(prefix="course", steps=steps) if steps else None),
    }
    return render(request, "referrals/portal/referral_detail.html", context)


class PartnerReferralView(PortalView):
    http_method_names = ["get"]

    def get(self, request, uuid):
        return render_referral(request, get_shared_referral(request.user, uuid))


# --- Acting on a referral: POST only ------------------------------------------------------
# GET answers 405 before any referral is looked up, so it is the same answer for every
# UUID, granted or not: it reveals nothing.


class PartnerStatusView(PortalView):
    http_method_names = ["post"]

    def post(self, request, uuid):
        user = request.user
        referral = get_workable_referral(user, uuid)
        moves = services.allowed_moves(referral, user)
        form = PortalStatusForm(request.POST, prefix="status", moves=moves)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.change_status(
                    referral,
                    data["to_status"],
                    user,
                    outcome=data.get("outcome", ""),
                    decline_reason=data.get("decline_reason", ""),
                    decline_detail=data.get("decline_detail", "").strip(),
                    note=data["note"].strip(),
                )
            except services.ReferralRuleError as error:
                form.add_error("to_status", str(error))
            else:
                label = ReferralStatus(data["to_status"]).label.lower()
                messages.success(request, f"The referral is now {label}.")
                return redirect("referrals:partner_detail", uuid=referral.uuid)
        return render_referral(request, referral, status_form=form)


class PartnerNoteView(PortalView):
    http_method_names = ["post"]

    def post(self, request, uuid):
        referral = get_workable_referral(request.user, uuid)
        form = PortalNoteForm(request.POST, prefix="note")
        if form.is_valid():
            try:
                services.add_note(referral, request.user, form.cleaned_data["text"])
            except services.ReferralRuleError as error:
                form.add_error("text", str(error))
            else:
                messages.success(request, "Note added.")
                return redirect("referrals:partner_detail", uuid=referral.uuid)
        return render_referral(request, referral, note_form=form)


class PartnerCourseView(PortalView):
    """The provider's record of a diversion course; 404 for a referral without one."""

    http_method_names = ["post"]

    def post(self, request, uuid):
        referral = get_workable_referral(request.user, uuid)
        if referral.caution is None:
            raise Http404
        steps = services.open_course_steps(referral)
        form = PortalCourseForm(request.POST, prefix="course", steps=steps)
        if form.is_valid():
            step, on = form.cleaned_data["step"], form.cleaned_data["on"]
            try:
                services.record_course_step(referral, step, request.user, on=on)
            except services.ReferralRuleError as error:
                form.add_error("step", str(error))
            else:
                label = CourseStatus(step).label.lower()
                messages.success(request, f"Recorded for the course: {label}.")
                return redirect("referrals:partner_detail", uuid=referral.uuid)
        return render_referral(request, referral, course_form=form)


# --- Patrols the agency is invited to ---------------------------------------------------


class InvitedPatrolsView(PortalView):
    """Upcoming patrols first, then those of the last four weeks. Of a patrol, only when,
    where to meet and whether it is cancelled: no officers, hotspots or other agencies."""

    http_method_names = ["get"]

    def get(self, request):
        invitations = (
            invitations_for(request.user)
            .select_related("patrol")
            .only(
                "activity",
                "notes",
                "patrol__starts_at",
                "patrol__ends_at",
                "patrol__meeting_point",
                "patrol__status",
            )
        )
        now = timezone.now()
        upcoming = invitations.filter(patrol__ends_at__gte=now).order_by("patrol__starts_at")
        recent = invitations.filter(
            patrol__ends_at__lt=now, patrol__starts_at__gte=now - RECENT_PATROLS
        ).order_by("-patrol__starts_at")
        return render(
            request,
            "referrals/portal/invited_patrols.html",
            {"upcoming": upcoming, "recent": recent},
        )
