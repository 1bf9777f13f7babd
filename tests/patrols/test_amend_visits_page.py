"""The amend page's timed visits: a supervisor corrects a submitted return's arrival and
departure times (services.amend_return, ``visits``), each problem next to its field; the
visits are sent only when they (or the shift they fall in) were changed."""

import datetime as dt

import pytest

from accounts.models import Role
from patrols import services
from patrols.models import HotspotVisit, ReturnAmendment
from tests.factories import OfficerFactory
from tests.patrols.test_return_views import page_errors, page_fields, typed, urls
from tests.patrols.visits import MINUTE, NIGHT, submit, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(patrol, pc, hotspot, other_hotspot):
    """A submitted return with two timed visits: 21:00 to 21:15, and 22:00 to 22:20."""
    return submit(patrol, pc, [visit(hotspot, 60, 75), visit(other_hotspot, 120, 140)])


def stored(work_return) -> list[tuple]:
    rows = work_return.visits.order_by("arrived_at")
    return list(rows.values_list("pk", "hotspot__name", "arrived_at", "left_at"))


def amend_page(client, patrol) -> dict:
    return page_fields(client.get(urls(patrol)["amend_return"]), form_id=None)


def test_the_page_shows_the_recorded_visits_and_a_blank_row(
    client, sergeant, patrol, filed, hotspot, other_hotspot
):
    client.force_login(sergeant)
    response = client.get(urls(patrol)["amend_return"])
    page = page_fields(response, form_id=None)

    assert "Time at each hotspot" in response.content.decode()
    assert page["visits-TOTAL_FORMS"] == ["3"]
    assert page["visits-0-hotspot"] == [str(hotspot.pk)]
    assert (page["visits-0-arrived"], page["visits-0-left"]) == (["21:00"], ["21:15"])
    assert page["visits-1-hotspot"] == [str(other_hotspot.pk)]
    assert (page["visits-1-arrived"], page["visits-1-left"]) == (["22:00"], ["22:20"])
    assert page["visits-2-hotspot"] == [""]
    assert (page["visits-2-arrived"], page["visits-2-left"]) == ([""], [""])


def test_a_corrected_departure_is_stored_and_shown_with_the_amendment(
    client, sergeant, patrol, filed, hotspot
):
    client.force_login(sergeant)
    page = amend_page(client, patrol)

    response = client.post(
        urls(patrol)["amend_return"],
        page | typed(visits__0__left="21:25", reason="Checked against the radio log."),
    )

    assert response.status_code == 302, page_errors(response)
    after = stored(filed)
    assert [row[1:] for row in after] == [
        (hotspot.name, NIGHT + 60 * MINUTE, NIGHT + 85 * MINUTE),
        ("Test Street South", NIGHT + 120 * MINUTE, NIGHT + 140 * MINUTE),
    ]
    amendment = ReturnAmendment.objects.get()
    before_text, after_text = amendment.changes["visits"]
    assert "21:00–2025-03-07 21:15" in before_text
    assert "21:00–2025-03-07 21:25" in after_text
    assert amendment.reason == "Checked against the radio log."
    # The submitted return shows the corrected times.
    content = client.get(urls(patrol)["work_return"]).content.decode()
    assert "Test Street North" in content
    assert "21:00 to 21:25" in content
    assert "21:00 to 21:15" not in content


def test_clearing_a_visit_s_times_removes_it_and_the_last_row_adds_one(
    client, sergeant, patrol, filed, hotspot
):
    client.force_login(sergeant)
    page = amend_page(client, patrol)
    page |= typed(visits__1__arrived="", visits__1__left="")  # remove Test Street South
    page |= typed(visits__2__hotspot=hotspot.pk, visits__2__arrived="01:00")
    page |= typed(visits__2__left="01:12", reason="Checked against the radio log.")

    response = client.post(urls(patrol)["amend_return"], page)

    assert response.status_code == 302, page_errors(response)
    assert [row[1:] for row in stored(filed)] == [
        (hotspot.name, NIGHT + 60 * MINUTE, NIGHT + 75 * MINUTE),
        (hotspot.name, NIGHT + 300 * MINUTE, NIGHT + 312 * MINUTE),  # after midnight
    ]
    assert "visits" in ReturnAmendment.objects.get().changes


def test_a_departure_before_arrival_is_refused_at_its_field(client, sergeant, patrol, filed):
    before = stored(filed)
    client.force_login(sergeant)
    page = amend_page(client, patrol)

    response = client.post(
        urls(patrol)["amend_return"],
        page | typed(visits__1__left="21:50", summary="Changed too.", reason="Typo."),
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_visits-1-left">Visit 2: The departure must be after the arrival.' in (
        content
    )
    assert 'id="id_visits-1-left-error"' in content  # the error is next to the field
    assert "<title>Error:" in content
    # Nothing written: no amendment, the visits and the summary as they were.
    assert not ReturnAmendment.objects.exists()
    assert stored(filed) == before
    filed.refresh_from_db()
    assert filed.summary == ""


def test_amending_only_the_summary_leaves_the_visits_alone(
    client, sergeant, patrol, filed, monkeypatch
):
    before = stored(filed)
    sent = []
    amend = services.amend_return

    def spy(work_return, by, reason, changes):
        sent.append(dict(changes))
        return amend(work_return, by, reason, changes)

    monkeypatch.setattr(services, "amend_return", spy)
    client.force_login(sergeant)
    page = amend_page(client, patrol)

    response = client.post(
        urls(patrol)["amend_return"], page | typed(summary="Quiet night.", reason="Missed it.")
    )

    assert response.status_code == 302, page_errors(response)
    assert "visits" not in sent[0]  # the service is not asked to rewrite them
    assert ReturnAmendment.objects.get().changes == {"summary": ["", "Quiet night."]}
    assert stored(filed) == before  # the same rows, not rewritten


def test_a_corrected_date_takes_the_visits_with_the_shift(client, sergeant, patrol, filed):
    """The page shows clock times on the night of the shift: when the night is corrected,
    the visits move with it instead of being refused as outside the shift."""
    client.force_login(sergeant)
    page = amend_page(client, patrol)

    response = client.post(
        urls(patrol)["amend_return"], page | typed(date="2025-03-06", reason="Wrong night.")
    )

    assert response.status_code == 302, page_errors(response)
    day = dt.timedelta(days=1)
    assert [row[2:] for row in stored(filed)] == [
        (NIGHT - day + 60 * MINUTE, NIGHT - day + 75 * MINUTE),
        (NIGHT - day + 120 * MINUTE, NIGHT - day + 140 * MINUTE),
    ]
    assert "visits" in ReturnAmendment.objects.get().changes


def test_another_area_s_supervisor_gets_404(client, patrol, filed, other_area):
    before = stored(filed)
    client.force_login(OfficerFactory(role=Role.SERGEANT, areas=[other_area]))
    url = urls(patrol)["amend_return"]

    assert client.get(url).status_code == 404
    posted = {"visits-TOTAL_FORMS": "1", "visits-0-left": "21:25", "reason": "x"}
    assert client.post(url, posted).status_code == 404
    assert stored(filed) == before
    assert not ReturnAmendment.objects.exists()


def test_a_pc_cannot_amend_the_visits(client, pc, patrol, filed):
    before = stored(filed)
    client.force_login(pc)  # on the patrol, but without the amend permission
    url = urls(patrol)["amend_return"]

    assert client.get(url).status_code == 403
    posted = {"visits-TOTAL_FORMS": "1", "visits-0-left": "21:25", "reason": "x"}
    assert client.post(url, posted).status_code == 403
    assert stored(filed) == before
    assert not ReturnAmendment.objects.exists()
    assert HotspotVisit.objects.count() == 2
