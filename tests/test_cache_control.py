"""Nothing shown to a signed-in user is stored by a browser or a proxy: every page and
API answer for them says ``Cache-Control: private, no-store`` (core.middleware), unless
the view says more itself. Static files stay cacheable; the sign-in page still works."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.conftest import bearer
from tests.factories import PatrolFactory, PersonFactory, api_token

pytestmark = pytest.mark.django_db


def assert_not_stored(response) -> None:
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives, response["Cache-Control"]


@pytest.fixture
def person(area, pc):
    return PersonFactory(area=area, created_by=pc)


@pytest.mark.parametrize(
    "url_of",
    [
        lambda person: reverse("home"),
        lambda person: reverse("patrols:list"),
        lambda person: reverse("patrols:detail", args=[PatrolFactory(area=person.area).uuid]),
        lambda person: reverse("referrals:person", args=[person.uuid]),
        lambda person: reverse("referrals:list"),
        lambda person: "/no-such-page/",  # a 404 for a signed-in user
    ],
    ids=["home", "patrols", "patrol", "person", "referrals", "not found"],
)
def test_pages_for_a_signed_in_user_are_not_stored(client, sergeant, person, url_of):
    client.force_login(sergeant)

    response = client.get(url_of(person))

    assert response.status_code in {200, 404}, response.status_code
    assert_not_stored(response)


def test_an_api_answer_to_a_token_is_not_stored(client, sergeant):
    token = api_token(sergeant).secret

    response = client.get("/api/v1/hotspots/", **bearer(token))

    assert response.status_code == 200
    assert_not_stored(response)


def test_an_api_answer_to_the_browser_session_is_not_stored(client, sergeant, person):
    client.force_login(sergeant)

    response = client.get(f"/api/v1/people/{person.uuid}/")

    assert response.status_code == 200
    assert_not_stored(response)


def test_a_refused_token_is_not_stored_either(client):
    response = client.get("/api/v1/hotspots/", **bearer("eph_0123456789_not-a-token"))

    assert response.status_code == 401
    assert_not_stored(response)


def test_a_view_that_says_more_keeps_its_own_words(client, pc):
    """The token page is never_cache (no-cache, must-revalidate...): left as it is."""
    client.force_login(pc)

    response = client.get(reverse("tokens:list"))

    assert "must-revalidate" in response["Cache-Control"]
    assert_not_stored(response)


def test_the_sign_in_page_still_works(client, pc):
    page = client.get(reverse("login"))
    signed_in = client.post(
        reverse("login"), {"username": pc.username, "password": "correct-horse-battery-staple"}
    )

    assert page.status_code == 200
    assert 'name="password"' in page.text
    assert signed_in.status_code == 302


def test_a_visitors_redirect_is_left_alone(client):
    """No credentials, no personal data: nothing added."""
    response = client.get(reverse("patrols:list"))

    assert response.status_code == 302
    assert "Cache-Control" not in response


def test_static_files_stay_cacheable(settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()

    response = client.get("/static/js/app.js")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "public" in response["Cache-Control"]
