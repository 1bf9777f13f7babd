from django.contrib import admin

from accounts.admin_base import RoleModelAdmin

from . import selectors
from .models import CrimeOutcome, CrimeRecord, GeneratedReport, ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(RoleModelAdmin):
    scope = staticmethod(selectors.import_batches_for)
    service_owned = True
    list_display = ["filename", "kind", "force", "month", "row_count", "status", "imported_at"]
    list_filter = ["kind", "status", "force"]
    search_fields = ["filename"]


@admin.register(CrimeRecord)
class CrimeRecordAdmin(RoleModelAdmin):
    scope = staticmethod(selectors.crime_records_for)
    service_owned = True
    list_display = ["month", "crime_type", "location", "lsoa_name", "last_outcome", "area"]
    list_filter = ["crime_type", "area", "month"]
    list_select_related = ["area"]
    search_fields = ["crime_id", "lsoa_code", "lsoa_name", "location"]
    raw_id_fields = ["batch"]


@admin.register(CrimeOutcome)
class CrimeOutcomeAdmin(RoleModelAdmin):
    scope = staticmethod(selectors.crime_outcomes_for)
    service_owned = True
    list_display = ["month", "outcome_type", "location", "lsoa_name", "area"]
    list_filter = ["outcome_type", "area", "month"]
    list_select_related = ["area"]
    search_fields = ["crime_id", "lsoa_code", "lsoa_name", "location"]
    raw_id_fields = ["batch"]


@admin.register(GeneratedReport)
class GeneratedReportAdmin(RoleModelAdmin):
    scope = staticmethod(selectors.reports_for)
    service_owned = True
    list_display = [
        "kind",
        "area",
        "period_start",
        "period_end",
        "status",
        "superseded",
        "created_at",
    ]
    list_filter = ["kind", "status", "area", "superseded"]
    list_select_related = ["area"]
