"""Forms for hotspots: which ward a place is in, where it is, and why patrols go there."""

from decimal import Decimal

import django_filters
from django import forms
from django.utils import timezone

from accounts.models import User, Ward
from core.dates import PlausibleDateField
from core.forms import DateInput

from ..models import Hotspot
from ..services import duplicate_name_message

# Lambeth, Southwark and the boroughs that may follow all lie inside this box; a point
# outside it is a typo, swapped coordinates or a place outside the operation.
LATITUDE_RANGE = (Decimal("51.28"), Decimal("51.70"))
LONGITUDE_RANGE = (Decimal("-0.52"), Decimal("0.34"))
COORDINATE_PLACES = Decimal("0.000001")  # the model keeps 6 decimal places (about 10 cm)


class CoordinateInput(forms.TextInput):
    """GOV.UK advises a text input with a decimal keypad rather than type="number"."""

    def __init__(self):
        super().__init__(attrs={"inputmode": "decimal", "spellcheck": "false"})


class WardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, ward: Ward) -> str:
        return f"{ward.name} ({ward.area.name})"


def wards_for(user: User):
    return Ward.objects.filter(area__in=user.areas.all()).select_related("area")


class WardFilter(django_filters.ModelChoiceFilter):
    field_class = WardChoiceField


class HotspotListFilter(django_filters.FilterSet):
    """The hotspot list page's filter (the API's is patrols.filters.HotspotFilter): by
    ward; retired hotspots are left out unless asked for."""

    ward = WardFilter(queryset=Ward.objects.none(), empty_label="Any ward")
    show_retired = django_filters.BooleanFilter(
        method="filter_retired", label="Show retired hotspots", widget=forms.CheckboxInput
    )

    class Meta:
        model = Hotspot
        fields = ["ward", "show_retired"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["ward"].queryset = wards_for(user)

    def filter_retired(self, queryset, name, show_retired):
        return queryset if show_retired else queryset.active()


class HotspotForm(forms.ModelForm):
    latitude = forms.DecimalField(
        widget=CoordinateInput,
        help_text="In decimal degrees, for example 51.4613.",
        error_messages={
            "required": "Enter the latitude",
            "invalid": "Enter the latitude as a number, for example 51.4613",
        },
    )
    longitude = forms.DecimalField(
        widget=CoordinateInput,
        help_text="In decimal degrees, for example -0.1156. West of Greenwich is negative.",
        error_messages={
            "required": "Enter the longitude",
            "invalid": "Enter the longitude as a number, for example -0.1156",
        },
    )

    class Meta:
        model = Hotspot
        fields = ["ward", "name", "latitude", "longitude", "reason", "identified_on"]
        field_classes = {"ward": WardChoiceField, "identified_on": PlausibleDateField}
        widgets = {"identified_on": DateInput, "reason": forms.Textarea(attrs={"rows": 4})}
        labels = {
            "name": "Name of the place",
            "reason": "Why it was identified",
            "identified_on": "Date identified",
        }
        help_texts = {
            "name": "A street, junction or estate, for example Acre Lane by Brixton Hill.",
            "reason": "For example crime data, earlier work returns or local knowledge. "
            "Do not name or describe anyone.",
        }
        error_messages = {
            "ward": {
                "required": "Choose the ward the hotspot is in",
                "invalid_choice": "Choose one of the wards in your areas",
            },
            "name": {"required": "Enter the name of the place"},
            "reason": {"required": "Enter why the hotspot was identified"},
            "identified_on": {
                "required": "Enter the date the hotspot was identified",
                "invalid": "Enter the date identified as a real date, for example 1 2 2025",
            },
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = wards_for(user)
        self.fields["ward"].empty_label = "Choose a ward"
        if not self.instance.pk:
            self.initial.setdefault("identified_on", timezone.localdate())

    def clean_latitude(self) -> Decimal:
        return _in_range(self.cleaned_data["latitude"], "latitude", LATITUDE_RANGE)

    def clean_longitude(self) -> Decimal:
        return _in_range(self.cleaned_data["longitude"], "longitude", LONGITUDE_RANGE)

    def clean_identified_on(self):
        identified_on = self.cleaned_data["identified_on"]
        if identified_on > timezone.localdate():
            raise forms.ValidationError("The date identified must be today or in the past.")
        return identified_on

    def clean(self):
        cleaned = super().clean()
        ward, name = cleaned.get("ward"), cleaned.get("name")
        if ward and name and self._name_taken(ward, name):
            self.add_error("name", duplicate_name_message(ward, name))
        return cleaned

    def _name_taken(self, ward: Ward, name: str) -> bool:
        # Case-insensitive: "Acre Lane" and "acre lane" are the same place to a patrol.
        same = Hotspot.objects.filter(ward=ward, name__iexact=name)
        return same.exclude(pk=self.instance.pk).exists()


def _in_range(value: Decimal, what: str, bounds: tuple[Decimal, Decimal]) -> Decimal:
    low, high = bounds
    if not low <= value <= high:
        raise forms.ValidationError(
            f"Enter a {what} between {low} and {high}, which covers London. "
            "Check you have not swapped latitude and longitude."
        )
    # More places than the model keeps (pasted from a map app) is not the user's error.
    return value.quantize(COORDINATE_PLACES)
