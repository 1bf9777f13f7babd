"""What a partner fills in to tell the police of a concern or an incident. The rules are
checked in patrols.services.concerns (each refusal shown at its field); this form only
parses and offers the choices: any borough running the operation, and for a linked woman
only those the agency holds a referral for."""

from django import forms

from accounts.models import Area
from core.dates import PlausibleDateField
from core.forms import DateInput, TimeInput

from ..models import ConcernConsent, ConcernKind
from ..permissions import people_to_link
from ..services.concerns import Concern

CONSENT, ANONYMISED = "consent", "anonymised"


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.working_name


class ConcernForm(forms.Form):
    area = forms.ModelChoiceField(
        label="Borough where it happened",
        queryset=Area.objects.none(),
        empty_label="Choose",
        error_messages={"required": "Choose the borough where it happened."},
    )
    occurred_on = PlausibleDateField(
        label="Date it happened",
        widget=DateInput,
        error_messages={"required": "Enter the date it happened."},
    )
    occurred_time = forms.TimeField(label="Time (if known)", widget=TimeInput, required=False)
    kind = forms.ChoiceField(
        label="What it is about",
        choices=ConcernKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the concern is about."},
    )
    subject_description = forms.CharField(
        label="Describe him, them or the vehicle",
        help_text="What he looks like, what he was wearing, a vehicle's make, colour and "
        "registration. No names are needed.",
        max_length=200,
        error_messages={"required": "Describe who or what the concern is about."},
    )
    details = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say what happened."},
    )
    sharing = forms.ChoiceField(
        label="The woman who told you",
        choices=[
            (CONSENT, "She agreed to this being shared with the police"),
            (ANONYMISED, "Send it anonymised: it does not say who she is"),
        ],
        widget=forms.RadioSelect,
        help_text="If anonymised, do not write her name, or anything that could identify "
        "her, in the description or in what happened.",
        error_messages={"required": "Say whether she agreed, or send it anonymised."},
    )
    consent_method = forms.ChoiceField(
        label="How she agreed (with consent only)",
        choices=[("", "Choose"), *ConcernConsent.choices],
        required=False,
    )
    consent_given_on = PlausibleDateField(
        label="Date she agreed (with consent only)", widget=DateInput, required=False
    )
    person = PersonChoice(
        label="Link it to a woman you work with (optional, with consent only)",
        queryset=None,
        to_field_name="uuid",
        empty_label="No one",
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.order_by("name")
        people = people_to_link(user).only("uuid", "working_name").order_by("working_name")
        self.fields["person"].queryset = people

    def concern(self) -> Concern:
        data = self.cleaned_data
        return Concern(
            area=data["area"],
            occurred_on=data["occurred_on"],
            occurred_time=data["occurred_time"],
            kind=data["kind"],
            subject_description=data["subject_description"],
            details=data["details"],
            anonymised=data["sharing"] == ANONYMISED,
            consent_method=data["consent_method"],
            consent_given_on=data["consent_given_on"],
            person=data["person"],
        )
