"""The training page: Ephedra training sessions held in the user's areas, and a form to
record one (accounts/training.py holds the rule and the reads)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from core.dates import PlausibleDateField
from core.forms import DateInput
from core.permissions import PermissionRequiredMixin

from . import training
from .models import Area, User


class OfficerChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, officer: User) -> str:
        trained = officer.officer_profile.ephedra_trained_on
        status = f"trained {trained:%-d %b %Y}" if trained else "not yet trained"
        return f"{officer.get_full_name() or officer.username} ({status})"


class TrainingForm(forms.Form):
    held_on = PlausibleDateField(label="Date of the session", widget=DateInput)
    area = forms.ModelChoiceField(queryset=Area.objects.none(), empty_label=None)
    trainer = forms.ModelChoiceField(queryset=User.objects.none(), empty_label="Choose")
    attendees = OfficerChoices(queryset=User.objects.none(), label="Officers who attended")

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = user.areas.order_by("name")
        officers = training.trainable_officers(user)
        self.fields["trainer"].queryset = officers
        self.fields["attendees"].queryset = officers


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
