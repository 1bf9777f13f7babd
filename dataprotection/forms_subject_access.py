"""The subject access forms: the custody reference search, and the restriction a request
records before anything is downloaded (DPA 2018 s.45(4) to (7))."""

from django import forms

from governance.models import RestrictionGround

from .subject_access.sections import SECTIONS
from .subject_access.services import Restriction, restriction_problems

TELL = {"yes": True, "no": False}


class CustodySearchForm(forms.Form):
    custody_reference = forms.CharField(
        label="Custody reference",
        max_length=50,
        help_text="As written on the arrest, for example 01AB/12345/24. Case does not matter.",
    )


class RestrictionForm(forms.Form):
    withheld = forms.MultipleChoiceField(
        label="Withhold these sections (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="A section withheld is left out of the export entirely.",
    )
    include_staff_names = forms.BooleanField(
        label="Include the names of police officers and agency staff",
        required=False,
        help_text="Without it, each name is replaced by a marker such as "
        "“[withheld: police officer]”: their identities are other people's data.",
    )
    ground = forms.ChoiceField(
        label="Ground for withholding (section 45(4))",
        required=False,
        widget=forms.RadioSelect,
        choices=RestrictionGround.choices,
        help_text="Needed when anything is withheld, staff names included.",
    )
    reason = forms.CharField(
        label="Why is this withheld?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when anything is withheld. Kept with the request and shown to "
        "project leads; never written to the audit log.",
    )
    tell_subject = forms.ChoiceField(
        label="Tell the subject that information was withheld?",
        widget=forms.RadioSelect,
        initial="yes",
        choices=[
            ("yes", "Yes: the export lists what was withheld and the ground (section 45(5))"),
            (
                "no",
                "No: telling would undermine the purpose of withholding it (section 45(6)); "
                "the export does not mention it",
            ),
        ],
    )

    def __init__(self, subject_type: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject_type = subject_type
        self.fields["withheld"].choices = list(SECTIONS[subject_type].items())

    def restriction(self) -> Restriction:
        data = self.cleaned_data
        return Restriction(
            withheld=list(data.get("withheld") or []),
            include_staff_names=bool(data.get("include_staff_names")),
            ground=data.get("ground") or "",
            reason=data.get("reason") or "",
            tell_subject=TELL.get(data.get("tell_subject"), True),
        )

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            self.show_problems(restriction_problems(self.subject_type, self.restriction()))
        return cleaned

    def show_problems(self, problems: dict[str, str]) -> None:
        for name, message in problems.items():
            self.add_error(None if name == "__all__" else name, message)
