"""Database constraints on crime imports and generated reports."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from reporting.models import (
    CrimeFileKind,
    CrimeRecord,
    GeneratedReport,
    ImportBatch,
    ImportStatus,
    ReportKind,
    ReportStatus,
)

pytestmark = pytest.mark.django_db

JANUARY, FEBRUARY = dt.date(2025, 1, 1), dt.date(2025, 2, 1)
WEEK_START, WEEK_END = dt.date(2025, 3, 3), dt.date(2025, 3, 9)


def make_batch(**fields) -> ImportBatch:
    values = {
        "filename": "2025-01-metropolitan-street.csv",
        "sha256": "0" * 64,
        "kind": CrimeFileKind.STREET,
        "force": "metropolitan",
        "month": JANUARY,
        "status": ImportStatus.IMPORTED,
    }
    return ImportBatch.objects.create(**values | fields)


def make_crime(batch: ImportBatch, **fields) -> CrimeRecord:
    values = {
        "batch": batch,
        "month": JANUARY,
        "reported_by": "Metropolitan Police Service",
        "falls_within": "Metropolitan Police Service",
        "crime_type": "Anti-social behaviour",
    }
    return CrimeRecord.objects.create(**values | fields)


def make_report(area, **fields) -> GeneratedReport:
    values = {
        "kind": ReportKind.WEEKLY_DEPLOYMENT,
        "area": area,
        "period_start": WEEK_START,
        "period_end": WEEK_END,
    }
    return GeneratedReport.objects.create(**values | fields)


# --- Import batches and crimes --------------------------------------------------------------


def test_failed_import_is_explained():
    make_batch(status=ImportStatus.FAILED, error="Unexpected header")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_batch(status=ImportStatus.FAILED, error="")


@pytest.mark.parametrize(
    "other",
    [
        {"status": ImportStatus.REPLACED},
        {"status": ImportStatus.FAILED, "error": "Checksum already imported"},
        {"month": FEBRUARY},
        {"force": "city-of-london"},
        {"kind": CrimeFileKind.OUTCOMES},
    ],
    ids=["replaced", "failed", "other-month", "other-force", "other-kind"],
)
def test_batches_that_are_not_a_second_current_import_are_accepted(other):
    make_batch()
    make_batch(**other)


def test_only_one_imported_batch_per_kind_force_and_month():
    make_batch()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_batch(filename="re-import.csv")


@pytest.mark.parametrize("field", ["kind", "status"])
def test_batch_choice_fields_hold_only_known_values(field):
    rows = ImportBatch.objects.filter(pk=make_batch().pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(**{field: "x"})


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(Decimal("51.46"), None), (None, Decimal("-0.115"))]
)
def test_crime_has_both_coordinates_or_neither(latitude, longitude):
    batch = make_batch()
    make_crime(batch, latitude=Decimal("51.46"), longitude=Decimal("-0.115"))
    make_crime(batch, latitude=None, longitude=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_crime(batch, latitude=latitude, longitude=longitude)


# --- Generated reports ------------------------------------------------------------------------


def test_report_period_ends_on_or_after_its_start(area):
    make_report(area, period_end=WEEK_START)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_report(area, period_end=WEEK_START - dt.timedelta(days=1))


def test_failed_report_is_explained(area):
    make_report(area, status=ReportStatus.FAILED, last_error="WeasyPrint crashed", superseded=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_report(area, status=ReportStatus.FAILED, last_error="")


def test_ready_report_has_a_file(area):
    make_report(area, status=ReportStatus.READY, file="reports/2025/03/week.pdf", superseded=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_report(area, status=ReportStatus.READY, file="")


@pytest.mark.parametrize(
    "other",
    [
        {"superseded": True},
        {"kind": ReportKind.MONTHLY_TREND},
        {"period_end": WEEK_END + dt.timedelta(days=1)},
        {"period_start": WEEK_START + dt.timedelta(days=1)},
    ],
    ids=["superseded", "other-kind", "other-end", "other-start"],
)
def test_reports_that_are_not_a_second_current_one_are_accepted(area, other):
    make_report(area)
    make_report(area, **other)


def test_one_current_report_per_kind_area_and_period(area, other_area):
    make_report(area)
    make_report(other_area)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_report(area)


@pytest.mark.parametrize("field", ["kind", "status"])
def test_report_choice_fields_hold_only_known_values(area, field):
    rows = GeneratedReport.objects.filter(pk=make_report(area).pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(**{field: "x"})
