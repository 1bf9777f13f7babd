"""Subject access (DPA 2018 s.45): the project lead finds the subject (a person from her
timeline, an arrested man by custody reference), records the request with what is
withheld and why, then downloads that request as a PDF and as JSON.

Subjects and requests are fetched through the lead's areas (404 outside them, and to
partners); each download asks for the password again if it was not typed recently, applies
exactly the recorded restriction and is written to the audit log, naming the request.
"""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View

from accounts.reauth import recent_authentication_required
from core.permissions import PermissionRequiredMixin
from governance import audit
from governance.models import SubjectType

from ..forms_subject_access import CustodySearchForm, RestrictionForm
from ..subject_access import export, people, sections, selectors, services

FORMATS = {
    "pdf": ("application/pdf", export.as_pdf, "PDF"),
    "json": ("application/json", export.as_json, "JSON"),
}


class SubjectAccessSearchView(PermissionRequiredMixin, View):
    """Find an arrested or cautioned man's arrest by its custody reference."""

    permission_required = "governance.subject_access"
    http_method_names = ["get"]

    def get(self, request):
        form = CustodySearchForm(request.GET or None)
        arrests = None
        if form.is_bound and form.is_valid():
            reference = form.cleaned_data["custody_reference"]
            arrests = selectors.arrests_by_custody_reference(request.user, reference)
            audit.viewed_many(request, arrests)
        status = 400 if form.is_bound and form.errors else 200
        context = {"form": form, "arrests": arrests}
        return render(request, "governance/subject_access_search.html", context, status=status)


class SubjectPageView(PermissionRequiredMixin, View):
    """A subject's page: what the export holds, the requests already recorded, and the
    form recording a new request (the restriction)."""

    permission_required = "governance.subject_access"
    http_method_names = ["get", "post"]
    subject_type = ""

    def subject(self, request, uuid):
        return selectors.get_subject_for_user(request.user, self.subject_type, uuid)

    def page(self, request, subject, form, status=200):
        records = (
            people.linked_people(subject) if self.subject_type == SubjectType.PERSON else [subject]
        )
        audit.viewed(request, *records)
        context = {
            "subject_type": self.subject_type,
            "subject": subject,
            "people": records,
            "form": form,
            "requests": selectors.requests_about(self.subject_type, subject),
            "sections": sections.SECTIONS[self.subject_type],
        }
        return render(request, "governance/subject_access.html", context, status=status)

    def get(self, request, uuid):
        return self.page(request, self.subject(request, uuid), RestrictionForm(self.subject_type))

    def post(self, request, uuid):
        subject = self.subject(request, uuid)
        form = RestrictionForm(self.subject_type, request.POST)
        if form.is_valid():
            try:
                sar = services.create_request(
                    request.user, self.subject_type, subject, form.restriction()
                )
            except services.SubjectAccessRuleError as error:
                form.show_problems(error.problems)
            else:
                return redirect("governance:subject_access_request", sar.uuid)
        return self.page(request, subject, form, status=400)


class SubjectAccessRequestView(PermissionRequiredMixin, View):
    """One recorded request: its restriction, the reason, and the downloads."""

    permission_required = "governance.subject_access"
    http_method_names = ["get"]

    def get(self, request, uuid):
        sar, subject = selectors.get_request_for_user(request.user, uuid)
        audit.viewed(request, subject)
        context = {
            "sar": sar,
            "subject": subject,
            "withheld": sections.labels(sar.subject_type, sar.withheld_sections),
        }
        return render(request, "governance/subject_access_request.html", context)


@method_decorator(recent_authentication_required, name="get")
class SubjectAccessDownloadView(PermissionRequiredMixin, View):
    permission_required = "governance.subject_access"
    http_method_names = ["get"]
    format = ""

    def get(self, request, uuid):
        sar, subject = selectors.get_request_for_user(request.user, uuid)
        content_type, write, label = FORMATS[self.format]
        data, disclosed = export.build(sar, subject, request.user)
        body = write(sar, data)
        services.record_export(request, sar, disclosed, label)
        response = HttpResponse(body, content_type=content_type)
        name = f"subject-access-{sar.uuid}.{self.format}"  # a key, never a name
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response
