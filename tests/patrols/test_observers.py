"""Observers: a sergeant from another area joins a patrol to watch ("sergeants visit the
patrols in other areas"). The planner adds them; they read that patrol's plan and
nothing else of the area; the crew rules hold for them too."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from patrols import services
from patrols.models import OfficerRole, Patrol, PatrolOfficer, PatrolStatus
from tests.factories import OfficerFactory, PatrolFactory, WardFactory, api_token

from .cast import assess
from .test_planning_views import crewed_patrol, plan_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor(other_area):
    """A Southwark sergeant visiting Lambeth's patrols."""
    return OfficerFactory(role=Role.SERGEANT, areas=[other_area], last_name="Visitor")


@pytest.fixture
def observed(ward, ephedra_pc, local_pc, visitor):
    patrol = crewed_patrol(
        ward, ephedra_pc, local_pc, starts_at=timezone.now() + dt.timedelta(days=2)
    )
    PatrolOfficer.objects.create(patrol=patrol, officer=visitor, role=OfficerRole.OBSERVER)
    return patrol


def plan(sergeant, ward, crew, starts_at=None):
    starts_at = starts_at or timezone.now() + dt.timedelta(days=3)
    return services.plan_patrol(
        sergeant,
        ward=ward,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=8),
        crew=crew,
    )


def crew_with(ephedra_pc, local_pc, *observers):
    return [
        (ephedra_pc, OfficerRole.EPHEDRA_PC),
        (local_pc, OfficerRole.LOCAL_PC),
        *((o, OfficerRole.OBSERVER) for o in observers),
    ]


# --- Planning with an observer ------------------------------------------------------------


def test_the_planner_adds_an_observer_from_another_area(
    client, sergeant, ward, ephedra_pc, local_pc, visitor
):
    client.force_login(sergeant)
    form = client.get(reverse("patrols:create")).content.decode()
    assert "Test Visitor (Southwark)" in form
    response = client.post(
        reverse("patrols:create"),
        plan_form(ward, ephedra_pc, local_pc, observers=[visitor.pk]),
    )
    patrol = Patrol.objects.get()
    assert response.url == reverse("patrols:detail", args=[patrol.uuid])
    assert patrol.officers.get(officer=visitor).role == OfficerRole.OBSERVER
    edit = client.get(reverse("patrols:edit", args=[patrol.uuid]))
    assert edit.context["form"].initial["observers"] == [visitor.pk]


def test_an_officer_of_the_patrols_area_cannot_observe_it(
    client, sergeant, ward, ephedra_pc, local_pc, area
):
    colleague = OfficerFactory(role=Role.SERGEANT, areas=[area], last_name="Colleague")
    client.force_login(sergeant)
    form = client.get(reverse("patrols:create")).context["form"]
    assert colleague not in form.fields["observers"].queryset  # not offered
    with pytest.raises(services.PatrolRuleError) as caught:  # nor taken (the API, a race)
        plan(sergeant, ward, crew_with(ephedra_pc, local_pc, colleague))
    assert str(caught.value) == (
        f"{colleague} works in Lambeth, so cannot observe there: add them to the crew instead."
    )
    assert caught.value.field == "observers"
    assert not Patrol.objects.exists()


@pytest.mark.parametrize("role", [Role.PC, Role.ADMIN])
def test_only_sergeants_and_the_lead_observe(
    sergeant, ward, ephedra_pc, local_pc, other_area, role
):
    outsider = OfficerFactory(role=role, areas=[other_area])
    with pytest.raises(services.PatrolRuleError, match="only sergeants observe") as caught:
        plan(sergeant, ward, crew_with(ephedra_pc, local_pc, outsider))
    assert caught.value.field == "observers"
    assert not Patrol.objects.exists()


def test_an_inactive_sergeant_cannot_observe(sergeant, ward, ephedra_pc, local_pc, visitor):
    visitor.is_active = False
    visitor.save()
    with pytest.raises(services.PatrolRuleError, match="only sergeants observe"):
        plan(sergeant, ward, crew_with(ephedra_pc, local_pc, visitor))


def test_an_observer_cannot_be_on_two_patrols_at_once(
    sergeant, ward, ephedra_pc, local_pc, visitor, other_area
):
    starts_at = timezone.now() + dt.timedelta(days=3)
    at_home = PatrolFactory(ward=WardFactory(area=other_area), starts_at=starts_at)
    PatrolOfficer.objects.create(patrol=at_home, officer=visitor, role=OfficerRole.SERGEANT)
    with pytest.raises(services.PatrolRuleError, match="already on another patrol") as caught:
        plan(sergeant, ward, crew_with(ephedra_pc, local_pc, visitor), starts_at)
    assert caught.value.field == "observers"


# --- What an observer sees ------------------------------------------------------------------


def test_the_observer_reads_the_plan_and_nothing_more(client, observed, visitor, sergeant):
    assess(observed, sergeant, approved_by=OfficerFactory(role=Role.SERGEANT))
    client.force_login(visitor)
    response = client.get(reverse("patrols:detail", args=[observed.uuid]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "You are observing this patrol from another area" in content
    assert "Hi-vis (synthetic)." in content  # the controls they work under
    assert "Change the plan" not in content
    assert reverse("patrols:work_return", args=[observed.uuid]) not in content
    home = client.get(reverse("home"))
    assert list(home.context["observing"]) == [observed]
    assert "Patrols you observe in other areas" in home.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "patrols:edit",
        "patrols:cancel",
        "patrols:risk_assessment",
        "patrols:approve_risk_assessment",
        "patrols:deploy",
        "patrols:close",
        "patrols:work_return",
        "patrols:save_draft",
        "patrols:amend_return",
    ],
)
def test_every_other_page_of_the_observed_patrol_is_404(client, observed, visitor, name):
    client.force_login(visitor)
    url = reverse(name, args=[observed.uuid])
    assert client.get(url).status_code in {404, 405}
    assert client.post(url, {}).status_code == 404
    observed.refresh_from_db()
    assert observed.status == PatrolStatus.PLANNED


def test_the_areas_other_patrols_stay_hidden(client, observed, visitor, ward):
    other = PatrolFactory(ward=ward)
    client.force_login(visitor)
    assert client.get(reverse("patrols:detail", args=[other.uuid])).status_code == 404
    listed = client.get(reverse("patrols:list")).context["page_obj"].object_list
    assert observed.uuid not in [row.uuid for row in listed]


def test_an_observer_removed_from_the_patrol_loses_it(client, observed, visitor):
    PatrolOfficer.objects.filter(patrol=observed, officer=visitor).delete()
    client.force_login(visitor)
    assert client.get(reverse("patrols:detail", args=[observed.uuid])).status_code == 404


def test_the_api_does_not_list_an_observed_patrol(client, observed, visitor):
    token = api_token(visitor)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token.secret}"}
    listed = client.get(reverse("api:patrol-list"), **auth)
    assert listed.status_code == 200
    assert str(observed.uuid) not in listed.content.decode()
    detail = client.get(reverse("api:patrol-detail", args=[observed.uuid]), **auth)
    assert detail.status_code == 404
