"""Possible duplicate people: flagging, a sergeant's decision, and the pages for both."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from governance.models import AuditEvent
from patrols import services as patrol_services
from patrols.models import Encounter, OfficerRole, PatrolOfficer, PatrolStatus, Weather
from referrals import services
from referrals.models import AgeBand, DuplicateStatus, Person, PossibleDuplicate
from tests.factories import OfficerFactory, PatrolFactory, PersonFactory, WardFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 1)


@pytest.fixture
def make(area, pc):
    """A person in the cast's area: make("Jay", age_band=..., first_seen=...)."""

    def make(working_name, **fields):
        fields.setdefault("area", area)
        fields.setdefault("first_seen", DAY)
        return PersonFactory(working_name=working_name, created_by=pc, **fields)

    return make


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Flagging --------------------------------------------------------------------------


def test_the_same_working_name_ignoring_case_and_spaces_is_flagged(make):
    older = make("Jay")
    newer = make("  jAY ")

    flags = services.flag_possible_duplicates(newer)

    assert [(f.person, f.other, f.status) for f in flags] == [(newer, older, DuplicateStatus.OPEN)]
    assert flags[0].reason == "Same working name 'jAY' in Lambeth"


def test_the_same_first_four_letters_and_age_band_are_flagged(make):
    older = make("Jaylene", age_band=AgeBand.AGE_18_24)
    make("Jayde", age_band=AgeBand.AGE_25_34)  # another age band
    make("Jaymie")  # age not known: no evidence either way
    newer = make("jaylah", age_band=AgeBand.AGE_18_24)

    flags = services.flag_possible_duplicates(newer)

    assert [f.other for f in flags] == [older]
    assert flags[0].reason == (
        "Working names 'jaylah' and 'Jaylene' begin alike, both aged 18–24, in Lambeth"
    )


def test_unknown_ages_do_not_match_on_the_first_letters(make):
    make("Chantelle")
    assert services.flag_possible_duplicates(make("Chanel")) == []


def test_a_short_name_matches_only_in_full(make):
    make("Jo", age_band=AgeBand.AGE_18_24)
    jod = make("Jodie", age_band=AgeBand.AGE_18_24)
    assert services.flag_possible_duplicates(make("jo ", age_band=AgeBand.AGE_18_24))
    assert services.flag_possible_duplicates(jod) == []


def test_people_in_another_area_are_not_flagged(make, other_area):
    make("Jay", area=other_area)
    assert services.flag_possible_duplicates(make("Jay")) == []


def test_flagging_is_idempotent_in_either_order(make):
    older = make("Jay")
    newer = make("Jay")

    assert len(services.flag_possible_duplicates(newer)) == 1
    assert services.flag_possible_duplicates(newer) == []
    assert services.flag_possible_duplicates(older) == []
    assert PossibleDuplicate.objects.count() == 1


def test_a_dismissed_pair_is_not_flagged_again(make, sergeant):
    make("Jay")
    newer = make("Jay")
    services.decide_duplicate(services.flag_possible_duplicates(newer)[0], sergeant, link=False)
    assert services.flag_possible_duplicates(newer) == []


def test_records_already_linked_are_not_flagged(make):
    older = make("Jay")
    newer = make("Jay", same_as=older)
    assert services.flag_possible_duplicates(newer) == []
    assert services.flag_possible_duplicates(older) == []


def test_a_new_person_on_a_work_return_is_flagged(make, area, pc):
    older = make("Jay")
    ward = WardFactory(area=area)
    local_pc = OfficerFactory(role=Role.PC, areas=[area], profile__home_ward=ward)
    night = timezone.now().replace(microsecond=0) - dt.timedelta(days=1)
    patrol = PatrolFactory(
        ward=ward, starts_at=night, ends_at=night + dt.timedelta(hours=8), status="deployed"
    )
    PatrolOfficer.objects.create(patrol=patrol, officer=pc, role=OfficerRole.EPHEDRA_PC)
    PatrolOfficer.objects.create(patrol=patrol, officer=local_pc, role=OfficerRole.LOCAL_PC)
    new_person = {"working_name": "JAY", "description": "Synthetic.", "age_band": "unknown"}

    patrol_services.submit_return(
        patrol,
        pc,
        return_fields={
            "started_at": night,
            "ended_at": night + dt.timedelta(hours=8),
            "weather": Weather.DRY,
            "summary": "Synthetic.",
        },
        hours={pc: Decimal("8")},
        encounters=[{"new_person": new_person, "occurred_at": night + dt.timedelta(hours=1)}],
    )

    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.RETURNED
    flag = PossibleDuplicate.objects.get()
    assert (flag.person.working_name, flag.other) == ("JAY", older)


# --- Deciding --------------------------------------------------------------------------


def flagged(make, newer_first_seen=DAY + dt.timedelta(days=30)):
    older = make("Jay", first_seen=DAY)
    newer = make("Jay", first_seen=newer_first_seen)
    return older, newer, services.flag_possible_duplicates(newer)[0]


def test_linking_points_the_newer_record_at_the_older(make, sergeant):
    older, newer, flag = flagged(make)

    services.decide_duplicate(flag, sergeant, link=True)

    flag.refresh_from_db()
    newer.refresh_from_db()
    older.refresh_from_db()
    assert (newer.same_as, older.same_as) == (older, None)
    assert (flag.status, flag.decided_by) == (DuplicateStatus.LINKED, sergeant)
    assert flag.decided_at is not None
    assert Person.objects.count() == 2  # never merged, never deleted
    (combined,) = AuditEvent.objects.filter(action="referrals.person.combined")
    assert (combined.actor, combined.object_id) == (None, str(older.uuid))  # no request here
    assert combined.detail == f"Linked with {newer.uuid}"


def test_linking_into_a_group_names_every_record_combined(make, sergeant):
    first = make("Jay", first_seen=DAY)
    second = make("Jay", first_seen=DAY + dt.timedelta(days=1))
    services.decide_duplicate(services.flag_possible_duplicates(second)[0], sergeant, link=True)
    third = make("Jaylene", first_seen=DAY - dt.timedelta(days=1))  # the oldest now
    flag = PossibleDuplicate.objects.create(person=third, other=first, reason="By hand")

    services.decide_duplicate(flag, sergeant, link=True)

    last = AuditEvent.objects.filter(action="referrals.person.combined").latest("pk")
    assert last.object_id == str(third.uuid)
    assert last.detail == f"Linked with {first.uuid}, {second.uuid}"


def test_the_older_record_is_found_by_first_seen_then_key(make, sergeant):
    older, newer, flag = flagged(make, newer_first_seen=DAY)  # seen first the same day
    services.decide_duplicate(flag, sergeant, link=True)
    newer.refresh_from_db()
    assert newer.same_as == older  # the lower key


def test_a_record_flagged_against_a_newer_one_still_points_at_the_older(make, sergeant):
    newer = make("Jay", first_seen=DAY + dt.timedelta(days=30))
    older = make("Jay", first_seen=DAY)  # recorded later, but seen first earlier
    flag = services.flag_possible_duplicates(older)[0]
    services.decide_duplicate(flag, sergeant, link=True)
    newer.refresh_from_db()
    assert newer.same_as == older


def test_linking_into_a_group_keeps_it_one_level_deep(make, sergeant):
    first = make("Jay", first_seen=DAY)
    second = make("Jay", first_seen=DAY + dt.timedelta(days=1))
    third = make("Jaylene", first_seen=DAY + dt.timedelta(days=2))
    services.decide_duplicate(services.flag_possible_duplicates(second)[0], sergeant, link=True)
    flag = PossibleDuplicate.objects.create(person=third, other=second, reason="By hand")

    services.decide_duplicate(flag, sergeant, link=True)

    assert set(first.linked_records.all()) == {second, third}


def test_dismissing_links_nothing(make, sergeant):
    _, newer, flag = flagged(make)
    services.decide_duplicate(flag, sergeant, link=False)
    flag.refresh_from_db()
    newer.refresh_from_db()
    assert (flag.status, flag.decided_by, newer.same_as) == (
        DuplicateStatus.DISMISSED,
        sergeant,
        None,
    )


@pytest.mark.parametrize("first", [True, False])
def test_a_decided_flag_is_refused(make, sergeant, project_lead, first):
    _, newer, flag = flagged(make)
    services.decide_duplicate(flag, sergeant, link=first)

    with pytest.raises(services.ReferralRuleError, match="already decided"):
        services.decide_duplicate(flag, project_lead, link=not first)

    flag.refresh_from_db()
    assert flag.decided_by == sergeant
    assert flag.status == (DuplicateStatus.LINKED if first else DuplicateStatus.DISMISSED)


# --- The pages -------------------------------------------------------------------------


def test_the_list_shows_open_flags_in_the_users_areas(client, sergeant, make, other_area):
    _, _, open_flag = flagged(make)
    make("Sam")
    decided = services.flag_possible_duplicates(make("Sam"))
    services.decide_duplicate(decided[0], sergeant, link=False)
    elsewhere = PersonFactory(area=other_area, working_name="Jay")
    PersonFactory(area=other_area, working_name="Jay")
    services.flag_possible_duplicates(elsewhere)
    client.force_login(sergeant)

    response = client.get(reverse("referrals:duplicates"))

    assert list(response.context["flags"]) == [open_flag]
    page = response.content.decode()
    assert "<title>Possible duplicates – Ephedra</title>" in page
    assert reverse("referrals:duplicate_decide", args=[open_flag.uuid]) in page
    assert 'value="link"' in page
    assert "Not the same person" in page


@pytest.mark.parametrize("count", [1, 10])
def test_the_list_runs_constant_queries(client, sergeant, make, count, django_assert_num_queries):
    for n in range(count):
        make(f"Name{n}")
        services.flag_possible_duplicates(make(f"Name{n}"))
    client.force_login(sergeant)
    # 1 session, 2 user, 3 savepoint, 4 count, 5 the page of flags with both records and
    # their areas, 6 the audit log's "viewed" rows (one INSERT), 7 release savepoint.
    # ... and the header's count of unread notifications (every signed-in page).
    with django_assert_num_queries(8):
        response = client.get(reverse("referrals:duplicates"))
    assert len(response.context["flags"]) == count


@pytest.mark.parametrize("role", ["sergeant", "project_lead"])
def test_a_supervisor_links_two_records(client, request, make, role):
    older, newer, flag = flagged(make)
    client.force_login(request.getfixturevalue(role))

    response = client.post(
        reverse("referrals:duplicate_decide", args=[flag.uuid]), {"decision": "link"}
    )

    assert response.status_code == 302
    assert response.url == reverse("referrals:duplicates")
    newer.refresh_from_db()
    assert newer.same_as == older
    assert messages_of(response)[0].startswith("Records linked")


def test_a_supervisor_dismisses_a_flag_once(client, sergeant, make):
    _, newer, flag = flagged(make)
    client.force_login(sergeant)
    url = reverse("referrals:duplicate_decide", args=[flag.uuid])

    client.post(url, {"decision": "dismiss"})
    again = client.post(url, {"decision": "link"})

    flag.refresh_from_db()
    newer.refresh_from_db()
    assert (flag.status, newer.same_as) == (DuplicateStatus.DISMISSED, None)
    assert messages_of(again)[-1:] == [
        "This possible duplicate was already decided: not the same person."
    ]


def test_a_decision_must_be_link_or_dismiss(client, sergeant, make):
    _, _, flag = flagged(make)
    client.force_login(sergeant)
    response = client.post(
        reverse("referrals:duplicate_decide", args=[flag.uuid]), {"decision": "x"}
    )
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == DuplicateStatus.OPEN


def test_who_may_decide(client, make, pc, partner_a, sergeant, other_area):
    _, newer, flag = flagged(make)
    url = reverse("referrals:duplicate_decide", args=[flag.uuid])
    for user, status in [(pc, 403), (partner_a, 404)]:
        client.force_login(user)
        assert client.post(url, {"decision": "link"}).status_code == status
    outsider = OfficerFactory(role=Role.SERGEANT, areas=[other_area])
    client.force_login(outsider)
    assert client.post(url, {"decision": "link"}).status_code == 404
    client.force_login(sergeant)
    assert client.get(url).status_code == 405
    flag.refresh_from_db()
    assert flag.status == DuplicateStatus.OPEN


@pytest.mark.parametrize(("role", "status"), [("pc", 403), ("partner_a", 404)])
def test_who_may_see_the_list(client, request, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("referrals:duplicates")).status_code == status


def test_the_older_persons_timeline_shows_the_linked_records_encounter(
    client, sergeant, pc, make, area
):
    older, newer, flag = flagged(make)
    patrol = PatrolFactory(ward=WardFactory(area=area, name="Test Ward Linked"))
    Encounter.objects.create(
        patrol=patrol, person=newer, occurred_at=timezone.now(), notes="Seen by the arches"
    )
    client.force_login(sergeant)
    url = reverse("referrals:person", args=[older.uuid])
    assert "Seen by the arches" not in client.get(url).content.decode()

    client.post(reverse("referrals:duplicate_decide", args=[flag.uuid]), {"decision": "link"})
    response = client.get(url)

    page = response.content.decode()
    assert "Seen by the arches" in page
    assert "Test Ward Linked" in page
    assert "a linked record" in page
    assert [event.person for event in response.context["events"]] == [newer]
    # And from the newer record, the same timeline.
    newer_page = client.get(reverse("referrals:person", args=[newer.uuid])).content.decode()
    assert "Seen by the arches" in newer_page
    assert reverse("referrals:person", args=[older.uuid]) in newer_page
