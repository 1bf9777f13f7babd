"""The "Add a borough" form (accounts/boroughs.py holds the rules; this only reads input)."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from . import boroughs
from .models import Area, Role, User

_HOURS = Area._meta.get_field("overtime_threshold_hours")
_SEPARATE = Area._meta.get_field("separate_approver")


class CovererChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, user: User) -> str:
        areas = ", ".join(area.name for area in user.areas.all()) or "no area yet"
        return f"{user.get_full_name() or user.username}, {user.get_role_display()} ({areas})"


class BoroughForm(forms.Form):
    name = forms.CharField(
        label="Borough name",
        max_length=100,
        help_text="As ONS and police.uk name it, for example Lewisham: imported crimes are "
        "linked to the area by this name.",
        error_messages={"required": "Enter the borough's name"},
    )
    code = forms.CharField(
        label="ONS local authority code",
        max_length=20,
        help_text="A letter and 8 digits, for example E09000023 for Lewisham.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "class": "govuk-input--width-10"}),
        error_messages={"required": "Enter the ONS local authority code"},
    )
    wards_text = forms.CharField(
        label="Wards",
        required=False,
        strip=False,
        help_text="One ward a line: its ONS ward code, a comma, its name (for example "
        "E05013720,Bellingham). A first line code,name is optional; lines copied from a "
        "spreadsheet work too.",
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
    )
    wards_file = forms.FileField(
        label="Or upload the wards as a CSV file",
        required=False,
        help_text=f"Columns code and name, at most {boroughs.MAX_WARDS} wards, smaller than "
        f"{boroughs.MAX_WARD_TEXT_BYTES // 1024} KB. A file replaces the wards typed above "
        "(its lines are copied there, to correct them if need be).",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )
    overtime_threshold_hours = forms.IntegerField(
        label="Overtime warning threshold (hours a month)",
        min_value=1,
        max_value=744,
        initial=_HOURS.default,
        help_text=_HOURS.help_text,
        error_messages={"required": "Enter the overtime warning threshold in hours"},
    )
    separate_approver = forms.BooleanField(
        label=str(_SEPARATE.verbose_name).capitalize(),
        required=False,
        initial=_SEPARATE.default,
        help_text=_SEPARATE.help_text,
    )
    coverers = CovererChoices(
        queryset=User.objects.none(),
        required=False,
        label="Project leads and sergeants who cover the borough",
        help_text="The borough is added to their areas. Every active project lead is ticked.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        coverers = boroughs.possible_coverers()
        self.fields["coverers"].queryset = coverers
        if not self.is_bound and "coverers" not in self.initial:
            leads = [u.pk for u in coverers if u.role == Role.PROJECT_LEAD]
            self.fields["coverers"].initial = leads

    def refuse(self, message: str) -> None:
        """An error for the whole (empty, unbound) form: what was sent could not be read."""
        self.full_clean()  # unbound: no errors, and none of its own to come
        self._errors[NON_FIELD_ERRORS] = self.error_class([message], error_class="nonfield")

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if problem := boroughs.area_name_problem(name):
            raise ValidationError(problem)
        return name

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        if problem := boroughs.area_code_problem(code):
            raise ValidationError(problem)
        return code

    def clean_wards_file(self) -> str | None:
        upload = self.cleaned_data.get("wards_file")
        if not upload:
            return None
        if upload.size > boroughs.MAX_WARD_TEXT_BYTES:
            limit = boroughs.MAX_WARD_TEXT_BYTES // 1024
            raise ValidationError(f"The selected file must be smaller than {limit} KB")
        data = upload.read(boroughs.MAX_WARD_TEXT_BYTES + 1)
        try:
            if b"\0" in data:
                raise UnicodeDecodeError("utf-8", data, 0, 1, "a NUL byte")
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(
                "The selected file must be a CSV file saved as text (UTF-8), "
                "with a ward code and name on each line"
            ) from None

    def clean(self):
        cleaned = super().clean()
        from_file = cleaned.get("wards_file")
        if from_file is not None:
            self.data = self.data.copy()  # the file's lines shown in the box, to correct
            self.data["wards_text"] = from_file
        elif "wards_file" in self.errors:
            return cleaned
        field = "wards_file" if from_file is not None else "wards_text"
        try:
            cleaned["wards"] = boroughs.check_ward_rows(from_file or cleaned.get("wards_text", ""))
        except boroughs.WardRowsError as error:
            for problem in error.problems:
                self.add_error(field, problem)
        return cleaned
