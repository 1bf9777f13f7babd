"""Forms for the partner portal. The rules they ask about live in referrals.services; a
form only checks that what was typed makes sense on its own."""

from django import forms

from core.dates import PlausibleDateField
from core.forms import DateInput
from partners.models import ServiceType

from .deadlines import Rag
from .models import ClosedOutcome, CourseStatus, DeclineReason, ReferralStatus

# --- Partner portal
# A partner agency's worker: filtering their referrals, moving one on, writing a note,
# recording a diversion course. Every note here is read by the referring officer.

NOTE_MAX_LENGTH = 5000


class PortalFilterForm(forms.Form):
    """Search and filters of the caseload; a value that makes no sense is shown as an error
    at its field and that filter is left out (the others still apply)."""

    q = forms.CharField(
        label="Search",
        help_text="Working name, description, service or status",
        required=False,
        max_length=100,
        strip=True,
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All statuses"), *ReferralStatus.choices],
    )
    service = forms.ChoiceField(
        label="Service", required=False, choices=[("", "All services"), *ServiceType.choices]
    )
    deadline = forms.ChoiceField(
        label="Deadlines", required=False, choices=[("", "Any"), *Rag.CHOICES]
    )
    new = forms.BooleanField(label="Only new since your last visit", required=False)

    def filters(self) -> dict:
        """The valid filters typed (each field on its own), for the selector."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: value for name, value in data.items() if value}


class PortalStatusForm(forms.Form):
    """Move a referral on: only to the statuses offered (`moves`, from allowed_moves)."""

    to_status = forms.ChoiceField(
        label="Move the referral to",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the status to move the referral to.",
            "invalid_choice": "The referral cannot be moved to that status now. "
            "Choose one of the options shown.",
        },
    )
    outcome = forms.ChoiceField(
        label="Outcome (when closing)",
        required=False,
        choices=[("", "Choose the outcome"), *ClosedOutcome.choices],
    )
    decline_reason = forms.ChoiceField(
        label="Reason (when declining)",
        required=False,
        choices=[("", "Choose the reason"), *DeclineReason.choices],
    )
    decline_detail = forms.CharField(
        label="Why the referral is declined (needed when the reason is “Other”)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The referring officer can read this note.",
    )

    def __init__(self, *args, moves: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(s, ReferralStatus(s).label) for s in moves]
        # Ask only what the moves on offer need.
        if ReferralStatus.CLOSED not in moves:
            del self.fields["outcome"]
        if ReferralStatus.DECLINED not in moves:
            del self.fields["decline_reason"], self.fields["decline_detail"]

    def clean(self):
        cleaned = super().clean()
        to_status = cleaned.get("to_status")
        if to_status == ReferralStatus.CLOSED and not cleaned.get("outcome"):
            self.add_error("outcome", "Choose the outcome to close the referral.")
        if to_status == ReferralStatus.DECLINED:
            reason = cleaned.get("decline_reason")
            if not reason:
                self.add_error("decline_reason", "Choose the reason the referral is declined.")
            elif reason == DeclineReason.OTHER and not cleaned.get("decline_detail", "").strip():
                self.add_error("decline_detail", "Say why the referral is declined.")
        return cleaned


class PortalNoteForm(forms.Form):
    text = forms.CharField(
        label="Add a note",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The referring officer can read this note.",
        error_messages={"required": "Write the note before saving it."},
    )


class PortalCourseForm(forms.Form):
    """Record a step of a diversion course: only the steps open from its status now."""

    step = forms.ChoiceField(
        label="Record for the course",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what to record for the course.",
            "invalid_choice": "That cannot be recorded for the course now. "
            "Choose one of the options shown.",
        },
    )

    on = PlausibleDateField(
        label="On (leave empty for today)",
        required=False,
        widget=DateInput,
        help_text="The referring officer is told the step and this date.",
        error_messages={"invalid": "Enter the date as a real date, like 2026-03-27."},
    )

    def __init__(self, *args, steps: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [(s, CourseStatus(s).label) for s in steps]
