"""The partner caseload (the portal home) and its CSV export: deadlines with
red/amber/green in words, age, "new since your last visit", search and filters in SQL, a
re-authenticated and audited export, and the wall (another agency, police, police-only
fields) on both."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import REAUTHENTICATED_AT
from accounts.models import Notification
from governance.models import AuditEvent
from partners.models import ServiceType
from referrals import deadlines
from referrals.models import PortalVisit, ReferralStatus
from tests.factories import PersonFactory
from tests.referrals.test_portal_views import refer, walk_to

pytestmark = pytest.mark.django_db

HOME = "referrals:partner_home"
EXPORT = "referrals:partner_export"


def at_noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def arrival_for(rag: str, agency) -> dt.datetime:
    """An arrival whose "received" deadline is at this state today."""
    today = timezone.localdate()
    for back in range(0, 30):
        day = today - dt.timedelta(days=back)
        due = deadlines.due_on(agency, "receive", at_noon(day))
        if deadlines.rag_for(due, today) == rag and at_noon(day) <= timezone.now():
            return at_noon(day)
    raise AssertionError(rag)


@pytest.fixture
def three(agency_a, pc):
    """One referral at each state of its "received" deadline, each named for it."""
    return {
        rag: refer(
            agency_a,
            pc,
            person=PersonFactory(area=pc.areas.first(), working_name=f"Testname-{rag}"),
            made_at=arrival_for(rag, agency_a),
        )
        for rag in ("red", "amber", "green")
    }


def rows_of(response) -> list[str]:
    return [row.name for row in response.context["rows"]]


# --- Deadlines, age, new ------------------------------------------------------------------


def test_each_referral_shows_its_deadline_as_a_tag_with_words(client, partner_a, three):
    client.force_login(partner_a)

    body = client.get(reverse(HOME)).content.decode()

    assert 'data-rag="red">Mark as received: overdue<' in body
    assert 'data-rag="amber">Mark as received: due soon<' in body
    assert 'data-rag="green">Mark as received: on time<' in body
    assert "govuk-tag--red" in body
    assert "govuk-tag--yellow" in body
    assert 'data-overdue="1">1 referral overdue<' in body


def test_a_received_referral_is_measured_against_first_contact_and_a_working_one_not(
    client, partner_a, agency_a, pc
):
    old = at_noon(timezone.localdate() - dt.timedelta(days=21))
    received = walk_to(refer(agency_a, pc, made_at=old), ReferralStatus.RECEIVED, partner_a)
    contacted = walk_to(refer(agency_a, pc, made_at=old), ReferralStatus.CONTACTED, partner_a)
    client.force_login(partner_a)

    response = client.get(reverse(HOME))

    states = {row.referral: row.deadline for row in response.context["rows"]}
    assert states[received].deadline == "contact"
    assert states[received].rag == "red"
    assert states[contacted] is None
    assert "First contact: overdue" in response.content.decode()
    assert 'data-age="21">21 days ago' in response.content.decode()


def test_the_agency_sets_its_own_deadlines(client, partner_a, agency_a, pc):
    made = refer(agency_a, pc, made_at=timezone.now() - dt.timedelta(days=4))
    client.force_login(partner_a)
    assert client.get(reverse(HOME)).context["rows"][0].deadline.rag == "red"

    agency_a.receive_within_days, agency_a.contact_within_days = 10, 20
    agency_a.save()

    rows = client.get(reverse(HOME)).context["rows"]
    assert rows[0].referral == made
    assert rows[0].deadline.rag == "green"


def test_new_since_the_last_visit(client, partner_a, agency_a, pc):
    client.force_login(partner_a)
    old = refer(agency_a, pc, made_at=timezone.now() - dt.timedelta(days=3))
    first = client.get(reverse(HOME))
    assert first.context["since"] is None
    assert [row.is_new for row in first.context["rows"]] == [True]  # a first visit: all new

    PortalVisit.objects.filter(user=partner_a).update(
        last_at=timezone.now() - dt.timedelta(hours=2)
    )
    new = refer(agency_a, pc)
    for _ in range(2):  # reloading within the same visit keeps the marks
        response = client.get(reverse(HOME))
        marks = {row.referral: row.is_new for row in response.context["rows"]}
        assert marks == {new: True, old: False}
        assert response.content.decode().count("data-new>New<") == 1

    only_new = client.get(reverse(HOME), {"new": "on"})
    assert [row.referral for row in only_new.context["rows"]] == [new]


def test_visits_are_per_user(client, partner_a, agency_a, pc):
    colleague = type(partner_a).objects.create(
        username="colleague-test", role="partner", agency=agency_a
    )
    client.force_login(partner_a)
    client.get(reverse(HOME))
    assert not PortalVisit.objects.filter(user=colleague).exists()
    assert PortalVisit.objects.get(user=partner_a).previous_at is None


# --- Search and filters --------------------------------------------------------------------


@pytest.fixture
def mixed(agency_a, agency_b, pc, partner_a):
    area = pc.areas.first()
    tia = refer(agency_a, pc, person=PersonFactory(area=area, working_name="Tia-test"))
    tall = PersonFactory(area=area, working_name="Kay-test", description="Tall, red coat")
    coat = refer(agency_a, pc, person=tall, service=ServiceType.EXIT_SUPPORT)
    hidden = PersonFactory(area=area, working_name="Zed-test", police_notes="Secretword-police")
    walk_to(refer(agency_a, pc, person=hidden), ReferralStatus.RECEIVED, partner_a)
    refer(agency_b, pc, person=PersonFactory(area=area, working_name="Tia-other-agency"))
    return {"tia": tia, "coat": coat}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "tia"}, ["Tia-test"]),  # working name, any case; never another agency's
        ({"q": "red coat"}, ["Kay-test"]),  # description
        ({"q": "received"}, ["Zed-test"]),  # status by its name
        ({"q": "Secretword"}, []),  # police notes are not searched
        ({"status": "received"}, ["Zed-test"]),
        ({"q": "test", "status": "made"}, ["Kay-test", "Tia-test"]),
        ({"service": "housing"}, []),
    ],
)
def test_search_and_filters(client, partner_a, mixed, query, expected):
    client.force_login(partner_a)

    response = client.get(reverse(HOME), query)

    assert sorted(rows_of(response)) == expected
    assert "Tia-other-agency" not in response.content.decode()


def test_search_by_service_name(client, partner_a, agency_a, pc):
    agency_a.services.create(service=ServiceType.HOUSING)
    housing = refer(agency_a, pc, service=ServiceType.HOUSING)
    refer(agency_a, pc)
    client.force_login(partner_a)

    response = client.get(reverse(HOME), {"q": "homeless"})

    assert [row.referral for row in response.context["rows"]] == [housing]


@pytest.mark.parametrize("rag", ["red", "amber", "green"])
def test_filter_by_deadline_state(client, partner_a, three, rag):
    client.force_login(partner_a)

    response = client.get(reverse(HOME), {"deadline": rag})

    assert rows_of(response) == [f"Testname-{rag}"]


@pytest.mark.parametrize(
    "query",
    [
        {"status": "arrested"},
        {"service": "<script>"},
        {"deadline": "purple"},
        {"q": "x" * 500},
        {"q": "nul\x00byte"},
        {"q": "%_'\"\\"},
        {"new": "maybe"},
        {"page": "abc"},
        {"page": "-1"},
        {"status": ["made", "received"]},
    ],
)
def test_bad_input_never_fails(client, partner_a, three, query):
    client.force_login(partner_a)
    assert client.get(reverse(HOME), query).status_code == 200
    export = client.get(reverse(EXPORT), query)
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize("count", [5, 50])
def test_a_searched_and_filtered_page_runs_constant_queries(
    client, partner_a, agency_a, pc, count, django_assert_num_queries
):
    for _ in range(count):
        refer(agency_a, pc, made_at=timezone.now() - dt.timedelta(days=10))
    client.force_login(partner_a)
    client.get(reverse(HOME))  # django-guardian caches content types
    # The plain page's 14 (tests/referrals/test_portal_views.py) and the filtered count.
    with django_assert_num_queries(15):
        response = client.get(reverse(HOME), {"q": "test", "deadline": "red", "new": "on"})
    assert len(response.context["rows"]) == min(count, 50)


# --- The header's notification count -------------------------------------------------------


def test_the_header_counts_unread_notifications(client, partner_a, agency_a, pc):
    refer(agency_a, pc)
    refer(agency_a, pc)  # each tells the agency's users
    client.force_login(partner_a)

    body = client.get(reverse(HOME)).content.decode()
    assert 'data-unread="2">2<span class="govuk-visually-hidden"> unread</span>' in body

    Notification.objects.update(read_at=timezone.now())
    assert "data-unread" not in client.get(reverse(HOME)).content.decode()


# --- The export ------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_export_lists_the_agency_referrals_and_audits_each(
    client, partner_a, agency_a, agency_b, pc
):
    area = pc.areas.first()
    risky = PersonFactory(
        area=area, working_name="=HYPERLINK(1)", police_notes="CANARY-POLICE-NOTE-CSV"
    )
    mine = [refer(agency_a, pc, person=risky), refer(agency_a, pc)]
    theirs = refer(agency_b, pc, person=PersonFactory(area=area, working_name="Other-agency-x"))
    client.force_login(partner_a)

    response = client.get(reverse(EXPORT))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="referrals-')
    header, *rows = csv_rows(response)
    assert header[:4] == ["Reference", "Reached the agency", "Age in days", "Name"]
    assert sorted(row[0] for row in rows) == sorted(str(r.uuid) for r in mine)
    assert "'=HYPERLINK(1)" in [row[3] for row in rows]  # never run as a formula
    text = response.content.decode()
    assert str(theirs.uuid) not in text
    assert "Other-agency-x" not in text
    assert "CANARY-POLICE-NOTE-CSV" not in text
    assert pc.get_username() not in text
    exported = AuditEvent.objects.filter(action="referrals.referral.exported")
    assert sorted(exported.values_list("object_id", flat=True)) == sorted(str(r.uuid) for r in mine)
    assert set(exported.values_list("actor", flat=True)) == {partner_a.pk}


def test_the_export_follows_the_search(client, partner_a, mixed):
    client.force_login(partner_a)

    rows = csv_rows(client.get(reverse(EXPORT), {"q": "tia"}))[1:]

    assert [row[3] for row in rows] == ["Tia-test"]


def test_the_export_asks_for_the_password_again_when_it_is_old(client, partner_a, agency_a, pc):
    refer(agency_a, pc)
    client.force_login(partner_a)
    session = client.session
    session[REAUTHENTICATED_AT] = 0  # long ago
    session.save()

    response = client.get(reverse(EXPORT))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:confirm_identity"))
    assert not AuditEvent.objects.filter(action="referrals.referral.exported").exists()


def test_another_agency_exports_only_its_own(client, partner_b, agency_a, pc):
    refer(agency_a, pc)
    client.force_login(partner_b)

    response = client.get(reverse(EXPORT))

    assert csv_rows(response)[1:] == []
    assert not AuditEvent.objects.filter(action="referrals.referral.exported").exists()


@pytest.mark.parametrize("role", ["pc", "sergeant", "project_lead", "admin_user"])
def test_police_and_administrators_get_403(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(EXPORT)).status_code == 403
    assert client.get(reverse(HOME)).status_code in (403, 302)


def test_the_export_answers_405_to_post(client, partner_a):
    client.force_login(partner_a)
    assert client.post(reverse(EXPORT)).status_code == 405


@pytest.mark.parametrize("count", [5, 50])
def test_the_export_runs_constant_queries(
    client, partner_a, agency_a, pc, count, django_assert_num_queries
):
    for _ in range(count):
        refer(agency_a, pc)
    client.force_login(partner_a)
    client.get(reverse(EXPORT))
    # 1 savepoint, 2 session, 3 user, 4 the previous visit, 5 the referrals with their
    # people and cautions, 6 the "exported" rows (one INSERT), 7 the agency (deadlines),
    # 8 release.
    with django_assert_num_queries(8):
        response = client.get(reverse(EXPORT))
    assert len(csv_rows(response)) == count + 1


# --- Pages ---------------------------------------------------------------------------------


def test_pages_hold_the_whole_caseload_newest_first(client, partner_a, agency_a, pc):
    """The unfiltered caseload's page count is the counts' total; a filtered one counts
    what matches. Page 2 goes on where page 1 stopped (keys first, then rows)."""
    made = [refer(agency_a, pc, made_at=timezone.now() - dt.timedelta(hours=n)) for n in range(51)]
    walk_to(made[50], ReferralStatus.RECEIVED, partner_a)  # the oldest
    client.force_login(partner_a)

    first = client.get(reverse(HOME))
    second = client.get(reverse(HOME), {"page": 2})
    received = client.get(reverse(HOME), {"status": ReferralStatus.RECEIVED})

    assert "Page 1 of 2" in first.content.decode()
    shown = [row.referral.pk for page in (first, second) for row in page.context["rows"]]
    assert shown == [referral.pk for referral in made]
    assert received.context["page_obj"].paginator.num_pages == 1
    assert [row.referral.pk for row in received.context["rows"]] == [made[50].pk]
