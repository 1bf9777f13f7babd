"""The fields of a police intelligence report, graded on the College of Policing's 3x5x2
model: one home for their wording, used by a work return's intelligence rows
(return_rows.IntelligenceForm) and by grading what a partner sent (GradingForm)."""

from django import forms

from ..models import HandlingCode, IntelligenceAssessment, SourceEvaluation


class IntelligenceFields(forms.Form):
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

    def clean(self):
        cleaned = super().clean()
        code, conditions = cleaned.get("handling_code"), cleaned.get("handling_conditions")
        if code == HandlingCode.CONDITIONS and not conditions:
            self.add_error("handling_conditions", "State the conditions for sharing (code C).")
        return cleaned

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class GradingForm(IntelligenceFields):
    """A partner's concern made police intelligence: the subject and details start as the
    partner wrote them, for the grader to reword; the partner's own words are kept."""

    def __init__(self, *args, concern=None, **kwargs):
        if concern is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "subject_description": concern.subject_description,
                "details": concern.details,
            }
        super().__init__(*args, **kwargs)
