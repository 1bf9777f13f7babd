"""Forms of a woman's safeguarding section (police person page). They parse input; the
rules are in referrals.services.safeguarding, whose refusals the views show at the field."""

from django import forms

from core.dates import PlausibleDateField
from core.forms import DateInput

from .models import MarkerKind, Referral, RiskLevel
from .selectors_safeguarding import referrals_to_route


class RiskForm(forms.Form):
    level = forms.ChoiceField(
        label="Risk level",
        choices=RiskLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the risk level"},
    )
    review_on = PlausibleDateField(
        label="Review by",
        widget=DateInput,
        help_text="Within a year.",
        error_messages={"required": "Enter the date the risk level is next reviewed"},
    )
    reason = forms.CharField(
        label="Why this level",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Police only.",
        error_messages={"required": "Say why she is at this level of risk"},
    )


class MarkerForm(forms.Form):
    kind = forms.ChoiceField(
        label="Warning",
        choices=[("", "Choose"), *MarkerKind.choices],
        error_messages={"required": "Choose the kind of warning"},
    )
    reason = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Police only.",
        error_messages={"required": "Say why the warning is added"},
    )
    nrm_referred_on = PlausibleDateField(
        label="National Referral Mechanism referral date (optional)",
        required=False,
        widget=DateInput,
        help_text="Trafficking or modern slavery only. Police only.",
    )
    nrm_reference = forms.CharField(
        label="National Referral Mechanism reference (optional)", max_length=50, required=False
    )


class EndForm(forms.Form):
    """Ending a marker or a route: the reason is kept in her history."""

    reason = forms.CharField(
        label="Why it ends",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why it ends"},
    )


class RouteForm(forms.Form):
    referral = forms.ModelChoiceField(
        label="One of her referrals",
        queryset=Referral.objects.none(),
        required=False,
        empty_label="None: a service named below",
    )
    service = forms.CharField(
        label="Or a service (for example her GP, the housing office)",
        max_length=100,
        required=False,
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Police only.",
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral"].queryset = referrals_to_route(person)
        self.fields["referral"].label_from_instance = lambda r: (
            f"{r.agency}: {r.get_service_display()} ({r.made_at:%d %b %Y})"
        )
