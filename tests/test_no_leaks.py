"""Nothing personal leaks by accident: not into log output, error pages, page titles or
URLs. The person in these tests is called "Canary Zebedee" so that a leak is easy to spot.

(The crime CSV upload's size limit and type check are tested in
tests/reporting/test_import_view.py.)
"""

import io
import logging
import re
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.template.loader import get_template
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from django.views.defaults import server_error

from ephedra.logging import NoPersonalData
from patrols.models import Encounter
from referrals.models import Person

from .factories import PersonFactory, UserFactory, consented_referral, sent_concern
from .patrols.test_return_views import crewed_patrol, submitted  # a filed return

CANARY = "Canary Zebedee"
# What a PostgreSQL unique violation says: the DETAIL line echoes the row's values.
DETAIL = (
    'duplicate key value violates unique constraint "referrals_person_name"\n'
    f"DETAIL:  Key (working_name)=({CANARY}) already exists."
)


# --- Views that fail, for the error pages (this module is their URLconf) ----------------


def raises_integrity_error(request):
    raise IntegrityError(DETAIL)


def raises_not_found(request):
    raise Http404(f"No Person matches the given query ({CANARY}).")


def raises_permission_denied(request):
    raise PermissionDenied(f"{CANARY} is not yours to see.")


urlpatterns = [
    path("-/test/integrity-error/", raises_integrity_error),
    path("-/test/not-found/", raises_not_found),
    path("-/test/permission-denied/", raises_permission_denied),
    path("", include("ephedra.urls")),
]


# --- Log output ---------------------------------------------------------------------------


@pytest.fixture
def log_output():
    """What settings.LOGGING's handler writes, for the duration of a test."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, NoPersonalData) for f in handler.filters)
    ]
    assert handlers, "settings.LOGGING has no handler filtered by ephedra.logging.NoPersonalData"
    output = io.StringIO()
    previous = [handler.setStream(output) for handler in handlers]
    yield output
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


def test_a_database_error_is_logged_without_its_message(log_output):
    try:
        raise IntegrityError(DETAIL)
    except IntegrityError as error:
        logging.getLogger("django.request").exception("Internal Server Error: %s", "/people/")
        logging.getLogger("referrals.services").error("Could not save: %s", error)
        logging.getLogger("referrals.services").error(error)

    written = log_output.getvalue()
    assert CANARY not in written
    assert "DETAIL" not in written
    assert "Traceback" not in written
    # What remains is enough to find the bug: the type, where, and the request's path.
    assert "Internal Server Error: /people/ [IntegrityError at tests/test_no_leaks.py:" in written
    assert "in test_a_database_error_is_logged_without_its_message]" in written
    assert "Could not save: IntegrityError" in written
    assert written.count("IntegrityError") == 3


@pytest.mark.django_db
def test_a_real_unique_violation_is_logged_without_the_values(log_output):
    """On PostgreSQL the error's DETAIL line really does hold the value."""
    UserFactory(username=CANARY)
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        UserFactory(username=CANARY)
    if connection.vendor == "postgresql":
        assert CANARY in str(raised.value)  # what would have been logged

    logging.getLogger("django.request").error(
        "Internal Server Error: %s", "/accounts/", exc_info=raised.value
    )

    written = log_output.getvalue()
    assert "Canary" not in written
    assert "Internal Server Error: /accounts/ [IntegrityError at " in written


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_failing_request_logs_its_path_and_status_not_the_error(log_output, sergeant):
    client = Client(raise_request_exception=False)
    client.force_login(sergeant)

    response = client.post("/-/test/integrity-error/?name=Canary+Zebedee", {"working_name": CANARY})

    assert response.status_code == 500
    written = log_output.getvalue()
    assert "Canary" not in written
    assert "/-/test/integrity-error/" in written
    assert "IntegrityError at tests/test_no_leaks.py:" in written


def test_request_lines_lose_their_query_string(log_output):
    logging.getLogger("django.server").info(
        '"%s" %s %s', "GET /people/?q=Canary+Zebedee HTTP/1.1", 200, 1234
    )
    written = log_output.getvalue()
    assert "Canary" not in written
    assert '"GET /people/?… HTTP/1.1" 200 1234' in written


# --- Error pages (DEBUG is off in tests, as in production) ------------------------------


@pytest.mark.urls(__name__)
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/-/test/not-found/", 404, "Page not found"),
        (f"/people/{uuid.uuid4()}/?name=Canary+Zebedee", 404, "Page not found"),
        ("/Canary-Zebedee/", 404, "Page not found"),
        ("/-/test/permission-denied/", 403, "You cannot do this"),
        ("/-/test/integrity-error/", 500, "Sorry, there is a problem"),
    ],
)
def test_error_pages_reveal_nothing(sergeant, url, status, heading):
    client = Client(raise_request_exception=False)
    client.force_login(sergeant)

    response = client.get(url)

    content = response.content.decode()
    assert response.status_code == status
    assert heading in content
    for secret in ("Canary", "Zebedee", "Person", "matches the given query", "Traceback"):
        assert secret not in content, secret
    assert "IntegrityError" not in content
    assert "DETAIL" not in content
    assert url.split("?")[0] not in content  # no echo of the path asked for


def test_the_500_page_renders_without_a_request_context(rf):
    """handler500 renders 500.html with no context at all: nothing in it may need one."""
    assert "Sorry, there is a problem" in get_template("500.html").render()
    response = server_error(rf.get("/anything/"))
    assert response.status_code == 500
    assert b"Sorry, there is a problem" in response.content


# --- Page titles --------------------------------------------------------------------------


def title_of(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.DOTALL)
    assert match, "the page has no <title>"
    return match.group(1)


@pytest.fixture
def canary(area, pc):
    return PersonFactory(area=area, working_name=CANARY, description=CANARY, created_by=pc)


@pytest.mark.django_db
def test_pages_about_a_person_do_not_name_them_in_the_title(
    client, canary, sergeant, partner_a, agency_a
):
    referral = consented_referral(agency=agency_a, by=sergeant, person=canary)
    concern = sent_concern(by=partner_a, area=canary.area, person=canary)
    pages = [
        (sergeant, reverse("patrols:concern", args=[concern.uuid])),
        (partner_a, reverse("patrols:partner_concern", args=[concern.uuid])),
        (partner_a, reverse("patrols:partner_concerns")),
        (sergeant, reverse("referrals:person", args=[canary.uuid])),
        (sergeant, reverse("referrals:detail", args=[referral.uuid])),
        (sergeant, reverse("referrals:list")),
        (partner_a, reverse("referrals:partner_detail", args=[referral.uuid])),
        (partner_a, reverse("referrals:partner_home")),
    ]
    for user, url in pages:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        assert CANARY in response.content.decode(), f"{url} should show the person"
        assert "Canary" not in title_of(response), url
        assert "Zebedee" not in title_of(response), url


@pytest.mark.django_db
def test_the_work_return_does_not_name_the_people_seen_in_its_title(client, area, pc):
    from .factories import OfficerFactory, WardFactory

    ward = WardFactory(area=area)
    patrol = crewed_patrol(ward, pc, OfficerFactory(areas=[area]))
    submitted(patrol, pc)
    Person.objects.filter(encounters__in=Encounter.objects.all()).update(working_name=CANARY)
    client.force_login(pc)

    response = client.get(reverse("patrols:work_return", args=[patrol.uuid]))

    assert response.status_code == 200
    assert CANARY in response.content.decode()
    assert "Canary" not in title_of(response)


# --- URLs ---------------------------------------------------------------------------------


def routes(patterns=None, prefix: str = ""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


# Where records about people live: the pages and the API (the admin is for administrators
# and keeps Django's integer keys).
ABOUT_PEOPLE = re.compile(r"^\^?(referrals|people|patrols|partner|intelligence|api)/")
GUESSABLE = re.compile(r"<int:|<pk>|<id>|\(\?P<(pk|id)>|\[0-9\]")
# Under those prefixes but not about people, or not yet moved to UUIDs: each with why.
# An entry that no longer matches a URL fails the test, so the list only shrinks.
NOT_A_PERSON = {
    "api/v1/^crime-records/(?P<pk>[^/.]+)/$": "police.uk's published, anonymised crimes",
}


def test_urls_for_records_about_people_use_uuids():
    checked = [route for route in routes() if ABOUT_PEOPLE.search(route)]
    assert any("people/<uuid:uuid>/" in route for route in checked)  # the walk found them
    assert any(route.startswith("partner/referrals/") for route in checked)
    guessable = [r for r in checked if GUESSABLE.search(r) and r not in NOT_A_PERSON]
    assert not guessable, "records about people need <uuid:...> in their URLs:\n" + "\n".join(
        guessable
    )
    assert set(NOT_A_PERSON) <= set(checked), "remove the entries that no longer exist"
