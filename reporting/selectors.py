"""Reads of crime data and generated reports, scoped to the user's areas."""

from django.db.models import QuerySet

from .models import CrimeOutcome, CrimeRecord, GeneratedReport, ImportBatch


def crimes_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """Crime records of the user's areas (what the ranking counts from)."""
    base = CrimeRecord.objects.all() if queryset is None else queryset
    return base.filter(area__in=user.areas.all())


crime_records_for = crimes_for


def crime_outcomes_for(user, queryset: QuerySet | None = None) -> QuerySet:
    base = CrimeOutcome.objects.all() if queryset is None else queryset
    return base.filter(area__in=user.areas.all())


def import_batches_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """An import is a force-month of public data: its row is no area's secret, but the
    admin shows it to those who may import (the project lead) and administrators."""
    base = ImportBatch.objects.all() if queryset is None else queryset
    return base if user.role == "project_lead" else base.none()


def reports_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """The reports of the user's areas, with what each row shows, in one query."""
    base = GeneratedReport.objects.all() if queryset is None else queryset
    return base.filter(area__in=user.areas.all()).select_related("area", "requested_by")
