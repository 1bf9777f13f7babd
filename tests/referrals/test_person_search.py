"""Finding a person (issue 16, item 3): the police search people in their areas by working
name, description, age band and area, on the page and through the API; partners and other
areas' officers find no one; the work return warns before a new person who looks like
someone already known is saved."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from governance.models import AuditEvent
from patrols.models import Encounter
from referrals.models import AgeBand, Person
from referrals.selectors import similar_people
from tests.factories import (
    AreaFactory,
    OfficerFactory,
    PatrolFactory,
    PersonFactory,
    WardFactory,
    consented_referral,
)

pytestmark = pytest.mark.django_db

PAGE = reverse("referrals:people")
API = "/api/v1/people/"


@pytest.fixture
def known(area, other_area):
    return {
        "jade": PersonFactory(
            area=area, working_name="Jade", description="Red coat", age_band=AgeBand.AGE_25_34
        ),
        "jada": PersonFactory(
            area=area, working_name="Jada", description="Blue scarf", age_band=AgeBand.AGE_18_24
        ),
        "mia": PersonFactory(
            area=area, working_name="Mia", description="red hair", age_band=AgeBand.AGE_25_34
        ),
        "elsewhere": PersonFactory(
            area=other_area, working_name="Jade", description="Red coat (Southwark)"
        ),
    }


def names(response) -> list[str]:
    return sorted(person.working_name for person in response.context["page_obj"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Jada", "Jade", "Mia"]),
        ({"q": "jad"}, ["Jada", "Jade"]),
        ({"q": "  RED "}, ["Jade", "Mia"]),  # description, any case, spaces trimmed
        ({"age_band": AgeBand.AGE_25_34}, ["Jade", "Mia"]),
        ({"q": "red", "age_band": AgeBand.AGE_18_24}, []),
        ({"q": "nobody"}, []),
    ],
)
def test_the_police_search_their_areas(client, pc, known, query, expected):
    client.force_login(pc)

    response = client.get(PAGE, query)

    assert response.status_code == 200
    assert names(response) == expected
    assert "Southwark" not in response.content.decode()


def test_an_officer_of_two_areas_may_narrow_to_one(client, area, other_area, known):
    officer = OfficerFactory(role=Role.SERGEANT, areas=[area, other_area])
    client.force_login(officer)

    both = client.get(PAGE, {"q": "jade"})
    one = client.get(PAGE, {"q": "jade", "area": other_area.pk})

    assert [p.area for p in both.context["page_obj"]].count(other_area) == 1
    assert [p.pk for p in one.context["page_obj"]] == [known["elsewhere"].pk]


def test_an_area_not_the_officers_is_refused_at_its_field(client, pc, other_area, known):
    client.force_login(pc)  # of one area: the page offers no area to choose
    assert "area" not in client.get(PAGE).context["form"].fields

    officer = OfficerFactory(
        role=Role.SERGEANT, areas=[pc.areas.get(), AreaFactory(name="Lewisham", code="E09000023")]
    )
    client.force_login(officer)
    response = client.get(PAGE, {"area": other_area.pk})

    assert response.status_code == 200
    assert names(response) == []
    assert 'id="id_area-error"' in response.content.decode()


@pytest.mark.parametrize(
    "query", [{"age_band": "bad"}, {"q": "x" * 101}, {"area": "nope"}, {"page": "999"}]
)
def test_bad_input_never_fails_and_lists_no_one(client, pc, known, query):
    client.force_login(pc)

    response = client.get(PAGE, query)

    assert response.status_code in {200, 404}  # a page past the end is "not found"
    if response.status_code == 200:
        assert names(response) in ([], ["Jada", "Jade", "Mia"])
        assert names(response) == [] or query == {"area": "nope"}


def test_most_recently_seen_first_and_never_seen_last(client, pc, area, known):
    patrol = PatrolFactory(ward=WardFactory(area=area))
    now = timezone.now()
    Encounter.objects.create(patrol=patrol, person=known["mia"], occurred_at=now)
    Encounter.objects.create(
        patrol=patrol, person=known["jada"], occurred_at=now - dt.timedelta(days=3)
    )
    client.force_login(pc)

    response = client.get(PAGE)

    assert [p.working_name for p in response.context["page_obj"]] == ["Mia", "Jada", "Jade"]
    assert "Not seen on a patrol" in response.content.decode()


def test_erased_records_are_no_one_to_find(client, pc, known):
    Person.objects.filter(pk=known["mia"].pk).update(erased_at=timezone.now())
    client.force_login(pc)

    assert names(client.get(PAGE)) == ["Jada", "Jade"]


def test_every_person_listed_is_audited_as_viewed(client, pc, known):
    client.force_login(pc)

    client.get(PAGE, {"q": "jad"})

    viewed = AuditEvent.objects.filter(action="referrals.person.viewed", actor=pc)
    assert sorted(viewed.values_list("object_id", flat=True)) == sorted(
        [str(known["jade"].uuid), str(known["jada"].uuid)]
    )


def test_partners_get_404(client, partner_a, known):
    client.force_login(partner_a)
    assert client.get(PAGE, {"q": "jade"}).status_code == 404


def test_the_navigation_offers_it_to_the_police_only(client, pc, partner_a):
    client.force_login(pc)
    assert f'href="{PAGE}"' in client.get(reverse("home")).content.decode()
    client.force_login(partner_a)
    assert f'href="{PAGE}"' not in client.get(reverse("home"), follow=True).content.decode()


@pytest.mark.parametrize("count", [5, 50])
def test_a_search_runs_constant_queries(client, pc, area, count, django_assert_num_queries):
    patrol = PatrolFactory(ward=WardFactory(area=area))
    for n in range(count):
        person = PersonFactory(area=area, working_name=f"Jade{n}")
        Encounter.objects.create(patrol=patrol, person=person, occurred_at=timezone.now())
    client.force_login(pc)
    # 1 session, 2 user, 3 savepoint, 4 the user's areas (for the form), 5 the count,
    # 6 the page of people with their areas and last sighting, 7 the audit rows (one
    # INSERT), 8 release savepoint.
    # ... and the header's count of unread notifications (every signed-in page).
    with django_assert_num_queries(9):
        response = client.get(PAGE, {"q": "jade", "age_band": AgeBand.UNKNOWN})
    assert len(response.context["page_obj"]) == min(count, 25)


# --- The API ---------------------------------------------------------------------------------


def api_names(response) -> list[str]:
    return sorted(row["working_name"] for row in response.json()["results"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"search": "jad"}, ["Jada", "Jade"]),
        ({"search": "red"}, ["Jade", "Mia"]),
        ({"search": "red", "age_band": AgeBand.AGE_25_34}, ["Jade", "Mia"]),
        ({"area": "E09000022"}, ["Jada", "Jade", "Mia"]),
        ({"area": "E09000028"}, []),  # another area's code: nothing, not an error
        ({"search": "x" * 101}, None),
    ],
)
def test_the_api_searches_the_same_way(client, pc, known, query, expected):
    client.force_login(pc)

    response = client.get(API, query)

    if expected is None:
        assert response.status_code == 400
    else:
        assert response.status_code == 200
        assert api_names(response) == expected


def test_partners_cannot_search_people_through_the_api(client, partner_a, agency_a, pc, known):
    consented_referral(agency=agency_a, by=pc, person=known["jade"])
    client.force_login(partner_a)  # a partner reaches a person only through a referral

    assert client.get(API, {"search": "red"}).status_code == 404


# --- Before a new person is saved -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "age_band", "matches"),
    [
        (" jade ", AgeBand.UNKNOWN, ["Jade"]),  # the same name, any case and spaces
        ("Jadey", AgeBand.AGE_25_34, ["Jade"]),  # four letters alike and the same age band
        ("Jadey", AgeBand.AGE_45_54, []),  # ... but not another age band
        ("Jadey", AgeBand.UNKNOWN, []),  # ... and "not known" is no evidence
        ("Mi", AgeBand.AGE_25_34, []),  # a name shorter than four letters matches only whole
    ],
)
def test_who_looks_like_a_new_person(area, known, name, age_band, matches):
    found = similar_people(area.pk, name, age_band)
    assert [person.working_name for person in found] == matches
