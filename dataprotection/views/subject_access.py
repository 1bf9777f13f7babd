"""Subject access: the project lead downloads everything held about one person, as a
PDF and as JSON, from a page reached from the person's timeline.

The person is fetched through the lead's areas (404 outside them, and to partners);
each download asks for the password again if it was not typed recently, and is written
to the audit log against every record of the person exported.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View

from accounts.reauth import recent_authentication_required
from core.permissions import PermissionRequiredMixin
from governance import audit
from referrals.permissions import get_person_for_user

from .. import subject_access

FORMATS = {
    "pdf": ("application/pdf", subject_access.as_pdf, "PDF"),
    "json": ("application/json", subject_access.as_json, "JSON"),
}


class SubjectAccessView(PermissionRequiredMixin, View):
    permission_required = "governance.subject_access"
    http_method_names = ["get"]

    def get(self, request, uuid):
        person = get_person_for_user(request.user, uuid)
        people = subject_access.linked_people(person)
        audit.viewed(request, *people)
        return render(
            request, "governance/subject_access.html", {"person": person, "people": people}
        )


@method_decorator(recent_authentication_required, name="get")
class SubjectAccessDownloadView(PermissionRequiredMixin, View):
    permission_required = "governance.subject_access"
    http_method_names = ["get"]
    format = ""

    def get(self, request, uuid):
        person = get_person_for_user(request.user, uuid)
        content_type, write, label = FORMATS[self.format]
        data = subject_access.gather(person, request.user)
        body = write(data)
        subject_access.record_export(request, data, label)
        response = HttpResponse(body, content_type=content_type)
        name = f"subject-access-{person.uuid}.{self.format}"  # a key, never a name
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response
