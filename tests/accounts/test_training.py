"""Ephedra training (issue 16, item 7): a session makes its attendees Ephedra-trained from
its date; the lead and sergeants record sessions for their own areas only."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import training
from accounts.models import OfficerProfile, Role, TrainingSession
from governance.models import AuditEvent
from tests.factories import AreaFactory, OfficerFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:training")
TODAY = timezone.localdate


@pytest.fixture
def crew(area):
    return {
        "trainer": OfficerFactory(role=Role.SERGEANT, areas=[area], first_name="Tess"),
        "new": OfficerFactory(
            role=Role.PC, areas=[area], first_name="Nia", profile__ephedra_trained_on=None
        ),
        "old": OfficerFactory(
            role=Role.PC,
            areas=[area],
            first_name="Olu",
            profile__ephedra_trained_on=dt.date(2024, 1, 15),
        ),
    }


def post(client, area, trainer, attendees, held_on=None):
    return client.post(
        PAGE,
        {
            "held_on": (held_on or TODAY() - dt.timedelta(days=1)).isoformat(),
            "area": area.pk,
            "trainer": trainer.pk,
            "attendees": [a.pk for a in attendees],
        },
    )


def test_attending_a_session_makes_an_officer_trained(client, sergeant, area, crew):
    client.force_login(sergeant)

    response = post(client, area, crew["trainer"], [crew["new"], crew["old"]])

    assert response.status_code == 302
    session = TrainingSession.objects.get()
    held_on = TODAY() - dt.timedelta(days=1)
    new = OfficerProfile.objects.get(user=crew["new"])
    assert (new.ephedra_trained_on, new.ephedra_trainer) == (held_on, crew["trainer"])
    # An earlier training date is kept: the first session counts.
    assert OfficerProfile.objects.get(user=crew["old"]).ephedra_trained_on == dt.date(2024, 1, 15)
    assert set(session.attendees.all()) == {crew["new"], crew["old"]}
    changed = AuditEvent.objects.filter(object_type="accounts.officerprofile", actor=sergeant)
    assert [row.changes["ephedra_trained_on"] for row in changed] == [[None, held_on.isoformat()]]
    assert AuditEvent.objects.filter(object_type="accounts.trainingsession").exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ("future", "held_on", "A session is recorded once it has been held."),
        ("nobody", "attendees", "This field is required."),
        ("trainer_attends", "trainer", "The trainer cannot also be an attendee."),
    ],
)
def test_a_session_that_breaks_a_rule_is_refused_at_its_field(
    client, sergeant, area, crew, change, field, message
):
    client.force_login(sergeant)
    attendees = {"nobody": [], "trainer_attends": [crew["trainer"], crew["new"]]}.get(
        change, [crew["new"]]
    )
    held_on = TODAY() + dt.timedelta(days=1) if change == "future" else None

    response = post(client, area, crew["trainer"], attendees, held_on)

    assert response.status_code == 200
    assert f'id="id_{field}-error"' in response.content.decode()
    assert message in response.content.decode()
    assert not TrainingSession.objects.exists()
    assert OfficerProfile.objects.get(user=crew["new"]).ephedra_trained_on is None


def test_officers_of_another_area_cannot_be_recorded(sergeant, area, crew):
    stranger = OfficerFactory(
        role=Role.PC,
        areas=[AreaFactory(name="Southwark", code="E09000028")],
        profile__ephedra_trained_on=None,
    )

    with pytest.raises(training.TrainingRuleError, match="Only officers of Lambeth"):
        training.record_training(
            held_on=TODAY(), area=area, trainer=crew["trainer"], attendees=[stranger], by=sergeant
        )
    assert OfficerProfile.objects.get(user=stranger).ephedra_trained_on is None


def test_a_trainer_from_another_area_is_refused(sergeant, area, crew):
    outsider = OfficerFactory(role=Role.SERGEANT, areas=[AreaFactory(name="Southwark")])

    with pytest.raises(training.TrainingRuleError, match="Choose a trainer among the officers"):
        training.record_training(
            held_on=TODAY(), area=area, trainer=outsider, attendees=[crew["new"]], by=sergeant
        )
    assert not TrainingSession.objects.exists()


def test_a_session_in_an_area_not_the_users_is_refused(sergeant, crew):
    elsewhere = AreaFactory(name="Southwark", code="E09000028")

    with pytest.raises(training.TrainingRuleError, match="Choose one of your areas."):
        training.record_training(
            held_on=TODAY(), area=elsewhere, trainer=crew["trainer"], attendees=[crew["new"]],
            by=sergeant,
        )  # fmt: skip


def test_the_page_lists_the_areas_sessions_only(client, sergeant, area, crew):
    training.record_training(
        held_on=TODAY(), area=area, trainer=crew["trainer"], attendees=[crew["new"]], by=sergeant
    )
    other = AreaFactory(name="Southwark", code="E09000028")
    lead = OfficerFactory(role=Role.PROJECT_LEAD, areas=[other])
    client.force_login(lead)

    assert list(client.get(PAGE).context["sessions"]) == []
    client.force_login(sergeant)
    assert len(client.get(PAGE).context["sessions"]) == 1


@pytest.mark.parametrize("count", [2, 12])
def test_the_page_runs_constant_queries(
    client, sergeant, area, crew, count, django_assert_num_queries
):
    for _ in range(count):
        training.record_training(
            held_on=TODAY(), area=area, trainer=crew["trainer"], attendees=[crew["new"]],
            by=sergeant,
        )  # fmt: skip
    client.force_login(sergeant)
    # 1 session, 2 user, 3 savepoint, 4 the user's areas (the form's choices), 5 those
    # areas again (the officers' subquery), 6 the officers (trainer), 7 the officers
    # (attendees), 8 the sessions with area and trainer, 9 their attendees, 10 release.
    # ... and the header's count of unread notifications (every signed-in page).
    with django_assert_num_queries(11):
        response = client.get(PAGE)
    assert len(response.context["sessions"]) == count


def test_pcs_may_not_record_training_and_partners_get_404(client, pc, partner_a):
    client.force_login(pc)
    assert client.get(PAGE).status_code == 403
    client.force_login(partner_a)
    assert client.get(PAGE).status_code == 404
