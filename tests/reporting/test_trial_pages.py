"""Trial pages: the lead registers through the form (errors at the field, nothing half
written); the trial page shows the registration, the weeks revealed and never a
concealed one, the deviations with their reasons and the result; the week page and the
planning form mark trial hotspots for revealed weeks only; the Evidence page links."""

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import Role
from patrols.models import Trial, TrialDeviation
from patrols.services import trials
from tests.factories import AreaFactory, HotspotFactory, OfficerFactory, WardFactory
from tests.patrols.trials import next_monday, patrol_in_week, register

pytestmark = pytest.mark.django_db
REGISTER = reverse("reporting:trial_register")


def form_data(area, places, **overrides) -> dict:
    return {
        "area": area.pk,
        "title": "Spring trial",
        "hotspots": [h.pk for h in places],
        "primary_outcome": "return_sightings",
        "hypotheses": "Fewer sightings where patrolled.",
        "analysis_plan": "ITT by hotspot-week.",
        "weeks": "12",
        "starts_on": next_monday(1).isoformat(),
        "patrol_share": "0.5",
    } | overrides


@pytest.fixture
def places(area):
    ward = WardFactory(area=area, name="Brixton North")
    return [HotspotFactory(ward=ward) for _ in range(5)]


def error_at(html: str, field: str) -> str:
    match = re.search(rf'id="id_{field}-error"[^>]*>(.*?)</p>', html, re.S)
    assert match, f"no error at {field}"
    return match.group(1)


def test_the_lead_registers_a_trial_and_it_is_locked(client, project_lead, area, places):
    client.force_login(project_lead)
    assert client.get(REGISTER).status_code == 200

    response = client.post(REGISTER, form_data(area, places), follow=True)

    trial = Trial.objects.get()
    assert response.redirect_chain[-1][0] == reverse("reporting:trial", args=[trial.uuid])
    assert trial.hotspots.count() == 5
    html = response.content.decode()
    assert "Its plan is now locked" in html
    assert trial.seed_commitment[:16] in html
    assert trial.seed[:16] not in html


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"starts_on": next_monday(1) + dt.timedelta(days=2)}, "starts_on", "Monday"),
        ({"starts_on": "9999-12-31"}, "starts_on", "Enter a date between"),
        ({"weeks": "2"}, "weeks", "greater than or equal to 4"),
        ({"patrol_share": "1.5"}, "patrol_share", "less than or equal to 0.95"),
        ({"primary_outcome": ""}, "primary_outcome", "Choose the primary outcome"),
        ({"hypotheses": ""}, "hypotheses", "Enter the hypotheses"),
        ({"hotspots": []}, "hotspots", "Choose at least 4 hotspots"),
    ],
)
def test_bad_input_is_refused_at_the_field(
    client, project_lead, area, places, overrides, field, words
):
    client.force_login(project_lead)
    response = client.post(REGISTER, form_data(area, places, **overrides))

    assert response.status_code == 200
    assert words in error_at(response.content.decode(), field)
    assert not Trial.objects.exists()


def test_too_few_hotspots_is_the_services_refusal_shown_at_the_field(
    client, project_lead, area, places
):
    client.force_login(project_lead)
    response = client.post(REGISTER, form_data(area, places[:3]))
    assert "at least 4" in error_at(response.content.decode(), "hotspots")
    assert not Trial.objects.exists()


def test_another_areas_hotspot_is_not_a_choice(client, project_lead, area, places, other_area):
    elsewhere = HotspotFactory(ward=WardFactory(area=other_area))
    client.force_login(project_lead)
    response = client.post(REGISTER, form_data(area, [*places, elsewhere]))
    assert "not one of the available choices" in error_at(response.content.decode(), "hotspots")


# --- The trial page ------------------------------------------------------------------------


def test_the_page_shows_revealed_weeks_only(client, project_lead, sergeant, area):
    # Starting next Monday: week 1's planning opened on the Monday before; week 2's opens
    # on the first day of the trial, after today.
    trial = register(project_lead, area, starts_on=next_monday(0))
    client.force_login(sergeant)
    html = client.get(reverse("reporting:trial", args=[trial.uuid])).content.decode()

    assert re.findall(r"Week (\d+), from", html) == ["1"]
    assert html.count("trial: patrol") == 3
    assert "7 weeks still concealed" in html
    assert trial.seed[:16] not in html


def test_a_trial_starting_in_three_weeks_reveals_nothing(client, project_lead, area):
    trial = register(project_lead, area, starts_on=next_monday(3))
    client.force_login(project_lead)
    html = client.get(reverse("reporting:trial", args=[trial.uuid])).content.decode()

    assert "trial: patrol" not in html
    assert "trial: control" not in html
    assert "8 weeks still concealed" in html


def test_another_areas_lead_gets_404(client, project_lead, area):
    trial = register(project_lead, area)
    outsider = OfficerFactory(role=Role.PROJECT_LEAD, areas=[AreaFactory(name="Elsewhere")])
    client.force_login(outsider)
    assert client.get(reverse("reporting:trial", args=[trial.uuid])).status_code == 404


def test_the_trial_is_not_in_the_admin_so_the_seed_cannot_be_read_there():
    assert Trial not in admin.site._registry
    assert TrialDeviation not in admin.site._registry


def test_a_deviation_is_listed_and_a_supervisor_gives_its_reason(
    client, project_lead, sergeant, area
):
    trial = register(project_lead, area)
    patrol_in_week(trial, 1, list(trial.hotspots.all()))
    deviation = trials.record_deviations(trial, trial.starts_on)[0]
    url = reverse("reporting:trial_deviation", args=[trial.uuid, deviation.pk])
    client.force_login(sergeant)

    blank = client.post(url, {"reason": "  "})
    saved = client.post(url, {"reason": "Called to an incident nearby."}, follow=True)

    assert blank.status_code == 200
    assert "Enter the reason" in error_at(blank.content.decode(), "reason")
    deviation.refresh_from_db()
    assert deviation.reason == "Called to an incident nearby."
    assert "Called to an incident nearby." in saved.content.decode()
    assert "Patrol planned at a control hotspot" in saved.content.decode()


def test_the_page_runs_the_same_queries_for_5_or_50_deviations(
    client, project_lead, area, django_assert_max_num_queries
):
    counts = []
    for n in (5, 50):
        trial = register(project_lead, area, hotspots=n + 1, weeks=4)
        for h in list(trial.hotspots.all())[:n]:
            TrialDeviation.objects.create(trial=trial, hotspot=h, week=1, kind="missed_patrol")
        client.force_login(project_lead)
        # session, user, second factor (3), unread count (1), trial (1), hotspots for the
        # weeks and the list (2), analysis: hotspots (0 before week 1 ends), deviations (1)
        with django_assert_max_num_queries(14) as queries:
            assert client.get(reverse("reporting:trial", args=[trial.uuid])).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


# --- Planning shows the allocation ----------------------------------------------------------


def test_the_week_page_and_plan_form_mark_trial_hotspots_once_revealed(
    client, project_lead, sergeant, area
):
    trial = register(project_lead, area, starts_on=next_monday(0))
    client.force_login(sergeant)
    monday = trial.starts_on.isoformat()

    week = client.get(reverse("patrols:week"), {"week": monday}).content.decode()
    form = client.get(reverse("patrols:create"), {"date": monday}).content.decode()

    for html in (week, form):
        assert html.count("trial: patrol") == 3
        assert html.count("trial: control") == 3


def test_the_week_page_says_when_a_concealed_week_is_revealed(client, project_lead, area):
    trial = register(project_lead, area, starts_on=next_monday(3))
    client.force_login(project_lead)
    monday = trial.starts_on.isoformat()

    week = client.get(reverse("patrols:week"), {"week": monday}).content.decode()
    form = client.get(reverse("patrols:create"), {"date": monday}).content.decode()

    assert "allocation is revealed on" in week
    assert "trial: " not in week
    assert "trial: " not in form


def test_the_evidence_page_links_to_the_trial(client, project_lead, area):
    trial = register(project_lead, area)
    client.force_login(project_lead)
    html = client.get(reverse("reporting:evidence")).content.decode()
    assert reverse("reporting:trial", args=[trial.uuid]) in html
    assert REGISTER in html
