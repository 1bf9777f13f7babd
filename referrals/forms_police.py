"""Forms for the police referral pages. The rules they check live in referrals.services."""

import datetime as dt

import django_filters
from django import forms
from django.utils import timezone

from core.dates import PlausibleDateField
from core.forms import DateInput, TimeInput
from partners.models import PartnerAgency, ServiceType

from .models import AgeBand, ConsentMethod, Referral, ReferralStatus

# A diversion-course referral rests on a conditional caution, recorded on the work return.
DIRECT_SERVICES = [
    (v, label) for v, label in ServiceType.choices if v != ServiceType.DIVERSION_COURSE
]
# Consent typed "now" on a phone whose clock runs a little ahead is still not in the future.
CLOCK_LEEWAY = dt.timedelta(minutes=5)


class ReferralListFilter(django_filters.FilterSet):
    """The police referral list's filter form (the API has its own: ReferralApiFilter)."""

    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices, empty_label="Any status")
    agency = django_filters.ModelChoiceFilter(
        queryset=PartnerAgency.objects.all(), empty_label="Any agency"
    )
    service = django_filters.ChoiceFilter(choices=ServiceType.choices, empty_label="Any service")

    class Meta:
        model = Referral
        fields = ["status", "agency", "service"]


class MakeReferralForm(forms.Form):
    """A referral made directly (not on a work return), with the person's consent."""

    service = forms.ChoiceField(choices=[("", "Choose a service"), *DIRECT_SERVICES])
    agency = forms.ModelChoiceField(
        queryset=PartnerAgency.objects.active(), empty_label="Choose an agency"
    )
    consent_method = forms.ChoiceField(
        label="How did she give her consent?",
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
    )
    consent_date = PlausibleDateField(label="Date consent was given", widget=DateInput)
    consent_time = forms.TimeField(label="Time consent was given", widget=TimeInput)

    def clean(self):
        cleaned = super().clean()
        agency, service = cleaned.get("agency"), cleaned.get("service")
        if agency and service and not agency.offers(service):
            label = ServiceType(service).label.lower()
            self.add_error("agency", f"{agency} does not offer {label}. Choose another agency.")
        if cleaned.get("consent_date") and cleaned.get("consent_time"):
            given_at = timezone.make_aware(
                dt.datetime.combine(cleaned["consent_date"], cleaned["consent_time"])
            )
            if given_at > timezone.now() + CLOCK_LEEWAY:
                self.add_error("consent_date", "Consent cannot have been given in the future.")
            cleaned["consent_given_at"] = given_at
        return cleaned


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label="Why is the referral withdrawn? (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The agency may read this note, so do not name the person.",
    )


class MoveForm(forms.Form):
    """Refer to another agency: only active agencies offering the same service."""

    agency = forms.ModelChoiceField(
        label="New agency", queryset=PartnerAgency.objects.none(), empty_label="Choose an agency"
    )
    reason = forms.CharField(
        label="Why is the referral moving?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Police only: neither agency sees this.",
    )

    def __init__(self, *args, referral: Referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = (
            PartnerAgency.objects.active().offering(referral.service).exclude(pk=referral.agency_id)
        )


class DuplicateDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("link", "The same person"), ("dismiss", "Not the same person")]
    )

    @property
    def link(self) -> bool:
        return self.cleaned_data["decision"] == "link"


class PersonSearchForm(forms.Form):
    """Finding a person: words from her working name or description, her age, her area."""

    q = forms.CharField(
        label="Working name or description",
        required=False,
        max_length=100,
        help_text="For example “Jade” or “red coat”.",
    )
    age_band = forms.ChoiceField(
        label="Age", choices=[("", "Any age"), *AgeBand.choices], required=False
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        if len(areas) > 1:  # an officer of one area has nothing to choose
            self.fields["area"] = forms.ModelChoiceField(
                queryset=areas, required=False, empty_label="All your areas"
            )

    def search(self) -> dict | None:
        """The search's terms, or None where a choice is not one offered (shown at its
        field, and no one is listed: a list of everyone is not what was asked for)."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return {"text": data["q"], "age_band": data["age_band"], "area": data.get("area")}
