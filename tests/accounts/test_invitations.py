"""Inviting one person (issue 20): who may invite whom into which areas, the rules shown
at the field, and what the invitation makes: an account with no password, the officer's
profile, audit rows, and an e-mail with a one-time link and nothing personal."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import invitations
from accounts.models import OfficerProfile, Role, User
from governance.models import AuditEvent, object_key
from tests.factories import AgencyFactory, OfficerFactory, WardFactory

pytestmark = pytest.mark.django_db
INVITE = reverse("accounts:invite")
LINK = re.compile(r"https?://\S+/set-password/[^/\s]+/[^/\s]+/")
NEW_PASSWORD = "violet-kettle-moorland-41"


def officer_data(area, ward=None, **extra):
    data = {
        "first_name": "Robin",
        "last_name": "Testperson",
        "email": "robin.testperson@example.org",
        "collar_number": "1234ab",
        "role": Role.PC,
        "areas": [area.pk],
        "home_ward": ward.pk if ward else "",
        "trained": "no",
        "trained_on": "",
    }
    return {**data, **extra}


def post_invite(client, data, capture, kind=""):
    with capture(execute=True):
        return client.post(INVITE + (f"?kind={kind}" if kind else ""), data)


def test_a_sergeant_invites_a_pc_into_their_area(
    client, sergeant, area, django_capture_on_commit_callbacks
):
    ward = WardFactory(area=area)
    client.force_login(sergeant)
    mail.outbox.clear()
    data = officer_data(area, ward, trained="yes", trained_on="2026-01-10")
    response = post_invite(client, data, django_capture_on_commit_callbacks)

    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="robin.testperson@example.org")
    assert user.username == "robin.testperson"
    assert not user.has_usable_password()
    assert (user.role, list(user.areas.all())) == (Role.PC, [area])
    profile = user.officer_profile
    assert (profile.collar_number, profile.home_ward, profile.ephedra_trained_on) == (
        "1234AB",
        ward,
        dt.date(2026, 1, 10),
    )
    row = AuditEvent.objects.get(action="accounts.user.invited")
    assert (row.actor, row.object_id) == (sergeant, object_key(user))
    assert AuditEvent.objects.filter(action="accounts.user.set_password_link_sent").exists()
    # The e-mail: the link, and no name, username or address in the text.
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["robin.testperson@example.org"]
    text = f"{sent.subject}\n{sent.body}"
    assert LINK.search(text)
    for personal in ["Robin", "Testperson", user.username, sergeant.username, "1234"]:
        assert personal.lower() not in text.lower()


def test_the_invited_officer_sets_a_password_once_and_must_enrol(
    client, sergeant, area, django_capture_on_commit_callbacks
):
    client.force_login(sergeant)
    mail.outbox.clear()
    post_invite(client, officer_data(area), django_capture_on_commit_callbacks)
    link = LINK.search(mail.outbox[0].body).group(0)
    user = User.objects.get(email="robin.testperson@example.org")

    newcomer = Client()
    page = newcomer.get(link)
    assert "Welcome" in page.content.decode()
    assert user.username in page.content.decode()
    newcomer.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert "This link does not work" in newcomer.get(link).content.decode()  # once only
    newcomer.post(reverse("login"), {"username": user.username, "password": NEW_PASSWORD})
    assert newcomer.get("/").url.startswith(reverse("accounts:enrol"))


def test_an_admin_invites_a_partner_user(
    client, admin_user, agency_a, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    assert "partner" in client.get(INVITE + "?kind=partner").content.decode().lower()
    data = {"first_name": "Sam", "last_name": "Example", "email": "sam@example.org"}
    response = post_invite(
        client,
        {**data, "agency": agency_a.pk, "kind": "partner"},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    user = User.objects.get(email="sam@example.org")
    assert (user.role, user.agency, user.is_staff) == (Role.PARTNER, agency_a, False)
    assert not OfficerProfile.objects.filter(user=user).exists()
    assert user.groups.filter(pk=agency_a.group.pk).exists()


def test_an_admin_invites_a_project_lead_into_any_area(
    client, admin_user, other_area, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    data = officer_data(other_area, role=Role.PROJECT_LEAD)
    assert post_invite(client, data, django_capture_on_commit_callbacks).status_code == 302
    assert User.objects.get(email=data["email"]).role == Role.PROJECT_LEAD


def test_an_inactive_agency_is_refused(admin_user):
    agency = AgencyFactory(active=False)
    invitee = invitations.Invitee("Sam", "Example", "sam@example.org", Role.PARTNER, agency=agency)
    assert "agency" in invitations.problems(invitee, admin_user)


@pytest.mark.parametrize("role", [Role.PROJECT_LEAD, Role.ADMIN, Role.PARTNER])
def test_a_sergeant_may_not_give_a_higher_role(client, sergeant, area, role):
    client.force_login(sergeant)
    response = client.post(INVITE, officer_data(area, role=role))
    assert response.status_code == 200
    assert not User.objects.filter(email="robin.testperson@example.org").exists()
    # And the service refuses it whatever the form let through.
    invitee = invitations.Invitee("A", "B", "a@example.org", role, areas=[area], collar_number="9")
    with pytest.raises(invitations.InvitationRuleError):
        invitations.invite(invitee, sergeant)


def test_a_sergeant_may_not_invite_into_another_area(client, sergeant, other_area):
    client.force_login(sergeant)
    response = client.post(INVITE, officer_data(other_area))
    assert response.status_code == 200
    assert "govuk-error-message" in response.content.decode()
    assert not User.objects.filter(email="robin.testperson@example.org").exists()
    invitee = invitations.Invitee(
        "A", "B", "a@example.org", Role.PC, areas=[other_area], collar_number="9"
    )
    with pytest.raises(invitations.InvitationRuleError, match="areas you work in"):
        invitations.invite(invitee, sergeant)


def test_a_sergeant_may_not_invite_partner_users(client, sergeant, agency_a):
    invitee = invitations.Invitee("A", "B", "a@example.org", Role.PARTNER, agency=agency_a)
    assert invitations.problems(invitee, sergeant) == {"role": "You may not invite partner users"}
    with pytest.raises(invitations.InvitationRuleError, match="partner users"):
        invitations.invite(invitee, sergeant)
    client.force_login(sergeant)
    page = client.get(INVITE + "?kind=partner").content.decode()
    assert 'name="agency"' not in page  # the officer form, not the partner one


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": "taken@example.org"}, "email", "already has an account"),
        ({"collar_number": "7777LX"}, "collar_number", "already has this collar number"),
        ({"home_ward": "other"}, "home_ward", "in one of the officer"),
        ({"trained": "yes", "trained_on": ""}, "trained_on", "Enter the date"),
        ({"trained": "yes", "trained_on": "1999-12-31"}, "trained_on", "Enter a date between"),
        ({"areas": []}, "areas", "at least one area"),
    ],
)
def test_refusals_are_shown_at_the_field(
    client, admin_user, area, other_area, change, field, message
):
    OfficerFactory(email="taken@example.org", areas=[area], profile__collar_number="7777LX")
    if change.get("home_ward") == "other":
        change = {"home_ward": WardFactory(area=other_area).pk}
    client.force_login(admin_user)
    response = client.post(INVITE, {**officer_data(area), **change})
    content = response.content.decode()
    assert response.status_code == 200
    error = re.search(rf'id="id_{field}-error"[^>]*>(.*?)</p>', content, re.S)
    assert error, f"no error at {field}"
    assert message in error.group(1)
    assert "<title>Error: " in content
    assert not User.objects.filter(email="robin.testperson@example.org").exists()


def test_the_same_email_in_another_case_is_refused(admin_user, area):
    OfficerFactory(email="Robin.Testperson@Example.org", areas=[area])
    invitee = invitations.Invitee(
        "R", "T", "robin.testperson@example.org", Role.PC, areas=[area], collar_number="1"
    )
    assert "email" in invitations.problems(invitee, admin_user)


def test_usernames_are_unique(area):
    OfficerFactory(username="robin", areas=[area])
    OfficerFactory(username="robin2", areas=[area])
    assert invitations.unique_username("Robin@example.org") == "robin3"
    assert invitations.unique_username("<script>@example.org") == "script"
    assert invitations.unique_username("@@@") == "user"


def test_a_pc_is_refused_and_a_partner_is_not_told(client, pc, partner_a):
    client.force_login(pc)
    assert client.get(INVITE).status_code == 403
    assert client.post(INVITE, {}).status_code == 403
    client.force_login(partner_a)
    assert client.get(INVITE).status_code == 404


def test_the_menu_and_users_page_offer_inviting(client, sergeant, pc):
    client.force_login(sergeant)
    assert f'href="{INVITE}"' in client.get(reverse("accounts:users")).content.decode()
    assert "Invite people" in client.get("/").content.decode()
    client.force_login(pc)
    assert "Invite people" not in client.get("/").content.decode()


def test_nothing_is_written_when_the_email_cannot_be_sent(admin_user, area, monkeypatch):
    """The invitation and its link are one transaction: a refused link undoes the account."""
    from accounts import services

    def refuse(*args, **kwargs):
        raise services.AccountRuleError("refused")

    monkeypatch.setattr(services, "send_set_password_link", refuse)
    invitee = invitations.Invitee(
        "R", "T", "robin.testperson@example.org", Role.PC, areas=[area], collar_number="1"
    )
    with pytest.raises(services.AccountRuleError):
        invitations.invite(invitee, admin_user)
    assert not User.objects.filter(email="robin.testperson@example.org").exists()
    assert not AuditEvent.objects.filter(action="accounts.user.invited").exists()


def test_a_training_date_in_the_future_is_refused(admin_user, area):
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    invitee = invitations.Invitee(
        "R", "T", "r@example.org", Role.PC, areas=[area], collar_number="1", trained_on=tomorrow
    )
    assert "trained_on" in invitations.problems(invitee, admin_user)


def test_the_form_offers_only_the_inviters_areas_and_roles(client, sergeant, area, other_area):
    client.force_login(sergeant)
    page = client.get(INVITE).content.decode()
    assert area.name in page
    assert other_area.name not in page
    assert 'value="sergeant"' in page
    assert 'value="project_lead"' not in page


def test_a_collar_number_used_twice_in_one_batch_is_refused(admin_user, area):
    first = invitations.Invitee(
        "A", "B", "a@example.org", Role.PC, areas=[area], collar_number="9x"
    )
    second = invitations.Invitee(
        "C", "D", "c@example.org", Role.PC, areas=[area], collar_number="9X"
    )
    with pytest.raises(invitations.InvitationRuleError, match="used twice"):
        invitations.invite_many([first, second], admin_user)
    assert not User.objects.filter(email__in=["a@example.org", "c@example.org"]).exists()


def test_a_collar_number_taken_at_the_same_moment_is_a_refusal_not_an_error(
    admin_user, area, monkeypatch
):
    """The check passed, then another invitation took the collar number: the database's
    unique constraint refuses, and the person is told, with nothing written."""
    OfficerFactory(areas=[area], profile__collar_number="5555LX")
    monkeypatch.setattr(invitations, "problems", lambda *args, **kwargs: {})
    invitee = invitations.Invitee(
        "R", "T", "r@example.org", Role.PC, areas=[area], collar_number="5555lx"
    )
    with pytest.raises(invitations.InvitationRuleError, match="same moment"):
        invitations.invite(invitee, admin_user)
    assert not User.objects.filter(email="r@example.org").exists()


def test_what_an_invitation_stores_and_records(
    admin_user, area, agency_a, django_capture_on_commit_callbacks
):
    """Names stored without their spaces; a police officer belongs to no agency whatever
    was passed; the audit rows name the inviter, the role given and why the link went."""
    invitee = invitations.Invitee(
        "  Robin ", " Testperson  ", "robin.t@example.org", Role.PC, areas=[area],
        collar_number="77ab", agency=agency_a,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        [user] = invitations.invite_many([invitee], admin_user)

    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.agency) == ("Robin", "Testperson", None)
    invited = AuditEvent.objects.get(action="accounts.user.invited")
    assert (invited.actor, invited.detail) == (admin_user, "Police constable")
    sent = AuditEvent.objects.get(action="accounts.user.set_password_link_sent", actor=admin_user)
    assert sent.detail == invitations.INVITED


def test_a_refusal_names_its_field_and_the_same_moment_says_what_to_do(
    admin_user, area, monkeypatch
):
    OfficerFactory(areas=[area], profile__collar_number="5555LX")
    invitee = invitations.Invitee(
        "R", "T", "r@example.org", Role.PC, areas=[area], collar_number="5555lx"
    )
    with pytest.raises(invitations.InvitationRuleError) as refused:
        invitations.invite(invitee, admin_user)
    assert refused.value.field == "collar_number"

    monkeypatch.setattr(invitations, "problems", lambda *args, **kwargs: {})
    with pytest.raises(invitations.InvitationRuleError) as raced:
        invitations.invite(invitee, admin_user)
    assert str(raced.value) == (
        "Someone was invited with the same details at the same moment. Nobody was "
        "invited: check the users list and try again."
    )


def test_a_username_is_the_address_before_its_first_at_numbered_from_2(area):
    assert invitations.unique_username("._Robin-_.@example.org") == "robin"
    assert invitations.unique_username("jo@x@example.org") == "jo"
    OfficerFactory(username="robin", areas=[area])
    assert invitations.unique_username("robin@example.org") == "robin2"


@pytest.mark.parametrize(
    ("role", "areas", "expected"),
    [
        (Role.PROJECT_LEAD, "theirs", {"role": "You may not give this role"}),
        (Role.PC, "none", {"areas": "Choose at least one area"}),
        (Role.PC, "another", {"areas": "Choose only areas you work in"}),
    ],
)
def test_a_sergeants_refusals_whole(sergeant, area, other_area, role, areas, expected):
    chosen = {"theirs": [area], "none": [], "another": [other_area]}[areas]
    invitee = invitations.Invitee("A", "B", "a@example.org", role, areas=chosen, collar_number="9")
    assert invitations.problems(invitee, sergeant) == expected


@pytest.mark.parametrize(
    ("collar", "expected"),
    [
        ("  ", {"collar_number": "Enter the officer's collar number (at most 20 characters)"}),
        ("X" * 21, {"collar_number": "Enter the officer's collar number (at most 20 characters)"}),
        ("X" * 20, {}),
    ],
)
def test_a_collar_number_is_needed_and_at_most_20_characters(admin_user, area, collar, expected):
    invitee = invitations.Invitee(
        "A", "B", "a@example.org", Role.PC, areas=[area], collar_number=collar
    )
    assert invitations.problems(invitee, admin_user) == expected


TAKEN = "Another officer already has this collar number"
IN_THE_PAST = "The training date must be today or in the past"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "N" * invitations.NAME_LENGTH, None),
        ("email", "not-an-address", "Enter an e-mail address, like name@example.org"),
        ("email", "Taken@Example.org", "Someone already has an account with this e-mail address"),
        ("email", "c@example.org", "This e-mail address is used twice"),
        ("collar_number", "5555lx", TAKEN),
        ("collar_number", "42ab", "This collar number is used twice"),
        ("home_ward", "other", "Choose a home ward in one of the officer's areas"),
        ("trained_on", "today", None),
        ("trained_on", "tomorrow", IN_THE_PAST),
    ],
)
def test_each_refusal_whole(admin_user, area, other_area, field, value, message):
    OfficerFactory(areas=[area], email="taken@example.org", profile__collar_number="5555LX")
    earlier = invitations.Invitee(
        "C", "D", "c@example.org", Role.PC, areas=[area], collar_number="42AB"
    )
    today = timezone.localdate()
    values = {
        "other": WardFactory(area=other_area),
        "today": today,
        "tomorrow": today + dt.timedelta(days=1),
    }
    invitee = invitations.Invitee(
        **{"first_name": "A", "last_name": "B", "email": "a@example.org", "role": Role.PC,
           "areas": [area], "collar_number": "9", field: values.get(value, value)}
    )  # fmt: skip
    expected = {field: message} if message else {}
    assert invitations.problems(invitee, admin_user, [earlier]) == expected
