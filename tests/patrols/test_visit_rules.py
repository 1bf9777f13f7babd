"""Timed visits on a work return (patrols.services.visits): arrival and departure at a
hotspot, optional; each rule refuses the whole return, with the visit named."""

import pytest

from patrols import services
from patrols.models import HotspotVisit, OfficerHours, PatrolStatus, WorkReturn
from patrols.services import PatrolRuleError
from tests.factories import HotspotFactory, WardFactory
from tests.patrols.visits import HOUR, NIGHT, submit, visit

pytestmark = pytest.mark.django_db


def refused(patrol, pc, visits, message: str) -> None:
    with pytest.raises(PatrolRuleError, match=message) as caught:
        submit(patrol, pc, visits)
    assert caught.value.field == "visits"
    # Nothing half-written: no return, no hours, no visits; the patrol still deployed.
    assert not WorkReturn.objects.exists()
    assert not OfficerHours.objects.exists()
    assert not HotspotVisit.objects.exists()
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.DEPLOYED


def test_timed_visits_are_written_and_their_hotspots_count_as_visited(
    patrol, pc, hotspot, other_hotspot
):
    work_return = submit(
        patrol,
        pc,
        [visit(hotspot, 30, 42), visit(hotspot, 120, 135), visit(other_hotspot, 60, 71)],
        hotspots=[hotspot],
    )

    rows = list(work_return.visits.order_by("arrived_at"))
    assert [(v.hotspot, v.minutes) for v in rows] == [
        (hotspot, 12.0),
        (other_hotspot, 11.0),
        (hotspot, 15.0),
    ]
    assert set(work_return.hotspots_visited.all()) == {hotspot, other_hotspot}


def test_a_return_without_times_is_still_a_return(patrol, pc, hotspot):
    work_return = submit(patrol, pc, [], hotspots=[hotspot])
    assert list(work_return.hotspots_visited.all()) == [hotspot]
    assert not work_return.visits.exists()


def test_the_departure_must_be_after_the_arrival(patrol, pc, hotspot):
    refused(
        patrol,
        pc,
        [visit(hotspot, 30, 40), visit(hotspot, 60, 60)],
        "Visit 2: the departure must be after the arrival.",
    )


def test_both_times_or_neither(patrol, pc, hotspot):
    refused(patrol, pc, [visit(hotspot, 30, None)], "Visit 1: give the departure time too")
    refused(patrol, pc, [visit(hotspot, None, 30)], "Visit 1: give the arrival time too")
    # A visit without times is a hotspot visited: it goes in hotspots_visited instead.
    refused(patrol, pc, [visit(hotspot, None, None)], "Visit 1: give the arrival and departure")


def test_a_visit_needs_its_hotspot(patrol, pc):
    refused(patrol, pc, [visit(None, 30, 40)], "Visit 1: choose the hotspot visited.")


@pytest.mark.parametrize(
    ("arrived", "left", "message"),
    [
        (-10, 5, "Visit 1: the arrival must be within the shift \\(20:00–04:00\\)."),
        (470, 490, "Visit 1: the departure must be within the shift \\(20:00–04:00\\)."),
    ],
    ids=["before-the-start", "after-the-end"],
)
def test_a_visit_falls_within_the_shift(patrol, pc, hotspot, arrived, left, message):
    refused(patrol, pc, [visit(hotspot, arrived, left)], message)


def test_a_visit_after_midnight_is_within_a_shift_that_crosses_it(patrol, pc, hotspot):
    # 23:50 to 00:05 and 01:00 to 01:15: the shift runs 20:00 to 04:00 the next morning.
    work_return = submit(patrol, pc, [visit(hotspot, 230, 245), visit(hotspot, 300, 315)])
    assert [v.minutes for v in work_return.visits.all()] == [15.0, 15.0]


def test_visits_at_one_hotspot_may_not_overlap(patrol, pc, hotspot):
    refused(
        patrol,
        pc,
        [visit(hotspot, 30, 50), visit(hotspot, 45, 60)],
        "Visit 2: it overlaps visit 1 at Test Street North.",
    )


def test_back_to_back_visits_and_visits_at_two_hotspots_may_meet(
    patrol, pc, hotspot, other_hotspot
):
    visits = [visit(hotspot, 30, 50), visit(hotspot, 50, 60), visit(other_hotspot, 40, 55)]
    assert submit(patrol, pc, visits).visits.count() == 3


def test_a_hotspot_of_another_area_is_refused(patrol, pc, other_area):
    elsewhere = HotspotFactory(ward=WardFactory(area=other_area))
    with pytest.raises(PatrolRuleError, match="Only hotspots in"):
        submit(patrol, pc, [visit(elsewhere, 30, 40)])
    assert not HotspotVisit.objects.exists()


def test_the_problems_are_given_at_their_fields():
    hotspot = HotspotFactory.build(pk=1, name="Test Street North")
    problems = services.visit_problems(
        NIGHT, NIGHT + 8 * HOUR, [visit(hotspot, 30, None), visit(hotspot, 50, 40)]
    )
    assert [(p.index, p.field) for p in problems] == [(0, "left_at"), (1, "left_at")]
