"""Add a borough in one flow (issue 20, item 1): the system administrator's form, the
preview that saves nothing, and the confirmation that creates the area, its wards and its
coverage in one transaction, audited. Nothing is written on any error."""

from pathlib import Path

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import boroughs
from accounts.models import Area, Role, Ward
from governance.models import AuditEvent
from tests.factories import OfficerFactory, UserFactory, WardFactory

pytestmark = pytest.mark.django_db

NEW = reverse("accounts:borough_new")
CREATE = reverse("accounts:borough_create")
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "lewisham-wards.csv"
WARDS = "E05013720,Bellingham\nE05013721,Blackheath\nE05013722,Brockley"


def details(**changes) -> dict:
    data = {
        "name": "Lewisham",
        "code": "E09000023",
        "wards_text": WARDS,
        "overtime_threshold_hours": "40",
        "separate_approver": "on",
        "coverers": [],
    }
    return {**data, **changes}


def counts() -> tuple[int, int]:
    return Area.objects.count(), Ward.objects.count()


def preview(client, **changes):
    response = client.post(NEW, details(**changes))
    assert response.status_code == 200
    assert "pending" in response.context, response.context["form"].errors
    return response


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return admin_user


# --- Who may ---------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(NEW)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("partner_a", 404),
        ("pc", 403),
        ("sergeant", 403),
        ("project_lead", 403),
        ("admin_user", 200),
    ],
)
def test_only_the_system_administrator_may_add_a_borough(client, request, role, status):
    client.force_login(request.getfixturevalue(role))
    before = counts()
    assert client.get(NEW).status_code == status
    assert client.post(NEW, details()).status_code == status
    assert counts() == before


def test_the_administrators_menu_has_the_page_and_a_leads_does_not(client, admin, project_lead):
    assert NEW in client.get(reverse("home")).content.decode()
    client.force_login(project_lead)
    assert NEW not in client.get(reverse("home")).content.decode()


# --- The form --------------------------------------------------------------------------


def test_every_active_project_lead_is_ticked_and_no_sergeant(client, admin, project_lead):
    sergeant = OfficerFactory(role=Role.SERGEANT)
    gone = OfficerFactory(role=Role.PROJECT_LEAD, is_active=False)
    form = client.get(NEW).context["form"]
    assert form["coverers"].value() == [project_lead.pk]
    choices = {choice.pk for choice in form.fields["coverers"].queryset}
    assert {project_lead.pk, sergeant.pk} <= choices
    assert gone.pk not in choices


def test_the_page_says_where_referral_deadlines_are_set(client, admin):
    assert "each partner agency sets its own" in client.get(NEW).content.decode()


def test_bad_ward_lines_are_shown_with_their_numbers_and_nothing_is_written(client, admin, area):
    WardFactory(area=area, code="E05099999", name="Taken")
    before = counts()
    text = "E05013720,Bellingham\nE0501372,Blackheath\nE05013722,\nE05099999,Brockley"
    response = client.post(NEW, details(wards_text=text))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#id_wards_text"' in html  # in the error summary, linked to the field
    assert "govuk-form-group--error" in html
    errors = response.context["form"].errors["wards_text"]
    assert errors == [
        'Line 2: the ward code is "E0501372": it must be E05 and 6 digits, like E05013720',
        "Line 3: the ward name is blank",
        "Line 4: the code E05099999 is already used by a ward of Lambeth",
    ]
    assert "pending" not in response.context
    assert counts() == before


def test_an_existing_area_code_is_refused_at_the_field(client, admin, area):
    response = client.post(NEW, details(code=area.code))
    assert response.context["form"].errors["code"] == [
        f"An area with the code {area.code} already exists"
    ]
    assert 'id="id_code-error"' in response.content.decode()


def test_a_malformed_area_code_and_a_taken_name_are_refused(client, admin, area):
    errors = client.post(NEW, details(code="E0900002", name="lambeth")).context["form"].errors
    assert errors["code"] == [
        "Enter the ONS local authority code: a letter and 8 digits, like E09000023"
    ]
    assert errors["name"] == ["An area called lambeth already exists"]


def upload(content: bytes, name="wards.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_an_uploaded_file_is_read_and_its_lines_copied_into_the_box(client, admin):
    response = preview(client, wards_text="", wards_file=upload(EXAMPLE.read_bytes()))
    assert len(response.context["data"]["wards"]) == 19
    assert "Telegraph Hill" in response.content.decode()


def test_a_file_with_bad_lines_reports_them_at_the_file_field(client, admin):
    response = client.post(NEW, details(wards_file=upload(b"code,name\nE05013720,\n")))
    form = response.context["form"]
    assert form.errors["wards_file"] == ["Line 2: the ward name is blank"]
    assert "E05013720," in form["wards_text"].value()  # there to correct


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "E05013720,Bellingh\xe4m".encode("latin-1")],
    ids=["binary", "latin-1"],
)
def test_a_binary_or_non_utf8_file_is_refused_with_a_message(client, admin, content):
    before = counts()
    response = client.post(NEW, details(wards_text="", wards_file=upload(content)))
    assert response.status_code == 200
    assert response.context["form"].errors["wards_file"] == [
        "The selected file must be a CSV file saved as text (UTF-8), "
        "with a ward code and name on each line"
    ]
    assert counts() == before


def test_too_large_a_file_is_refused(client, admin):
    big = b"E05013720,Bellingham\n" + b"x" * boroughs.MAX_WARD_TEXT_BYTES
    errors = client.post(NEW, details(wards_file=upload(big))).context["form"].errors
    assert errors["wards_file"] == ["The selected file must be smaller than 100 KB"]


# --- Preview and confirmation ----------------------------------------------------------


def test_the_preview_shows_what_will_be_created_and_saves_nothing(client, admin, project_lead):
    before, audited = counts(), AuditEvent.objects.count()
    response = preview(client, coverers=[project_lead.pk])
    html = response.content.decode()
    assert "Check before you create Lewisham" in html
    assert all(name in html for name in ("Bellingham", "Blackheath", "Brockley"))
    assert project_lead.get_full_name() in html
    assert "No LSOA geography ships for E09000023" in html
    assert counts() == before
    assert AuditEvent.objects.exclude(action__startswith="access.").count() == audited


def test_a_borough_with_shipped_geography_says_how_many_lsoas(client, admin):
    response = preview(client, name="Lambeth", code="E09000022")
    assert "LSOA geography: 181 LSOAs shipped with Ephedra." in response.content.decode()


def test_confirming_creates_the_area_wards_coverage_and_audit_rows(client, admin, project_lead):
    sergeant = OfficerFactory(role=Role.SERGEANT)
    response = preview(client, coverers=[project_lead.pk, sergeant.pk], separate_approver="")

    response = client.post(CREATE, {"pending": response.context["pending"]})

    area = Area.objects.get(code="E09000023")
    assert response.status_code == 302
    assert response.url == reverse("accounts:borough", args=[area.code])
    assert (area.name, area.overtime_threshold_hours, area.separate_approver) == (
        "Lewisham",
        40,
        False,
    )
    assert sorted(area.wards.values_list("code", "name")) == [
        ("E05013720", "Bellingham"),
        ("E05013721", "Blackheath"),
        ("E05013722", "Brockley"),
    ]
    assert set(area.users.all()) == {project_lead, sergeant}
    assert project_lead.areas.count() == 2  # the area they had, and Lewisham
    created = AuditEvent.objects.get(action="accounts.area.created")
    assert (created.object_id, created.actor) == (str(area.pk), admin)
    assert created.detail.startswith("3 wards")
    added = AuditEvent.objects.filter(action="accounts.user.area_added")
    assert {row.object_id for row in added} == {str(project_lead.uuid), str(sergeant.uuid)}


def test_the_new_boroughs_page_shows_the_banner_wards_and_next_steps(client, admin):
    response = client.post(CREATE, {"pending": preview(client).context["pending"]}, follow=True)
    html = response.content.decode()
    assert "Lewisham added, with 3 wards." in html
    assert "Brockley" in html
    assert reverse("accounts:invite") in html
    assert "No LSOA geography ships for E09000023" in html


def test_tampered_pending_details_are_refused_and_nothing_is_written(client, admin):
    pending = preview(client).context["pending"]
    payload = signing.loads(pending, salt=f"accounts.borough:{admin.pk}")
    forged = signing.dumps({**payload, "name": "Forged"}, salt="accounts.borough:0")
    before = counts()
    for value in (pending[:-2] + "xx", forged, ""):
        response = client.post(CREATE, {"pending": value})
        assert response.status_code == 400
        assert "could not be read" in response.content.decode()
    assert counts() == before


def test_another_administrators_preview_cannot_be_confirmed(client, admin):
    pending = preview(client).context["pending"]
    client.force_login(UserFactory(role=Role.ADMIN, areas=[]))
    assert client.post(CREATE, {"pending": pending}).status_code == 400
    assert not Area.objects.filter(code="E09000023").exists()


def test_confirming_checks_again_what_changed_meanwhile(client, admin, area):
    pending = preview(client).context["pending"]
    WardFactory(area=area, code="E05013721", name="Meanwhile")
    before = counts()
    response = client.post(CREATE, {"pending": pending})
    assert response.status_code == 200
    assert response.context["form"].errors["wards_text"] == [
        "Line 2: the code E05013721 is already used by a ward of Lambeth"
    ]
    assert counts() == before


def test_change_returns_to_the_form_filled_in(client, admin, project_lead):
    pending = preview(client, coverers=[], separate_approver="").context["pending"]
    form = client.post(NEW, {"pending": pending, "change": "1"}).context["form"]
    assert not form.is_bound
    assert form["name"].value() == "Lewisham"
    assert "E05013722,Brockley" in form["wards_text"].value()
    assert form["coverers"].value() == []  # as chosen, not the default
    assert form["separate_approver"].value() is False


def test_the_create_address_answers_get_with_405(client, admin):
    assert client.get(CREATE).status_code == 405


def test_the_form_runs_as_many_queries_for_50_sergeants_as_for_5(client, admin, area):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(NEW).status_code == 200
        return len(captured)

    OfficerFactory.create_batch(5, role=Role.SERGEANT, areas=[area])
    few = queries()
    OfficerFactory.create_batch(45, role=Role.SERGEANT, areas=[area])
    assert queries() == few
