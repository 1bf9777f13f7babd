"""Planning pages: the patrol list and week, a patrol's page, planning and cancelling,
risk assessment, deployment, and officer wellbeing. Rules live in patrols.services."""

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import ListView, TemplateView

from accounts.models import User
from core.dates import DateParameterError, parse_query_date
from core.pagination import SelectorPaginator
from core.permissions import PermissionRequiredMixin, has_permission

from .. import services
from ..forms.planning import (
    CancelForm,
    InvitationFormSet,
    PatrolForm,
    PatrolListFilter,
    RiskAssessmentForm,
    invitation_rows,
)
from ..models import Patrol, PatrolStatus
from ..permissions import can_file_return, get_observed_patrol, get_patrol_for_user
from ..selectors import monthly_hours, patrol_list_rows, patrol_rows
from ..selectors_trials import arms_for_week, week_panels


class PatrolListView(PermissionRequiredMixin, ListView):
    permission_required = "patrols.view"
    template_name = "patrols/patrol_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filter = PatrolListFilter(
            self.request.GET or None,
            queryset=Patrol.objects.visible_to(self.request.user),
            user=self.request.user,
        )
        return self.filter.qs

    def get_paginator(self, queryset, per_page, **kwargs):
        return SelectorPaginator(queryset, per_page, rows=patrol_list_rows, **kwargs)

    def get_context_data(self, **kwargs):
        can_plan = has_permission(self.request.user, "patrols.plan")
        return super().get_context_data(filter=self.filter, can_plan=can_plan, **kwargs)


def week_start(request, value: str | None) -> dt.date:
    """The Monday of the week asked for (YYYY-MM-DD), or of this week: a week that is not
    a date in the range people enter (core.dates) is refused with a message."""
    try:
        day = parse_query_date(value)
    except DateParameterError as error:
        messages.warning(request, f"{error} This week is shown instead.")
        day = None
    day = day or timezone.localdate()
    return day - dt.timedelta(days=day.weekday())


class WeekView(PermissionRequiredMixin, TemplateView):
    permission_required = "patrols.view"
    template_name = "patrols/week.html"

    def get_context_data(self, **kwargs):
        monday = week_start(self.request, self.request.GET.get("week"))
        patrols = patrol_rows(
            Patrol.objects.visible_to(self.request.user).filter(
                starts_at__date__gte=monday, starts_at__date__lt=monday + dt.timedelta(days=7)
            )
        ).order_by("starts_at")
        by_day = {monday + dt.timedelta(days=n): [] for n in range(7)}
        for patrol in patrols:
            by_day[timezone.localtime(patrol.starts_at).date()].append(patrol)
        return super().get_context_data(
            monday=monday,
            days=by_day.items(),
            today=timezone.localdate(),
            previous_week=monday - dt.timedelta(days=7),
            next_week=monday + dt.timedelta(days=7),
            trials=week_panels(self.request.user, monday),
            can_plan=has_permission(self.request.user, "patrols.plan"),
            **kwargs,
        )


class CopyLastWeekView(PermissionRequiredMixin, View):
    """Copy the previous week's live patrols into an empty week, as planned patrols."""

    permission_required = "patrols.plan"
    http_method_names = ["post"]

    def post(self, request):
        try:
            day = parse_query_date(request.POST.get("week")) or timezone.localdate()
        except DateParameterError as error:
            messages.error(request, f"{error} Nothing was copied.")
            return redirect("patrols:week")
        monday = day - dt.timedelta(days=day.weekday())
        week_url = f"{reverse('patrols:week')}?week={monday.isoformat()}"
        mine = Patrol.objects.visible_to(request.user)
        try:
            copies = services.copy_week(request.user, mine, monday)
        except services.PatrolRuleError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"Copied {len(copies)} patrols from last week. "
                "Check each crew and risk assessment.",
            )
        return redirect(week_url)


class PatrolDetailView(PermissionRequiredMixin, View):
    permission_required = "patrols.view"

    def observed(self, request, patrol: Patrol):
        return render(
            request,
            "patrols/patrol_observed.html",
            {
                "patrol": patrol,
                "duties": patrol.officers.select_related("officer"),
                "invitations": patrol.invitations.select_related("agency"),
                "assessment": getattr(patrol, "risk_assessment", None),
            },
        )

    def get(self, request, uuid):
        user = request.user
        patrol = Patrol.objects.visible_to(user).filter(uuid=uuid).first()
        if patrol is None:  # a visiting sergeant sees the plan of a patrol they observe
            return self.observed(request, get_observed_patrol(user, uuid))
        duties = list(patrol.officers.select_related("officer__officer_profile"))
        assessment = getattr(patrol, "risk_assessment", None)
        return render(
            request,
            "patrols/patrol_detail.html",
            {
                "patrol": patrol,
                "duties": duties,
                "invitations": patrol.invitations.select_related("agency"),
                "assessment": assessment,
                # Why the buttons are not offered (the services refuse the same).
                "approve_refusal": assessment
                and services.approver_refusal(patrol, assessment, user),
                "deploy_refusal": patrol.status == PatrolStatus.APPROVED
                and services.deploy_refusal(patrol),
                "work_return": getattr(patrol, "work_return", None),
                "warnings": services.patrol_warnings(patrol, duties),
                "can_plan": has_permission(user, "patrols.plan"),
                "can_approve": has_permission(user, "patrols.approve_risk"),
                "can_deploy": has_permission(user, "patrols.deploy"),
                "can_file_return": can_file_return(user, patrol),
                "can_close": has_permission(user, "patrols.close")
                and services.can_move(patrol, PatrolStatus.CLOSED),
                "editable": not services.edit_refusal(patrol),
            },
        )


class PatrolFormMixin(PermissionRequiredMixin):
    permission_required = "patrols.plan"
    template_name = "patrols/patrol_form.html"

    def render_form(self, request, form, invitations, patrol=None):
        return render(
            request,
            self.template_name,
            {"form": form, "invitations": invitations, "patrol": patrol},
        )

    def trial_labels(self, request, day: dt.date | None) -> dict[int, str]:
        """The trial allocation of the night's week, where revealed: "trial: patrol" or
        "trial: control" beside each hotspot (selectors_trials conceals the rest)."""
        if day is None:
            return {}
        return arms_for_week(request.user, day - dt.timedelta(days=day.weekday()))

    def posted_day(self, request) -> dt.date | None:
        try:
            return parse_query_date(request.POST.get("date"))
        except DateParameterError:
            return None  # the form says so at the field

    def done(self, request, patrol: Patrol, message: str):
        duties = list(patrol.officers.select_related("officer"))
        for warning in services.wellbeing_warnings(patrol, [duty.officer for duty in duties]):
            messages.warning(request, f"Wellbeing: {warning.message}")
        messages.success(request, message)
        return redirect("patrols:detail", uuid=patrol.uuid)


class PatrolCreateView(PatrolFormMixin, View):
    def get(self, request):
        initial = {}
        try:  # the week page links here with the night (?date=); a bad one is not kept
            day = parse_query_date(request.GET.get("date"))
        except DateParameterError as error:
            messages.warning(request, f"{error} Choose the night below.")
            day = None
        if day:
            initial["date"] = day
        form = PatrolForm(
            user=request.user,
            initial=initial,
            instance=Patrol(planned_by=request.user),
            trial_labels=self.trial_labels(request, day),
        )
        return self.render_form(request, form, InvitationFormSet(prefix="invitations"))

    def post(self, request):
        form = PatrolForm(
            request.POST,
            user=request.user,
            instance=Patrol(planned_by=request.user),
            trial_labels=self.trial_labels(request, self.posted_day(request)),
        )
        invitations = InvitationFormSet(request.POST, prefix="invitations")
        if form.is_valid() and invitations.is_valid():
            try:
                patrol = services.plan_patrol(
                    request.user, **form.plan(), invitations=invitation_rows(invitations)
                )
            except services.PatrolRuleError as error:
                form.add_rule_error(error)
            else:
                return self.done(request, patrol, "Patrol planned.")
        return self.render_form(request, form, invitations)


class PatrolEditView(PatrolFormMixin, View):
    def get_patrol(self, request, uuid) -> Patrol | None:
        patrol = get_patrol_for_user(request.user, uuid)
        refusal = services.edit_refusal(patrol)
        if refusal:
            messages.error(request, refusal)
            return None
        return patrol

    def get(self, request, uuid):
        patrol = self.get_patrol(request, uuid)
        if patrol is None:
            return redirect("patrols:detail", uuid=uuid)
        night = timezone.localtime(patrol.starts_at).date()
        form = PatrolForm(
            user=request.user, instance=patrol, trial_labels=self.trial_labels(request, night)
        )
        return self.render_form(
            request, form, InvitationFormSet(instance=patrol, prefix="invitations"), patrol
        )

    def post(self, request, uuid):
        patrol = self.get_patrol(request, uuid)
        if patrol is None:
            return redirect("patrols:detail", uuid=uuid)
        day = self.posted_day(request)
        form = PatrolForm(
            request.POST,
            user=request.user,
            instance=patrol,
            trial_labels=self.trial_labels(request, day),
        )
        invitations = InvitationFormSet(request.POST, instance=patrol, prefix="invitations")
        if form.is_valid() and invitations.is_valid():
            try:
                update = services.update_patrol(
                    patrol, request.user, **form.plan(), invitations=invitation_rows(invitations)
                )
            except services.PatrolRuleError as error:
                form.add_rule_error(error)
            else:
                if update.approval_withdrawn:
                    messages.warning(request, APPROVAL_WITHDRAWN)
                return self.done(request, update.patrol, "Patrol updated.")
        return self.render_form(request, form, invitations, patrol)


APPROVAL_WITHDRAWN = (
    "The patrol changed after its risk assessment was approved, so the approval was "
    "withdrawn: a sergeant must approve the assessment again before the patrol deploys."
)


class PatrolCancelView(PermissionRequiredMixin, View):
    permission_required = "patrols.plan"

    def get(self, request, uuid):
        patrol = get_patrol_for_user(request.user, uuid)
        return render(
            request, "patrols/patrol_cancel.html", {"patrol": patrol, "form": CancelForm()}
        )

    def post(self, request, uuid):
        patrol = get_patrol_for_user(request.user, uuid)
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                services.cancel(patrol, form.cleaned_data["reason"])
            except services.PatrolRuleError as error:
                form.add_error(error.field, str(error))
            else:
                messages.success(request, "Patrol cancelled.")
                return redirect("patrols:detail", uuid=patrol.uuid)
        return render(request, "patrols/patrol_cancel.html", {"patrol": patrol, "form": form})


class RiskAssessmentView(PermissionRequiredMixin, View):
    permission_required = "patrols.assess_risk"

    def get(self, request, uuid):
        patrol = get_patrol_for_user(request.user, uuid)
        assessment = getattr(patrol, "risk_assessment", None)
        initial = (
            {"hazards": assessment.hazards, "controls": assessment.controls} if assessment else {}
        )
        return self.render_form(request, patrol, RiskAssessmentForm(initial=initial))

    def post(self, request, uuid):
        patrol = get_patrol_for_user(request.user, uuid)
        form = RiskAssessmentForm(request.POST)
        if form.is_valid():
            was_approved = patrol.status == PatrolStatus.APPROVED
            try:
                services.record_risk_assessment(patrol, by=request.user, **form.cleaned_data)
            except services.PatrolRuleError as error:
                form.add_error(error.field, str(error))
            else:
                if was_approved:
                    messages.warning(request, "The earlier approval was withdrawn.")
                messages.success(
                    request, "Risk assessment saved. A sergeant must approve it before deployment."
                )
                return redirect("patrols:detail", uuid=patrol.uuid)
        return self.render_form(request, patrol, form)

    def render_form(self, request, patrol, form):
        return render(
            request, "patrols/risk_assessment_form.html", {"patrol": patrol, "form": form}
        )


class PatrolActionView(PermissionRequiredMixin, View):
    """A one-button step (approve, deploy): POST only; a refused step says why."""

    http_method_names = ["post"]
    success_message = ""

    def act(self, patrol: Patrol, user: User) -> None:
        raise NotImplementedError

    def post(self, request, uuid):
        patrol = get_patrol_for_user(request.user, uuid)
        try:
            self.act(patrol, request.user)
        except services.PatrolRuleError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, self.success_message)
        return redirect("patrols:detail", uuid=patrol.uuid)


class ApproveRiskAssessmentView(PatrolActionView):
    permission_required = "patrols.approve_risk"
    success_message = "Risk assessment approved."

    def act(self, patrol, user):
        services.approve_risk_assessment(patrol, by=user)


class DeployView(PatrolActionView):
    permission_required = "patrols.deploy"
    success_message = "Patrol marked as deployed."

    def act(self, patrol, user):
        services.mark_deployed(patrol)


class ClosePatrolView(PatrolActionView):
    permission_required = "patrols.close"
    success_message = "Patrol closed: its return has been reviewed."

    def act(self, patrol, user):
        services.close_patrol(patrol, by=user)


class WellbeingView(PermissionRequiredMixin, TemplateView):
    """Hours each officer in the user's areas worked per month, from filed returns."""

    permission_required = "patrols.plan"
    template_name = "patrols/wellbeing.html"
    months = 6

    def get_context_data(self, **kwargs):
        this_month = timezone.localdate().replace(day=1)
        first = (this_month - dt.timedelta(days=31 * (self.months - 1))).replace(day=1)
        areas = self.request.user.areas.all()
        table = monthly_hours(self.request.user, first)
        months = sorted({month for per_officer in table.values() for month in per_officer})
        officers = User.objects.filter(pk__in=table).select_related("officer_profile")
        return super().get_context_data(
            months=months,
            rows=[
                (officer, [table[officer.pk].get(month) for month in months])
                for officer in officers
            ],
            threshold=min((area.overtime_threshold_hours for area in areas), default=0),
            **kwargs,
        )
