"""The crime data upload page: project lead only; refusals next to the field, nothing stored."""

import csv
import html
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from reporting.forms import MAX_UPLOAD_BYTES, ImportCrimesForm
from reporting.importer import STREET_COLUMNS
from reporting.models import CrimeFileKind, CrimeRecord, ImportBatch, ImportStatus

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


@pytest.fixture
def lead_client(client, project_lead):
    client.force_login(project_lead)
    return client


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


def test_signed_out_users_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_other_methods_are_not_allowed(lead_client):
    assert lead_client.put(URL).status_code == 405


# --- Uploading -----------------------------------------------------------------------------


def test_an_upload_imports_the_file_and_says_what_it_did(lead_client, project_lead, area):
    response = lead_client.post(URL, upload(street_csv(rows=3)), follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert CrimeRecord.objects.filter(area=area).count() == 3
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.imported_by, batch.row_count) == ("imported", project_lead, 3)
    message = str(next(iter(response.context["messages"])))
    assert message == (
        "Imported 2025-02-metropolitan-street.csv: 3 rows. "
        "Metropolitan Police Service, February 2025: 3 rows."
    )
    assert "2025-02-metropolitan-street.csv" in response.text
    assert "February 2025" in response.text


def test_uploading_a_month_again_replaces_it_and_says_so(lead_client):
    lead_client.post(URL, upload(street_csv(rows=3)), follow=True)
    response = lead_client.post(URL, upload(street_csv(rows=2), "newer.csv"), follow=True)

    assert CrimeRecord.objects.count() == 2
    message = str(next(iter(response.context["messages"])))
    assert "replacing 2025-02-metropolitan-street.csv" in message
    assert "Replaced by a later import" in response.text


def test_a_real_police_uk_file_can_be_uploaded(lead_client):
    path = POLICEUK / "policeuk-2023-01-city-of-london-street.edition-2023-03.csv"
    if not path.exists():
        pytest.skip(f"the shared police.uk files are not here ({POLICEUK})")

    response = lead_client.post(URL, upload(path.read_bytes(), path.name))

    assert response.status_code == 302
    assert CrimeRecord.objects.count() == 719


def test_a_refused_file_shows_the_reason_next_to_the_field_and_stores_nothing(lead_client):
    content = street_csv(rows=4).replace(b"2025-02", b"2025-14", 1)  # the first data row
    lines = content.decode().splitlines()
    lines[3] = lines[3].replace("Robbery", "Fraud")
    bad = ("\n".join(lines) + "\n").encode()

    response = lead_client.post(URL, upload(bad, "bad.csv"))

    assert response.status_code == 200
    assert field_error(response) == "bad.csv: line 2: Month '2025-14' is not a YYYY-MM month"
    assert "govuk-file-upload--error" in response.text
    assert 'href="#id_file"' in response.text  # the error summary links to the field
    assert response.context["form"].errors["file"]
    assert not CrimeRecord.objects.exists()
    failed = ImportBatch.objects.get()
    assert (failed.status, failed.filename) == (ImportStatus.FAILED, "bad.csv")
    assert "Refused" in response.text


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
    # 1. the session, 2. the user, 3. SAVEPOINT (ATOMIC_REQUESTS), 4. the batches with the
    # users who imported them (one join), 5. RELEASE SAVEPOINT.
    with django_assert_num_queries(5):
        response = lead_client.get(URL)

    assert len(response.context["recent_imports"]) == count
    assert response.text.count(str(project_lead)) >= count


def test_a_race_with_another_import_is_a_message_not_a_500(lead_client, monkeypatch):
    import reporting.views.imports as view

    def lose_the_race(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(view, "import_file", lose_the_race)
    response = lead_client.post(reverse("reporting:import"), upload(street_csv()))
    assert response.status_code == 200
    assert "Another import of the same force and month finished" in response.content.decode()
