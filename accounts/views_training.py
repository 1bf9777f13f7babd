"""The training page: Ephedra training sessions held in the user's areas, and a form to
record one (accounts/training.py holds the rule and the reads)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from core.permissions import PermissionRequiredMixin

from . import training
from .forms import TrainingForm


class TrainingView(PermissionRequiredMixin, View):
    permission_required = "accounts.record_training"

    def get(self, request):
        return self.render(request, TrainingForm(user=request.user))

    def post(self, request):
        form = TrainingForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = training.record_training(
                    held_on=data["held_on"],
                    area=data["area"],
                    trainer=data["trainer"],
                    attendees=list(data["attendees"]),
                    by=request.user,
                )
            except training.TrainingRuleError as error:
                form.add_error(error.field, str(error))
            else:
                count = session.attendees.count()
                messages.success(request, f"Training recorded: {count} officers attended.")
                return redirect("accounts:training")
        return self.render(request, form)

    def render(self, request, form):
        sessions = training.sessions_for(request.user)[:20]
        return render(request, "accounts/training.html", {"form": form, "sessions": sessions})
