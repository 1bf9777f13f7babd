"""Police referral pages: the list, a referral (withdraw, move), making a referral, a
possible duplicates; and everyone's notifications (a person's page: views/person.py).

Partner users get 404 on every police page; records outside the user's areas answer 404.
Rules live in referrals.services; a refused step is shown as a form error, nothing changed.
"""

import uuid as uuid_lib

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import ListView

from accounts import services as account_services
from core.permissions import PermissionRequiredMixin, has_permission
from governance import audit

from .. import services
from ..forms_police import (
    DuplicateDecisionForm,
    MakeReferralForm,
    MoveForm,
    ReferralListFilter,
    WithdrawForm,
)
from ..models import DuplicateStatus, Person, Referral, ReferralStatus
from ..permissions import get_person_for_user, get_referral_for_user, referrals_for
from ..selectors import flags_for, police_history

# --- Referrals -------------------------------------------------------------------------


class ReferralListView(PermissionRequiredMixin, ListView):
    permission_required = "referrals.view"
    template_name = "referrals/police/referral_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filter = ReferralListFilter(
            self.request.GET or None, queryset=referrals_for(self.request.user)
        )
        return self.filter.qs.select_related("person", "agency").order_by("-made_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filter=self.filter, **kwargs)
        audit.viewed_many(self.request, audit.with_related(context["object_list"], "person"))
        return context


def detail_context(request, referral: Referral, withdraw_form=None) -> dict:
    """Everything the police see of a referral; each list in one query with its people."""
    user = request.user
    audit.viewed(request, *audit.with_related([referral], "person", "caution"))
    return {
        "referral": referral,
        "history": police_history(referral),
        "notes": referral.notes.select_related("author"),
        "moves": referral.moves.select_related("from_agency", "to_agency", "moved_by"),
        "can_withdraw": has_permission(user, "referrals.withdraw")
        and ReferralStatus.WITHDRAWN in services.allowed_moves(referral, user),
        "can_move": has_permission(user, "referrals.move")
        and referral.status in services.OPEN_STATUSES,
        "withdraw_form": withdraw_form or WithdrawForm(),
    }


class ReferralDetailView(PermissionRequiredMixin, View):
    permission_required = "referrals.view"

    def get(self, request, uuid):
        referral = get_referral_for_user(request.user, uuid)
        return render(
            request, "referrals/police/referral_detail.html", detail_context(request, referral)
        )


class ReferralWithdrawView(PermissionRequiredMixin, View):
    """POST only. A refusal (e.g. already withdrawn) re-renders the referral with the error."""

    permission_required = "referrals.withdraw"
    http_method_names = ["post"]

    def post(self, request, uuid):
        referral = get_referral_for_user(request.user, uuid)
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                services.change_status(
                    referral, ReferralStatus.WITHDRAWN, request.user, note=form.cleaned_data["note"]
                )
            except services.ReferralRuleError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Referral withdrawn. The agency has been told.")
                return redirect("referrals:detail", uuid=referral.uuid)
        return render(
            request,
            "referrals/police/referral_detail.html",
            detail_context(request, referral, withdraw_form=form),
        )


class ReferralMoveView(PermissionRequiredMixin, View):
    permission_required = "referrals.move"
    template_name = "referrals/police/referral_move.html"

    def get(self, request, uuid):
        referral = get_referral_for_user(request.user, uuid)
        if referral.status not in services.OPEN_STATUSES:
            messages.error(request, "Only an open referral can move to another agency.")
            return redirect("referrals:detail", uuid=referral.uuid)
        return self.render_form(request, referral, MoveForm(referral=referral))

    def post(self, request, uuid):
        referral = get_referral_for_user(request.user, uuid)
        form = MoveForm(request.POST, referral=referral)
        if form.is_valid():
            try:
                services.move_referral(
                    referral, form.cleaned_data["agency"], request.user, form.cleaned_data["reason"]
                )
            except services.ReferralRuleError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Referral moved to {form.cleaned_data['agency']}.")
                return redirect("referrals:detail", uuid=referral.uuid)
        return self.render_form(request, referral, form)

    def render_form(self, request, referral, form):
        audit.viewed(request, referral)
        return render(request, self.template_name, {"referral": referral, "form": form})


class ReferralCreateView(PermissionRequiredMixin, View):
    """A referral made directly, for a person named by `?person=<uuid>` in the user's areas."""

    permission_required = "referrals.make"
    template_name = "referrals/police/referral_form.html"

    def get(self, request):
        person = self.get_person(request)
        return render(request, self.template_name, {"person": person, "form": MakeReferralForm()})

    def post(self, request):
        person = self.get_person(request)
        form = MakeReferralForm(request.POST)
        if form.is_valid():
            try:
                referral = self.make(request.user, person, form.cleaned_data)
            except services.ReferralRuleError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Referral made to {referral.agency}.")
                return redirect("referrals:detail", uuid=referral.uuid)
        return render(request, self.template_name, {"person": person, "form": form})

    def get_person(self, request) -> Person:
        try:
            person_uuid = uuid_lib.UUID(request.GET.get("person", ""))
        except ValueError:
            raise Http404 from None
        person = get_person_for_user(request.user, person_uuid)
        audit.viewed(request, person)
        return person

    def make(self, user, person: Person, data: dict) -> Referral:
        return services.make_referral(
            person=person,
            agency=data["agency"],
            service=data["service"],
            consent_method=data["consent_method"],
            consent_given_at=data["consent_given_at"],
            consent_recorded_by=user,
            referred_by=user,
            made_at=timezone.now(),
        )


# --- Possible duplicates ---------------------------------------------------------------


class DuplicateListView(PermissionRequiredMixin, ListView):
    permission_required = "referrals.link_people"
    template_name = "referrals/police/duplicate_list.html"
    context_object_name = "flags"
    paginate_by = 50

    def get_queryset(self):
        flags = flags_for(self.request.user).filter(status=DuplicateStatus.OPEN)
        return flags.select_related("person__area", "other__area").order_by("flagged_at", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audit.viewed_many(self.request, audit.with_related(context["flags"], "person", "other"))
        return context


class DuplicateDecideView(PermissionRequiredMixin, View):
    permission_required = "referrals.link_people"
    http_method_names = ["post"]

    def post(self, request, uuid):
        flag = get_object_or_404(flags_for(request.user), uuid=uuid)
        form = DuplicateDecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose whether the two records are the same person.")
            return redirect("referrals:duplicates")
        try:
            services.decide_duplicate(flag, request.user, link=form.link)
        except services.ReferralRuleError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                "Records linked: the newer record now points to the older one; both are kept."
                if form.link
                else "Marked as not the same person.",
            )
        return redirect("referrals:duplicates")


# --- Notifications (every signed-in user, partners included) -----------------------------


class NotificationListView(LoginRequiredMixin, ListView):
    """The user's own notifications, newest first; POST marks them all as read."""

    template_name = "referrals/police/notifications.html"
    context_object_name = "notifications"
    paginate_by = 50

    def get_queryset(self):
        return self.request.user.notifications.order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        unread = self.request.user.notifications.filter(read_at__isnull=True).count()
        return super().get_context_data(unread=unread, **kwargs)

    def post(self, request):
        marked = account_services.mark_notifications_read(request.user)
        if marked:
            messages.success(request, "All notifications marked as read.")
        return redirect("referrals:notifications")
