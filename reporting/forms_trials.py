"""The trial registration form and a deviation's reason. The rules (a future Monday, the
hotspots active and in the area, both arms every week) are the service's,
patrols.services.trials.register_trial; its refusals are shown at their field."""

from decimal import Decimal

from django import forms

from accounts.models import Area, User
from core.dates import PlausibleDateField
from core.forms import DateInput
from patrols.models import Hotspot, TrialOutcome
from patrols.selectors_trials import registrable_hotspots
from patrols.services import trials


class TrialHotspotField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, hotspot: Hotspot) -> str:
        return f"{hotspot.name} ({hotspot.ward.name}, {hotspot.ward.area.name})"


class TrialForm(forms.Form):
    area = forms.ModelChoiceField(queryset=Area.objects.none(), empty_label=None)
    title = forms.CharField(
        max_length=150,
        help_text="For example, “Friday patrols, spring”.",
        error_messages={"required": "Enter a title for the trial."},
    )
    hotspots = TrialHotspotField(
        queryset=Hotspot.objects.none(),
        label="Eligible hotspots",
        help_text=f"At least {trials.MIN_HOTSPOTS}, all in the area. Each week some are "
        "allocated to patrol and the rest to control, at random.",
        error_messages={"required": f"Choose at least {trials.MIN_HOTSPOTS} hotspots."},
    )
    primary_outcome = forms.ChoiceField(
        choices=TrialOutcome.choices,
        widget=forms.RadioSelect,
        help_text="Returns only count what officers see where they go, so they measure what "
        "patrols record; street crime measures whether patrols change what happens.",
        error_messages={"required": "Choose the primary outcome."},
    )
    hypotheses = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the hypotheses the trial tests."},
    )
    weeks = forms.IntegerField(
        label="Duration in weeks",
        min_value=trials.MIN_WEEKS,
        max_value=trials.MAX_WEEKS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={"required": "Enter the duration in weeks, like 12."},
    )
    starts_on = PlausibleDateField(
        label="First week starts on",
        widget=DateInput,
        help_text="A Monday after today.",
        error_messages={"required": "Enter the Monday the first week starts."},
    )
    patrol_share = forms.DecimalField(
        label="Share of hotspots allocated to patrol each week",
        min_value=Decimal("0.05"),
        max_value=Decimal("0.95"),
        decimal_places=2,
        initial=trials.DEFAULT_SHARE,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-4"}),
        help_text="Between 0.05 and 0.95; 0.5 gives the most precise comparison.",
    )
    analysis_plan = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the analysis plan."},
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = user.areas.order_by("name")
        self.fields["hotspots"].queryset = registrable_hotspots(user)

    def add_rule_error(self, error: trials.PatrolRuleError) -> None:
        self.add_error(error.field if error.field in self.fields else None, str(error))


class DeviationReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why did this week depart from the allocation?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Enter the reason for the deviation."},
    )
