"""The rows a work return may have any number of (encounters, arrests with their
caution, referrals, intelligence), each of which may be left blank. The rules are checked
again in patrols.services.submit_return; these forms put each problem next to its field."""

import datetime as dt

from django import forms

from core.dates import PlausibleDateField
from core.forms import DateInput, TimeInput
from partners.models import ServiceType
from referrals.models import AgeBand, ConsentMethod
from referrals.selectors import similar_people

from ..models import ArrestOutcome, Offence
from .intelligence import IntelligenceFields
from .return_options import (
    ROW_LIMIT,
    ObjectChoiceField,
    ReturnOptions,
    hotspot_label,
    on_the_night,
    person_label,
)


class RowFormSet(forms.BaseFormSet):
    """Any number of rows, each of which may be left blank and is then ignored.

    `rows` gives the values to show (a restored draft, or the rows so far when "Add
    another" was pressed); an empty dict is a blank row.
    """

    section = ""
    row_label = ""  # names a row in the error summary: "Referral 2: ..."
    add_label = ""
    blank_rows = 0

    def __init__(self, *args, options: ReturnOptions, rows: list[dict] | None = None, **kwargs):
        self.options = options
        super().__init__(*args, initial=rows, prefix=self.section, **kwargs)
        self.extra = self.blank_rows if rows is None else len(rows)

    def initial_form_count(self):
        return 0  # no row stands for a saved record, so every row may be left blank

    def get_form_kwargs(self, index):
        return {"options": self.options}

    def filled(self) -> list[tuple[int, forms.Form]]:
        """The rows with something in them, with their index on the page."""
        return [(i, form) for i, form in enumerate(self.forms) if form.has_changed()]


def row_formset(form, formset, **attrs):
    return forms.formset_factory(
        form,
        formset=type(f"{form.__name__}Set", (formset,), attrs),
        extra=0,
        max_num=ROW_LIMIT,
        absolute_max=ROW_LIMIT,
        validate_max=True,
    )


class EncounterForm(forms.Form):
    new_working_name = forms.CharField(
        label="Or a new person’s working name",
        help_text="A first name, nickname or street name.",
        max_length=100,
        required=False,
    )
    new_description = forms.CharField(
        label="How to recognise her",
        help_text="No legal identity.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    new_age_band = forms.ChoiceField(
        label="Age", choices=AgeBand.choices, initial=AgeBand.UNKNOWN, required=False
    )
    # Shown once the new person looks like someone already known (see clean).
    confirm_new = forms.BooleanField(
        label="She is someone new, not anyone already known", required=False
    )
    location = forms.CharField(label="Where, if not at a hotspot", max_length=200, required=False)
    time = forms.TimeField(
        widget=TimeInput, error_messages={"required": "Enter the time you saw her."}
    )
    engaged = forms.BooleanField(label="Spoken with, not only seen", initial=True, required=False)
    new_to_area = forms.BooleanField(label="New to the area", required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, options: ReturnOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        self.fields["person"] = ObjectChoiceField(
            options.people,
            label="Someone already known",
            label_for=person_label,
            empty_label="Not known before",
            required=False,
            help_text="Type part of her working name or description to find her.",
            widget=forms.Select(attrs={"data-type-ahead": ""}),
        )
        self.fields["hotspot"] = ObjectChoiceField(
            options.hotspots,
            label_for=hotspot_label,
            empty_label="Not at a hotspot",
            required=False,
        )
        self.order_fields(["person", "new_working_name", "new_description", "new_age_band"])

    def clean(self):
        cleaned = super().clean()
        known = cleaned.get("person")
        new = cleaned.get("new_working_name") or cleaned.get("new_description")
        if known and new:
            self.add_error(
                "new_working_name", "Choose someone already known or a new person, not both."
            )
        elif not known and not new:
            self.add_error("person", "Choose someone already known or enter a new person.")
        elif new and not cleaned.get("new_working_name"):
            self.add_error("new_working_name", "Enter the new person’s working name.")
        elif new and not cleaned.get("confirm_new"):
            self._warn_if_known(cleaned["new_working_name"], cleaned.get("new_age_band"))
        return cleaned

    def _warn_if_known(self, name: str, age_band: str | None) -> None:
        """Before a new person is saved: is she someone already known in the area? (The
        same rule flags possible duplicates after saving: referrals.selectors.)"""
        area = self.options.patrol.area
        alike = list(similar_people(area.pk, name, age_band or AgeBand.UNKNOWN)[:3])
        if alike:
            self.possible_matches = alike
            known = "; ".join(person_label(person) for person in alike)
            self.add_error(
                "new_working_name",
                f"Already known in {area}: {known}. Choose her in “Someone already known”, "
                "or tick “She is someone new”.",
            )

    @property
    def asks_if_new(self) -> bool:
        """Whether the page shows the "someone new" box: once she looked like someone."""
        return bool(getattr(self, "possible_matches", None)) or bool(self["confirm_new"].value())

    def label(self, index: int, people: dict) -> str:
        """'Encounter 2: Name', read from whatever this row holds, bound or not."""
        known = people.get(str(self["person"].value() or ""))
        name = known.working_name if known else (self["new_working_name"].value() or "").strip()
        return f"Encounter {index + 1}: {name}" if name else f"Encounter {index + 1}"

    def values(self, started_at: dt.datetime, ended_at: dt.datetime) -> dict:
        data = self.cleaned_data
        fields = {
            "hotspot": data["hotspot"],
            "location": data["location"],
            "occurred_at": on_the_night(started_at, ended_at, data["time"]),
            "engaged": data["engaged"],
            "new_to_area": data["new_to_area"],
            "notes": data["notes"],
        }
        if data["person"]:
            return fields | {"person": data["person"]}
        new_person = {
            "working_name": data["new_working_name"],
            "description": data["new_description"],
            "age_band": data["new_age_band"] or AgeBand.UNKNOWN,
        }
        return fields | {"new_person": new_person}


class ArrestForm(forms.Form):
    time = forms.TimeField(
        label="Time of arrest",
        widget=TimeInput,
        error_messages={"required": "Enter the time of the arrest."},
    )
    offence = forms.ChoiceField(
        choices=[("", "Choose the offence"), *Offence.choices],
        error_messages={"required": "Choose the offence."},
    )
    offence_detail = forms.CharField(label="The offence, if other", max_length=200, required=False)
    suspect_description = forms.CharField(
        label="Suspect reference",
        help_text="Something the custody record can be found by; not his full identity.",
        max_length=200,
        error_messages={"required": "Enter a reference the custody record can be found by."},
    )
    custody_reference = forms.CharField(max_length=50, required=False)
    outcome = forms.ChoiceField(choices=ArrestOutcome.choices, initial=ArrestOutcome.PENDING)
    caution_given_on = PlausibleDateField(
        label="Caution given on", widget=DateInput, required=False
    )
    caution_deadline = PlausibleDateField(
        label="Course to be completed by", widget=DateInput, required=False
    )
    booking_name = forms.CharField(
        label="Name to book the course under", max_length=150, required=False
    )
    booking_contact = forms.CharField(
        label="Phone or email to book the course",
        help_text="Shared with the course provider only.",
        max_length=150,
        required=False,
    )

    CAUTION_FIELDS = {
        "caution_given_on": "Enter the date the caution was given.",
        "caution_deadline": "Enter the date the course must be completed by.",
        "caution_provider": "Choose the course provider.",
        "booking_name": "Enter the name to book the course under.",
        "booking_contact": "Enter a phone number or email to book the course.",
    }

    def __init__(self, *args, options: ReturnOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["arresting_officer"] = ObjectChoiceField(
            options.officers,
            empty_label=None,
            # The select always shows an officer; a blank row must show the same as initial.
            initial=str(options.user.pk)
            if str(options.user.pk) in options.officers
            else next(iter(options.officers), None),
        )
        self.fields["caution_given_on"].initial = options.night
        self.fields["caution_provider"] = ObjectChoiceField(
            options.agencies_offering(ServiceType.DIVERSION_COURSE),
            label="Diversion course provider",
            empty_label="Choose the provider",
            required=False,
        )
        self.order_fields(["time", "arresting_officer", "offence", "offence_detail"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("offence") == Offence.OTHER and not cleaned.get("offence_detail"):
            self.add_error("offence_detail", "Say what the offence was.")
        if cleaned.get("outcome") == ArrestOutcome.CONDITIONAL_CAUTION:
            self._clean_caution(cleaned)
        return cleaned

    def _clean_caution(self, cleaned: dict) -> None:
        for name, message in self.CAUTION_FIELDS.items():
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, message)
        given, deadline = cleaned.get("caution_given_on"), cleaned.get("caution_deadline")
        if given and deadline and deadline <= given:
            self.add_error("caution_deadline", "The deadline must be after the caution date.")

    def values(self, started_at: dt.datetime, ended_at: dt.datetime) -> dict:
        data = self.cleaned_data
        fields = {
            "arrested_at": on_the_night(started_at, ended_at, data["time"]),
            "arresting_officer": data["arresting_officer"],
            "offence": data["offence"],
            "offence_detail": data["offence_detail"],
            "suspect_description": data["suspect_description"],
            "custody_reference": data["custody_reference"],
            "outcome": data["outcome"],
        }
        if data["outcome"] != ArrestOutcome.CONDITIONAL_CAUTION:
            return fields
        caution = {
            "given_on": data["caution_given_on"],
            "deadline": data["caution_deadline"],
            "provider": data["caution_provider"],
            "booking_name": data["booking_name"],
            "booking_contact": data["booking_contact"],
        }
        return fields | {"caution": caution}


REFERRAL_SERVICES = [(s, label) for s, label in ServiceType.choices if s != "diversion_course"]


class ReferralForm(forms.Form):
    service = forms.ChoiceField(
        choices=[("", "Choose a service"), *REFERRAL_SERVICES],
        required=False,  # taken from the agency when it offers only one (see clean)
        help_text="Filled in for you when the agency offers only one service.",
    )
    consent_method = forms.ChoiceField(
        label="How she agreed",
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Record how she agreed to the referral."},
    )
    consent_time = forms.TimeField(
        label="Time she agreed",
        widget=TimeInput,
        error_messages={"required": "Enter the time she agreed to the referral."},
    )

    def __init__(self, *args, options: ReturnOptions, encounters: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        self.fields["encounter"] = forms.TypedChoiceField(
            label="Who is referred",
            choices=[("", "Choose the encounter"), *enumerate(encounters)],
            coerce=int,
            help_text="One of the people in “People seen” above.",
            error_messages={"required": "Choose who is referred."},
        )
        self.fields["agency"] = ObjectChoiceField(
            options.referral_agencies(),
            label_for=options.agency_label,
            empty_label="Choose",
            error_messages={"required": "Choose the agency."},
        )
        self.order_fields(["encounter", "agency", "service"])

    def clean(self):
        cleaned = super().clean()
        agency, service = cleaned.get("agency"), cleaned.get("service")
        if agency and not service:
            service = cleaned["service"] = self.options.single_service().get(str(agency.pk), "")
        if not service and "service" not in self.errors:
            self.add_error("service", "Choose the service she is referred to.")
        if agency and service and service not in self.options.offers[str(agency.pk)]:
            label = ServiceType(service).label.lower()
            self.add_error("agency", f"{agency} does not offer {label}: choose another agency.")
        return cleaned

    def values(self, started_at, ended_at, encounter_position: int) -> dict:
        data = self.cleaned_data
        return {
            "encounter": encounter_position,
            "service": data["service"],
            "agency": data["agency"],
            "consent_method": data["consent_method"],
            "consent_given_at": on_the_night(started_at, ended_at, data["consent_time"]),
        }


class IntelligenceForm(IntelligenceFields):
    """An intelligence row of the return: the report's fields (forms/intelligence.py)."""

    def __init__(self, *args, options: ReturnOptions, **kwargs):
        super().__init__(*args, **kwargs)


class VisitForm(forms.Form):
    """A timed visit: which hotspot, when the patrol arrived and when it left (both or
    neither; a row with no times is ignored). The rules: patrols.services.visits."""

    arrived = forms.TimeField(label="Arrived", widget=TimeInput, required=False)
    left = forms.TimeField(label="Left", widget=TimeInput, required=False)

    # Where the service's problems go on this row.
    FIELDS = {"hotspot": "hotspot", "arrived_at": "arrived", "left_at": "left"}

    def __init__(self, *args, options: ReturnOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hotspot"] = ObjectChoiceField(
            options.hotspots, label_for=hotspot_label, empty_label="Choose", required=False
        )
        self.order_fields(["hotspot", "arrived", "left"])

    def typed_times(self) -> bool:
        return bool(self["arrived"].value() or self["left"].value())

    def values(self, started_at: dt.datetime, ended_at: dt.datetime) -> dict:
        data = self.cleaned_data

        def moment(time):
            return None if time is None else on_the_night(started_at, ended_at, time)

        return {
            "hotspot": data.get("hotspot"),
            "arrived_at": moment(data.get("arrived")),
            "left_at": moment(data.get("left")),
        }


class VisitRowFormSet(RowFormSet):
    def filled(self) -> list[tuple[int, forms.Form]]:
        """A visit counts once a time is typed: a row with only its hotspot is "neither"."""
        return [(i, form) for i, form in enumerate(self.forms) if form.typed_times()]


class ReferralRowFormSet(RowFormSet):
    def __init__(self, *args, encounters: list[str], **kwargs):
        self.encounter_labels = encounters
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return super().get_form_kwargs(index) | {"encounters": self.encounter_labels}


EncounterFormSet = row_formset(
    EncounterForm,
    RowFormSet,
    section="encounters",
    row_label="Encounter",
    add_label="Add another person",
    blank_rows=1,
)
ArrestFormSet = row_formset(
    ArrestForm, RowFormSet, section="arrests", row_label="Arrest", add_label="Add an arrest"
)
ReferralFormSet = row_formset(
    ReferralForm,
    ReferralRowFormSet,
    section="referrals",
    row_label="Referral",
    add_label="Add a referral",
)
VisitFormSet = row_formset(
    VisitForm,
    VisitRowFormSet,
    section="visits",
    row_label="Visit",
    add_label="Add a visit",
    blank_rows=1,
)
IntelligenceFormSet = row_formset(
    IntelligenceForm,
    RowFormSet,
    section="intelligence",
    row_label="Intelligence",
    add_label="Add intelligence",
)
