"""Police referral pages: the list, a referral (withdraw, move), making a referral, a
person's timeline and the notifications page."""

import datetime as dt
import uuid

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from partners.models import ServiceType
from patrols.models import Arrest, ConditionalCaution, Encounter, Offence
from referrals import services
from referrals.models import (
    Referral,
    ReferralMove,
    ReferralStatus,
)
from tests.factories import (
    AgencyFactory,
    HotspotFactory,
    PatrolFactory,
    PersonFactory,
    WardFactory,
)

pytestmark = pytest.mark.django_db


def fresh(user) -> User:
    """A new instance: django-guardian caches permission checks on the user object."""
    return User.objects.get(pk=user.pk)


def refer(person, agency, by, **fields) -> Referral:
    now = timezone.now()
    return services.make_referral(
        person=person,
        agency=agency,
        service=fields.pop("service", ServiceType.EXIT_SUPPORT),
        referred_by=by,
        made_at=fields.pop("made_at", now),
        consent_method="verbal",
        consent_given_at=now - dt.timedelta(minutes=5),
        consent_recorded_by=by,
        **fields,
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def ward(area):
    return WardFactory(area=area, name="Brixton North")


@pytest.fixture
def patrol(ward):
    return PatrolFactory(ward=ward)


@pytest.fixture
def person(area, pc):
    return PersonFactory(
        area=area, working_name="Testname Jay", police_notes="Police-only note (synthetic).",
        created_by=pc,
    )  # fmt: skip


@pytest.fixture
def referral(person, agency_a, pc, patrol):
    return refer(person, agency_a, pc, patrol=patrol)


@pytest.fixture
def elsewhere(other_area, pc, agency_a):
    """A person and her referral in an area the cast does not work in."""
    outsider = PersonFactory(area=other_area, created_by=pc)
    return outsider, refer(outsider, agency_a, pc)


@pytest.fixture
def caution_referral(patrol, pc):
    provider = AgencyFactory(services=[ServiceType.DIVERSION_COURSE])
    arrest = Arrest.objects.create(
        patrol=patrol,
        arrested_at=timezone.now(),
        offence=Offence.KERB_CRAWLING,
        suspect_description="Custody record 01 (synthetic)",
        arresting_officer=pc,
    )
    today = timezone.localdate()
    caution = ConditionalCaution.objects.create(
        arrest=arrest,
        given_on=today,
        provider=provider,
        deadline=today + dt.timedelta(days=60),
        booking_name="Synthetic Name",
        booking_contact="000 0000 0000",
    )
    return services.make_referral(
        person=None,
        agency=provider,
        service=ServiceType.DIVERSION_COURSE,
        referred_by=pc,
        made_at=timezone.now(),
        patrol=patrol,
        caution=caution,
    )


def police_urls(referral, person) -> dict[str, tuple[str, str]]:
    """Every police page with the method it answers (GET or POST)."""
    return {
        "list": ("get", reverse("referrals:list")),
        "create": ("get", f"{reverse('referrals:create')}?person={person.uuid}"),
        "detail": ("get", reverse("referrals:detail", args=[referral.uuid])),
        "withdraw": ("post", reverse("referrals:withdraw", args=[referral.uuid])),
        "move": ("get", reverse("referrals:move", args=[referral.uuid])),
        "person": ("get", reverse("referrals:person", args=[person.uuid])),
        "duplicates": ("get", reverse("referrals:duplicates")),
    }


# --- Who may see what ------------------------------------------------------------------


@pytest.mark.parametrize(
    "page", ["list", "create", "detail", "withdraw", "move", "person", "duplicates"]
)
def test_partner_users_get_404_on_every_police_page(client, referral, person, partner_a, page):
    """Even the partner whose agency holds the referral: the police pages do not exist."""
    method, url = police_urls(referral, person)[page]
    client.force_login(partner_a)
    assert getattr(client, method)(url).status_code == 404
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.MADE


@pytest.mark.parametrize("page", ["list", "create", "detail", "person"])
@pytest.mark.parametrize("role", ["pc", "sergeant", "project_lead"])
def test_every_police_role_reads_the_pages(client, request, referral, person, page, role):
    method, url = police_urls(referral, person)[page]
    client.force_login(request.getfixturevalue(role))
    assert getattr(client, method)(url).status_code == 200


@pytest.mark.parametrize("page", ["move", "duplicates"])
def test_a_pc_may_not_move_referrals_or_decide_duplicates(client, referral, person, pc, page):
    method, url = police_urls(referral, person)[page]
    client.force_login(pc)
    assert getattr(client, method)(url).status_code == 403


def test_a_pc_cannot_post_a_move(client, referral, pc, agency_b):
    client.force_login(pc)
    response = client.post(
        reverse("referrals:move", args=[referral.uuid]), {"agency": agency_b.pk, "reason": "x"}
    )
    assert response.status_code == 403
    assert not ReferralMove.objects.exists()


@pytest.mark.parametrize("page", ["list", "create", "detail", "person", "duplicates"])
def test_administrators_are_not_police(client, referral, person, admin_user, page):
    method, url = police_urls(referral, person)[page]
    client.force_login(admin_user)
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize("page", ["list", "detail", "withdraw", "person", "duplicates"])
def test_anonymous_is_sent_to_sign_in(client, referral, person, page):
    method, url = police_urls(referral, person)[page]
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_another_areas_referral_and_person_are_404(client, sergeant, elsewhere, agency_b):
    outsider, their_referral = elsewhere
    client.force_login(sergeant)
    for name in ["referrals:detail", "referrals:move"]:
        assert client.get(reverse(name, args=[their_referral.uuid])).status_code == 404, name
    assert client.get(reverse("referrals:person", args=[outsider.uuid])).status_code == 404
    create = f"{reverse('referrals:create')}?person={outsider.uuid}"
    assert client.get(create).status_code == 404
    posts = {
        reverse("referrals:withdraw", args=[their_referral.uuid]): {},
        reverse("referrals:move", args=[their_referral.uuid]): {
            "agency": agency_b.pk,
            "reason": "Trying",
        },
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    their_referral.refresh_from_db()
    assert (their_referral.status, their_referral.agency_id) == (
        ReferralStatus.MADE,
        elsewhere[1].agency_id,
    )


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("referrals:list", "post"),
        ("referrals:detail", "post"),
        ("referrals:withdraw", "get"),
        ("referrals:person", "post"),
        ("referrals:duplicates", "post"),
        ("referrals:notifications", "delete"),
    ],
)
def test_wrong_methods_get_405(client, sergeant, referral, person, name, method):
    args = {
        "referrals:detail": [referral.uuid],
        "referrals:withdraw": [referral.uuid],
        "referrals:person": [person.uuid],
    }.get(name, [])
    client.force_login(sergeant)
    assert getattr(client, method)(reverse(name, args=args)).status_code == 405


# --- The list --------------------------------------------------------------------------


def test_the_list_shows_referrals_in_the_users_areas(
    client, pc, referral, caution_referral, elsewhere
):
    client.force_login(pc)
    response = client.get(reverse("referrals:list"))
    page = response.content.decode()
    assert list(response.context["page_obj"]) == [caution_referral, referral]
    assert "Testname Jay" in page
    assert "Diversion course" in page
    assert elsewhere[0].working_name not in page
    assert "<title>Referrals – Ephedra</title>" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "withdrawn"}, ["withdrawn"]),
        ({"service": ServiceType.HOUSING}, ["housing"]),
        ({"agency": "B"}, ["housing"]),
        ({"status": "made", "service": ServiceType.EXIT_SUPPORT}, ["made"]),
    ],
)
def test_the_list_filters(client, pc, person, agency_a, query, expected):
    agency_b = AgencyFactory(services=[ServiceType.HOUSING])
    made = refer(person, agency_a, pc)
    withdrawn = refer(person, agency_a, pc)
    services.change_status(withdrawn, ReferralStatus.WITHDRAWN, pc)
    housing = refer(person, agency_b, pc, service=ServiceType.HOUSING)
    named = {"made": made, "withdrawn": withdrawn, "housing": housing}
    if query.get("agency") == "B":
        query = {"agency": agency_b.pk}
    client.force_login(pc)
    response = client.get(reverse("referrals:list"), query)
    assert set(response.context["page_obj"]) == {named[key] for key in expected}


def test_a_bad_filter_is_not_a_500(client, pc, referral):
    client.force_login(pc)
    response = client.get(reverse("referrals:list"), {"status": "lost", "agency": "999"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("count", [5, 50])
def test_the_list_runs_constant_queries(
    client, pc, area, agency_a, count, django_assert_num_queries
):
    for _ in range(count):
        refer(PersonFactory(area=area, created_by=pc), agency_a, pc)
    client.force_login(pc)
    # 1 session, 2 user, 3 savepoint (ATOMIC_REQUESTS), 4 count, 5 the page of referrals
    # with people and agencies, 6 the audit log's "viewed" rows (one INSERT), 7 the agencies
    # for the filter, 8 release savepoint.
    # ... and the header's count of unread notifications (every signed-in page).
    with django_assert_num_queries(9):
        response = client.get(reverse("referrals:list"))
    assert len(response.context["page_obj"]) == count


# --- A referral ------------------------------------------------------------------------


def test_the_referral_page_shows_everything(client, sergeant, pc, referral, partner_a, agency_b):
    services.change_status(referral, ReferralStatus.RECEIVED, partner_a, note="Got it")
    services.add_note(referral, partner_a, "Tried to call (synthetic).")
    services.move_referral(referral, agency_b, sergeant, "Agency A has no capacity")
    client.force_login(pc)
    page = client.get(reverse("referrals:detail", args=[referral.uuid])).content.decode()
    assert "<title>Referral – Ephedra</title>" in page
    assert "Verbal, recorded by the officer" in page
    assert str(pc) in page
    assert "Got it" in page
    assert "Tried to call (synthetic)." in page
    assert "Agency A (test) → Agency B (test)" in page
    assert "Agency A has no capacity" in page
    assert reverse("referrals:person", args=[referral.person.uuid]) in page
    assert reverse("patrols:detail", args=[referral.patrol.uuid]) in page
    assert "Withdraw the referral" in page
    assert reverse("referrals:move", args=[referral.uuid]) not in page  # PCs do not move


def test_a_supervisor_is_offered_the_move(client, sergeant, referral):
    client.force_login(sergeant)
    page = client.get(reverse("referrals:detail", args=[referral.uuid])).content.decode()
    assert reverse("referrals:move", args=[referral.uuid]) in page


def test_a_caution_referral_shows_its_basis(client, pc, caution_referral):
    client.force_login(pc)
    page = client.get(reverse("referrals:detail", args=[caution_referral.uuid])).content.decode()
    assert "Conditional caution given on" in page
    assert "Synthetic Name" not in page  # the booking details are the provider's business


@pytest.mark.parametrize("steps", [1, 10])
def test_the_referral_page_runs_constant_queries(
    client, pc, referral, partner_a, steps, django_assert_num_queries
):
    for n in range(steps):
        services.add_note(referral, partner_a, f"Note {n} (synthetic)")
    client.force_login(pc)
    # 1 session, 2 user, 3 savepoint, 4 the referral (through the user's areas), 5 history
    # with authors, 6 notes with authors, 7 moves with agencies, 8 agency, 9 person,
    # 10 the audit log's "viewed" rows (one INSERT), 11 patrol, 12 its ward, 13 referring
    # officer, 14 officer recording consent, 15 release savepoint.
    # ... and the header's count of unread notifications (every signed-in page).
    with django_assert_num_queries(16):
        response = client.get(reverse("referrals:detail", args=[referral.uuid]))
    assert response.status_code == 200


def test_withdrawing_works_once_then_is_refused(client, pc, referral, partner_a):
    client.force_login(pc)
    url = reverse("referrals:withdraw", args=[referral.uuid])

    response = client.post(url, {"note": "She asked us to (synthetic)."})

    assert response.status_code == 302
    assert response.url == reverse("referrals:detail", args=[referral.uuid])
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    step = referral.history.last()
    assert (step.to_status, step.changed_by, step.note) == (
        ReferralStatus.WITHDRAWN,
        pc,
        "She asked us to (synthetic).",
    )
    page = client.get(response.url).content.decode()
    assert "Withdraw the referral" not in page

    again = client.post(url, {"note": ""})

    assert again.status_code == 200
    assert "There is a problem" in again.content.decode()
    assert "cannot be moved" in again.content.decode()
    assert referral.history.filter(to_status=ReferralStatus.WITHDRAWN).count() == 1


def test_a_withdrawal_note_too_long_is_refused(client, pc, referral):
    client.force_login(pc)
    response = client.post(
        reverse("referrals:withdraw", args=[referral.uuid]), {"note": "x" * 1001}
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 1000 characters" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.MADE


# --- Moving a referral -----------------------------------------------------------------


def test_the_move_form_offers_active_agencies_offering_the_service(
    client, sergeant, referral, agency_a, agency_b
):
    AgencyFactory(name="Closed agency", active=False)
    AgencyFactory(name="Housing only", services=[ServiceType.HOUSING])
    client.force_login(sergeant)
    response = client.get(reverse("referrals:move", args=[referral.uuid]))
    assert list(response.context["form"].fields["agency"].queryset) == [agency_b]
    assert "<title>Refer to another agency – Ephedra</title>" in response.content.decode()


def test_moving_revokes_the_first_agency_and_grants_the_new_one(
    client, sergeant, referral, partner_a, partner_b, agency_b
):
    assert partner_a.has_perm("referrals.view_referral", referral)
    assert not partner_b.has_perm("referrals.view_referral", referral)
    client.force_login(sergeant)

    response = client.post(
        reverse("referrals:move", args=[referral.uuid]),
        {"agency": agency_b.pk, "reason": "Agency A has no capacity"},
    )

    assert response.status_code == 302
    assert response.url == reverse("referrals:detail", args=[referral.uuid])
    referral.refresh_from_db()
    assert referral.agency == agency_b
    move = ReferralMove.objects.get()
    assert (move.moved_by, move.reason) == (sergeant, "Agency A has no capacity")
    assert not fresh(partner_a).has_perm("referrals.view_referral", referral)
    assert not fresh(partner_a).has_perm("referrals.view_person", referral.person)
    assert fresh(partner_b).has_perm("referrals.view_referral", referral)
    assert fresh(partner_b).has_perm("referrals.view_person", referral.person)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reason": "No capacity"}, "agency", "This field is required."),
        ({"agency": "B", "reason": ""}, "reason", "This field is required."),
        ({"agency": "housing", "reason": "No capacity"}, "agency", "Select a valid choice."),
        ({"agency": "A", "reason": "No capacity"}, "agency", "Select a valid choice."),
    ],
)
def test_a_bad_move_re_renders_with_the_error_next_to_the_field(
    client, sergeant, referral, partner_a, agency_a, agency_b, data, field, message
):
    agencies = {
        "A": agency_a,
        "B": agency_b,
        "housing": AgencyFactory(services=[ServiceType.HOUSING]),
    }
    if "agency" in data:
        data = {**data, "agency": agencies[data["agency"]].pk}
    client.force_login(sergeant)
    response = client.post(reverse("referrals:move", args=[referral.uuid]), data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert f'id="id_{field}-error"' in response.content.decode()
    assert not ReferralMove.objects.exists()
    referral.refresh_from_db()
    assert referral.agency == agency_a
    assert fresh(partner_a).has_perm("referrals.view_referral", referral)


def test_a_move_the_rules_refuse_is_a_form_error(client, sergeant, referral, partner_a, agency_b):
    client.force_login(sergeant)
    url = reverse("referrals:move", args=[referral.uuid])
    services.change_status(referral, ReferralStatus.DECLINED, partner_a, decline_reason="other")

    response = client.post(url, {"agency": agency_b.pk, "reason": "Try elsewhere"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Only an open referral can move to another agency."
    ]
    assert not ReferralMove.objects.exists()
    referral.refresh_from_db()
    assert referral.agency != agency_b


def test_the_move_form_of_a_closed_referral_sends_the_user_back(client, sergeant, referral, pc):
    services.change_status(referral, ReferralStatus.WITHDRAWN, pc)
    client.force_login(sergeant)
    response = client.get(reverse("referrals:move", args=[referral.uuid]))
    assert response.status_code == 302
    assert messages_of(response) == ["Only an open referral can move to another agency."]


# --- Making a referral -----------------------------------------------------------------


def consent_form(agency, **overrides) -> dict:
    given = timezone.localtime() - dt.timedelta(hours=1)
    data = {
        "service": ServiceType.EXIT_SUPPORT,
        "agency": agency.pk,
        "consent_method": "verbal",
        "consent_date": given.date().isoformat(),
        "consent_time": given.strftime("%H:%M"),
    }
    data.update(overrides)
    return data


def create_url(person) -> str:
    return f"{reverse('referrals:create')}?person={person.uuid}"


def test_a_pc_makes_a_referral(client, pc, person, agency_a, partner_a):
    client.force_login(pc)
    page = client.get(create_url(person)).content.decode()
    assert "<title>Make a referral – Ephedra</title>" in page

    response = client.post(create_url(person), consent_form(agency_a))

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("referrals:detail", args=[referral.uuid])
    assert (referral.person, referral.agency, referral.service) == (
        person,
        agency_a,
        ServiceType.EXIT_SUPPORT,
    )
    assert (referral.referred_by, referral.consent_recorded_by) == (pc, pc)
    assert referral.patrol is None
    assert list(referral.history.values_list("to_status", flat=True)) == ["made"]
    assert fresh(partner_a).has_perm("referrals.view_referral", referral)
    assert Notification.objects.filter(recipient=partner_a).exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"consent_method": ""}, "consent_method", "This field is required."),
        ({"consent_date": "", "consent_time": ""}, "consent_date", "This field is required."),
        ({"consent_date": "not a date"}, "consent_date", "Enter a valid date."),
        ({"service": ""}, "service", "This field is required."),
        ({"service": ServiceType.DIVERSION_COURSE}, "service", "Select a valid choice."),
        ({"service": ServiceType.HOUSING}, "agency", "does not offer housing and homelessness"),
    ],
)
def test_a_bad_referral_re_renders_with_errors_and_writes_nothing(
    client, pc, person, agency_a, change, field, message
):
    client.force_login(pc)
    response = client.post(create_url(person), consent_form(agency_a, **change))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert f'id="id_{field}-error"' in response.content.decode()
    assert not Referral.objects.exists()
    assert not Notification.objects.exists()


def test_an_inactive_agency_cannot_be_chosen(client, pc, person):
    closed = AgencyFactory(active=False)
    client.force_login(pc)
    response = client.post(create_url(person), consent_form(closed))
    assert "Select a valid choice." in response.context["form"].errors["agency"][0]
    assert not Referral.objects.exists()


def test_consent_cannot_be_in_the_future(client, pc, person, agency_a):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    client.force_login(pc)
    response = client.post(
        create_url(person), consent_form(agency_a, consent_date=tomorrow.isoformat())
    )
    assert response.context["form"].errors["consent_date"] == [
        "Consent cannot have been given in the future."
    ]
    assert not Referral.objects.exists()


@pytest.mark.parametrize("query", ["", "?person=", "?person=not-a-uuid", f"?person={uuid.uuid4()}"])
def test_making_a_referral_needs_a_known_person(client, pc, query):
    client.force_login(pc)
    assert client.get(reverse("referrals:create") + query).status_code == 404


# --- A person's timeline ---------------------------------------------------------------


def encounter(person, patrol, when, **fields) -> Encounter:
    return Encounter.objects.create(patrol=patrol, person=person, occurred_at=when, **fields)


def test_the_timeline_shows_encounters_referrals_and_outcomes_in_order(
    client, pc, person, ward, agency_a, partner_a
):
    hotspot = HotspotFactory(ward=ward, name="Test Street Corner")
    now = timezone.now()
    patrol = PatrolFactory(ward=ward, starts_at=now - dt.timedelta(days=10))
    encounter(person, patrol, now - dt.timedelta(days=10), hotspot=hotspot, new_to_area=True)
    referral = refer(person, agency_a, pc, made_at=now - dt.timedelta(days=9))
    for status in ("received", "contacted", "engaged", "closed"):
        services.change_status(referral, status, partner_a, outcome="support_completed")
    client.force_login(pc)

    response = client.get(reverse("referrals:person", args=[person.uuid]))

    page = response.content.decode()
    assert "<title>Person – Ephedra</title>" in page
    assert [event.kind for event in response.context["events"]] == [
        "outcome",
        "referral",
        "encounter",
    ]
    for css in ["moj-timeline", "moj-timeline__item", "moj-timeline__header",
                "moj-timeline__title", "moj-timeline__byline", "moj-timeline__date",
                "moj-timeline__description"]:  # fmt: skip
        assert f'class="{css}"' in page, css
    assert "Test Street Corner" in page
    assert "Brixton North" in page
    assert "new to the area" in page
    assert "Referred to Agency A (test)" in page
    assert "Support completed" in page
    assert "Police-only note (synthetic)." in page
    assert f"{reverse('referrals:create')}?person={person.uuid}" in page


def test_the_timeline_shows_open_duplicate_flags(client, sergeant, pc, person, area):
    other = PersonFactory(area=area, working_name=" testname jay ", created_by=pc)
    flag = services.flag_possible_duplicates(other)[0]
    client.force_login(sergeant)
    page = client.get(reverse("referrals:person", args=[person.uuid])).content.decode()
    assert "Same working name" in page
    assert f"{reverse('referrals:duplicates')}#flag-{flag.pk}" in page
    client.force_login(pc)
    page = client.get(reverse("referrals:person", args=[person.uuid])).content.decode()
    assert "A sergeant will decide." in page


@pytest.mark.parametrize("events", [1, 20])
def test_the_timeline_runs_constant_queries(
    client, pc, person, patrol, agency_a, partner_a, events, django_assert_num_queries
):
    for n in range(events):
        encounter(person, patrol, timezone.now() - dt.timedelta(days=n))
        referral = refer(person, agency_a, pc)
        services.change_status(referral, ReferralStatus.RECEIVED, partner_a)
        services.change_status(referral, ReferralStatus.DECLINED, partner_a, decline_reason="other")
        services.set_risk_level(
            person, pc, level="medium", review_on=timezone.localdate() + dt.timedelta(days=9),
            reason="Synthetic reason",
        )  # fmt: skip
        marker = services.add_marker(person, pc, kind="drug_use", reason="Synthetic")
        services.end_marker(marker, pc, "Synthetic end")
        services.add_route(person, pc, referral=referral)
    client.force_login(pc)
    # 1 session, 2 user, 3 savepoint, 4 the person (through the user's areas), 5 her
    # linked records, 6 open duplicate flags, 7 her safeguarding record: in the user's
    # areas?, 8 risk levels with who set them, 9 markers with who added and ended them,
    # 10 routes with their referrals' agencies and who added them, 11 encounters with
    # patrols, wards and hotspots, 12 referrals with agencies and officers, 13 their
    # history with officers, 14 their moves with agencies, 15 the audit log's "viewed"
    # rows (one INSERT), 16 her area, 17 her referrals for the route form, 18 release
    # savepoint.
    # ... and the header's count of unread notifications (every signed-in page).
    with django_assert_num_queries(19):
        response = client.get(reverse("referrals:person", args=[person.uuid]))
    assert len(response.context["events"]) == 3 * events + 4 * events


# --- Notifications ---------------------------------------------------------------------


def test_a_partner_sees_only_their_own_notifications_newest_first(client, partner_a, partner_b, pc):
    Notification.objects.create(recipient=partner_a, message="Older message", url="/a/")
    Notification.objects.create(recipient=partner_a, message="Newer message")
    Notification.objects.create(recipient=partner_b, message="Someone else's message")
    Notification.objects.create(recipient=pc, message="A police message")
    client.force_login(partner_a)

    response = client.get(reverse("referrals:notifications"))

    assert response.status_code == 200
    assert [n.message for n in response.context["notifications"]] == [
        "Newer message",
        "Older message",
    ]
    page = response.content.decode()
    assert "Someone else" not in page
    assert "A police message" not in page
    assert 'href="/a/"' in page
    assert page.count("Unread</strong>") == 2


def test_mark_all_as_read_touches_only_the_users_own(client, partner_a, partner_b):
    mine = Notification.objects.create(recipient=partner_a, message="Mine")
    theirs = Notification.objects.create(recipient=partner_b, message="Theirs")
    client.force_login(partner_a)

    response = client.post(reverse("referrals:notifications"))

    assert response.status_code == 302
    assert response.url == reverse("referrals:notifications")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None
    page = client.get(response.url).content.decode()
    assert "Unread</strong>" not in page
    assert "Mark all as read" not in page


def test_notifications_need_sign_in(client):
    response = client.get(reverse("referrals:notifications"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["pc", "sergeant", "project_lead", "admin_user", "partner_a"])
def test_every_signed_in_user_has_notifications(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("referrals:notifications")).status_code == 200


@pytest.mark.parametrize("count", [2, 20])
def test_notifications_run_constant_queries(client, pc, count, django_assert_num_queries):
    for n in range(count):
        Notification.objects.create(recipient=pc, message=f"Message {n}")
    client.force_login(pc)
    # 1 session, 2 user, 3 savepoint, 4 count, 5 the page of notifications, 6 unread
    # count, 7 release savepoint.
    # ... and the header's count of unread notifications (every signed-in page).
    with django_assert_num_queries(8):
        response = client.get(reverse("referrals:notifications"))
    assert len(response.context["notifications"]) == count
