"""What the patrols API's writes take. Types and choices are checked here; every rule is
checked where the pages check it — by the pages' own forms (HotspotForm, PatrolForm and
its invitation formset: the 14-hour limit, the crew's pairing rule, double booking ...)
and by patrols.services (the status order, return times, the return's records) — and
their messages come back under the API's field names.
"""

from decimal import Decimal

from django.forms.models import model_to_dict
from rest_framework import serializers

from accounts.models import User
from core.api import form_errors, rule_error
from core.dates import ApiDateField, ApiDateTimeField
from partners.models import PartnerAgency
from referrals.models import AgeBand, ConsentMethod, Person

from .. import services
from ..filters import MAX_ID
from ..forms.hotspots import HotspotForm
from ..forms.planning import InvitationFormSet, PatrolForm
from ..forms.return_options import MAX_HOURS, ROW_LIMIT
from ..forms.return_rows import REFERRAL_SERVICES
from ..models import (
    ArrestOutcome,
    EngagementActivity,
    HandlingCode,
    Hotspot,
    IntelligenceAssessment,
    Offence,
    Patrol,
    SourceEvaluation,
    Weather,
)


class UUIDChoiceField(serializers.SlugRelatedField):
    """A record named by UUID, chosen among those the serializer's context offers under
    ``choices`` (the patrol's officers, its area's hotspots ...); anything else is refused
    as "does not exist", which reveals nothing outside the user's scope."""

    def __init__(self, model, choices: str, **kwargs):
        self.choices_key = choices
        super().__init__(slug_field="uuid", queryset=model.objects.none(), **kwargs)

    def get_queryset(self):
        return self.context[self.choices_key]


# --- Hotspots ------------------------------------------------------------------------------

HOTSPOT_FIELDS = ["ward", "name", "latitude", "longitude", "reason", "identified_on"]


class HotspotWriteSerializer(serializers.Serializer):
    """A hotspot as the hotspot form takes it. Context: ``request``, and ``hotspot`` when
    changing one (a partial change keeps the fields not sent)."""

    ward = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The ward's id (one of your areas)."
    )
    name = serializers.CharField(max_length=150)
    # Any precision: the form rounds to what the model keeps and checks the range.
    latitude = serializers.DecimalField(max_digits=None, decimal_places=None)
    longitude = serializers.DecimalField(max_digits=None, decimal_places=None)
    reason = serializers.CharField(help_text="Why it was identified. Do not name anyone.")
    identified_on = ApiDateField()

    def validate(self, attrs):
        hotspot = self.context.get("hotspot")
        data = {**(model_to_dict(hotspot, HOTSPOT_FIELDS) if hotspot else {}), **attrs}
        form = HotspotForm(data, user=self.context["request"].user, instance=hotspot)
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        self.form = form
        return form.cleaned_data


# --- Patrols -------------------------------------------------------------------------------


class InvitationInputSerializer(serializers.Serializer):
    agency = serializers.SlugRelatedField(
        slug_field="uuid", queryset=PartnerAgency.objects.active(), help_text="An active agency."
    )
    activity = serializers.ChoiceField(choices=EngagementActivity.choices)
    notes = serializers.CharField(max_length=200, allow_blank=True, default="")


class PatrolWriteSerializer(serializers.Serializer):
    """A patrol as the planning page takes it: the date, start and end times (an end before
    the start is the next morning), the crew and the partners invited. Changing a patrol
    replaces its crew and invitations with those sent. Context: ``request``, and
    ``patrol`` when changing one."""

    ward = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The ward's id (one of your areas)."
    )
    date = ApiDateField()
    start_time = serializers.TimeField()
    end_time = serializers.TimeField(help_text="Earlier than the start: the next morning.")
    meeting_point = serializers.CharField(max_length=200, allow_blank=True, default="")
    hotspots = UUIDChoiceField(Hotspot, "hotspots", many=True, required=False)
    ephedra_pcs = UUIDChoiceField(User, "ephedra_pcs", many=True)
    local_pcs = UUIDChoiceField(User, "local_pcs", many=True)
    observers = UUIDChoiceField(
        User, "observers", many=True, required=False, help_text="Sergeants from other areas."
    )
    invitations = InvitationInputSerializer(many=True, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # The choices the planning form offers, from the form itself.
            choices = PatrolForm(user=request.user).fields
            self.context.update(
                hotspots=Hotspot.objects.visible_to(request.user).active(),
                ephedra_pcs=choices["ephedra_pcs"].queryset,
                local_pcs=choices["local_pcs"].queryset,
                observers=choices["observers"].queryset,
            )

    def validate_invitations(self, invitations):
        agencies = [row["agency"].pk for row in invitations]
        if len(set(agencies)) != len(agencies):
            raise serializers.ValidationError("Invite each agency once.")
        return invitations

    def validate(self, attrs):
        patrol = self.context.get("patrol")
        user = self.context["request"].user
        instance = patrol or Patrol(planned_by=user)
        form = PatrolForm(self._form_data(attrs), user=user, instance=instance)
        formset = InvitationFormSet(
            _invitation_data(patrol, attrs.get("invitations", [])),
            instance=instance,
            prefix="invitations",
        )
        errors = form_errors(form) if not form.is_valid() else {}
        if not formset.is_valid():
            errors["invitations"] = [*formset.non_form_errors(), *_row_errors(formset)]
        if errors:
            raise serializers.ValidationError(errors)
        self.form, self.formset = form, formset
        return attrs

    def _form_data(self, attrs) -> dict:
        return {
            "ward": attrs["ward"],
            "date": attrs["date"],
            "start_time": attrs["start_time"],
            "end_time": attrs["end_time"],
            "meeting_point": attrs.get("meeting_point", ""),
            "hotspots": [hotspot.pk for hotspot in attrs.get("hotspots", [])],
            "ephedra_pcs": [officer.pk for officer in attrs["ephedra_pcs"]],
            "local_pcs": [officer.pk for officer in attrs["local_pcs"]],
            "observers": [officer.pk for officer in attrs.get("observers", [])],
        }


def _invitation_data(patrol: Patrol | None, invitations: list[dict]) -> dict:
    """The invitation formset's data for "exactly these invitations": an agency already
    invited is changed in place, one no longer sent is deleted, a new one is added."""
    wanted = {row["agency"].pk: row for row in invitations}
    existing = list(patrol.invitations.all()) if patrol is not None else []
    rows = []
    for invitation in existing:
        row = wanted.pop(invitation.agency_id, None)
        values = row or {"agency": invitation.agency, "activity": invitation.activity}
        rows.append((invitation.pk, values, row is None))
    rows += [(None, row, False) for row in invitations if row["agency"].pk in wanted]
    data = {
        "invitations-TOTAL_FORMS": str(len(rows)),
        "invitations-INITIAL_FORMS": str(len(existing)),
        "invitations-MIN_NUM_FORMS": "0",
        "invitations-MAX_NUM_FORMS": "1000",
    }
    for n, (pk, values, delete) in enumerate(rows):
        prefix = f"invitations-{n}-"
        data[prefix + "id"] = pk or ""
        data[prefix + "agency"] = values["agency"].pk
        data[prefix + "activity"] = values["activity"]
        data[prefix + "notes"] = values.get("notes", "")
        if delete:
            data[prefix + "DELETE"] = "on"
    return data


def _row_errors(formset) -> list[str]:
    messages = []
    for form in formset.forms:
        for field, errors in form.errors.items():
            label = "" if field == "__all__" else f"{field}: "
            messages += [f"{label}{error}" for error in errors]
    return messages


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="For example: officers abstracted, severe weather.")


class RiskAssessmentInputSerializer(serializers.Serializer):
    hazards = serializers.CharField()
    controls = serializers.CharField(help_text="How each hazard is reduced.")


# --- The work return -----------------------------------------------------------------------


class HoursInputSerializer(serializers.Serializer):
    officer = UUIDChoiceField(User, "officers", help_text="An officer on the patrol.")
    hours = serializers.DecimalField(
        max_digits=4, decimal_places=2, min_value=Decimal("0.25"), max_value=MAX_HOURS
    )


class NewPersonSerializer(serializers.Serializer):
    working_name = serializers.CharField(max_length=100, help_text="First name, nickname ...")
    description = serializers.CharField(allow_blank=True, default="", help_text="No identity.")
    age_band = serializers.ChoiceField(choices=AgeBand.choices, default=AgeBand.UNKNOWN)


class EncounterInputSerializer(serializers.Serializer):
    person = UUIDChoiceField(
        Person, "people", required=False, allow_null=True, help_text="Someone known in the area."
    )
    new_person = NewPersonSerializer(required=False, allow_null=True)
    hotspot = UUIDChoiceField(Hotspot, "return_hotspots", required=False, allow_null=True)
    location = serializers.CharField(max_length=200, allow_blank=True, default="")
    occurred_at = ApiDateTimeField()
    engaged = serializers.BooleanField(default=True)
    new_to_area = serializers.BooleanField(default=False)
    notes = serializers.CharField(allow_blank=True, default="")

    def validate(self, attrs):
        known, new = attrs.get("person"), attrs.get("new_person")
        if known and new:
            raise serializers.ValidationError(
                {"new_person": ["Choose someone already known or a new person, not both."]}
            )
        if not known and not new:
            raise serializers.ValidationError(
                {"person": ["Choose someone already known or enter a new person."]}
            )
        return attrs


class CautionInputSerializer(serializers.Serializer):
    given_on = ApiDateField()
    deadline = ApiDateField(help_text="The course must be completed by this date.")
    provider = UUIDChoiceField(PartnerAgency, "agencies", help_text="The course provider.")
    booking_name = serializers.CharField(max_length=150)
    booking_contact = serializers.CharField(max_length=150)


class ArrestInputSerializer(serializers.Serializer):
    arrested_at = ApiDateTimeField()
    arresting_officer = UUIDChoiceField(User, "officers", help_text="An officer on the patrol.")
    offence = serializers.ChoiceField(choices=Offence.choices)
    offence_detail = serializers.CharField(max_length=200, allow_blank=True, default="")
    suspect_description = serializers.CharField(
        max_length=200, help_text="A reference the custody record can be found by."
    )
    custody_reference = serializers.CharField(max_length=50, allow_blank=True, default="")
    outcome = serializers.ChoiceField(choices=ArrestOutcome.choices, default=ArrestOutcome.PENDING)
    caution = CautionInputSerializer(
        required=False,
        allow_null=True,
        help_text="Exactly when the outcome is a conditional caution.",
    )


class ReferralInputSerializer(serializers.Serializer):
    encounter = serializers.IntegerField(
        min_value=0, help_text="The position (from 0) of the woman's row in `encounters`."
    )
    service = serializers.ChoiceField(choices=REFERRAL_SERVICES)
    agency = UUIDChoiceField(PartnerAgency, "agencies")
    consent_method = serializers.ChoiceField(choices=ConsentMethod.choices)
    consent_given_at = ApiDateTimeField()


class IntelligenceInputSerializer(serializers.Serializer):
    subject_description = serializers.CharField(max_length=200)
    details = serializers.CharField()
    source_evaluation = serializers.ChoiceField(choices=SourceEvaluation.choices)
    intelligence_assessment = serializers.ChoiceField(choices=IntelligenceAssessment.choices)
    handling_code = serializers.ChoiceField(choices=HandlingCode.choices)
    handling_conditions = serializers.CharField(
        max_length=200, allow_blank=True, default="", help_text="Needed for code C."
    )


class VisitInputSerializer(serializers.Serializer):
    """A timed visit: both times or neither (patrols.services.visits checks them)."""

    hotspot = UUIDChoiceField(Hotspot, "return_hotspots", help_text="Counts as visited.")
    arrived_at = ApiDateTimeField(required=False, allow_null=True, default=None)
    left_at = ApiDateTimeField(
        required=False, allow_null=True, default=None, help_text="Within the shift."
    )


def return_choices(patrol: Patrol) -> dict:
    """What a return may name, as the return form offers it (forms.returns.ReturnOptions)."""
    return {
        "officers": User.objects.filter(patrol_duties__patrol=patrol),
        "people": Person.objects.filter(area=patrol.area_id),
        "return_hotspots": Hotspot.objects.filter(ward__area=patrol.area_id).active(),
        "agencies": PartnerAgency.objects.active(),
    }


class ReturnMainFields(serializers.Serializer):
    started_at = ApiDateTimeField()
    ended_at = ApiDateTimeField()
    weather = serializers.ChoiceField(choices=Weather.choices)
    hotspots_visited = UUIDChoiceField(Hotspot, "return_hotspots", many=True, required=False)
    women_seen = serializers.IntegerField(min_value=0, max_value=999, default=0)
    kerb_crawlers_seen = serializers.IntegerField(min_value=0, max_value=999, default=0)
    engagement_count = serializers.IntegerField(min_value=0, max_value=999, default=0)
    summary = serializers.CharField(allow_blank=True, default="")

    def validate(self, attrs):
        started, ended = attrs.get("started_at"), attrs.get("ended_at")
        if started and ended:
            try:
                services.check_return_times(started, ended)
            except services.PatrolRuleError as error:
                raise rule_error(error, "ended_at") from None
        return attrs


def rows(serializer, help_text: str):
    return serializer(many=True, required=False, max_length=ROW_LIMIT, help_text=help_text)


class ReturnSubmitSerializer(ReturnMainFields):
    """The night's return, filed in one go: everything it records is written, or nothing.
    Context: ``return_choices(patrol)``."""

    hours = HoursInputSerializer(many=True, allow_empty=False, help_text="Each officer once.")
    encounters = rows(EncounterInputSerializer, "People seen or engaged.")
    arrests = rows(ArrestInputSerializer, "Arrests, with the caution when one was given.")
    referrals = rows(ReferralInputSerializer, "Referrals of women met (see `encounters`).")
    intelligence = rows(IntelligenceInputSerializer, "Intelligence gathered.")
    visits = rows(VisitInputSerializer, "Optional: arrival and departure at each hotspot.")

    def validate_hours(self, hours):
        officers = [row["officer"].pk for row in hours]
        if len(set(officers)) != len(officers):
            raise serializers.ValidationError("Give each officer's hours once.")
        return hours

    def submission(self) -> dict:
        """The keyword arguments of services.submit_return."""
        data = self.validated_data
        main = ("started_at", "ended_at", "weather", "women_seen", "kerb_crawlers_seen")
        return_fields = {name: data[name] for name in main}
        return_fields.update(
            engagement_count=data["engagement_count"],
            summary=data["summary"],
            hotspots_visited=data.get("hotspots_visited", []),
        )
        return {
            "return_fields": return_fields,
            "hours": {row["officer"]: row["hours"] for row in data["hours"]},
            "encounters": [_encounter(row) for row in data.get("encounters", [])],
            "arrests": [_arrest(row) for row in data.get("arrests", [])],
            "referrals": list(data.get("referrals", [])),
            "intelligence": list(data.get("intelligence", [])),
            "visits": list(data.get("visits", [])),
        }


def _encounter(row: dict) -> dict:
    row = dict(row)
    if row.get("person") is not None:
        row.pop("new_person", None)
    else:
        row.pop("person", None)
    return row


def _arrest(row: dict) -> dict:
    row = dict(row)
    if row.get("caution") is None:
        row.pop("caution", None)
    return row


class AmendmentInputSerializer(ReturnMainFields):
    """A supervisor's correction of a submitted return's main fields: send the reason and
    only the fields that change. Context: ``return_choices(patrol)``, ``work_return``."""

    reason = serializers.CharField(help_text="Why the return is amended.")
    visits = rows(
        VisitInputSerializer,
        "The timed visits as they should be: all of them replace the return's.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "reason":
                field.required = False
                field.default = serializers.empty

    def validate(self, attrs):
        work_return = self.context["work_return"]
        times = {
            "started_at": attrs.get("started_at", work_return.started_at),
            "ended_at": attrs.get("ended_at", work_return.ended_at),
        }
        super().validate(times)  # the times as they would be after the change
        return attrs

    def changes(self) -> dict:
        return {k: v for k, v in self.validated_data.items() if k in services.AMENDABLE_FIELDS}
