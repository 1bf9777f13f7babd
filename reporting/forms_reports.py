"""The project lead's request for a report: which report, for which area and period."""

import datetime as dt
import re

from django import forms
from django.utils import timezone

from accounts.models import Area
from core.dates import PlausibleDateField
from core.forms import DateInput

from .metrics import Window
from .models import ReportKind

MONTHLY_KINDS = (ReportKind.MONTHLY_TREND, ReportKind.MONTHLY_TREND_PARTNER)
EARLIEST = dt.date(2020, 1, 1)  # before the operation began: a typo, not a report


class MonthInput(forms.TextInput):
    """A browser month picker (YYYY-MM); where a browser has none it is a text box."""

    input_type = "month"

    def __init__(self):
        super().__init__(attrs={"placeholder": "YYYY-MM", "spellcheck": "false"})


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, area: Area) -> str:
        return area.name


def last_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label="Report",
        choices=ReportKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a report", "invalid_choice": "Choose a report"},
    )
    area = AreaChoiceField(
        label="Area",
        queryset=Area.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of your areas"},
    )
    month = forms.CharField(
        label="Month (monthly reports)",
        required=False,
        widget=MonthInput,
        help_text="Year and month, for example 2025-03. Leave it as it is for last month.",
    )
    week = PlausibleDateField(
        label="Week (deployment sheet)",
        required=False,
        widget=DateInput,
        help_text="Any day of the week; the sheet covers Monday to Sunday.",
        error_messages={"invalid": "Enter the week as a real date, for example 2025-03-03"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        self.fields["area"].queryset = user.areas.order_by("name")
        self.fields["month"].initial = f"{last_month(self.today):%Y-%m}"
        self.fields["week"].initial = self.today

    def clean_month(self) -> dt.date | None:
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", value)
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError("Enter the month as a year and month, like 2025-03")
        month = dt.date(int(match[1]), int(match[2]), 1)
        if month < EARLIEST:
            raise forms.ValidationError(f"Choose a month from {EARLIEST:%B %Y} onwards")
        if month > self.today:
            raise forms.ValidationError("Choose a month that has begun")
        return month

    def clean_week(self) -> dt.date | None:
        day = self.cleaned_data["week"]
        if day is not None and day < EARLIEST:
            raise forms.ValidationError(f"Choose a week from {EARLIEST:%B %Y} onwards")
        return day

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in MONTHLY_KINDS and not self.errors.get("month"):
            window = Window.ending(data.get("month") or last_month(self.today))
            data["period_start"], data["period_end"] = window.first, window.last
        elif kind == ReportKind.WEEKLY_DEPLOYMENT and not self.errors.get("week"):
            if data.get("week") is None:
                self.add_error("week", "Enter a day in the week the sheet is for")
            else:
                monday = data["week"] - dt.timedelta(days=data["week"].weekday())
                data["period_start"], data["period_end"] = monday, monday + dt.timedelta(days=6)
        return data
