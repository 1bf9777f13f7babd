"""The Evidence page: the project lead's one-page answer to "does the operation work?",
for one of their areas (``?area=<pk>``; another area is not found).

Working it out fits a few dozen regression models (seconds), so the page never does: a
job does, each night and after each crime import (``evidence_jobs``), and the page reads
the newest figures it stored. With none yet, the page asks for them and says they are
being worked out; a small fragment polls (htmx, backing off) and brings the figures in
when they are ready. A failed run shows its reason and a button to try again. The number
of queries does not depend on the volume of data.
"""

from dataclasses import replace

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from core.permissions import PermissionRequiredMixin
from core.polling import poll_context
from patrols.selectors_trials import trials_for

from .. import evidence_jobs
from ..evaluation.page import evidence_page
from ..selectors import EvidenceState, chosen_area, evidence_state


class EvidenceView(PermissionRequiredMixin, View):
    permission_required = "reporting.evidence"
    http_method_names = ["get", "post"]

    def get(self, request):
        areas = list(request.user.areas.all())
        area = chosen_area(areas, request.GET.get("area"))
        state = evidence_state(area) if area else None
        if state is not None and state.nothing_yet:
            state = replace(state, newer=evidence_jobs.request_evidence(area))
        shown = state.ready if state else None
        context = page_context(state, shown=shown, figures=True, poll=None)
        context |= {"areas": areas, "area": area, "trials": trials_in(request.user, area)}
        return render(request, "reporting/evidence.html", context)

    def post(self, request):
        """Work the figures out again (after a failure): asked for, then the page."""
        area = chosen_area(list(request.user.areas.all()), request.POST.get("area"))
        if area is None:
            raise Http404
        evidence_jobs.request_evidence(area, by=request.user)
        return redirect(f"{reverse('reporting:evidence')}?area={area.pk}")


class EvidenceStatusView(PermissionRequiredMixin, View):
    """The page's notice, for htmx to swap in while the figures are being worked out;
    with the figures themselves (out of band) when the page had none to show."""

    permission_required = "reporting.evidence"
    http_method_names = ["get"]

    def get(self, request):
        area = chosen_area(list(request.user.areas.all()), request.GET.get("area"))
        if area is None:
            raise Http404
        state = evidence_state(area)
        before = request.GET.get("shown", "")
        arrived = state.ready is not None and not before
        shown = state.ready if arrived or _same(state.ready, before) else None
        poll = request.GET.get("poll")
        context = page_context(state, shown=shown, figures=arrived, poll=poll)
        context |= {
            "area": area,
            "shown_pk": shown.pk if shown else before,  # still the page's, if older
            "arrived": arrived,
            "announce": getattr(request, "htmx", False) and not state.working,
        }
        return render(request, "reporting/evidence_status.html", context)


def trials_in(user, area) -> list:
    """The area's registered trials, for the page's "Trials" section (one query)."""
    return list(trials_for(user).filter(area=area)) if area else []


def _same(run, pk: str) -> bool:
    return run is not None and str(run.pk) == pk


def page_context(state: EvidenceState | None, *, shown, figures: bool, poll: str | None) -> dict:
    """``shown``: the run whose figures the page shows (None: none, or older ones);
    ``figures``: render them (the page, or the fragment when they have just arrived)."""
    evidence = state.evidence if state and figures else None
    return {
        "state": state,
        "shown": shown,
        "shown_pk": shown.pk if shown else "",
        "page": evidence_page(evidence) if evidence else None,
        **poll_context(poll),
    }
