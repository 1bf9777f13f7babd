"""The retention review: records due for review in the project lead's areas, and the
lead's decision on each — keep it (with a reason) or erase it (after confirming).

The list names no one: kind, area and dates only, so reading it is not a read of
personal data; the record's own page (linked) logs its reading as usual.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from core.permissions import PermissionRequiredMixin

from .. import retention, schedule

SHOWN_PER_KIND = 100  # the longest overdue first; the rest once these are decided


@dataclass(frozen=True)
class Section:
    kind: retention.Kind
    records: list
    total: int


class RetainForm(forms.Form):
    reason = forms.CharField(
        label="Why keep this record?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="For example: still being seen on patrols, or part of an open investigation. "
        "Kept with the decision; never written to the audit log.",
    )


class EraseForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example: no longer needed for a policing purpose.",
    )


def sections_for(user) -> list[Section]:
    """Each kind's due records in the user's areas (arrests and cautions with their MoPI
    group): two queries per kind, whatever the number of records."""
    today = timezone.localdate()
    sections = []
    for kind in retention.KINDS.values():
        due = retention.due_for(user, kind, today)
        rows = retention.with_activity(kind, due).annotate(area_name=retention.area_of(kind))
        created = kind.created
        records = list(
            rows.order_by("review_on", "pk").values(
                "uuid", "review_on", "last_activity", "area_name", created
            )[:SHOWN_PER_KIND]
        )
        for record in records:
            record["created"] = record.pop(created)
        sections.append(Section(kind, records, due.count()))
    return sections


def record_link(kind_key: str, record) -> str:
    if kind_key == retention.PERSON.key:
        return reverse("referrals:person", args=[record.uuid])
    if kind_key == retention.REFERRAL.key:
        return reverse("referrals:detail", args=[record.uuid])
    if kind_key == retention.CAUTION.key:
        return reverse("patrols:detail", args=[record.arrest.patrol.uuid])
    if kind_key == retention.CONCERN.key:
        return reverse("patrols:concern", args=[record.uuid])
    if getattr(record, "partner_concern_id", None):  # intelligence graded from a concern
        return reverse("patrols:concern", args=[record.partner_concern.uuid])
    # Intelligence and arrests: the patrol that recorded them.
    return reverse("patrols:detail", args=[record.patrol.uuid]) if record.patrol_id else ""


class RetentionReviewView(PermissionRequiredMixin, View):
    permission_required = "governance.review"
    http_method_names = ["get"]

    def get(self, request):
        sections = sections_for(request.user)
        context = {
            "sections": sections,
            "total": sum(s.total for s in sections),
            # The s.62 log is never deleted here: counted for the controller (one query).
            "old_audit": retention.old_audit_events(timezone.localdate()),
            "audit_months": schedule.KINDS["audit"].months,
        }
        return render(request, "governance/retention_review.html", context)


class DecisionView(PermissionRequiredMixin, View):
    """A decision on one due record; outsiders and records not due answer 404."""

    permission_required = "governance.review"
    form_class: type[forms.Form]
    template_name = ""

    def record(self, request, kind, uuid):
        record = retention.get_due_record(request.user, kind, uuid)
        if record is None:
            raise Http404
        return record

    def page(self, request, kind, record, form, status=200):
        context = {
            "kind": retention.KINDS[kind],
            "record": record,
            "form": form,
            "link": record_link(kind, record),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, kind, uuid):
        return self.page(request, kind, self.record(request, kind, uuid), self.form_class())

    def post(self, request, kind, uuid):
        record = self.record(request, kind, uuid)
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                self.decide(record, request.user, form.cleaned_data["reason"])
            except retention.RetentionError as error:
                form.add_error(None, str(error))
            else:
                return redirect("governance:retention_review")
        return self.page(request, kind, record, form, status=400)


class RetainView(DecisionView):
    form_class = RetainForm
    template_name = "governance/retention_retain.html"

    def decide(self, record, user, reason):
        decision = retention.retain(record, user, reason)
        messages.success(
            self.request, f"Record kept. Its next review is on {decision.next_review_on:%d %B %Y}."
        )


class EraseView(DecisionView):
    form_class = EraseForm
    template_name = "governance/retention_erase.html"

    def decide(self, record, user, reason):
        retention.erase(record, user, reason)
        messages.success(self.request, "Record erased. It still counts in the reports.")
