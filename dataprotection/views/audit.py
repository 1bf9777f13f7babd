"""The audit log pages: search (by user, record, action and dates) and CSV export.

Read-only: no page changes or deletes a row. Each row is shown in words, and the record
it is about links to its page when the reader may open that page.
"""

import csv
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View

from accounts.reauth import recent_authentication_required
from core.permissions import PermissionRequiredMixin
from core.spreadsheet import safe_cell
from governance import audit
from governance.models import AuditEvent
from referrals.permissions import people_for, referrals_for

from ..forms_audit import ACCOUNT_EVENTS, PHRASES, VERBS, AuditSearchForm, model_name
from ..subject_access.selectors import requests_for

PER_PAGE = 50
# Records with a page of their own: the URL name and how to find those the reader may open.
LINKED = {
    "referrals.person": ("referrals:person", people_for),
    "referrals.referral": ("referrals:detail", referrals_for),
    # A subject access request's page shows the reason recorded for a restriction, which
    # the audit row itself masks (free text may hold personal data).
    "governance.subjectaccessrequest": ("governance:subject_access_request", requests_for),
}
CSV_COLUMNS = ["when", "user", "address", "action", "record type", "record", "changes", "detail"]


@dataclass(frozen=True)
class Row:
    """One audit event as the page shows it."""

    event: AuditEvent
    who: str
    what: str
    link: str
    changes: list[tuple[str, str]]


def search(request) -> tuple[AuditSearchForm, object]:
    """The form and the events it finds; with errors, the form and no events."""
    form = AuditSearchForm(request.GET or None)
    events = AuditEvent.objects.all()
    if form.is_bound and not form.is_valid():
        return form, events.none()
    return form, form.filter(events) if form.is_bound else events


class AuditLogView(PermissionRequiredMixin, View):
    permission_required = "governance.audit_log"
    http_method_names = ["get"]

    def get(self, request):
        form, events = search(request)
        page = Paginator(events.order_by("-at", "-id"), PER_PAGE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "governance/audit_log.html",
            {
                "form": form,
                "page_obj": page,
                "rows": rows_for(request.user, page),
                "export_query": query.urlencode(),
                "searched": form.is_bound,
            },
        )


@method_decorator(recent_authentication_required, name="get")
class AuditExportView(PermissionRequiredMixin, View):
    """The rows the search finds, as CSV; the export is itself written to the log."""

    permission_required = "governance.audit_log"
    http_method_names = ["get"]

    def get(self, request):
        form, events = search(request)
        if form.is_bound and not form.is_valid():
            return render(
                request,
                "governance/audit_log.html",
                {"form": form, "page_obj": None, "rows": [], "searched": True},
                status=400,
            )
        summary = form.summary() if form.is_bound else "everything"
        detail = f"Search: {summary}"
        audit.record(
            "governance.auditevent.exported", object_type="governance.auditevent", detail=detail
        )
        name = f"audit-log-{timezone.localdate():%Y-%m-%d}.csv"
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        write_csv(response, events.order_by("-at", "-id").iterator(chunk_size=2000))
        return response


def write_csv(out, events) -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for event in events:
        changes = "; ".join(f"{field}: {text}" for field, text in change_lines(event))
        row = [
            timezone.localtime(event.at).isoformat(timespec="seconds"),
            who(event),
            event.ip_address or "",
            event.action,
            event.object_type,
            event.object_id,
            changes,
            event.detail,
        ]
        writer.writerow([safe_cell(value) for value in row])


# --- Each row in words ---------------------------------------------------------------


def rows_for(user, events) -> list[Row]:
    """The page's events in words, with links: one query per kind of linked record."""
    events = list(events)
    openable = _openable(user, events)
    return [
        Row(
            event=event,
            who=who(event),
            what=what(event),
            link=_link(event, openable),
            changes=change_lines(event),
        )
        for event in events
    ]


def who(event: AuditEvent) -> str:
    if event.actor_username:
        return event.actor_username
    if event.action.endswith((".sign_in_failed", ".sso_refused")):
        return "Someone not signed in"
    return "The system"


def what(event: AuditEvent) -> str:
    """ "referrals.person.viewed" -> "Viewed a person"."""
    verb = event.action.rsplit(".", 1)[-1]
    words = VERBS.get(verb, verb.replace("_", " ").capitalize())
    if verb in ACCOUNT_EVENTS or not event.object_type:
        return words
    record = (
        "the audit log"
        if event.object_type == "governance.auditevent"
        else _with_article(model_name(event.object_type))
    )
    return PHRASES.get(verb, "{verb} {record}").format(verb=words, record=record)


def _with_article(name: str) -> str:
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def change_lines(event: AuditEvent) -> list[tuple[str, str]]:
    """Each changed field and its values, or ••• where the value is personal."""
    lines = []
    for field, values in (event.changes or {}).items():
        if isinstance(values, list) and len(values) == 2:
            old, new = ("(empty)" if v in (None, "") else str(v) for v in values)
            text = new if values[0] is None else f"{old} → {new}"
        else:
            text = audit.MASKED
        lines.append((field.replace("_", " "), text))
    return lines


def _openable(user, events: list[AuditEvent]) -> dict[str, set[str]]:
    openable = {}
    for label, (_, visible) in LINKED.items():
        keys = {e.object_id for e in events if e.object_type == label}
        found = visible(user).filter(uuid__in=keys).values_list("uuid", flat=True) if keys else []
        openable[label] = {str(key) for key in found}
    return openable


def _link(event: AuditEvent, openable: dict[str, set[str]]) -> str:
    if event.object_id in openable.get(event.object_type, ()):
        return reverse(LINKED[event.object_type][0], args=[event.object_id])
    return ""
