"""Hotspot pages: the list and its map data, create, edit and retire."""

import datetime as dt
import json
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from patrols.forms.hotspots import HotspotForm
from patrols.models import Hotspot
from tests.factories import HotspotFactory, WardFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("patrols:hotspots")
CREATE_URL = reverse("patrols:hotspot_create")


def edit_url(hotspot: Hotspot) -> str:
    return reverse("patrols:hotspot_edit", args=[hotspot.uuid])


def retire_url(hotspot: Hotspot) -> str:
    return reverse("patrols:hotspot_retire", args=[hotspot.uuid])


@pytest.fixture
def ward(area):
    return WardFactory(area=area, name="Brixton Acre Lane")


@pytest.fixture
def hotspot(ward):
    return HotspotFactory(ward=ward, name="Acre Lane junction")


@pytest.fixture
def outside_hotspot(other_area):
    return HotspotFactory(ward=WardFactory(area=other_area, name="Faraday"), name="Far Street")


@pytest.fixture
def as_user(client, request):
    """A client signed in as the named fixture's user; "anonymous" signs in no one."""

    def sign_in(name: str):
        if name != "anonymous":
            client.force_login(request.getfixturevalue(name))
        return client

    return sign_in


def form_data(ward, /, **changes) -> dict:
    data = {
        "ward": ward.pk,
        "name": "Coldharbour Lane by the market",
        "latitude": "51.462100",
        "longitude": "-0.111500",
        "reason": "Kerb crawling reports in the crime data (synthetic).",
        "identified_on": "2025-03-01",
    }
    return data | changes


def field_group(response, name: str) -> str:
    """The GOV.UK form group holding the field, where its error message must appear."""
    html = response.content.decode()
    groups = html.split('<div class="govuk-form-group')
    matches = [g for g in groups if f'for="id_{name}"' in g]
    assert matches, f"no form group for {name}"
    return matches[0]


def assert_typed_values_kept(response, data: dict) -> None:
    """Each field shows back what was typed into it, right or wrong."""
    for name, typed in data.items():
        group = field_group(response, name)
        if name == "ward":
            assert f'<option value="{typed}" selected>' in group
        elif name == "reason":
            assert f">\n{typed}</textarea>" in group
        elif typed:
            assert f'value="{typed}"' in group


def map_data(response) -> list[dict]:
    found = re.search(
        r'<script id="hotspot-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(found.group(1)) if found else []


def assert_sign_in_redirect(response, url: str) -> None:
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


# --- Who may open which page -----------------------------------------------------------

ROLES = ["project_lead", "sergeant", "pc", "partner_a", "admin_user"]
READ = {"project_lead": 200, "sergeant": 200, "pc": 200, "partner_a": 404, "admin_user": 403}
MANAGE = {"project_lead": 200, "sergeant": 200, "pc": 403, "partner_a": 404, "admin_user": 403}
PAGES = {
    "list": (lambda h: LIST_URL, READ),
    "create": (lambda h: CREATE_URL, MANAGE),
    "edit": (edit_url, MANAGE),
    "retire": (retire_url, MANAGE),
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_get_permission_matrix(as_user, hotspot, page, role):
    url_for, expected = PAGES[page]
    response = as_user(role).get(url_for(hotspot))
    assert response.status_code == expected[role]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(client, hotspot, page):
    url = PAGES[page][0](hotspot)
    assert_sign_in_redirect(client.get(url), url)


@pytest.mark.parametrize("page", ["create", "edit", "retire"])
def test_anonymous_post_is_sent_to_sign_in_and_writes_nothing(client, hotspot, ward, page):
    url = PAGES[page][0](hotspot)
    assert_sign_in_redirect(client.post(url, form_data(ward)), url)
    assert list(Hotspot.objects.values_list("name", "active")) == [(hotspot.name, True)]


@pytest.mark.parametrize(
    ("page", "role", "status"),
    [
        ("create", "pc", 403),
        ("edit", "pc", 403),
        ("retire", "pc", 403),
        ("create", "partner_a", 404),
        ("edit", "partner_a", 404),
        ("retire", "partner_a", 404),
    ],
)
def test_post_refused_to_those_who_may_not_manage(as_user, hotspot, ward, page, role, status):
    url = PAGES[page][0](hotspot)
    response = as_user(role).post(url, form_data(ward, name="Changed"))
    assert response.status_code == status
    assert list(Hotspot.objects.values_list("name", "active")) == [(hotspot.name, True)]


@pytest.mark.parametrize("page", ["edit", "retire"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_hotspot_in_another_area_is_not_found(as_user, outside_hotspot, ward, page, method):
    url = PAGES[page][0](outside_hotspot)
    response = getattr(as_user("sergeant"), method)(url, form_data(ward))
    assert response.status_code == 404
    outside_hotspot.refresh_from_db()
    assert (outside_hotspot.name, outside_hotspot.active) == ("Far Street", True)


def test_unknown_hotspot_is_not_found(as_user):
    unknown = reverse("patrols:hotspot_edit", args=["00000000-0000-0000-0000-000000000000"])
    response = as_user("sergeant").get(unknown)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("page", "method"),
    [
        ("list", "post"),
        ("list", "put"),
        ("create", "put"),
        ("edit", "put"),
        ("retire", "put"),
        ("retire", "delete"),
        ("edit", "delete"),
    ],
)
def test_wrong_method_is_refused(as_user, hotspot, page, method):
    url = PAGES[page][0](hotspot)
    response = getattr(as_user("sergeant"), method)(url)
    assert response.status_code == 405
    hotspot.refresh_from_db()
    assert hotspot.active


# --- The list ---------------------------------------------------------------------------


def test_list_shows_the_users_hotspots_with_actions_for_supervisors(
    as_user, hotspot, outside_hotspot
):
    response = as_user("sergeant").get(LIST_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Acre Lane junction" in page
    assert "Brixton Acre Lane" in page
    assert "Repeated reports of kerb crawling (synthetic)." in page
    assert "1 Feb 2024" in page
    assert 'govuk-tag govuk-tag--green">Active' in page
    assert edit_url(hotspot) in page
    assert retire_url(hotspot) in page
    assert CREATE_URL in page
    assert "Far Street" not in page


def test_pc_sees_the_list_without_actions(as_user, hotspot):
    response = as_user("pc").get(LIST_URL)
    page = response.content.decode()
    assert "Acre Lane junction" in page
    assert edit_url(hotspot) not in page
    assert retire_url(hotspot) not in page
    assert CREATE_URL not in page


def test_list_leaves_out_retired_hotspots_unless_asked(as_user, hotspot, ward):
    HotspotFactory(ward=ward, name="Old Yard", active=False, retired_on=dt.date(2025, 1, 5))
    client = as_user("sergeant")

    assert "Old Yard" not in client.get(LIST_URL).content.decode()

    page = client.get(LIST_URL, {"show_retired": "on"}).content.decode()
    assert "Old Yard" in page
    assert 'govuk-tag govuk-tag--grey">Retired' in page
    assert "5 Jan 2025" in page
    # Active first, and a retired hotspot offers no second retirement.
    assert page.index("Acre Lane junction") < page.index("Old Yard")
    assert page.count("/retire/") == 1


def test_list_filters_by_ward(as_user, hotspot, area):
    other_ward = WardFactory(area=area, name="Stockwell")
    HotspotFactory(ward=other_ward, name="Stockwell Road corner")
    client = as_user("sergeant")

    page = client.get(LIST_URL, {"ward": other_ward.pk}).content.decode()
    assert "Stockwell Road corner" in page
    assert "Acre Lane junction" not in page
    assert [h["name"] for h in map_data(client.get(LIST_URL, {"ward": other_ward.pk}))] == [
        "Stockwell Road corner"
    ]


def test_list_ward_filter_offers_only_the_users_wards(as_user, ward, other_area):
    WardFactory(area=other_area, name="Faraday")
    response = as_user("sergeant").get(LIST_URL, {"ward": "abc"})
    form = response.context["filter"].form
    assert [w.name for w in form.fields["ward"].queryset] == ["Brixton Acre Lane"]


def test_list_ignores_a_ward_from_another_area(as_user, hotspot, outside_hotspot):
    response = as_user("sergeant").get(LIST_URL, {"ward": outside_hotspot.ward.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Far Street" not in page
    assert "Select a valid choice" in field_group(response, "ward")


def test_empty_list_invites_a_supervisor_to_add_one(as_user, ward):
    page = as_user("sergeant").get(LIST_URL).content.decode()
    assert "No hotspots yet" in page
    assert CREATE_URL in page
    assert "<table" not in page
    assert 'id="hotspot-data"' not in page


def test_empty_list_for_a_pc_has_no_add_link(as_user, ward):
    page = as_user("pc").get(LIST_URL).content.decode()
    assert "No hotspots yet" in page
    assert CREATE_URL not in page


def test_list_with_no_match_says_so(as_user, hotspot, area):
    empty_ward = WardFactory(area=area, name="Herne Hill")
    page = as_user("pc").get(LIST_URL, {"ward": empty_ward.pk}).content.decode()
    assert "No hotspots match these filters" in page
    assert "No hotspots yet" not in page


def test_map_data_holds_only_active_visible_hotspots(as_user, hotspot, ward, outside_hotspot):
    HotspotFactory(ward=ward, name="Old Yard", active=False, retired_on=dt.date(2025, 1, 5))
    response = as_user("pc").get(LIST_URL, {"show_retired": "on"})
    assert "Old Yard" in response.content.decode()  # in the table...
    assert map_data(response) == [  # ...but not on the map
        {"name": "Acre Lane junction", "ward": "Brixton Acre Lane", "lat": 51.46, "lng": -0.115}
    ]


def test_map_data_is_escaped_for_the_script_element(as_user, ward):
    HotspotFactory(ward=ward, name="</script><script>alert(1)</script>")
    response = as_user("pc").get(LIST_URL)
    assert "<script>alert(1)" not in response.content.decode()
    assert map_data(response)[0]["name"] == "</script><script>alert(1)</script>"


def test_map_is_hidden_until_its_script_runs_and_loads_no_inline_script(as_user, hotspot):
    page = as_user("pc").get(LIST_URL).content.decode()
    assert '<div id="hotspot-map-section" hidden>' in page
    assert 'aria-label="Map of the active hotspots' in page
    assert "build/leaflet/leaflet.js" in page
    assert "js/hotspot-map.js" in page
    # Every script is a file or JSON data; nothing a strict CSP would block.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs, _ in scripts)
    assert not re.search(r"\son[a-z]+=", page)


@pytest.mark.parametrize("count", [5, 50])
def test_list_runs_a_fixed_number_of_queries(as_user, django_assert_num_queries, area, count):
    wards = [WardFactory(area=area), WardFactory(area=area)]
    for n in range(count):
        retired = n % 5 == 0
        HotspotFactory(
            ward=wards[n % 2],
            active=not retired,
            retired_on=dt.date(2025, 1, 5) if retired else None,
        )
    client = as_user("sergeant")
    # 1. SAVEPOINT (ATOMIC_REQUESTS), 2. the session, 3. the user, 4. the hotspots with
    # their wards and areas (one join; the table and the map share the rows),
    # 5. RELEASE SAVEPOINT, 6. the wards for the filter's choices (the template renders
    # after the view's transaction ends).
    # ... and the header's count of unread notifications (every signed-in page).
    with django_assert_num_queries(7):
        response = client.get(LIST_URL, {"show_retired": "on"})
    assert len(response.context["hotspots"]) == count
    assert len(map_data(response)) == count - count // 5


# --- Create -------------------------------------------------------------------------------


def test_create_form_offers_the_users_wards(as_user, ward, other_area):
    WardFactory(area=other_area, name="Faraday")
    response = as_user("sergeant").get(CREATE_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Add a hotspot" in page
    assert "Brixton Acre Lane (Lambeth)" in page
    assert "Faraday" not in page
    today = timezone.localdate().isoformat()
    assert f'type="date" name="identified_on" value="{today}"' in page


def test_create_saves_and_returns_to_the_list_with_a_message(as_user, ward):
    response = as_user("sergeant").post(CREATE_URL, form_data(ward), follow=True)
    assert response.redirect_chain == [(LIST_URL, 302)]
    assert "Hotspot Coldharbour Lane by the market added." in response.content.decode()
    hotspot = Hotspot.objects.get()
    assert (hotspot.ward, hotspot.name) == (ward, "Coldharbour Lane by the market")
    assert hotspot.active
    assert (hotspot.latitude, hotspot.longitude) == (Decimal("51.462100"), Decimal("-0.111500"))
    assert hotspot.identified_on == dt.date(2025, 3, 1)
    assert hotspot.retired_on is None


def test_create_rounds_coordinates_pasted_with_many_places(as_user, ward):
    as_user("sergeant").post(
        CREATE_URL, form_data(ward, latitude="51.46213456789", longitude="-0.1115004")
    )
    hotspot = Hotspot.objects.get()
    assert (hotspot.latitude, hotspot.longitude) == (Decimal("51.462135"), Decimal("-0.111500"))


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("latitude", "52.2053", "Enter a latitude between 51.28 and 51.70"),
        ("latitude", "-0.1115", "Enter a latitude between 51.28 and 51.70"),
        ("latitude", "north", "Enter the latitude as a number, for example 51.4613"),
        ("latitude", "", "Enter the latitude"),
        ("longitude", "1.2974", "Enter a longitude between -0.52 and 0.34"),
        ("longitude", "NaN", "Enter the longitude as a number, for example -0.1156"),
        ("ward", "", "Choose the ward the hotspot is in"),
        ("name", "", "Enter the name of the place"),
        ("name", "x" * 151, "Ensure this value has at most 150 characters"),
        ("reason", "", "Enter why the hotspot was identified"),
        ("identified_on", "", "Enter the date the hotspot was identified"),
        ("identified_on", "31/02/2025", "Enter the date identified as a real date"),
    ],
)
def test_create_bad_input_is_shown_next_to_the_field_and_kept(as_user, ward, field, typed, message):
    data = form_data(ward, **{field: typed})
    response = as_user("sergeant").post(CREATE_URL, data)
    assert response.status_code == 200
    group = field_group(response, field)
    assert "govuk-form-group--error" in group
    assert message in group
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'href="#id_{field}"' in page  # the summary links to the field
    assert_typed_values_kept(response, data)
    assert Hotspot.objects.count() == 0


def test_create_refuses_a_date_in_the_future(as_user, ward):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = as_user("sergeant").post(
        CREATE_URL, form_data(ward, identified_on=tomorrow.isoformat())
    )
    group = field_group(response, "identified_on")
    assert "The date identified must be today or in the past." in group
    assert f'value="{tomorrow.isoformat()}"' in group
    assert Hotspot.objects.count() == 0


@pytest.mark.parametrize("typed", ["Acre Lane junction", "acre lane JUNCTION"])
def test_create_duplicate_name_in_the_ward_is_a_field_error(as_user, hotspot, ward, typed):
    response = as_user("sergeant").post(CREATE_URL, form_data(ward, name=typed))
    assert response.status_code == 200
    group = field_group(response, "name")
    assert f"Brixton Acre Lane already has a hotspot called {typed}." in group
    assert f'value="{typed}"' in group
    assert Hotspot.objects.count() == 1


def test_create_same_name_in_another_ward_is_fine(as_user, hotspot, area):
    other_ward = WardFactory(area=area, name="Stockwell")
    response = as_user("sergeant").post(CREATE_URL, form_data(other_ward, name=hotspot.name))
    assert response.status_code == 302
    assert Hotspot.objects.filter(name=hotspot.name).count() == 2


def test_create_in_a_ward_outside_the_users_areas_is_refused(as_user, other_area):
    outside_ward = WardFactory(area=other_area, name="Faraday")
    response = as_user("sergeant").post(CREATE_URL, form_data(outside_ward))
    assert response.status_code == 200
    assert "Choose one of the wards in your areas" in field_group(response, "ward")
    assert Hotspot.objects.count() == 0


def test_create_race_for_the_same_name_is_a_field_error_not_a_500(as_user, hotspot, ward):
    # Another supervisor saved the name after this form checked it: the database refuses.
    with (
        mock.patch.object(HotspotForm, "_name_taken", return_value=False),
        mock.patch.object(HotspotForm, "validate_constraints"),
    ):
        response = as_user("sergeant").post(CREATE_URL, form_data(ward, name=hotspot.name))
    assert response.status_code == 200
    assert "already has a hotspot called Acre Lane junction" in field_group(response, "name")
    assert Hotspot.objects.count() == 1


# --- Edit ---------------------------------------------------------------------------------


def test_edit_form_shows_the_hotspot(as_user, hotspot):
    response = as_user("sergeant").get(edit_url(hotspot))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Edit Acre Lane junction" in page
    assert 'value="Acre Lane junction"' in page
    assert 'value="51.460000"' in page
    # A date input needs the ISO date, whatever the locale's format.
    assert 'value="2024-02-01"' in field_group(response, "identified_on")
    assert retire_url(hotspot) in page


def test_edit_saves_and_returns_to_the_list_with_a_message(as_user, hotspot, ward):
    data = form_data(ward, name="Acre Lane and Bellefields Road")
    response = as_user("project_lead").post(edit_url(hotspot), data, follow=True)
    assert response.redirect_chain == [(LIST_URL, 302)]
    assert "Hotspot Acre Lane and Bellefields Road updated." in response.content.decode()
    hotspot.refresh_from_db()
    assert hotspot.name == "Acre Lane and Bellefields Road"
    assert hotspot.latitude == Decimal("51.462100")


def test_edit_may_keep_its_own_name(as_user, hotspot, ward):
    response = as_user("sergeant").post(edit_url(hotspot), form_data(ward, name=hotspot.name))
    assert response.status_code == 302


def test_edit_to_another_hotspots_name_is_a_field_error(as_user, hotspot, ward):
    HotspotFactory(ward=ward, name="Brixton Water Lane")
    response = as_user("sergeant").post(
        edit_url(hotspot), form_data(ward, name="Brixton Water Lane")
    )
    assert response.status_code == 200
    assert "already has a hotspot called Brixton Water Lane" in field_group(response, "name")
    hotspot.refresh_from_db()
    assert hotspot.name == "Acre Lane junction"


def test_edit_bad_latitude_is_shown_and_kept_and_nothing_changes(as_user, hotspot, ward):
    response = as_user("sergeant").post(edit_url(hotspot), form_data(ward, latitude="5.146"))
    group = field_group(response, "latitude")
    assert "Enter a latitude between 51.28 and 51.70" in group
    assert 'value="5.146"' in group
    hotspot.refresh_from_db()
    assert hotspot.latitude == Decimal("51.460000")


# --- Retire -------------------------------------------------------------------------------


def test_retire_asks_for_confirmation(as_user, hotspot):
    response = as_user("sergeant").get(retire_url(hotspot))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Retire Acre Lane junction?" in page
    assert "govuk-button--warning" in page
    hotspot.refresh_from_db()
    assert hotspot.active


def test_retire_sets_inactive_and_the_date_with_a_message(as_user, hotspot):
    response = as_user("sergeant").post(retire_url(hotspot), follow=True)
    assert response.redirect_chain == [(LIST_URL, 302)]
    assert "Hotspot Acre Lane junction retired." in response.content.decode()
    hotspot.refresh_from_db()
    assert (hotspot.active, hotspot.retired_on) == (False, timezone.localdate())


def test_retiring_twice_is_refused_with_a_message(as_user, ward):
    retired = HotspotFactory(
        ward=ward, name="Old Yard", active=False, retired_on=dt.date(2025, 1, 5)
    )
    client = as_user("sergeant")
    for method in ("get", "post"):
        response = getattr(client, method)(retire_url(retired), follow=True)
        assert response.redirect_chain == [(LIST_URL, 302)]
        assert "Hotspot Old Yard was already retired on 5 January 2025." in (
            response.content.decode()
        )
    retired.refresh_from_db()
    assert retired.retired_on == dt.date(2025, 1, 5)
