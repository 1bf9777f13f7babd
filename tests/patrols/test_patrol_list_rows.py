"""The patrol list's rows (patrols.selectors.patrol_list_rows) and the shared patrol table:
a page read as values in three queries, and each row shown as its Patrol is shown."""

import datetime as dt

import pytest
from django.template import engines
from django.template.loader import render_to_string

from patrols.models import OfficerRole, Patrol, PatrolOfficer, PatrolStatus
from patrols.selectors import patrol_list_rows, patrol_rows
from tests.factories import HotspotFactory, OfficerFactory, PatrolFactory, WardFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def crewed(ward, area, **fields) -> Patrol:
    """A patrol with hotspots in two wards and a crew in three roles, one officer known
    only by a username."""
    patrol = PatrolFactory(ward=ward, **fields)
    patrol.hotspots.add(
        HotspotFactory(ward=ward, name="Zeta Road"),
        HotspotFactory(ward=ward, name="Acre Lane"),
        HotspotFactory(ward=WardFactory(area=area, name="Akerman"), name="Wiltshire Road"),
    )
    crew = [
        (OfficerFactory(first_name="Sam", last_name="Sergeant"), OfficerRole.SERGEANT),
        (OfficerFactory(first_name="", last_name="", username="pc7"), OfficerRole.LOCAL_PC),
        (OfficerFactory(first_name="Ann", last_name="Ephedra"), OfficerRole.EPHEDRA_PC),
    ]
    for officer, role in crew:
        PatrolOfficer.objects.create(patrol=patrol, officer=officer, role=role)
    return patrol


def test_a_row_names_ward_hotspots_and_crew_as_the_patrol_does(area, ward):
    crewed(ward, area, status=PatrolStatus.CANCELLED, cancel_reason="Weather")

    [row] = patrol_list_rows(Patrol.objects.all(), 0, 50)

    assert row.ward == "Brixton North"
    # Hotspots in the model's order (ward name, then name); officers by role, and one
    # without a full name by username (User.__str__).
    assert row.hotspot_names == ("Wiltshire Road", "Acre Lane", "Zeta Road")
    assert row.crew_names == ("Ann Ephedra", "pc7", "Sam Sergeant")
    assert row.get_status_display() == "Cancelled"


def test_rows_keep_the_querysets_order_and_page(ward):
    night = dt.datetime(2026, 3, 6, 20, tzinfo=UTC)
    patrols = [PatrolFactory(ward=ward, starts_at=night - dt.timedelta(days=n)) for n in range(3)]

    rows = patrol_list_rows(Patrol.objects.order_by("-starts_at"), 1, 1)

    assert [row.uuid for row in rows] == [patrols[1].uuid]
    assert rows[0].starts_at == patrols[1].starts_at
    assert rows[0].ends_at == patrols[1].ends_at


@pytest.mark.parametrize("count", [1, 5])
def test_a_page_is_three_queries_and_an_empty_page_one(ward, count, django_assert_num_queries):
    for _ in range(count):
        patrol = PatrolFactory(ward=ward)
        patrol.hotspots.add(HotspotFactory(ward=ward), HotspotFactory(ward=ward))
        for role in (OfficerRole.EPHEDRA_PC, OfficerRole.LOCAL_PC):
            PatrolOfficer.objects.create(patrol=patrol, officer=OfficerFactory(), role=role)
    # the patrols with their ward's name, their hotspots' names, their crews' names
    with django_assert_num_queries(3):
        rows = patrol_list_rows(Patrol.objects.all(), 0, 50)
    assert len(rows) == count
    with django_assert_num_queries(1):
        assert patrol_list_rows(Patrol.objects.all(), 50, 50) == []


@pytest.mark.parametrize(
    "starts_at",
    [
        dt.datetime(2026, 3, 28, 20, 30, tzinfo=UTC),  # ends after the clocks go forward
        dt.datetime(2026, 10, 24, 22, 5, tzinfo=UTC),  # ends after they go back
        dt.datetime(2026, 12, 31, 23, 45, tzinfo=UTC),
    ],
)
def test_the_table_shows_a_row_as_it_shows_its_patrol(area, ward, starts_at):
    """The home pages give the table Patrols (patrol_rows), the list gives it rows: the
    same markup from each, night and hours in local time as Django's date filters give."""
    patrol = crewed(ward, area, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=8))
    context = {"caption": "Patrols"}

    from_patrol = render_to_string(
        "patrols/includes/patrol_table.html", {**context, "patrols": patrol_rows(Patrol.objects)}
    )
    from_row = render_to_string(
        "patrols/includes/patrol_table.html",
        {**context, "patrols": patrol_list_rows(Patrol.objects.all(), 0, 50)},
    )

    assert from_row == from_patrol
    django_dates = engines["django"].from_string(
        '{{ p.starts_at|date:"D j M Y" }}|{{ p.starts_at|time:"H:i" }}–{{ p.ends_at|time:"H:i" }}'
    )
    night, hours = django_dates.render({"p": patrol}).split("|")
    assert f">{night}<span" in from_row
    assert f">{hours}</span>" in from_row


def test_a_patrol_without_hotspots_or_crew_says_so(ward):
    PatrolFactory(ward=ward)
    html = render_to_string(
        "patrols/includes/patrol_table.html",
        {"patrols": patrol_list_rows(Patrol.objects.all(), 0, 50)},
    )
    assert "No hotspots chosen" in html
    assert "None yet" in html
