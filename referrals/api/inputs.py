"""What a write to the referrals API takes: checked by the pages' own forms, the rules
left to referrals.services."""

from django.utils import timezone
from rest_framework import serializers

from core.api import form_errors
from core.dates import ApiDateField, ApiDateTimeField
from partners.models import PartnerAgency, ServiceType

from ..forms import NOTE_MAX_LENGTH, PortalCourseForm, PortalStatusForm
from ..forms_police import MakeReferralForm, MoveForm
from ..models import (
    ClosedOutcome,
    ConsentMethod,
    CourseStatus,
    DeclineReason,
    Person,
    ReferralStatus,
)
from ..permissions import people_for

# --- Input: checked by the pages' own forms -----------------------------------------------


class TransitionSerializer(serializers.Serializer):
    """Move the referral on (its agency) or withdraw it (the police): the statuses on offer
    are in the referral's `allowed_transitions`. Closing needs `outcome`; declining needs
    `decline_reason` (and `decline_detail` when the reason is "other")."""

    to_status = serializers.ChoiceField(choices=ReferralStatus.choices)
    outcome = serializers.ChoiceField(choices=ClosedOutcome.choices, required=False)
    decline_reason = serializers.ChoiceField(choices=DeclineReason.choices, required=False)
    decline_detail = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH)

    def validate(self, data):
        form = PortalStatusForm(data, moves=self.context["moves"])
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        return form.cleaned_data


class CourseStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=CourseStatus.choices)
    on = ApiDateField(required=False, help_text="The day of the step; today if left out.")

    def validate(self, data):
        form = PortalCourseForm(data, steps=self.context["steps"])
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        return form.cleaned_data


class MoveRequestSerializer(serializers.Serializer):
    agency = serializers.SlugRelatedField(
        slug_field="uuid",
        queryset=PartnerAgency.objects.none(),
        help_text="An active agency offering the same service.",
    )
    reason = serializers.CharField(help_text="Police only: neither agency sees this.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        referral = self.context.get("referral")
        if referral is not None:  # the agencies the move page offers
            self.fields["agency"].queryset = MoveForm(referral=referral).fields["agency"].queryset

    def validate(self, data):
        data = {"agency": data["agency"].pk, "reason": data["reason"]}
        form = MoveForm(data, referral=self.context["referral"])
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        return form.cleaned_data


class ReferralCreateSerializer(serializers.Serializer):
    """A referral made directly, with the person's consent (as the "Make a referral" page);
    diversion-course referrals are made from a conditional caution on the work return."""

    person = serializers.SlugRelatedField(slug_field="uuid", queryset=Person.objects.none())
    agency = serializers.SlugRelatedField(
        slug_field="uuid", queryset=PartnerAgency.objects.active()
    )
    service = serializers.ChoiceField(
        choices=ServiceType.choices, help_text="Any service but the diversion course."
    )
    consent_method = serializers.ChoiceField(choices=ConsentMethod.choices)
    consent_given_at = ApiDateTimeField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["person"].queryset = people_for(request.user)

    def validate(self, data):
        given_at = timezone.localtime(data["consent_given_at"])
        form = MakeReferralForm(
            {
                "service": data["service"],
                "agency": data["agency"].pk,
                "consent_method": data["consent_method"],
                "consent_date": given_at.date(),
                "consent_time": given_at.time(),
            }
        )
        if not form.is_valid():
            rename = {"consent_date": "consent_given_at", "consent_time": "consent_given_at"}
            raise serializers.ValidationError(form_errors(form, rename))
        return {**form.cleaned_data, "person": data["person"]}
