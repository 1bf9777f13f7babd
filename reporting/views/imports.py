"""The project lead's crime data upload: the file is saved and imported by a job (never in
the request), its progress page polls the job, and the list shows recent imports."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View
from django.views.generic import FormView

from core.permissions import PermissionRequiredMixin
from core.polling import poll_context

from .. import import_jobs
from ..forms import ImportCrimesForm
from ..models import ImportBatch
from ..selectors import crime_fetches_for, crime_imports_for, get_crime_import_for_user

RECENT_IMPORTS = 25


class ImportCrimesView(PermissionRequiredMixin, FormView):
    permission_required = "reporting.import"
    form_class = ImportCrimesForm
    template_name = "reporting/import.html"
    http_method_names = ["get", "post", "head", "options"]  # FormView would take PUT as POST

    def form_valid(self, form):
        job = import_jobs.request_import(form.cleaned_data["file"], by=self.request.user)
        return HttpResponseRedirect(job_url(job))

    def get_context_data(self, **kwargs):
        # One query each, however many rows: the users come in the same join.
        batches = ImportBatch.objects.select_related("imported_by").order_by("-imported_at", "-pk")
        jobs = crime_imports_for(self.request.user).order_by("-created_at", "-pk")
        return super().get_context_data(**kwargs) | {
            "fetch_forces": settings.POLICEUK_FORCES if settings.POLICEUK_BASE_URL else [],
            "recent_fetches": list(crime_fetches_for(self.request.user)[:RECENT_IMPORTS]),
            "recent_jobs": list(jobs[:RECENT_IMPORTS]),
            "recent_imports": list(batches[:RECENT_IMPORTS]),
        }


class ImportJobView(PermissionRequiredMixin, View):
    """One upload's progress: rows checked, force-months replaced, the first error."""

    permission_required = "reporting.import"
    http_method_names = ["get", "head"]

    def get(self, request, uuid):
        job = get_crime_import_for_user(request.user, uuid)
        return render(request, "reporting/imports/job.html", status_context(job, poll=None))


class ImportJobStatusView(PermissionRequiredMixin, View):
    """The progress panel, for htmx to swap in until the job has finished."""

    permission_required = "reporting.import"
    http_method_names = ["get"]

    def get(self, request, uuid):
        job = get_crime_import_for_user(request.user, uuid)
        context = status_context(job, poll=request.GET.get("poll"))
        return render(request, "reporting/imports/_status.html", context)


def status_context(job, *, poll: str | None) -> dict:
    """The job, and when the progress panel asks again (core.polling: 1, 2, 4, 8, 15 s)."""
    return {"job": job} | poll_context(poll)


def job_url(job) -> str:
    return reverse("reporting:import_job", args=[job.uuid])
