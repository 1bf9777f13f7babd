"""The project lead's crime data upload: a police.uk or weekly CSV file, and recent imports."""

from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.views.generic import FormView

from core.permissions import PermissionRequiredMixin

from ..forms import ImportCrimesForm
from ..importer import ImportRefused, ImportResult, import_file, plural_rows
from ..models import ImportBatch

RECENT_IMPORTS = 25


class ImportCrimesView(PermissionRequiredMixin, FormView):
    permission_required = "reporting.import"
    form_class = ImportCrimesForm
    template_name = "reporting/import.html"
    success_url = reverse_lazy("reporting:import")
    http_method_names = ["get", "post", "head", "options"]  # FormView would take PUT as POST

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            result = import_file(upload, upload.name, imported_by=self.request.user)
        except ImportRefused as refusal:
            # The refusal (a failed batch) is recorded; not one row of the file is.
            form.add_error("file", str(refusal))
            return self.form_invalid(form)
        except IntegrityError:
            # Two imports of the same new force-month at once: the database let one win.
            form.add_error(
                "file",
                "Another import of the same force and month finished while this one ran. "
                "Nothing from this file was written: import it again to replace that one.",
            )
            return self.form_invalid(form)
        messages.success(self.request, _summary(result))
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        # One query, however many batches: the importing user comes in the same join.
        recent = ImportBatch.objects.select_related("imported_by").order_by("-imported_at", "-pk")
        return super().get_context_data(**kwargs) | {
            "recent_imports": list(recent[:RECENT_IMPORTS])
        }


def _summary(result: ImportResult) -> str:
    parts = "; ".join(part.describe() for part in result.parts)
    return f"Imported {result.filename}: {plural_rows(result.rows)}. {parts}."
