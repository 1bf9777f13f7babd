"""The crime data upload page: project lead only; files that are not crime CSV are refused
next to the field; the import itself is a job (the request writes no crime data)."""

import csv
import html
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from reporting.crime_files import STREET_COLUMNS
from reporting.forms import MAX_UPLOAD_BYTES, ImportCrimesForm
from reporting.models import (
    CrimeFileKind,
    CrimeImport,
    CrimeImportStatus,
    CrimeRecord,
    ImportBatch,
    ImportStatus,
)

pytestmark = pytest.mark.django_db

URL = reverse("reporting:import")
POLICEUK = Path(__file__).resolve().parents[3] / "shared" / "data" / "policeuk"

ROW = {
    "Crime ID": "b" * 64,
    "Month": "2025-02",
    "Reported by": "Metropolitan Police Service",
    "Falls within": "Metropolitan Police Service",
    "Longitude": "-0.114438",
    "Latitude": "51.497027",
    "Location": "On or near Lambeth Road",
    "LSOA code": "E01003014",
    "LSOA name": "Lambeth 036B",
    "Crime type": "Robbery",
    "Last outcome category": "Under investigation",
    "Context": "",
}


def street_csv(rows: int = 3, **changes) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, STREET_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows([ROW | changes] * rows)
    return buffer.getvalue().encode()


def upload(content: bytes, name: str = "2025-02-metropolitan-street.csv") -> dict:
    return {"file": SimpleUploadedFile(name, content, content_type="text/csv")}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def lead_client(client, project_lead):
    client.force_login(project_lead)
    return client


def post_and_run(client, content: bytes, name: str = "2025-02-metropolitan-street.csv"):
    """Upload, let the commit run the job (eager Celery, as with no broker: inline, at the
    end of the request), then follow the redirect to the job's page."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(URL, upload(content, name))
    assert response.status_code == 302
    page = client.get(response.url)
    page.redirect_chain = [(response.url, 302)]
    return page


def field_error(response) -> str:
    """The text of the error message shown with the file field."""
    error = r'<p id="id_file-error" class="govuk-error-message">(.*?)</p>'
    match = re.search(error, response.text, re.S)
    assert match, "no error message next to the file field"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "").strip())


# --- Who may see the page ------------------------------------------------------------------


def test_project_lead_sees_the_upload_form_and_recent_imports(lead_client):
    response = lead_client.get(URL)

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.text
    assert 'class="govuk-file-upload"' in response.text
    assert 'accept=".csv,text/csv"' in response.text
    assert "No crime data has been imported yet." in response.text


@pytest.mark.parametrize(("role", "status"), [("sergeant", 403), ("pc", 403), ("partner_a", 404)])
def test_others_may_not_import(client, request, role, status):
    client.force_login(request.getfixturevalue(role))

    assert client.get(URL).status_code == status
    assert client.post(URL, upload(street_csv())).status_code == status
    assert not CrimeRecord.objects.exists()
    assert not CrimeImport.objects.exists()


def test_signed_out_users_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_other_methods_are_not_allowed(lead_client):
    assert lead_client.put(URL).status_code == 405


# --- Uploading -----------------------------------------------------------------------------


def test_an_upload_imports_the_file_by_a_job_and_says_what_it_did(lead_client, project_lead, area):
    response = post_and_run(lead_client, street_csv(rows=3))

    job = CrimeImport.objects.get()
    assert response.redirect_chain == [(reverse("reporting:import_job", args=[job.uuid]), 302)]
    assert CrimeRecord.objects.filter(area=area).count() == 3
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.imported_by, batch.row_count) == ("imported", project_lead, 3)
    assert (job.status, job.rows_checked, job.months_replaced) == ("done", 3, 1)
    assert job.summary == (
        "Imported 2025-02-metropolitan-street.csv: 3 rows. "
        "Metropolitan Police Service, February 2025: 3 rows."
    )
    assert job.summary in response.text
    assert "hx-get" not in response.text  # finished: the page polls no more


def test_the_request_writes_no_crime_data_itself(lead_client):
    # Without the commit (the job is enqueued only then), the upload imports nothing.
    response = lead_client.post(URL, upload(street_csv(rows=3)))

    job = CrimeImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reporting:import_job", args=[job.uuid])
    assert job.status == CrimeImportStatus.PENDING
    assert job.requested_by is not None
    assert job.original_name.endswith(".csv")
    assert not CrimeRecord.objects.exists()
    assert not ImportBatch.objects.exists()


def test_the_upload_is_kept_privately_under_its_job_uuid(lead_client, media):
    lead_client.post(URL, upload(street_csv(rows=3), "../../evil name.csv"))

    job = CrimeImport.objects.get()
    assert job.file.name.startswith("private/crime-imports/")
    assert job.file.name.endswith(f"{job.uuid}.csv")
    assert (media / job.file.name).read_bytes() == street_csv(rows=3)
    assert job.original_name == "evil name.csv"  # Django keeps the base name only


def test_uploading_a_month_again_replaces_it_and_says_so(lead_client):
    post_and_run(lead_client, street_csv(rows=3))
    response = post_and_run(lead_client, street_csv(rows=2), "newer.csv")

    assert CrimeRecord.objects.count() == 2
    assert "replacing 2025-02-metropolitan-street.csv" in response.text
    listing = lead_client.get(URL)
    assert "Replaced by a later import" in listing.text


def test_a_real_police_uk_file_can_be_uploaded(lead_client):
    path = POLICEUK / "policeuk-2023-01-city-of-london-street.edition-2023-03.csv"
    if not path.exists():
        pytest.skip(f"the shared police.uk files are not here ({POLICEUK})")

    response = post_and_run(lead_client, path.read_bytes(), path.name)

    assert response.status_code == 200
    assert CrimeRecord.objects.count() == 719


def test_a_refused_file_fails_its_job_with_the_line_and_stores_nothing(lead_client):
    content = street_csv(rows=4).replace(b"2025-02", b"2025-14", 1)  # the first data row
    lines = content.decode().splitlines()
    lines[3] = lines[3].replace("Robbery", "Fraud")
    bad = ("\n".join(lines) + "\n").encode()

    response = post_and_run(lead_client, bad, "bad.csv")

    job = CrimeImport.objects.get()
    assert (job.status, job.error_line) == (CrimeImportStatus.FAILED, 2)
    assert job.error == "Month '2025-14' is not a YYYY-MM month"
    assert "Line 2: Month &#x27;2025-14&#x27; is not a YYYY-MM month" in response.text
    assert not CrimeRecord.objects.exists()
    failed = ImportBatch.objects.get()
    assert (failed.status, failed.filename) == (ImportStatus.FAILED, "bad.csv")
    assert "Refused" in lead_client.get(URL).text


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"<!DOCTYPE html><html></html>\n", "page.csv", "page.csv: line 1: this is a web page"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image.csv", "image.csv: line 1: this is not a CSV file"),
        (b"Type,Date,Legislation,Object of search\n", "s.csv", "s.csv: line 1: this is a stop"),
        (street_csv(), "crimes.xlsx", "The selected file must be a CSV file (ending .csv)"),
        (b"", "empty.csv", "The selected file is empty"),
    ],
    ids=["html", "binary", "stop-and-search", "not-csv-name", "empty"],
)
def test_files_that_are_not_crime_csv_are_refused_by_the_form(lead_client, content, name, message):
    response = lead_client.post(URL, upload(content, name))

    assert response.status_code == 200
    assert field_error(response).startswith(message)
    assert not ImportBatch.objects.exists()  # refused before the importer ran
    assert not CrimeImport.objects.exists()  # and before any job was made


def test_no_file_chosen(lead_client):
    response = lead_client.post(URL, {})

    assert field_error(response) == "Select a CSV file"


def test_the_size_limit_is_50_mb():
    assert MAX_UPLOAD_BYTES == ImportCrimesForm.max_upload_bytes == 50 * 1024 * 1024


def test_an_oversize_file_is_refused_with_a_clear_message(lead_client, monkeypatch):
    # Uploading 50 MB in a test is slow; the same check with a 1 MB limit.
    monkeypatch.setattr(ImportCrimesForm, "max_upload_bytes", 1024 * 1024)
    content = street_csv(rows=5_000)
    assert len(content) > 1024 * 1024

    response = lead_client.post(URL, upload(content))

    assert field_error(response) == "The selected file must be smaller than 1 MB"
    assert not CrimeRecord.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not CrimeImport.objects.exists()


# --- The list of recent imports ------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 20])
def test_recent_imports_run_a_fixed_number_of_queries(
    lead_client, project_lead, django_assert_num_queries, count
):
    for n in range(count):
        ImportBatch.objects.create(
            filename=f"file-{n}.csv",
            sha256="0" * 64,
            kind=CrimeFileKind.UNKNOWN if n % 3 == 0 else CrimeFileKind.STREET,
            status=ImportStatus.FAILED if n % 3 == 0 else ImportStatus.REPLACED,
            error="line 1: this is a web page (HTML), not a CSV file" if n % 3 == 0 else "",
            force="" if n % 3 == 0 else "Metropolitan Police Service",
            imported_by=project_lead,
        )
        CrimeImport.objects.create(original_name=f"file-{n}.csv", requested_by=project_lead)
    # 1. the session, 2. the user, 3. SAVEPOINT (ATOMIC_REQUESTS), 4. the police.uk fetches,
    # 5. the uploads with the users who made them (one join), 6. the batches with the users
    # who imported them (one join), 7. RELEASE SAVEPOINT.
    # ... and the header's count of unread notifications (every signed-in page).
    with django_assert_num_queries(8):
        response = lead_client.get(URL)

    assert len(response.context["recent_imports"]) == count
    assert len(response.context["recent_jobs"]) == count
    assert response.text.count(str(project_lead)) >= 2 * count
