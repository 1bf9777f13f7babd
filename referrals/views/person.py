"""A woman's police page (`referrals:person`): her records, her safeguarding section and
her timeline; and changing her safeguarding record from it (POST only, 405 for GET).

Each view fetches her (or the marker, the route) through the officer's areas (404
outside them, and for partners), parses one form, calls one service and, on a refusal,
shows her page again with the message at the field and nothing written.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from core.permissions import PermissionRequiredMixin, has_permission
from governance import audit

from .. import services
from ..forms_safeguarding import EndForm, MarkerForm, RiskForm, RouteForm
from ..models import Person
from ..permissions import get_person_for_user
from ..selectors import linked_records, open_flags_about, timeline
from ..selectors_safeguarding import (
    SAFEGUARDING_KINDS,
    SHARED_MARKERS,
    get_marker_for_user,
    get_route_for_user,
    safeguarding_for,
    timeline_events,
)

# --- Her page ----------------------------------------------------------------------------


class PersonTimelineView(PermissionRequiredMixin, View):
    permission_required = "referrals.view"

    def get(self, request, uuid):
        return render_person(request, get_person_for_user(request.user, uuid))


def render_person(request, person: Person, **forms):
    """Her page: her records, safeguarding section and timeline. `forms`: bound forms of
    the safeguarding section to show again with their errors (the views below)."""
    user = request.user
    records = linked_records(user, person)
    flags = open_flags_about(records)
    record = safeguarding_for(user, person)
    events = timeline(records, also=timeline_events(record))
    shown = [event.record for event in events if event.kind in ("encounter", "referral")]
    audit.viewed_many(request, [*records, *shown, *flags, *record.rows()])
    return render(
        request,
        "referrals/police/person_timeline.html",
        {
            "person": person,
            "others": [r for r in records if r != person],
            "events": events,
            "flags": flags,
            "can_refer": has_permission(user, "referrals.make"),
            "can_link": has_permission(user, "referrals.link_people"),
            "safeguarding": record,
            "shared_markers": SHARED_MARKERS,
            "safeguarding_kinds": SAFEGUARDING_KINDS,
            **safeguarding_forms(user, person, forms),
        },
    )


def safeguarding_forms(user, person: Person, bound: dict) -> dict:
    """The section's forms (bound ones as given), for users who may record."""
    if not has_permission(user, "referrals.safeguard"):
        return {}
    return {
        "risk_form": bound.get("risk_form") or RiskForm(prefix="risk"),
        "marker_form": bound.get("marker_form") or MarkerForm(prefix="marker"),
        "route_form": bound.get("route_form") or RouteForm(prefix="route", person=person),
        "end_form": bound.get("end_form"),
        "end_target": bound.get("end_target"),
        "can_safeguard": True,
    }


# --- Changing her safeguarding record ---------------------------------------------------


class SafeguardingView(PermissionRequiredMixin, View):
    permission_required = "referrals.safeguard"
    http_method_names = ["post"]

    def attempt(self, request, person, form, name: str, change, done: str):
        """Run the change if the form is valid; its refusal goes to the field it names."""
        if form.is_valid():
            try:
                change(form.cleaned_data)
            except services.SafeguardingRuleError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, done)
                return redirect("referrals:person", uuid=person.uuid)
        return render_person(request, person, **{name: form})


class RiskLevelView(SafeguardingView):
    def post(self, request, uuid):
        person = get_person_for_user(request.user, uuid)
        form = RiskForm(request.POST, prefix="risk")
        return self.attempt(
            request,
            person,
            form,
            "risk_form",
            lambda data: services.set_risk_level(person, request.user, **data),
            "Risk level recorded.",
        )


class MarkerAddView(SafeguardingView):
    def post(self, request, uuid):
        person = get_person_for_user(request.user, uuid)
        form = MarkerForm(request.POST, prefix="marker")
        return self.attempt(
            request,
            person,
            form,
            "marker_form",
            lambda data: services.add_marker(person, request.user, **data),
            "Warning added.",
        )


class RouteAddView(SafeguardingView):
    def post(self, request, uuid):
        person = get_person_for_user(request.user, uuid)
        form = RouteForm(request.POST, prefix="route", person=person)
        return self.attempt(
            request,
            person,
            form,
            "route_form",
            lambda data: services.add_route(person, request.user, **data),
            "Onward route added.",
        )


class EndView(SafeguardingView):
    """Ending a marker or a route: the form shows again beside the row it was for."""

    fetch = staticmethod(get_marker_for_user)
    end = staticmethod(services.end_marker)
    done = "Warning ended. It stays in her history."

    def post(self, request, uuid):
        row = self.fetch(request.user, uuid)
        form = EndForm(request.POST, prefix="end")
        if form.is_valid():
            try:
                self.end(row, request.user, form.cleaned_data["reason"])
            except services.SafeguardingRuleError as error:
                form.add_error("reason", str(error))
            else:
                messages.success(request, self.done)
                return redirect("referrals:person", uuid=row.person.uuid)
        return render_person(request, row.person, end_form=form, end_target=row.uuid)


class MarkerEndView(EndView):
    pass


class RouteEndView(EndView):
    fetch = staticmethod(get_route_for_user)
    end = staticmethod(services.end_route)
    done = "Onward route ended. It stays in her history."
