"""Forms for the work return: the main form, officers' hours, and `ReturnForms`, which
builds them with the rows (forms/return_rows.py) from the same data.

The rows (encounters, arrests, referrals, intelligence) may each be left blank, so a quiet
night is only times, weather, hours and a summary. Their choices (people, hotspots,
agencies, officers) are loaded once per request into `ReturnOptions`
(forms/return_options.py) and shared by every row, so a long return costs no more queries
than a short one. The rules are checked again in patrols.services.submit_return; these
forms put each problem next to its field.
"""

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone

from core.dates import PlausibleDateField
from core.forms import DateInput, TimeInput

from .. import services
from ..models import Patrol, Weather, WorkReturn
from .return_options import (
    MAX_HOURS,
    ROW_LIMIT,
    ObjectMultipleChoiceField,
    ReturnOptions,
    hotspot_label,
)
from .return_rows import (
    REFERRAL_SERVICES,
    ArrestFormSet,
    EncounterFormSet,
    IntelligenceFormSet,
    ReferralFormSet,
    RowFormSet,
    VisitFormSet,
)

# Names the pages and the API take from here, wherever they are defined.
__all__ = [
    "MAX_HOURS",
    "REFERRAL_SERVICES",
    "ROW_LIMIT",
    "AmendForms",
    "AmendReturnForm",
    "HoursFormSet",
    "ReturnForm",
    "ReturnForms",
    "ReturnOptions",
]


class CountInput(forms.NumberInput):
    def __init__(self):
        super().__init__(attrs={"min": 0, "inputmode": "numeric"})


# --- The main form ------------------------------------------------------------------------


class ReturnForm(forms.Form):
    """When, the weather, where the patrol went, what it saw, and a summary."""

    date = PlausibleDateField(
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


# --- The whole return ---------------------------------------------------------------------


class ReturnForms:
    """The main form, the hours and the rows, built together from the same data.

    - `ReturnForms(options)`: a new return, from the patrol as planned;
    - `ReturnForms(options, data=request.POST)`: to validate and submit;
    - `ReturnForms(options, restore=data, add="arrests")`: what was typed (a draft, or the
      page when "Add another" was pressed), shown unvalidated, with one more blank row.
    """

    ROWS = {
        "visits": VisitFormSet,
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
        # A new return offers a visit row for each planned hotspot: only the times to type.
        planned = None if data is not None else self.form.initial.get("hotspots_visited")
        rows = [{"hotspot": pk} for pk in planned] if planned else None
        self.visits = VisitFormSet(data, options=options, rows=rows)
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
        self.visits = VisitFormSet(options=options, rows=rows["visits"])
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
        visits_ok = self._check_visits()
        return self._check_referred_encounters() and visits_ok and all(results)

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

    def _check_visits(self) -> bool:
        return check_visit_rows(self.form, self.visits)

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
            "visits": [form.values(started, ended) for _, form in self.visits.filled()],
        }


class AmendForms:
    """The amendment page: the main fields with the reason, and the timed visits (one row
    per visit recorded, with its times, and a blank row to add one).

    The page shows a visit's clock times; they fall on the night of the shift, so the
    visits are sent to the service only when a row or the shift's times were changed:
    amending the summary alone neither rewrites the visits nor records them as changed.
    """

    SHIFT = ("date", "start_time", "end_time")

    def __init__(self, work_return: WorkReturn, options: ReturnOptions, *, data=None):
        initial = AmendReturnForm.initial_for(work_return)
        self.form = AmendReturnForm(data, initial=initial, options=options)
        recorded = visit_rows(work_return)
        self.visits = RecordedVisitFormSet(
            data, options=options, rows=[*recorded, {}], recorded=len(recorded)
        )

    def all(self) -> list:
        return [self.form, self.visits]

    def is_valid(self) -> bool:
        results = [self.form.is_valid(), self.visits.is_valid()]
        return check_visit_rows(self.form, self.visits) and all(results)

    def changes(self) -> dict:
        """The `changes` of services.amend_return, from valid forms."""
        changes = self.form.return_fields()
        shift_changed = set(self.SHIFT) & set(self.form.changed_data)
        if self.visits.has_changed() or shift_changed:
            started, ended = changes["started_at"], changes["ended_at"]
            changes["visits"] = [row.values(started, ended) for _, row in self.visits.filled()]
        return changes


class RecordedVisitFormSet(VisitFormSet):
    """The visit rows with the recorded visits first: those are checked even when left as
    they were (a blank row of the work return form, unchanged, is not)."""

    def __init__(self, *args, recorded: int, **kwargs):
        self.recorded = recorded
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        return kwargs | {"empty_permitted": False} if index < self.recorded else kwargs


def visit_rows(work_return: WorkReturn) -> list[dict]:
    """The recorded visits as the rows show them: the hotspot and the clock times."""

    def clock(moment):
        return timezone.localtime(moment).time().replace(second=0, microsecond=0)

    return [
        {
            "hotspot": str(visit.hotspot_id),
            "arrived": clock(visit.arrived_at),
            "left": clock(visit.left_at),
        }
        for visit in work_return.visits.order_by("arrived_at", "pk")
    ]


def check_visit_rows(form: ReturnForm, visits: VisitFormSet) -> bool:
    """The service's visit rules (patrols.services.visits), each problem at its field;
    once the shift's times are known, as the rules need them."""
    times = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    if "started_at" not in times or not visits.is_valid():
        return True  # the main form or the rows show their own errors first
    filled = visits.filled()
    values = [row.values(times["started_at"], times["ended_at"]) for _, row in filled]
    for problem in services.visit_problems(times["started_at"], times["ended_at"], values):
        row = filled[problem.index][1]
        row.add_error(row.FIELDS[problem.field], _sentence(problem.message))
    return not any(row.errors for _, row in filled)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


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
