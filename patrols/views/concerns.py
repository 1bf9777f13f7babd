"""The partner's side of telling the police (issue 16, item 5): send a concern, and see
the agency's concerns as sent, with "Sent" or "Received by police on <date>".

The wall: rows come only through ``selectors.concerns_sent`` (the agency's own, with
``.only()`` the partner's own fields), so a template cannot show the grade, the grader or
who received it; another agency's concern answers 404. The whole agency sees what its
workers sent, as with its referrals: a colleague can follow a concern up.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from core.permissions import PermissionRequiredMixin
from governance import audit

from ..forms.concerns import ConcernForm
from ..selectors import concerns_sent
from ..services import PatrolRuleError
from ..services.concerns import send_concern


class PartnerConcernView(PermissionRequiredMixin, View):
    permission_required = "patrols.send_concern"
    http_method_names = ["get"]


class ConcernListView(PartnerConcernView):
    def get(self, request):
        concerns = list(concerns_sent(request.user)[:200])
        audit.viewed_many(request, audit.with_related(concerns, "person"))
        return render(request, "patrols/concerns/list.html", {"concerns": concerns})


class ConcernDetailView(PartnerConcernView):
    def get(self, request, uuid):
        concern = get_object_or_404(concerns_sent(request.user), uuid=uuid)
        audit.viewed(request, *audit.with_related([concern], "person"))
        return render(request, "patrols/concerns/detail.html", {"concern": concern})


class ConcernCreateView(PartnerConcernView):
    http_method_names = ["get", "post"]

    def get(self, request):
        return self.render(request, ConcernForm(user=request.user))

    def post(self, request):
        form = ConcernForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                concern = send_concern(request.user, form.concern())
            except PatrolRuleError as error:
                form.add_error(error.field, str(error))
            else:
                messages.success(request, "Your concern has been sent to the police.")
                return redirect("patrols:partner_concern", uuid=concern.uuid)
        return self.render(request, form)

    def render(self, request, form):
        # The women offered to link the concern to are shown by name: logged as read.
        audit.viewed_many(request, form.fields["person"].queryset)
        return render(request, "patrols/concerns/form.html", {"form": form})
