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
Rules live in referrals.services and patrols.services; a refused step is a form error.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from accounts.models import Role
from governance import audit
from patrols.models import CautionStatus, ConditionalCaution, PartnerInvitation
from patrols.services import COURSE_STEPS, PatrolRuleError, record_course_outcome

from .. import services
from ..forms import PortalCourseForm, PortalFilterForm, PortalNoteForm, PortalStatusForm
from ..models import Referral, ReferralMove, ReferralStatus
from ..permissions import RolePermissionMixin, can_work_referral, referrals_for

PAGE_SIZE = 50
RECENT_PATROLS = dt.timedelta(weeks=4)
POLICE = "Police"

_NAME = ("first_name", "last_name", "username")
# What a partner may see of a referral (Person.SHAREABLE_FIELDS; of a caution, only what
# the course provider needs to book it); everything else stays deferred.
REFERRAL_FIELDS = (
    "uuid",
    "agency_id",
    "service",
    "status",
    "closed_outcome",
    "decline_reason",
    "decline_detail",
    "made_at",
    "consent_method",
    "consent_given_at",
    *(f"person__{name}" for name in ("uuid", "working_name", "description", "age_band")),
    *(
        f"caution__{name}"
        for name in ("uuid", "booking_name", "booking_contact", "deadline", "status")
    ),
    *(f"referred_by__{name}" for name in (*_NAME, "email", "phone")),
    *(f"consent_recorded_by__{name}" for name in _NAME),
)
LIST_FIELDS = (
    "uuid",
    "service",
    "status",
    "made_at",
    "person__uuid",  # the uuids name the records in the audit log's "viewed" rows
    "person__working_name",
    "caution__uuid",
    "caution__booking_name",
)


def shared_referrals(user):
    """The user's agency's referrals, each with `referred_at`: when it reached the agency
    (the last move to it, or when it was made), so a move never shows."""
    arrivals = ReferralMove.objects.filter(referral=OuterRef("pk"), to_agency=OuterRef("agency"))
    last_arrival = Subquery(arrivals.order_by("-moved_at").values("moved_at")[:1])
    return referrals_for(user).annotate(referred_at=Coalesce(last_arrival, "made_at"))


def get_shared_referral(user, uuid) -> Referral:
    """The referral with only its shared fields; 404 unless granted to the user's agency."""
    referrals = shared_referrals(user).select_related(
        "person", "caution", "referred_by", "consent_recorded_by"
    )
    return get_object_or_404(referrals.only(*REFERRAL_FIELDS), uuid=uuid)


def get_workable_referral(user, uuid) -> Referral:
    """As get_shared_referral, for acting on it: 404 also without the change permission."""
    referral = get_shared_referral(user, uuid)
    if not can_work_referral(user, referral):
        raise Http404
    return referral


def partner_home(request):
    """The partner's start page, also served at "/" (ephedra.views.home)."""
    return PartnerHomeView.as_view()(request)


class PortalView(RolePermissionMixin, View):
    permission_required = "referrals.portal"


# --- Home: the agency's referrals ------------------------------------------------------


class PartnerHomeView(PortalView):
    http_method_names = ["get"]
    template_name = "referrals/portal/home.html"

    def get(self, request):
        form = PortalFilterForm(request.GET or None)
        status = form.cleaned_data["status"] if form.is_valid() else ""
        counts = status_counts(request.user)
        rows = shared_referrals(request.user).select_related("person", "caution")
        rows = rows.only(*LIST_FIELDS).order_by("-referred_at", "-pk")
        if status:
            rows = rows.filter(status=status)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        audit.viewed_many(request, audit.with_related(page, "person", "caution"))
        context = {
            "form": form,
            "status": ReferralStatus(status) if status else None,
            "counts": counts,
            "total": sum(n for _, n in counts),
            "page_obj": page,
        }
        return render(request, self.template_name, context)


def status_counts(user) -> list[tuple[ReferralStatus, int]]:
    """How many of the agency's referrals are at each status, in lifecycle order: one query."""
    grouped = referrals_for(user).order_by().values_list("status").annotate(n=Count("pk"))
    counts = dict(grouped)
    return [(status, counts.get(status, 0)) for status in ReferralStatus]


# --- A referral --------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One line of a referral's history as the agency sees it."""

    at: dt.datetime
    from_status: str
    to_status: str
    by: str
    note: str = ""

    @property
    def from_label(self) -> str:
        return ReferralStatus(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str:
        return ReferralStatus(self.to_status).label


def shown_name(user, referral: Referral) -> str:
    """An agency worker's own colleagues by name; anyone else as "Police"."""
    if user.role == Role.PARTNER and user.agency_id == referral.agency_id:
        return str(user)
    return POLICE


def agency_history(referral: Referral) -> list[Step]:
    """The status history since the referral reached the agency. Only creation and a move
    lead to "made": both are shown as one "made" step, by the police."""
    changes = (
        referral.history.filter(changed_at__gte=referral.referred_at)
        .exclude(to_status=ReferralStatus.MADE)
        .select_related("changed_by")
        .only(
            "changed_at",
            "from_status",
            "to_status",
            "note",
            "changed_by__role",
            "changed_by__agency_id",
            *(f"changed_by__{name}" for name in _NAME),
        )
        .order_by("changed_at", "pk")
    )
    made = Step(referral.referred_at, "", ReferralStatus.MADE, POLICE)
    return [made] + [
        Step(c.changed_at, c.from_status, c.to_status, shown_name(c.changed_by, referral), c.note)
        for c in changes
    ]


def agency_notes(referral: Referral) -> list[dict]:
    """Notes written since the referral reached the agency, oldest first."""
    notes = (
        referral.notes.filter(written_at__gte=referral.referred_at)
        .select_related("author")
        .only(
            "written_at",
            "text",
            "author__role",
            "author__agency_id",
            *(f"author__{name}" for name in _NAME),
        )
        .order_by("written_at", "pk")
    )
    return [
        {"by": shown_name(n.author, referral), "at": n.written_at, "text": n.text} for n in notes
    ]


def course_steps(caution: ConditionalCaution | None) -> list[str]:
    """What the provider may record for the course now (patrols.services.COURSE_STEPS)."""
    if caution is None:
        return []
    return [step for step, after in COURSE_STEPS.items() if caution.status in after]


def render_referral(request, referral: Referral, **forms):
    """The referral page; `forms` are bound forms to show again with their errors."""
    user = request.user
    audit.viewed(request, *audit.with_related([referral], "person", "caution"))
    can_act = can_work_referral(user, referral)
    moves = services.allowed_moves(referral, user) if can_act else []
    steps = course_steps(referral.caution) if can_act else []
    context = {
        "referral": referral,
        "history": agency_history(referral),
        "notes": agency_notes(referral),
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
                form.add_error(None, str(error))
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
        form = PortalCourseForm(request.POST, prefix="course", steps=course_steps(referral.caution))
        if form.is_valid():
            step = form.cleaned_data["step"]
            try:
                record_course_outcome(referral.caution, step, request.user)
            except PatrolRuleError as error:
                form.add_error(None, str(error))
            else:
                label = CautionStatus(step).label.lower()
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
            PartnerInvitation.objects.filter(agency_id=request.user.agency_id)
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
