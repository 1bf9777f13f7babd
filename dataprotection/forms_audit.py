"""Searching the audit log: by user, object, action and dates."""

import datetime as dt
import uuid

from django import forms
from django.apps import apps
from django.db.models import Q

from core.dates import PlausibleDateField
from core.forms import DateInput
from governance.audit import AUDITED, PERSONAL
from governance.models import object_key

# What each action's last word means, as the log shows it. An action not listed here is
# shown with its underscores as spaces.
VERBS = {
    "viewed": "Viewed",
    "created": "Created",
    "changed": "Changed",
    "deleted": "Deleted",
    "exported": "Exported",
    "downloaded": "Downloaded",
    "shared": "Shared with an agency",
    "access_revoked": "Took back an agency's access",
    "signed_in": "Signed in",
    "signed_out": "Signed out",
    "sign_in_failed": "Failed sign-in",
    "signed_in_with_sso": "Signed in with the force's single sign-on",
    "sso_refused": "Refused single sign-on",
    "second_factor_reset": "Reset the second factor",
    "erased": "Erased",
    "retained": "Kept after review",
    "forbidden": "Refused access (403)",
    "not_found": "Asked for a record that is not there or not theirs (404)",
    "combined": "Linked",
    "invited": "Invited",
    "deactivated": "Disabled",
}
# How a row says what was done to which record, where "<verb> a <record>" would not read.
PHRASES = {
    "shared": "Shared {record} with an agency",
    "access_revoked": "Took back an agency's access to {record}",
    "second_factor_reset": "Reset the second factor of {record}",
    "retained": "Kept {record} after review",
    "combined": "Linked {record} with other records of the same woman",
    "deactivated": "Disabled the account of {record}",
}
# Actions about the actor's own account, written without the object.
ACCOUNT_EVENTS = {"signed_in", "signed_out", "sign_in_failed", "signed_in_with_sso", "sso_refused"}


def model_name(label: str) -> str:
    """ "referrals.person" -> "person"; an unknown label is shown as it is."""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def object_type_choices() -> list[tuple[str, str]]:
    labels = sorted(
        set(AUDITED) | PERSONAL | {"governance.auditevent", "governance.subjectaccessrequest"},
        key=model_name,
    )
    return [("", "Any kind of record")] + [
        (label, model_name(label).capitalize()) for label in labels
    ]


class AuditSearchForm(forms.Form):
    user = forms.CharField(
        label="User",
        required=False,
        max_length=150,
        help_text="A username: what they did, and what happened to their account, "
        "failed sign-ins included.",
    )
    object_type = forms.ChoiceField(label="Kind of record", required=False)
    object_id = forms.CharField(
        label="Record reference",
        required=False,
        max_length=64,
        help_text="The record's reference from its web address, for example "
        "3f2b8c1e-5d4a-4b7e-9c61-0a1b2c3d4e5f.",
    )
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[("", "Any action"), *VERBS.items()],
    )
    date_from = PlausibleDateField(label="From", required=False, widget=DateInput)
    date_to = PlausibleDateField(label="To", required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = object_type_choices()

    def clean_object_id(self) -> str:
        value = self.cleaned_data["object_id"].strip()
        if not value:
            return ""
        try:
            return str(uuid.UUID(value))
        except ValueError:
            if value.isdigit():
                return value
        raise forms.ValidationError(
            "Enter the reference as it appears in the record's web address, or a number."
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date.")
        return cleaned

    def filter(self, events):
        """The events matching the valid criteria (none given: all of them)."""
        data = self.cleaned_data
        if data.get("user"):
            events = events.filter(_by_or_about(data["user"]))
        if data.get("object_type"):
            events = events.filter(object_type=data["object_type"])
        if data.get("object_id"):
            events = events.filter(object_id=data["object_id"])
        if data.get("action"):
            events = events.filter(action__endswith=f".{data['action']}")
        if data.get("date_from"):
            events = events.filter(at__date__gte=data["date_from"])
        if data.get("date_to"):
            events = events.filter(at__date__lte=data["date_to"])
        return events

    def summary(self) -> str:
        """The criteria in words, for the export's own audit row."""
        given = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        if "user" in given and not _account(given["user"]):
            given["user"] = "(no such account)"  # whatever was typed is not written down
        return "; ".join(f"{k}={_text(v)}" for k, v in given.items()) or "everything"


def _text(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _account(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username__iexact=username).first()


def _by_or_about(username: str) -> Q:
    rows = Q(actor_username__iexact=username)
    account = _account(username)
    if account is not None:
        rows |= Q(object_type="accounts.user", object_id=object_key(account))
    return rows
