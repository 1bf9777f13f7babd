"""Forms for planning patrols. The rules they check live in patrols.services."""

import datetime as dt

import django_filters
from django import forms
from django.utils import timezone

from accounts.models import Role, User, Ward
from accounts.selectors import colleagues_for
from core.dates import PlausibleDateField, PlausibleDateFilter
from core.forms import DateInput, TimeInput
from partners.models import PartnerAgency

from .. import services
from ..models import (
    EngagementActivity,
    Hotspot,
    OfficerRole,
    PartnerInvitation,
    Patrol,
    PatrolStatus,
)


class PatrolListFilter(django_filters.FilterSet):
    """The patrol list page's filter (the API's is patrols.filters.PatrolFilter)."""

    ward = django_filters.ModelChoiceFilter(queryset=Ward.objects.none(), empty_label="Any ward")
    status = django_filters.ChoiceFilter(choices=PatrolStatus.choices, empty_label="Any status")
    date_from = PlausibleDateFilter(
        field_name="starts_at", lookup_expr="date__gte", label="From", widget=DateInput
    )
    date_to = PlausibleDateFilter(
        field_name="starts_at", lookup_expr="date__lte", label="To", widget=DateInput
    )

    class Meta:
        model = Patrol
        fields = ["area", "ward", "status", "date_from", "date_to"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["area"].queryset = user.areas.all()
        self.filters["area"].extra["empty_label"] = "Any area"
        self.filters["ward"].queryset = Ward.objects.filter(area__in=user.areas.all())


class WardCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes that carry each choice's ward (``data-ward`` on the item, see
    templates/forms/govuk_field.html), so the plan form's script offers the chosen ward's
    first (static/js/ward-filter.js). ``ward_of(instance)`` gives a choice's ward id."""

    def __init__(self, ward_of, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ward_of = ward_of

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        option["ward"] = self.ward_of(instance) if instance is not None else None
        return option


def _home_ward(officer: User):
    profile = getattr(officer, "officer_profile", None)
    return profile.home_ward_id if profile else None


class OfficerChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, officer: User) -> str:
        profile = getattr(officer, "officer_profile", None)
        ward = f", {profile.home_ward}" if profile and profile.home_ward else ""
        return f"{officer} ({profile.collar_number if profile else 'no collar number'}{ward})"


class ObserverChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, officer: User) -> str:
        areas = " and ".join(area.name for area in officer.areas.all()) or "no area"
        return f"{officer} ({areas})"


class HotspotChoiceField(forms.ModelMultipleChoiceField):
    widget = WardCheckboxes(lambda hotspot: hotspot.ward_id)
    trial_labels: dict[int, str] = {}  # the week's trial allocation, once it is revealed

    def label_from_instance(self, hotspot: Hotspot) -> str:
        trial = self.trial_labels.get(hotspot.pk)
        return f"{hotspot.name} ({hotspot.ward.name})" + (f" – {trial}" if trial else "")


class PatrolForm(forms.ModelForm):
    """Where and when, which hotspots, and which officers: the pairing rule is checked here
    (through services.crew_problems) so the planner sees why a crew is refused, next to the
    field; services.plan_patrol and update_patrol check it again as they save. The form
    itself never saves: `plan()` gives those services what was chosen."""

    date = PlausibleDateField(widget=DateInput)
    start_time = forms.TimeField(widget=TimeInput, initial=dt.time(20, 0))
    end_time = forms.TimeField(
        widget=TimeInput,
        initial=dt.time(4, 0),
        help_text="If the end time is earlier than the start, the patrol ends the next morning.",
    )
    hotspots = HotspotChoiceField(
        queryset=Hotspot.objects.none(),
        required=False,
        help_text="Each with its ward. A hotspot outside the patrol's ward needs a confirmation.",
    )
    other_wards = forms.BooleanField(
        label="Yes, include hotspots outside the patrol's ward", required=False
    )
    ephedra_pcs = OfficerChoiceField(queryset=User.objects.none(), label="Ephedra PCs")
    local_pcs = OfficerChoiceField(
        queryset=User.objects.none(),
        widget=WardCheckboxes(_home_ward),
        label="Local PCs",
        help_text="At least one PC from the ward's local policing team.",
    )
    observers = ObserverChoiceField(
        queryset=User.objects.none(),
        label="Observers from other areas (optional)",
        help_text="Sergeants visiting from another area. They see this patrol's plan and "
        "nothing else of the area.",
        required=False,
    )

    class Meta:
        model = Patrol
        fields = ["ward", "hotspots", "meeting_point"]
        help_texts = {"meeting_point": "Shown to invited partners; no tactical detail."}

    def __init__(self, *args, user: User, trial_labels: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hotspots"].trial_labels = trial_labels or {}
        self.asks_other_wards = False  # shown once a hotspot outside the ward is chosen
        areas = user.areas.all()
        self.fields["ward"].queryset = Ward.objects.filter(area__in=areas).select_related("area")
        hotspots = Hotspot.objects.visible_to(user).active().select_related("ward")
        self.fields["hotspots"].queryset = hotspots.order_by("ward__name", "name")
        officers = User.objects.filter(
            role__in=[Role.PC, Role.SERGEANT], areas__in=areas
        ).distinct()
        officers = officers.select_related("officer_profile__home_ward")
        self.fields["ephedra_pcs"].queryset = officers.filter(
            officer_profile__ephedra_trained_on__isnull=False
        )
        # Local PCs come from a ward's local policing team; trained officers go above.
        self.fields["local_pcs"].queryset = officers.filter(
            officer_profile__home_ward__isnull=False,
            officer_profile__ephedra_trained_on__isnull=True,
        ).order_by("officer_profile__home_ward__name", "last_name")
        # Those who may observe and share no area with the planner (one who works in the
        # patrol's area is refused at the field by services.observer_problems too).
        self.fields["observers"].queryset = (
            User.objects.filter(role__in=services.OBSERVER_ROLES, is_active=True)
            .exclude(pk__in=colleagues_for(user).values("pk"))
            .prefetch_related("areas")
            .order_by("last_name", "first_name")
        )
        if self.instance.pk:
            self._initial_from_instance()

    def _initial_from_instance(self) -> None:
        starts = timezone.localtime(self.instance.starts_at)
        ends = timezone.localtime(self.instance.ends_at)
        self.initial.update(
            {"date": starts.date(), "start_time": starts.time(), "end_time": ends.time()}
        )
        duties = self.instance.officers.all()
        self.initial["ephedra_pcs"] = [
            d.officer_id for d in duties if d.role == OfficerRole.EPHEDRA_PC
        ]
        self.initial["local_pcs"] = [d.officer_id for d in duties if d.role == OfficerRole.LOCAL_PC]
        self.initial["observers"] = [d.officer_id for d in duties if d.role == OfficerRole.OBSERVER]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        starts_at = _aware(cleaned["date"], cleaned["start_time"])
        ends_at = _aware(cleaned["date"], cleaned["end_time"])
        if ends_at <= starts_at:
            ends_at += dt.timedelta(days=1)
        problem = services.time_problem(starts_at, ends_at)
        if problem:
            self.add_error("end_time", problem)
            return cleaned
        cleaned["starts_at"], cleaned["ends_at"] = starts_at, ends_at
        outside = services.hotspots_outside(cleaned["ward"], cleaned["hotspots"])
        if outside and not cleaned.get("other_wards"):
            self.asks_other_wards = True
            self.add_error(
                "hotspots",
                f"{_listed(outside)} {'is' if len(outside) == 1 else 'are'} not in "
                f"{cleaned['ward'].name}: untick {'it' if len(outside) == 1 else 'them'}, "
                "or confirm below that the patrol goes there too.",
            )
            return cleaned
        both = set(cleaned["ephedra_pcs"]) & set(cleaned["local_pcs"])
        if both:
            names = ", ".join(str(o) for o in both)
            self.add_error("local_pcs", f"{names} cannot be both an Ephedra PC and the local PC.")
            return cleaned
        self.instance.starts_at, self.instance.ends_at = starts_at, ends_at
        self.instance.ward = cleaned["ward"]
        self.instance.area = cleaned["ward"].area
        for problem in services.crew_problems(self.instance, self.crew()):
            self.add_error(problem.field, problem.message)
        return cleaned

    def plan(self) -> dict:
        """The keyword arguments of services.plan_patrol and update_patrol (but invitations)."""
        data = self.cleaned_data
        return {
            "ward": data["ward"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "meeting_point": data["meeting_point"],
            "hotspots": list(data["hotspots"]),
            "crew": self.crew(),
        }

    def add_rule_error(self, error: services.PatrolRuleError) -> None:
        """A service's refusal, next to its field (above the form if it is not one here)."""
        self.add_error(error.field if error.field in self.fields else None, str(error))

    def crew(self) -> list[tuple[User, str]]:
        data = self.cleaned_data
        return (
            [(o, OfficerRole.EPHEDRA_PC) for o in data["ephedra_pcs"]]
            + [(o, OfficerRole.LOCAL_PC) for o in data["local_pcs"]]
            + [(o, OfficerRole.OBSERVER) for o in data.get("observers", [])]
        )


def _listed(hotspots) -> str:
    return ", ".join(f"{h.name} ({h.ward.name})" for h in hotspots)


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


class InvitationForm(forms.ModelForm):
    class Meta:
        model = PartnerInvitation
        fields = ["agency", "activity", "notes"]
        labels = {"activity": "Engagement activity"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = PartnerAgency.objects.active()
        self.fields["activity"].choices = [("", "Choose an activity"), *EngagementActivity.choices]


InvitationFormSet = forms.inlineformset_factory(
    Patrol, PartnerInvitation, form=InvitationForm, extra=1, can_delete=True
)


def invitation_rows(formset) -> list[dict]:
    """The invitations a valid formset asks for, as services.plan_patrol takes them: the
    rows kept (not blank, not ticked for deletion)."""
    return [
        {name: form.cleaned_data[name] for name in ("agency", "activity", "notes")}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class CancelForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: officers abstracted, severe weather warning.",
    )


class RiskAssessmentForm(forms.Form):
    hazards = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))
    controls = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), help_text="How each hazard is reduced."
    )
