"""The police intelligence list and grading what partners sent (issue 16, item 5).

Supervisors of an area (``patrols.grade_intelligence``) see the concerns partners sent
about it still to grade, then every graded report (from work returns and from partners).
Opening a concern marks it received, once (patrols.services.concerns); its grading makes
the police record. Another area's concern answers 404; partners get 404 on all of it.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views import View

from core.permissions import PermissionRequiredMixin
from governance import audit

from ..forms.intelligence import GradingForm
from ..models import IntelligenceReport
from ..permissions import get_concern_for_user
from ..selectors import concerns_to_grade, intelligence_list
from ..services import PatrolRuleError
from ..services.concerns import grade_concern, mark_received

PAGE_SIZE = 50
TO_GRADE = "to_grade"


class IntelligenceView(PermissionRequiredMixin, View):
    permission_required = "patrols.grade_intelligence"
    http_method_names = ["get"]


class IntelligenceListView(IntelligenceView):
    def get(self, request):
        only_to_grade = request.GET.get("show") == TO_GRADE
        to_grade = list(concerns_to_grade(request.user)[:PAGE_SIZE])
        page = None
        if not only_to_grade:
            page = Paginator(intelligence_list(request.user), PAGE_SIZE).get_page(
                request.GET.get("page")
            )
        audit.viewed_many(request, [*to_grade, *(page.object_list if page else [])])
        context = {"to_grade": to_grade, "page": page, "only_to_grade": only_to_grade}
        return render(request, "patrols/intelligence/list.html", context)


class ConcernGradeView(IntelligenceView):
    http_method_names = ["get", "post"]

    def get(self, request, uuid):
        concern = mark_received(get_concern_for_user(request.user, uuid), request.user)
        return self.render(request, concern, GradingForm(concern=concern))

    def post(self, request, uuid):
        concern = mark_received(get_concern_for_user(request.user, uuid), request.user)
        form = GradingForm(request.POST)
        if form.is_valid():
            try:
                grade_concern(concern, request.user, form.values())
            except PatrolRuleError as error:
                if IntelligenceReport.objects.filter(partner_concern=concern).exists():
                    messages.info(request, str(error))  # graded meanwhile: shown as graded
                    return redirect("patrols:concern", uuid=concern.uuid)
                form.add_error(error.field, str(error))
            else:
                messages.success(request, "Graded: it is now on the intelligence list.")
                return redirect("patrols:intelligence")
        return self.render(request, concern, form)

    def render(self, request, concern, form):
        report = (
            IntelligenceReport.objects.filter(partner_concern=concern)
            .select_related("submitted_by")
            .first()
        )
        audit.viewed(request, *audit.with_related([concern], "person"), report)
        context = {"concern": concern, "report": report, "form": None if report else form}
        return render(request, "patrols/intelligence/concern.html", context)
