"""Trial pages: the lead registers a randomised trial of hotspot patrols; supervisors
follow it (registration, weeks allocated so far, deviations, the result). Rules live in
patrols.services.trials, reads in patrols.selectors_trials. The result is worked out by
the Evidence job (reporting.trial_jobs) and only read here (selectors_trials), so no
request runs the analysis. Another area's trial is not found."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from core.permissions import PermissionRequiredMixin, has_permission
from patrols import selectors_trials
from patrols.services import trials

from ..forms_trials import DeviationReasonForm, TrialForm
from ..selectors_trials import stored_result


class TrialRegisterView(PermissionRequiredMixin, View):
    permission_required = "patrols.register_trial"

    def get(self, request):
        return self.show(request, TrialForm(user=request.user))

    def post(self, request):
        form = TrialForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                trial = trials.register_trial(request.user, **form.cleaned_data)
            except trials.PatrolRuleError as error:
                form.add_rule_error(error)
            else:
                messages.success(request, "Trial registered. Its plan is now locked.")
                return redirect("reporting:trial", uuid=trial.uuid)
        return self.show(request, form)

    def show(self, request, form):
        return render(request, "reporting/trials/register.html", {"form": form})


class TrialView(PermissionRequiredMixin, View):
    permission_required = "patrols.view_trials"

    def get(self, request, uuid):
        trial = selectors_trials.get_trial_for_user(request.user, uuid)
        return render(request, "reporting/trials/trial.html", trial_context(request, trial))


def trial_context(request, trial, reason_form=None, failed=None) -> dict:
    weeks = selectors_trials.trial_weeks(trial)
    stored = stored_result(trial)
    return {
        "trial": trial,
        "hotspots": sorted(
            trial.hotspots.select_related("ward"), key=lambda h: (h.ward.name, h.name)
        ),
        "weeks": weeks,
        "revealed": [w for w in weeks if w.rows is not None],
        "concealed": [w for w in weeks if w.rows is None],
        "deviations": selectors_trials.deviations(trial),
        "result": stored.result,
        "analysis": stored.analysis,
        "behind": stored.behind,
        # 64 hex digits, in pieces a phone's screen can wrap between.
        "commitment": _pieces(trial.seed_commitment),
        "seed": _pieces(selectors_trials.seed_for_display(trial) or ""),
        "can_explain": has_permission(request.user, "patrols.explain_deviation"),
        "reason_form": reason_form,
        "failed": failed,
    }


def _pieces(text: str, size: int = 16) -> list[str]:
    return [text[n : n + size] for n in range(0, len(text), size)]


class DeviationReasonView(PermissionRequiredMixin, View):
    permission_required = "patrols.explain_deviation"
    http_method_names = ["post"]

    def post(self, request, uuid, pk):
        deviation = selectors_trials.get_deviation_for_user(request.user, uuid, pk)
        form = DeviationReasonForm(request.POST)
        if form.is_valid():
            try:
                trials.explain_deviation(deviation, request.user, form.cleaned_data["reason"])
            except trials.PatrolRuleError as error:
                form.add_error("reason", str(error))
            else:
                messages.success(request, "Reason recorded.")
                return redirect("reporting:trial", uuid=uuid)
        context = trial_context(request, deviation.trial, form, deviation.pk)
        return render(request, "reporting/trials/trial.html", context)
