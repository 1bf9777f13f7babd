"""The work return page's timed visits: arrival and departure at each hotspot, optional,
with each problem next to its field and the visit named in the summary."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from patrols.models import HotspotVisit, PatrolStatus, ReturnDraft, WorkReturn
from tests.factories import HotspotFactory, OfficerFactory
from tests.patrols.test_return_views import (
    add_row,
    crewed_patrol,
    page_errors,
    page_fields,
    quiet_night_page,
    typed,
    urls,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def patrol(ward, pc, area, hotspot):
    local_pc = OfficerFactory(role=Role.PC, areas=[area], profile__home_ward=ward)
    patrol = crewed_patrol(ward, pc, local_pc)  # 20:00 to 04:00
    patrol.hotspots.set([hotspot])
    return patrol


def test_the_form_offers_a_visit_row_for_each_planned_hotspot(client, pc, patrol, hotspot):
    client.force_login(pc)
    response = client.get(urls(patrol)["work_return"])
    page = page_fields(response)
    assert page["visits-TOTAL_FORMS"] == ["1"]
    assert page["visits-0-hotspot"] == [str(hotspot.pk)]
    content = response.content.decode()
    assert 'type="time" name="visits-0-arrived"' in content
    # The "now" buttons are hidden until the script shows them: the form works without it.
    assert '<div data-now-box hidden><button type="button"' in content
    assert '<script src="/static/js/visit-now.js"></script>' in content


def test_a_visit_s_times_are_recorded_across_midnight(client, pc, patrol, hotspot):
    client.force_login(pc)
    url = urls(patrol)["work_return"]
    page = add_row(client, url, quiet_night_page(client, patrol), "visits")
    page |= typed(
        visits__0__arrived="21:10",
        visits__0__left="21:24",
        visits__1__hotspot=hotspot.pk,
        visits__1__arrived="23:55",
        visits__1__left="00:08",
    )

    response = client.post(url, page)

    assert response.status_code == 302, page_errors(response)
    work_return = WorkReturn.objects.get()
    visits = list(work_return.visits.all())
    assert [v.minutes for v in visits] == [14.0, 13.0]
    assert visits[1].left_at.date() == visits[1].arrived_at.date() + dt.timedelta(days=1)
    shown = client.get(url).content.decode()
    assert "Test Street North: 23:55 to 00:08 (13 minutes)" in shown


def test_a_row_with_a_hotspot_and_no_times_is_ignored(client, pc, patrol):
    client.force_login(pc)
    response = client.post(urls(patrol)["work_return"], quiet_night_page(client, patrol))
    assert response.status_code == 302, page_errors(response)
    assert not HotspotVisit.objects.exists()


@pytest.mark.parametrize(
    ("values", "field_id", "message"),
    [
        (
            {"visits__1__arrived": "22:00", "visits__1__left": "21:50"},
            "id_visits-1-left",
            "The departure must be after the arrival.",
        ),
        ({"visits__1__arrived": "22:00"}, "id_visits-1-left", "Give the departure time too"),
        (
            {"visits__1__arrived": "19:30", "visits__1__left": "19:45"},
            "id_visits-1-arrived",
            "The arrival must be within the shift (20:00–04:00).",
        ),
        (
            {"visits__1__arrived": "21:20", "visits__1__left": "21:30"},
            "id_visits-1-arrived",
            "It overlaps visit 1 at Test Street North",
        ),
    ],
    ids=["departure-first", "one-time-only", "outside-the-shift", "overlap"],
)
def test_bad_times_are_shown_at_their_field_naming_the_visit(
    client, pc, patrol, hotspot, values, field_id, message
):
    client.force_login(pc)
    url = urls(patrol)["work_return"]
    page = add_row(client, url, quiet_night_page(client, patrol), "visits")
    page |= typed(visits__0__arrived="21:10", visits__0__left="21:25")
    page |= typed(visits__1__hotspot=hotspot.pk)

    response = client.post(url, page | typed(**values))

    content = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="#{field_id}">Visit 2: {message}' in content  # the summary names it
    assert f'id="{field_id}-error"' in content  # and the error is next to the field
    assert not WorkReturn.objects.exists()
    assert not HotspotVisit.objects.exists()
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.DEPLOYED


def test_a_draft_keeps_the_visits_typed(client, pc, patrol):
    client.force_login(pc)
    page = page_fields(client.get(urls(patrol)["work_return"]))
    page |= typed(visits__0__arrived="21:10")  # no departure yet: not valid, still kept
    client.post(urls(patrol)["save_draft"], page, headers={"HX-Request": "true"})
    assert ReturnDraft.objects.get().data["visits-0-arrived"] == ["21:10"]

    restored = page_fields(client.get(urls(patrol)["work_return"]))

    assert restored["visits-0-arrived"] == ["21:10"]


def test_the_form_costs_the_same_queries_with_more_visit_rows(client, pc, patrol, ward):
    """A visit row per planned hotspot: its choices come from the options loaded once."""
    client.force_login(pc)
    url = urls(patrol)["work_return"]
    client.get(url)  # warm: the session's first touch
    counts = []
    for extra in (0, 4):
        patrol.hotspots.add(*(HotspotFactory(ward=ward) for _ in range(extra)))
        with CaptureQueriesContext(connection) as queries:
            page = page_fields(client.get(url))
        assert page["visits-TOTAL_FORMS"] == [str(1 + extra)]
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
