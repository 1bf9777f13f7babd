"""Forms for the work return: the main form, officers' hours, and a formset per kind of row.

The rows (encounters, arrests, referrals, intelligence) may each be left blank, so a quiet
night is only times, weather, hours and a summary. Their choices (people, hotspots,
agencies, officers) are loaded once per request into `ReturnOptions` and shared by every
row, so a long return costs no more queries than a short one. The rules are checked again
in patrols.services.submit_return; these forms put each problem next to its field.
"""

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.functional import cached_property

from core.forms import DateInput, TimeInput
from partners.models import PartnerAgency, ServiceType
from referrals.models import AgeBand, ConsentMethod, Person

from .. import services
from ..models import (
    ArrestOutcome,
    HandlingCode,
    Hotspot,
    IntelligenceAssessment,
    Offence,
    Patrol,
    PatrolOfficer,
    SourceEvaluation,
    Weather,
    WorkReturn,
)

MAX_HOURS = services.MAX_RETURN_HOURS
ROW_LIMIT = 50  # rows of one kind on one return; far more than any night has


class CountInput(forms.NumberInput):
    def __init__(self):
        super().__init__(attrs={"min": 0, "inputmode": "numeric"})


# --- Choices loaded once per request -------------------------------------------------------


class ReturnOptions:
    """What the forms of one patrol's return offer, each loaded (once) when first needed."""

    def __init__(self, patrol: Patrol, user):
        self.patrol = patrol
        self.user = user
        self.night = timezone.localtime(patrol.starts_at).date()

    @cached_property
    def duties(self) -> list[PatrolOfficer]:
        duties = self.patrol.officers.select_related("officer")
        return list(duties.order_by("role", "officer__last_name", "officer__first_name", "pk"))

    @cached_property
    def officers(self) -> dict:
        return {str(duty.officer_id): duty.officer for duty in self.duties}

    @cached_property
    def hotspots(self) -> dict:
        hotspots = Hotspot.objects.filter(ward__area=self.patrol.area_id).active()
        return {str(hotspot.pk): hotspot for hotspot in hotspots.select_related("ward")}

    @cached_property
    def people(self) -> dict:
        people = Person.objects.filter(area=self.patrol.area_id)
        people = people.only("pk", "working_name", "description", "area_id")
        return {str(person.pk): person for person in people}

    @cached_property
    def agencies(self) -> dict:
        agencies = PartnerAgency.objects.active().prefetch_related("services")
        return {str(agency.pk): agency for agency in agencies}

    @cached_property
    def offers(self) -> dict[str, set[str]]:
        """The services each active agency offers, by the agency's key."""
        return {
            pk: {offer.service for offer in agency.services.all()}
            for pk, agency in self.agencies.items()
        }

    def planned_hours(self) -> Decimal:
        seconds = services.shift_length(self.patrol.starts_at, self.patrol.ends_at).total_seconds()
        return Decimal(seconds / 3600).quantize(Decimal("0.01"))

    def agencies_offering(self, service: str) -> dict:
        return {pk: a for pk, a in self.agencies.items() if service in self.offers[pk]}

    def referral_agencies(self) -> dict:
        """Agencies a woman can be referred to: everyone offering more than the course."""
        return {
            pk: agency
            for pk, agency in self.agencies.items()
            if self.offers[pk] - {ServiceType.DIVERSION_COURSE}
        }

    def agency_label(self, agency: PartnerAgency) -> str:
        """The agency with what a woman can be referred to it for, since a select cannot
        narrow its agencies by the service chosen without JavaScript."""
        offers = self.offers[str(agency.pk)] - {ServiceType.DIVERSION_COURSE}
        labels = [label for service, label in ServiceType.choices if service in offers]
        return f"{agency} ({', '.join(labels)})"


class ObjectChoiceField(forms.ChoiceField):
    """A choice among objects already loaded (see ReturnOptions); cleans to the object."""

    def __init__(self, objects: dict, *, label_for=str, empty_label: str | None = "", **kwargs):
        self.objects = objects
        choices = [(key, label_for(obj)) for key, obj in objects.items()]
        if empty_label is not None:
            choices.insert(0, ("", empty_label))
        super().__init__(choices=choices, **kwargs)

    def clean(self, value):
        key = super().clean(value)
        return self.objects.get(key) if key else None


class ObjectMultipleChoiceField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, objects: dict, *, label_for=str, **kwargs):
        self.objects = objects
        super().__init__(choices=[(k, label_for(o)) for k, o in objects.items()], **kwargs)

    def clean(self, value):
        return [self.objects[key] for key in super().clean(value)]


def on_the_night(started_at: dt.datetime, ended_at: dt.datetime, time: dt.time) -> dt.datetime:
    """The moment during the shift at this clock time: nights cross midnight, so a time may
    fall on the next day. Of the two days, take the one nearer the middle of the shift."""
    middle = timezone.localtime(started_at + (ended_at - started_at) / 2)
    day = timezone.localtime(started_at).date()
    candidates = [
        timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=d), time)) for d in (0, 1)
    ]
    return min(candidates, key=lambda moment: abs(moment - middle))


def hotspot_label(hotspot: Hotspot) -> str:
    """Hotspot names are unique within a ward, not across the area."""
    return f"{hotspot.name} ({hotspot.ward.name})"


def _person_label(person: Person) -> str:
    description = person.description.strip()
    if len(description) > 60:
        description = description[:59] + "…"
    return f"{person.working_name} – {description}" if description else person.working_name


# --- The main form ------------------------------------------------------------------------


class ReturnForm(forms.Form):
    """When, the weather, where the patrol went, what it saw, and a summary."""

    date = forms.DateField(
        label="Date the patrol started",
        widget=DateInput,
        error_messages={"required": "Enter the date the patrol started."},
    )
    start_time = forms.TimeField(
        widget=TimeInput, error_messages={"required": "Enter the start time."}
    )
    end_time = forms.TimeField(
        label="Finish time",
        widget=TimeInput,
        error_messages={"required": "Enter the finish time."},
        help_text="If it is earlier than the start time, the patrol finished the next morning.",
    )
    weather = forms.ChoiceField(
        choices=Weather.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the weather."},
    )
    women_seen = forms.IntegerField(
        label="Women seen in street sex work",
        help_text="Whether or not you spoke with them.",
        min_value=0,
        max_value=999,
        required=False,
        initial=0,
        widget=CountInput,
    )
    kerb_crawlers_seen = forms.IntegerField(
        label="Kerb crawlers seen",
        min_value=0,
        max_value=999,
        required=False,
        initial=0,
        widget=CountInput,
    )
    engagement_count = forms.IntegerField(
        label="People served at the soup kitchen or other engagement",
        min_value=0,
        max_value=999,
        required=False,
        initial=0,
        widget=CountInput,
    )
    summary = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Anything the project lead should know, for example “heavy rain, no one out”.",
    )

    COUNTS = ("women_seen", "kerb_crawlers_seen", "engagement_count")

    def __init__(self, *args, options: ReturnOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        self.fields["hotspots_visited"] = ObjectMultipleChoiceField(
            options.hotspots, label_for=hotspot_label, required=False, label="Hotspots visited"
        )
        self.order_fields(["date", "start_time", "end_time", "weather", "hotspots_visited"])
        if not self.is_bound and not self.initial:
            self.initial = self.defaults(options.patrol)

    @staticmethod
    def defaults(patrol: Patrol) -> dict:
        """The patrol as planned: a return usually only confirms it."""
        starts = timezone.localtime(patrol.starts_at)
        ends = timezone.localtime(patrol.ends_at)
        return {
            "date": starts.date(),
            "start_time": starts.time(),
            "end_time": ends.time(),
            "hotspots_visited": [str(h.pk) for h in patrol.hotspots.all()],
        }

    def clean(self):
        cleaned = super().clean()
        for name in self.COUNTS:
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = 0
        if {"date", "start_time", "end_time"} - set(cleaned):
            return cleaned
        started = timezone.make_aware(dt.datetime.combine(cleaned["date"], cleaned["start_time"]))
        ended = timezone.make_aware(dt.datetime.combine(cleaned["date"], cleaned["end_time"]))
        if ended <= started:
            ended += dt.timedelta(days=1)
        if services.shift_length(started, ended) > dt.timedelta(hours=MAX_HOURS):
            self.add_error("end_time", f"A patrol cannot last more than {MAX_HOURS} hours.")
        cleaned["started_at"], cleaned["ended_at"] = started, ended
        return cleaned

    def return_fields(self) -> dict:
        data = self.cleaned_data
        names = ("started_at", "ended_at", "weather", "hotspots_visited", *self.COUNTS)
        return {name: data[name] for name in (*names, "summary")}


class AmendReturnForm(ReturnForm):
    """A supervisor's correction of the main fields, with the reason for it."""

    reason = forms.CharField(
        label="Reason for the amendment",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: times corrected after checking the duty sheet.",
        error_messages={"required": "Give the reason for the amendment."},
    )

    @staticmethod
    def initial_for(work_return: WorkReturn) -> dict:
        started = timezone.localtime(work_return.started_at)
        return {
            "date": started.date(),
            "start_time": started.time(),
            "end_time": timezone.localtime(work_return.ended_at).time(),
            "weather": work_return.weather,
            "hotspots_visited": [str(h.pk) for h in work_return.hotspots_visited.all()],
            "women_seen": work_return.women_seen,
            "kerb_crawlers_seen": work_return.kerb_crawlers_seen,
            "engagement_count": work_return.engagement_count,
            "summary": work_return.summary,
        }


# --- Hours: one row per officer on the patrol -----------------------------------------------


class HoursForm(forms.Form):
    officer = forms.CharField(widget=forms.HiddenInput)
    hours = forms.DecimalField(
        min_value=Decimal("0.25"),
        max_value=MAX_HOURS,
        max_digits=4,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
    )

    def __init__(self, *args, duty, **kwargs):
        super().__init__(*args, **kwargs)
        self.duty = duty
        self.fields["hours"].label = f"{duty.officer}, {duty.get_role_display()}"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("officer") != str(self.duty.officer_id):
            self.add_error(
                "hours", "The patrol’s officers changed while this return was open: check them."
            )
        cleaned["officer"] = self.duty.officer
        return cleaned


class BaseHoursFormSet(forms.BaseFormSet):
    """Exactly one row per officer on the patrol, pre-filled with the planned length."""

    def __init__(self, *args, options: ReturnOptions, hours: dict | None = None, **kwargs):
        self.duties = options.duties
        hours = hours or {}
        planned = options.planned_hours()
        initial = [
            {"officer": str(d.officer_id), "hours": hours.get(str(d.officer_id), planned)}
            for d in self.duties
        ]
        super().__init__(*args, initial=initial, prefix="hours", **kwargs)
        self.min_num = len(self.duties)  # every row is validated, none skipped as empty

    def initial_form_count(self):
        return 0

    def total_form_count(self):
        return len(self.duties)

    def get_form_kwargs(self, index):
        return {"duty": self.duties[index]}

    def clean(self):
        if any(self.errors):
            return
        if not any(form.cleaned_data.get("hours") for form in self.forms):
            raise forms.ValidationError("Give the hours worked by at least one officer.")

    def hours(self) -> dict:
        return {
            f.cleaned_data["officer"]: f.cleaned_data["hours"]
            for f in self.forms
            if f.cleaned_data.get("hours")
        }


HoursFormSet = forms.formset_factory(HoursForm, formset=BaseHoursFormSet, extra=0)


# --- Rows a return may have any number of -------------------------------------------------


class RowFormSet(forms.BaseFormSet):
    """Any number of rows, each of which may be left blank and is then ignored.

    `rows` gives the values to show (a restored draft, or the rows so far when "Add
    another" was pressed); an empty dict is a blank row.
    """

    section = ""
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
    location = forms.CharField(label="Where, if not at a hotspot", max_length=200, required=False)
    time = forms.TimeField(
        widget=TimeInput, error_messages={"required": "Enter the time you saw her."}
    )
    engaged = forms.BooleanField(label="Spoken with, not only seen", initial=True, required=False)
    new_to_area = forms.BooleanField(label="New to the area", required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, options: ReturnOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"] = ObjectChoiceField(
            options.people,
            label="Someone already known",
            label_for=_person_label,
            empty_label="Not known before",
            required=False,
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
        return cleaned

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
    caution_given_on = forms.DateField(label="Caution given on", widget=DateInput, required=False)
    caution_deadline = forms.DateField(
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
        error_messages={"required": "Choose the service she is referred to."},
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
        self.order_fields(["encounter", "service", "agency"])

    def clean(self):
        cleaned = super().clean()
        agency, service = cleaned.get("agency"), cleaned.get("service")
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


class IntelligenceForm(forms.Form):
    subject_description = forms.CharField(
        label="Who or what it is about",
        help_text="For example “man in a grey van seen with two women”.",
        max_length=200,
        error_messages={"required": "Say who or what the intelligence is about."},
    )
    details = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the details of the intelligence."},
    )
    source_evaluation = forms.ChoiceField(
        choices=[("", "Choose"), *SourceEvaluation.choices],
        error_messages={"required": "Choose the source evaluation."},
    )
    intelligence_assessment = forms.ChoiceField(
        choices=[("", "Choose"), *IntelligenceAssessment.choices],
        error_messages={"required": "Choose the intelligence assessment."},
    )
    handling_code = forms.ChoiceField(
        choices=HandlingCode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the handling code."},
    )
    handling_conditions = forms.CharField(
        label="Conditions for sharing",
        help_text="Needed for code C.",
        max_length=200,
        required=False,
    )

    def __init__(self, *args, options: ReturnOptions, **kwargs):
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        code, conditions = cleaned.get("handling_code"), cleaned.get("handling_conditions")
        if code == HandlingCode.CONDITIONS and not conditions:
            self.add_error("handling_conditions", "State the conditions for sharing (code C).")
        return cleaned

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class ReferralRowFormSet(RowFormSet):
    def __init__(self, *args, encounters: list[str], **kwargs):
        self.encounter_labels = encounters
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return super().get_form_kwargs(index) | {"encounters": self.encounter_labels}


EncounterFormSet = row_formset(
    EncounterForm, RowFormSet, section="encounters", add_label="Add another person", blank_rows=1
)
ArrestFormSet = row_formset(ArrestForm, RowFormSet, section="arrests", add_label="Add an arrest")
ReferralFormSet = row_formset(
    ReferralForm, ReferralRowFormSet, section="referrals", add_label="Add a referral"
)
IntelligenceFormSet = row_formset(
    IntelligenceForm, RowFormSet, section="intelligence", add_label="Add intelligence"
)


# --- The whole return ---------------------------------------------------------------------


class ReturnForms:
    """The main form, the hours and the rows, built together from the same data.

    - `ReturnForms(options)`: a new return, from the patrol as planned;
    - `ReturnForms(options, data=request.POST)`: to validate and submit;
    - `ReturnForms(options, restore=data, add="arrests")`: what was typed (a draft, or the
      page when "Add another" was pressed), shown unvalidated, with one more blank row.
    """

    ROWS = {
        "encounters": EncounterFormSet,
        "arrests": ArrestFormSet,
        "referrals": ReferralFormSet,
        "intelligence": IntelligenceFormSet,
    }

    def __init__(self, options: ReturnOptions, *, data=None, restore=None, add: str = ""):
        self.options = options
        if restore is not None:
            self._build_restored(restore, add)
        else:
            self._build(data)

    def _build(self, data) -> None:
        options = self.options
        self.form = ReturnForm(data, options=options)
        self.hours = HoursFormSet(data, options=options)
        self.encounters = EncounterFormSet(data, options=options)
        self.arrests = ArrestFormSet(data, options=options)
        self.referrals = ReferralFormSet(data, options=options, encounters=self.encounter_labels())
        self.intelligence = IntelligenceFormSet(data, options=options)

    def _build_restored(self, data, add: str) -> None:
        """Read what was typed through bound forms, then show it as unbound initial values,
        so nothing typed is lost and no error is shown for a half-finished return."""
        typed = ReturnForms(self.options, data=data)
        options = self.options
        self.form = ReturnForm(initial=_values(typed.form), options=options)
        self.hours = HoursFormSet(
            options=options,
            hours={f["officer"].value(): f["hours"].value() for f in typed.hours.forms},
        )
        rows = {name: _rows(getattr(typed, name)) for name in self.ROWS}
        if add in rows:
            rows[add].append({})
        self.encounters = EncounterFormSet(options=options, rows=rows["encounters"])
        self.arrests = ArrestFormSet(options=options, rows=rows["arrests"])
        self.referrals = ReferralFormSet(
            options=options, rows=rows["referrals"], encounters=self.encounter_labels()
        )
        self.intelligence = IntelligenceFormSet(options=options, rows=rows["intelligence"])
        if add in rows:
            _focus_first_field(getattr(self, add).forms[-1])

    def encounter_labels(self) -> list[str]:
        people = self.options.people
        return [form.label(i, people) for i, form in enumerate(self.encounters.forms)]

    def all(self) -> list:
        return [self.form, self.hours, *(getattr(self, name) for name in self.ROWS)]

    def is_valid(self) -> bool:
        results = [part.is_valid() for part in self.all()]  # every part, for every error
        return self._check_referred_encounters() and all(results)

    def _check_referred_encounters(self) -> bool:
        """A referral must name an encounter row that has someone in it."""
        filled = {i for i, _ in self.encounters.filled()}
        ok = True
        for _, form in self.referrals.filled():
            index = form.cleaned_data.get("encounter")
            if index is not None and index not in filled:
                form.add_error("encounter", f"Encounter {index + 1} is blank: choose another.")
                ok = False
        return ok

    def submission(self) -> dict:
        """The keyword arguments of services.submit_return, from valid forms."""
        fields = self.form.return_fields()
        started, ended = fields["started_at"], fields["ended_at"]
        encounters = self.encounters.filled()
        position = {index: n for n, (index, _) in enumerate(encounters)}
        return {
            "return_fields": fields,
            "hours": self.hours.hours(),
            "encounters": [form.values(started, ended) for _, form in encounters],
            "arrests": [form.values(started, ended) for _, form in self.arrests.filled()],
            "referrals": [
                form.values(started, ended, position[form.cleaned_data["encounter"]])
                for _, form in self.referrals.filled()
            ],
            "intelligence": [form.values() for _, form in self.intelligence.filled()],
        }


def _values(form: forms.Form) -> dict:
    """What a bound form holds, as initial values for an unbound one; a field missing from
    the data (not an unticked box, which is False) keeps its default."""
    values = {}
    for name, field in form.fields.items():
        value = form[name].value()
        values[name] = form.get_initial_for_field(field, name) if value is None else value
    return values


def _rows(formset: RowFormSet) -> list[dict]:
    """A blank row stays a blank row (defaults, not the unticked boxes of empty data)."""
    return [_values(form) if form.has_changed() else {} for form in formset.forms]


def _focus_first_field(form: forms.Form) -> None:
    """The row just added takes the focus (and the page scrolls to it), even without JS."""
    first = next(iter(form.fields.values()))
    first.widget.attrs["autofocus"] = True
