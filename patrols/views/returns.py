"""Work return pages: the form (saved as a draft as it is typed), its submission, the
submitted return, and a supervisor's amendment. Rules live in patrols.services.

Officers on the patrol file its return, and supervisors may; the return holds personal
data and intelligence, so only they see it once submitted. Outsiders get 404.
"""

import json

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from accounts.browser_copy import browser_copy_key
from core.permissions import PermissionRequiredMixin, has_permission
from governance import audit

from .. import services
from ..forms.returns import AmendForms, ReturnForms, ReturnOptions
from ..models import Patrol, ReturnDraft, WorkReturn
from ..permissions import get_patrol_for_user, require_return_filer
from ..selectors import submitted_records, submitted_return

# The session remembers, for one page view, which patrol's return was just submitted.
CONFIRM_KEY = "patrols.return_confirmed"


def get_patrol_for_filer(user, uuid) -> Patrol:
    """404 outside the user's areas; 403 unless the user was on the patrol or supervises."""
    patrol = get_patrol_for_user(user, uuid)
    require_return_filer(user, patrol)
    return patrol


class WorkReturnView(PermissionRequiredMixin, View):
    """The return form while the patrol is deployed; the submitted return afterwards."""

    permission_required = "patrols.file_return"

    def get(self, request, uuid):
        patrol = get_patrol_for_filer(request.user, uuid)
        work_return = submitted_return(patrol)
        if work_return is not None:
            context = submitted_context(request, patrol, work_return)
            if request.session.pop(CONFIRM_KEY, None) == str(patrol.uuid):
                context["confirmation"] = confirmation(context)
            return render(request, "patrols/returns/submitted.html", context)
        refusal = services.return_refusal(patrol)
        if refusal:
            messages.error(request, refusal)
            return redirect("patrols:detail", uuid=patrol.uuid)
        draft = ReturnDraft.objects.filter(patrol=patrol).first()
        options = ReturnOptions(patrol, request.user)
        if draft is None:
            return render_form(request, patrol, ReturnForms(options))
        return render_form(request, patrol, ReturnForms(options, restore=draft_data(draft)), draft)

    def post(self, request, uuid):
        patrol = get_patrol_for_filer(request.user, uuid)
        refusal = services.return_refusal(patrol)
        if refusal:
            messages.error(request, refusal)
            target = "patrols:work_return" if submitted_return(patrol) else "patrols:detail"
            return redirect(target, uuid=patrol.uuid)
        options = ReturnOptions(patrol, request.user)
        add = request.POST.get("add", "")
        if add:  # "Add another": show one more row; validate nothing, save nothing
            return render_form(request, patrol, ReturnForms(options, restore=request.POST, add=add))
        forms = ReturnForms(options, data=request.POST)
        if forms.is_valid():
            try:
                services.submit_return(patrol, request.user, **forms.submission())
            except services.PatrolRuleError as error:
                forms.form.add_error(None, str(error))
            else:
                request.session[CONFIRM_KEY] = str(patrol.uuid)  # shown once, on the next page
                return redirect("patrols:work_return", uuid=patrol.uuid)
        return render_form(request, patrol, forms)


def render_form(request, patrol: Patrol, forms: ReturnForms, draft: ReturnDraft | None = None):
    audit.viewed_many(request, forms.options.people.values())  # offered by name to choose from
    return render(
        request,
        "patrols/returns/form.html",
        {
            "patrol": patrol,
            "forms": forms,
            "draft": draft,
            "copy_key": browser_copy_key(request),  # encrypts the browser's copy
            # Agency -> its one service, which the page's script fills in when chosen.
            "single_service": json.dumps(forms.options.single_service()),
            "has_errors": any(_has_errors(part) for part in forms.all()),
        },
    )


def _has_errors(part) -> bool:
    if hasattr(part, "forms"):
        return part.is_bound and part.total_error_count() > 0
    return part.is_bound and bool(part.errors)


def draft_data(draft: ReturnDraft) -> QueryDict:
    """The draft's raw form data, as the request that saved it held it."""
    data = QueryDict(mutable=True)
    for key, values in draft.data.items():
        data.setlist(key, values if isinstance(values, list) else [values])
    return data


def submitted_context(request, patrol: Patrol, work_return: WorkReturn) -> dict:
    records = submitted_records(request, patrol, work_return)
    return {**records, "can_amend": has_permission(request.user, "patrols.amend_return")}


def confirmation(records: dict) -> list[str]:
    """What the return just submitted created, in words, from the records already loaded:
    the officer sees where the referrals went and what follows, without reading it all."""
    lines = []
    for referral in records["referrals"]:
        service = referral.get_service_display()
        if referral.caution_id:
            deadline = f"{referral.caution.deadline:%-d %B %Y}"
            lines.append(f"A conditional caution: {service} with {referral.agency} by {deadline}")
        else:
            who = referral.person.working_name if referral.person else "Referral"
            lines.append(f"{who}: referred to {referral.agency} for {service.lower()}")
    if intelligence := len(records["intelligence"]):
        noun = "report" if intelligence == 1 else "reports"
        lines.append(f"{intelligence} intelligence {noun} recorded, graded as you gave them")
    arrests = len(records["arrests"])
    people = len(records["encounters"])
    lines.append(f"{people} {_people(people)} seen and {arrests} {_arrests(arrests)} recorded")
    return lines


def _people(count: int) -> str:
    return "person" if count == 1 else "people"


def _arrests(count: int) -> str:
    return "arrest" if count == 1 else "arrests"


class SaveDraftView(PermissionRequiredMixin, View):
    """Keep what has been typed, valid or not: on every change (htmx) or from a button."""

    permission_required = "patrols.file_return"
    http_method_names = ["post"]

    def post(self, request, uuid):
        patrol = get_patrol_for_filer(request.user, uuid)
        data = {
            key: request.POST.getlist(key)
            for key in request.POST
            if key not in {"csrfmiddlewaretoken", "add"}
        }
        try:
            draft = services.save_draft(patrol, request.user, data)
        except services.PatrolRuleError as error:
            if request.htmx:
                return render(request, "patrols/returns/_draft_status.html", {"error": error})
            messages.error(request, str(error))
            return redirect("patrols:work_return", uuid=patrol.uuid)
        if request.htmx:
            return render(request, "patrols/returns/_draft_status.html", {"draft": draft})
        saved_at = timezone.localtime(draft.saved_at)
        messages.success(request, f"Draft saved at {saved_at:%H:%M}")
        return redirect("patrols:work_return", uuid=patrol.uuid)


class AmendReturnView(PermissionRequiredMixin, View):
    """A supervisor corrects the main fields and the timed visits of a submitted return,
    giving the reason."""

    permission_required = "patrols.amend_return"

    def get(self, request, uuid):
        patrol = get_patrol_for_user(request.user, uuid)
        work_return = submitted_return(patrol)
        if work_return is None:
            return _nothing_to_amend(request, patrol)
        forms = AmendForms(work_return, _amend_options(request, patrol, work_return))
        audit.viewed(request, work_return)
        return self.render(request, patrol, forms)

    def post(self, request, uuid):
        patrol = get_patrol_for_user(request.user, uuid)
        work_return = submitted_return(patrol)
        if work_return is None:
            return _nothing_to_amend(request, patrol)
        options = _amend_options(request, patrol, work_return)
        forms = AmendForms(work_return, options, data=request.POST)
        if forms.is_valid():
            reason = forms.form.cleaned_data["reason"]
            try:
                services.amend_return(work_return, request.user, reason, forms.changes())
            except services.PatrolRuleError as error:
                forms.form.add_error(None, str(error))
            else:
                messages.success(request, "Amendment recorded")
                return redirect("patrols:work_return", uuid=patrol.uuid)
        return self.render(request, patrol, forms)

    def render(self, request, patrol, forms):
        context = {
            "patrol": patrol,
            "forms": forms,
            "form": forms.form,
            "has_errors": any(_has_errors(part) for part in forms.all()),
        }
        return render(request, "patrols/returns/amend.html", context)


def _amend_options(request, patrol: Patrol, work_return: WorkReturn) -> ReturnOptions:
    """The area's active hotspots, and any since retired that the return records."""
    options = ReturnOptions(patrol, request.user)
    recorded = work_return.hotspots_visited.select_related("ward")
    options.hotspots.update({str(hotspot.pk): hotspot for hotspot in recorded})
    return options


def _nothing_to_amend(request, patrol: Patrol):
    messages.error(request, "This patrol has no submitted work return to amend.")
    return redirect("patrols:detail", uuid=patrol.uuid)
