"""The audit log pages: who may read them, search, rows in words, CSV export, constant
queries; and nobody can change or delete a row through the application."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance import audit
from governance.models import AuditEvent, object_key
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

LOG = reverse("governance:audit_log")
EXPORT = reverse("governance:audit_export")


def log_rows(n, user, obj):
    for _ in range(n):
        audit.record("referrals.person.viewed", obj, user=user)


def test_the_lead_reads_each_row_in_words(client, project_lead, pc, area):
    person = PersonFactory(area=area, created_by=pc, working_name="Hidden Name")
    person.description = "changed"
    person.age_band = "18_24"
    person.save()
    audit.record("referrals.person.viewed", person, user=pc)
    client.force_login(project_lead)

    response = client.get(LOG)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Viewed a person" in content
    assert "Changed a person" in content
    assert "Created an officer profile" in content
    assert "Description: •••" in content
    assert "Age band: unknown → 18_24" in content
    assert f'href="{reverse("referrals:person", args=[person.uuid])}"' in content
    assert "Hidden Name" not in content
    assert pc.username in content


def test_no_link_to_a_record_the_reader_may_not_open(client, admin_user, pc, area):
    person = PersonFactory(area=area, created_by=pc)
    client.force_login(admin_user)

    content = client.get(LOG).content.decode()

    assert str(person.uuid) in content
    assert reverse("referrals:person", args=[person.uuid]) not in content


def test_search_by_user_object_action_and_dates(client, project_lead, pc, sergeant, area):
    person, other = PersonFactory(area=area, created_by=pc), PersonFactory(area=area, created_by=pc)
    audit.record("referrals.person.viewed", person, user=pc)
    audit.record("referrals.person.viewed", other, user=sergeant)
    client.force_login(project_lead)
    today = timezone.localdate()

    def found(**query):
        rows = client.get(LOG, query).context["rows"]
        return {(r.event.actor_username, r.event.action, r.event.object_id) for r in rows}

    assert found(user=pc.username.upper(), action="viewed") == {
        (pc.username, "referrals.person.viewed", str(person.uuid))
    }
    assert found(object_type="referrals.person", object_id=str(other.uuid), action="viewed") == {
        (sergeant.username, "referrals.person.viewed", str(other.uuid))
    }
    assert found(date_from=today + dt.timedelta(days=1)) == set()
    assert len(found(date_from=today, date_to=today, action="viewed")) == 2


def test_a_user_search_finds_failed_sign_ins_to_their_account(client, project_lead, pc):
    client.post(reverse("login"), {"username": pc.username, "password": "wrong"})
    client.force_login(project_lead)

    rows = client.get(LOG, {"user": pc.username, "action": "sign_in_failed"}).context["rows"]

    assert [r.who for r in rows] == ["Someone not signed in"]
    assert rows[0].what == "Failed sign-in"


def test_a_bad_search_is_shown_next_to_its_field_and_kept(client, project_lead):
    client.force_login(project_lead)

    response = client.get(
        LOG, {"object_id": "not a reference", "date_from": "2026-05-02", "date_to": "2026-05-01"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in content
    assert "Enter the reference as it appears" in content
    assert "The end date must be the same as or after the start date." in content
    assert 'value="not a reference"' in content
    assert response.context["rows"] == []


@pytest.mark.parametrize("role", ["project_lead", "admin_user"])
def test_the_page_costs_the_same_for_5_and_50_rows(client, request, pc, area, role):
    reader = request.getfixturevalue(role)
    person = PersonFactory(area=area, created_by=pc)
    client.force_login(reader)

    def queries(n):
        AuditEvent.objects.all()  # rows only ever grow: count what is there
        log_rows(n, pc, person)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LOG, {"action": "viewed"}).status_code == 200
        return len(captured)

    small = queries(5)
    large = queries(45)
    assert small == large
    assert large <= 12  # session, user, OTP, count, page, people linked, referrals linked...


def test_the_page_is_paginated(client, project_lead, pc, area):
    log_rows(55, pc, PersonFactory(area=area, created_by=pc))
    client.force_login(project_lead)

    first = client.get(LOG, {"action": "viewed"})
    second = client.get(LOG, {"action": "viewed", "page": 2})

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 5
    assert "action=viewed&amp;page=2" in first.content.decode()


def test_the_export_is_the_search_as_csv_and_is_itself_logged(client, project_lead, pc, area):
    person = PersonFactory(area=area, created_by=pc)
    log_rows(3, pc, person)
    formula = "=HYPERLINK(1)"
    audit.record("referrals.referral.shared", None, user=pc, detail=formula, object_type="x.y")
    hidden = "  =HYPERLINK(2)"  # blanks before the formula: still a formula in Excel
    audit.record("referrals.referral.shared", None, user=pc, detail=hidden, object_type="x.y")
    client.force_login(project_lead)

    response = client.get(EXPORT, {"user": pc.username})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    # what the user did, and what happened to their account (created by the system here)
    assert {line["user"] for line in lines} == {pc.username, "The system"}
    assert {line["record"] for line in lines if line["user"] == "The system"} == {str(pc.uuid)}
    assert sum(line["action"] == "referrals.person.viewed" for line in lines) == 3
    details = {line["detail"] for line in lines}
    assert {"'=HYPERLINK(1)", "'  =HYPERLINK(2)"} <= details  # never a formula
    exported = AuditEvent.objects.get(action="governance.auditevent.exported")
    assert exported.actor == project_lead
    assert exported.ip_address == "127.0.0.1"
    assert pc.username in exported.detail


def test_the_export_row_never_writes_what_was_typed_as_a_user(client, project_lead):
    client.force_login(project_lead)

    client.get(EXPORT, {"user": "Typed Personname"})

    exported = AuditEvent.objects.get(action="governance.auditevent.exported")
    assert "Personname" not in exported.detail
    assert "user=(no such account)" in exported.detail


def test_an_export_with_a_bad_search_is_refused_with_the_errors(client, project_lead):
    client.force_login(project_lead)

    response = client.get(EXPORT, {"date_from": "yesterday"})

    assert response.status_code == 400
    assert "Enter a valid date" in response.content.decode()
    assert not AuditEvent.objects.filter(action="governance.auditevent.exported").exists()


@pytest.mark.parametrize("url", [LOG, EXPORT])
def test_the_pages_take_no_writes(client, project_lead, url):
    client.force_login(project_lead)
    assert client.post(url).status_code == 405


def test_the_menu_offers_the_log_to_those_who_may_read_it(client, project_lead, sergeant):
    client.force_login(project_lead)
    assert LOG in client.get(reverse("home")).content.decode()
    client.force_login(sergeant)
    assert LOG not in client.get(reverse("home")).content.decode()


# --- The admin: read-only --------------------------------------------------------------


@pytest.fixture
def event(pc):
    return audit.record("accounts.user.signed_in", pc, user=pc)


def test_the_admin_lists_and_shows_rows_read_only(client, admin_user, event):
    client.force_login(admin_user)

    listing = client.get(reverse("admin:governance_auditevent_changelist"))
    page = client.get(reverse("admin:governance_auditevent_change", args=[event.pk]))

    assert listing.status_code == 200
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert "delete_selected" not in listing.content.decode()


@pytest.mark.parametrize(
    ("name", "method"),
    [("add", "get"), ("add", "post"), ("change", "post"), ("delete", "get"), ("delete", "post")],
)
def test_nobody_adds_changes_or_deletes_a_row_in_the_admin(client, admin_user, event, name, method):
    client.force_login(admin_user)
    args = [] if name == "add" else [event.pk]
    url = reverse(f"admin:governance_auditevent_{name}", args=args)

    response = getattr(client, method)(url, {"detail": "rewritten", "post": "yes"})

    assert response.status_code in {403, 302}
    assert AuditEvent.objects.get(pk=event.pk).detail == ""
    assert not AuditEvent.objects.filter(detail="rewritten").exists()


def test_police_without_the_right_do_not_see_the_log_in_the_admin(client, sergeant, event):
    client.force_login(sergeant)

    assert client.get(reverse("admin:governance_auditevent_changelist")).status_code == 403
    assert "governance" not in client.get(reverse("admin:index")).content.decode()


def test_a_bulk_delete_through_the_admin_action_is_refused(client, admin_user, event):
    client.force_login(admin_user)
    url = reverse("admin:governance_auditevent_changelist")

    client.post(url, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})

    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert object_key(event.actor) == event.object_id
