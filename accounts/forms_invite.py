"""Forms for inviting people: one police officer, one partner user, or a CSV of officers.
The choices come from ``permissions.invitation_scope``; the rules are
``invitations.problems``, shown at their fields."""

from django import forms

from core.dates import PlausibleDateField
from core.forms import DateInput

from . import invitations, invite_csv
from .models import Role, User, Ward
from .permissions import invitation_scope

YES_NO = [("yes", "Yes"), ("no", "No")]


class _InviteForm(forms.Form):
    first_name = forms.CharField(max_length=invitations.NAME_LENGTH)
    last_name = forms.CharField(max_length=invitations.NAME_LENGTH)
    email = forms.EmailField(
        label="E-mail address",
        help_text="The set-password link is sent here. It must be the person's own.",
        max_length=254,
    )

    def __init__(self, *args, by: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.by = by
        self.scope = invitation_scope(by)
        self.invitee: invitations.Invitee | None = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        self.invitee = self.make_invitee(data)
        for name, message in invitations.problems(self.invitee, self.by).items():
            self.add_error(name if name in self.fields else None, message)
        return data

    def make_invitee(self, data) -> invitations.Invitee:
        raise NotImplementedError


class _WardChoice(forms.ModelChoiceField):
    def label_from_instance(self, ward: Ward) -> str:
        return f"{ward.name} ({ward.area.name})"


class InviteOfficerForm(_InviteForm):
    collar_number = forms.CharField(max_length=invitations.COLLAR_LENGTH)
    role = forms.ChoiceField(widget=forms.RadioSelect)
    areas = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="The areas the officer works in: they see and plan work there.",
        error_messages={"required": "Choose at least one area"},
    )
    home_ward = _WardChoice(
        queryset=None, required=False, empty_label="None yet", label="Home ward (optional)"
    )
    trained = forms.ChoiceField(
        label="Has the officer had the Ephedra training?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the officer has had the Ephedra training"},
    )
    trained_on = PlausibleDateField(
        label="Date of the training", required=False, widget=DateInput, help_text="If yes."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Role.choices)
        self.fields["role"].choices = [(role, labels[role]) for role in self.scope.roles]
        self.fields["areas"].queryset = self.scope.areas.order_by("name")
        self.fields["home_ward"].queryset = Ward.objects.filter(
            area__in=self.scope.areas
        ).select_related("area")

    def clean(self):
        data = self.cleaned_data
        if data.get("trained") == "yes" and not data.get("trained_on"):
            self.add_error("trained_on", "Enter the date of the training")
        return super().clean()

    def make_invitee(self, data) -> invitations.Invitee:
        return invitations.Invitee(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            role=data["role"],
            areas=list(data["areas"]),
            collar_number=data["collar_number"],
            home_ward=data.get("home_ward"),
            trained_on=data.get("trained_on") if data["trained"] == "yes" else None,
        )


class InvitePartnerForm(_InviteForm):
    agency = forms.ModelChoiceField(queryset=None, empty_label="Choose")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = invitations.agencies()

    def make_invitee(self, data) -> invitations.Invitee:
        return invitations.Invitee(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            role=Role.PARTNER,
            agency=data["agency"],
        )


class InviteUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV file of officers",
        help_text=f"At most {invite_csv.MAX_ROWS} people, smaller than "
        f"{invite_csv.MAX_BYTES // 1024} KB, saved as CSV UTF-8.",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
    )

    def __init__(self, *args, by: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.by = by
        self.checked: invite_csv.Checked | None = None
        self.text = ""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > invite_csv.MAX_BYTES:
            raise forms.ValidationError(
                f"The selected file must be smaller than {invite_csv.MAX_BYTES // 1024} KB"
            )
        try:
            self.text = invite_csv.decode(upload.read(invite_csv.MAX_BYTES + 1))
            self.checked = invite_csv.check(self.text, self.by)
        except invite_csv.UploadRefused as refusal:
            raise forms.ValidationError(str(refusal)) from None
        return upload


class InviteConfirmForm(forms.Form):
    """The checked file again, carried by the preview page: checked once more on confirm."""

    text = forms.CharField(widget=forms.HiddenInput, strip=False, max_length=invite_csv.MAX_BYTES)
