"""The crime table as stored: a bad line deep in a large file leaves every table as it was,
and the table keeps only the indexes its queries use. Run on SQLite and on PostgreSQL."""

import pytest
from django.db import connection

from reporting.crime_files import STREET_COLUMNS
from reporting.importer import ImportRefused, import_file
from reporting.models import CrimeRecord, ImportBatch, ImportStatus
from tests.reporting.test_import_staging import CRIME, text_of

pytestmark = pytest.mark.django_db


def test_a_bad_line_at_5000_of_6000_is_named_and_nothing_is_written(tmp_path):
    earlier = tmp_path / "earlier.csv"
    earlier.write_bytes(text_of([{"Crime type": "Drugs"}] * 3))
    import_file(earlier, earlier.name)
    before = ImportBatch.objects.get()
    lines = text_of([{}] * 6_000).split(b"\n")
    lines[4_999] = b",".join(  # line 5,000 of 6,001 (the header is line 1)
        (CRIME | {"Crime type": "Fraud"})[column].encode() for column in STREET_COLUMNS
    )
    path = tmp_path / "large.csv"
    path.write_bytes(b"\n".join(lines))

    with pytest.raises(ImportRefused) as refused:
        import_file(path, path.name)

    assert (refused.value.line, refused.value.reason) == (5_000, "unknown Crime type 'Fraud'")
    # No row of the file and no batch for it: the earlier import is still the month's.
    assert (
        list(CrimeRecord.objects.values_list("batch", "crime_type")) == [(before.pk, "Drugs")] * 3
    )
    assert ImportBatch.objects.get(status=ImportStatus.IMPORTED) == before
    failed = ImportBatch.objects.exclude(pk=before.pk).get()
    assert (failed.status, failed.row_count) == (ImportStatus.FAILED, 0)
    assert failed.error == "line 5000: unknown Crime type 'Fraud'"


def test_the_crime_table_has_no_index_on_area_alone():
    """(area, month, crime_type) leads with area: a second index on area alone would only
    slow every import (BENCHMARKS.md, section 2)."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, CrimeRecord._meta.db_table)
    indexed = [c["columns"] for c in found.values() if c["index"] and not c["primary_key"]]
    assert ["area_id"] not in indexed
    assert ["area_id", "month", "crime_type"] in indexed
