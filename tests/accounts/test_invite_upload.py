"""Bulk invitations from a CSV (issue 20): every row checked with the single invitation's
rules, each bad row reported with its line and reason and nothing written; otherwise a
preview, and on confirm everyone is invited in one transaction."""

import html
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import boroughs, invite_csv
from accounts.models import Role, User
from governance.models import AuditEvent
from tests.factories import OfficerFactory, WardFactory

pytestmark = pytest.mark.django_db
UPLOAD = reverse("accounts:invite_upload")
HEADER = "first_name,last_name,email,collar_number,role,area_code,home_ward_code,trained_on\n"
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "invite-officers.csv"


def csv_file(text: str | bytes, name="team.csv"):
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def good_rows(area, ward) -> str:
    return (
        HEADER
        + f"Alex,Exampleton,alex@example.org,5001LX,sergeant,{area.code},{ward.code},2026-02-14\n"
        + f"Bea,Sampleford,bea@example.org,5002LX,pc,{area.code},,\n"
    )


@pytest.fixture
def ward(area):
    return WardFactory(area=area, code="E05000001")


def upload(client, text):
    return client.post(UPLOAD, {"file": csv_file(text)})


def test_upload_preview_confirm(client, sergeant, area, ward, django_capture_on_commit_callbacks):
    client.force_login(sergeant)
    preview = upload(client, good_rows(area, ward))
    content = preview.content.decode()
    assert preview.status_code == 200
    assert "Invite 2 people" in content
    assert "alex@example.org" in content
    assert "Ward sergeant" in content
    assert not User.objects.filter(email__endswith="@example.org").exists()  # not yet

    text = re.search(r'name="text" value="([^"]*)"', content, re.S).group(1)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(UPLOAD, {"text": html.unescape(text)})
    assert response.status_code == 302
    alex = User.objects.get(email="alex@example.org")
    assert (alex.role, alex.officer_profile.home_ward) == (Role.SERGEANT, ward)
    assert User.objects.get(email="bea@example.org").officer_profile.ephedra_trained_on is None
    assert AuditEvent.objects.filter(action="accounts.user.invited").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["alex@example.org", "bea@example.org"]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("Cy,Test,taken@example.org,5003LX,pc,{area},,", "already has an account"),
        ("Cy,Test,cy@example.org,7777LX,pc,{area},,", "already has this collar number"),
        ("Cy,Test,alex@example.org,5003LX,pc,{area},,", "used twice"),
        ("Cy,Test,cy@example.org,5001lx,pc,{area},,", "used twice"),
        ("Cy,Test,cy@example.org,5003LX,pc,{other},,", "areas you work in"),
        ("Cy,Test,cy@example.org,5003LX,pc,E09999999,,", "no area has the code"),
        ("Cy,Test,cy@example.org,5003LX,pc,{area},{other_ward},", "home ward"),
        ("Cy,Test,cy@example.org,5003LX,pc,{area},E05999999,", "no ward has the code"),
        ("Cy,Test,cy@example.org,5003LX,project_lead,{area},,", "may not give this role"),
        ("Cy,Test,cy@example.org,5003LX,chief,{area},,", "role must be one of"),
        ("Cy,Test,not-an-address,5003LX,pc,{area},,", "e-mail address"),
        ("Cy,Test,cy@example.org,5003LX,pc,{area},,2206-01-01", "Enter a date between"),
        ("Cy,Test,cy@example.org,5003LX,pc,{area},,14/02/2026", "year-month-day"),
        (",Test,cy@example.org,5003LX,pc,{area},,", "first name"),
    ],
)
def test_a_bad_row_is_reported_by_line_and_nothing_is_written(
    client, sergeant, area, other_area, ward, row, reason
):
    OfficerFactory(email="taken@example.org", areas=[area], profile__collar_number="7777LX")
    other_ward = WardFactory(area=other_area, code="E05000002")
    bad = row.format(area=area.code, other=other_area.code, other_ward=other_ward.code)
    client.force_login(sergeant)
    before = User.objects.count()
    response = upload(client, good_rows(area, ward) + bad + "\n")
    content = response.content.decode()
    assert response.status_code == 200
    errors = re.search(r"data-invite-errors>(.*?)</ul>", content, re.S).group(1)
    assert "Line 4:" in errors
    assert reason in errors
    assert "Line 2" not in errors
    assert "Line 3" not in errors
    assert User.objects.count() == before
    assert not AuditEvent.objects.filter(action="accounts.user.invited").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("naïve,é\n".encode("latin-1"), "not UTF-8"),
        (b"name,email\nA,a@example.org\n", "missing: first_name"),
        (HEADER.encode(), "no people in it"),
        (b"x" * (invite_csv.MAX_BYTES + 1), "smaller than"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_at_the_field(client, sergeant, data, message):
    client.force_login(sergeant)
    response = upload(client, data)
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_file-error"' in content
    assert message in content


def test_too_many_rows_are_refused(client, sergeant, area, settings):
    rows = "".join(
        f"A,B,p{n}@example.org,{n}X,pc,{area.code},,\n" for n in range(invite_csv.MAX_ROWS + 1)
    )
    client.force_login(sergeant)
    assert "at most" in upload(client, HEADER + rows).content.decode()


def test_a_tampered_confirmation_is_checked_again(client, sergeant, area, other_area):
    client.force_login(sergeant)
    text = HEADER + f"Cy,Test,cy@example.org,5003LX,pc,{other_area.code},,\n"
    response = client.post(UPLOAD, {"text": text})
    assert response.status_code == 302
    assert response.url == UPLOAD
    assert not User.objects.filter(email="cy@example.org").exists()


def test_the_shipped_examples_set_up_lewisham(client, admin_user):
    """Lewisham from docs/examples/lewisham-wards.csv, then its team from
    invite-officers.csv: a sergeant, a trained PC and a local PC of Brockley."""
    wards = EXAMPLE.with_name("lewisham-wards.csv").read_text()
    boroughs.create_borough(
        name="Lewisham",
        code="E09000023",
        wards=boroughs.check_ward_rows(wards),
        overtime_threshold_hours=48,
        separate_approver=True,
        coverers=[],
        by=admin_user,
    )
    client.force_login(admin_user)
    response = upload(client, EXAMPLE.read_bytes())
    assert "Invite 3 people" in response.content.decode()
    assert "Brockley" in response.content.decode()
    for address in re.findall(r"[\w.]+@[\w.]+", EXAMPLE.read_text()):
        assert address.endswith("@example.org")  # synthetic people only


def test_roles_without_the_right(client, pc, partner_a):
    client.force_login(pc)
    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"text": HEADER}).status_code == 403
    client.force_login(partner_a)
    assert client.get(UPLOAD).status_code == 404


def test_the_page_documents_the_columns(client, sergeant):
    client.force_login(sergeant)
    content = client.get(UPLOAD).content.decode()
    assert ",".join(invite_csv.COLUMNS) in content
