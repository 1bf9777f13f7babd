"""Changing a woman's safeguarding record from her police page: POST only (405 for GET).

Each view fetches her (or the marker, the route) through the officer's areas (404
outside them, and for partners), parses one form, calls one service and, on a refusal,
shows her page again with the message at the field and nothing written.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.views import View

from core.permissions import PermissionRequiredMixin

from .. import services
from ..forms_safeguarding import EndForm, MarkerForm, RiskForm, RouteForm
from ..permissions import get_person_for_user
from ..selectors_safeguarding import get_marker_for_user, get_route_for_user
from .police import render_person


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
