"""The referral lifecycle and the agency's access, at the service layer."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification, User
from partners.models import ServiceType
from patrols.models import Arrest, ConditionalCaution, Offence
from referrals import services
from referrals.models import ReferralMove, ReferralStatus
from tests.factories import AgencyFactory, PatrolFactory, consented_referral

pytestmark = pytest.mark.django_db


def fresh(user) -> User:
    """A new instance: guardian caches permission checks on the user object."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def referral(pc, agency_a):
    return consented_referral(agency=agency_a, by=pc)


def test_making_a_referral_shares_it_and_its_person_with_the_agency(referral, partner_a, partner_b):
    assert fresh(partner_a).has_perm("referrals.view_referral", referral)
    assert fresh(partner_a).has_perm("referrals.change_referral", referral)
    assert fresh(partner_a).has_perm("referrals.view_person", referral.person)
    assert not fresh(partner_b).has_perm("referrals.view_referral", referral)


def test_the_agency_is_told_of_a_new_referral(pc, agency_a, partner_a):
    consented_referral(agency=agency_a, by=pc)
    assert (
        Notification.objects.get(recipient=partner_a).message == "New referral for support to exit."
    )


@pytest.mark.parametrize(
    "path",
    [
        ["received", "contacted", "engaged", "closed"],
        ["received", "declined"],
        ["received", "contacted", "declined"],
    ],
)
def test_agency_moves_a_referral_along_the_graph(referral, partner_a, path):
    for status in path:
        services.change_status(
            referral, status, partner_a, outcome="support_completed", decline_reason="no_capacity"
        )
    referral.refresh_from_db()
    assert referral.status == path[-1]
    assert list(referral.history.values_list("to_status", flat=True)) == ["made", *path]


@pytest.mark.parametrize("to_status", ["closed", "engaged", "withdrawn", "made"])
def test_agency_cannot_jump_or_withdraw(referral, partner_a, to_status):
    with pytest.raises(services.ReferralRuleError):
        services.change_status(referral, to_status, partner_a, outcome="support_completed")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.MADE
    assert referral.history.count() == 1


def test_police_can_only_withdraw(referral, pc):
    with pytest.raises(services.ReferralRuleError):
        services.change_status(referral, "received", pc)
    services.change_status(referral, "withdrawn", pc)
    with pytest.raises(services.ReferralRuleError):
        services.change_status(referral, "withdrawn", pc)


def test_closing_needs_an_outcome_and_declining_a_reason(referral, partner_a):
    services.change_status(referral, "received", partner_a)
    with pytest.raises(services.ReferralRuleError, match="reason"):
        services.change_status(referral, "declined", partner_a)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


def test_referring_officer_is_told_of_each_change(
    referral, partner_a, pc, django_capture_on_commit_callbacks
):
    pc.email = "officer@police.example"
    pc.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(referral, "received", partner_a)
        services.change_status(referral, "declined", partner_a, decline_reason="no_capacity")
    messages = list(Notification.objects.filter(recipient=pc).values_list("message", flat=True))
    assert any("now declined" in message for message in messages)
    assert len(mail.outbox) == 2
    assert all(
        message.subject == "Ephedra: something needs your attention" for message in mail.outbox
    )
    assert all(referral.person.working_name not in message.body for message in mail.outbox)


def test_moving_revokes_the_first_agency_in_the_same_transaction(
    referral, sergeant, partner_a, partner_b, agency_b
):
    services.move_referral(referral, agency_b, sergeant, "Agency A has no capacity")
    assert not fresh(partner_a).has_perm("referrals.view_referral", referral)
    assert not fresh(partner_a).has_perm("referrals.view_person", referral.person)
    assert fresh(partner_b).has_perm("referrals.view_referral", referral)
    move = ReferralMove.objects.get()
    assert (move.from_agency, move.to_agency) == (referral.agency, agency_b)


def test_a_refused_move_leaves_access_as_it_was(referral, sergeant, partner_a):
    closed_agency = AgencyFactory(active=False)
    with pytest.raises(services.ReferralRuleError):
        services.move_referral(referral, closed_agency, sergeant, "Trying an inactive agency")
    assert fresh(partner_a).has_perm("referrals.view_referral", referral)
    assert not ReferralMove.objects.exists()


def test_person_stays_visible_while_the_agency_has_another_of_her_referrals(
    referral, sergeant, pc, partner_a, agency_a, agency_b
):
    consented_referral(agency=agency_a, by=pc, person=referral.person)
    services.move_referral(referral, agency_b, sergeant, "Moved one of the two")
    assert fresh(partner_a).has_perm("referrals.view_person", referral.person)


# --- Diversion courses (the steps themselves: test_course_pathway.py) -------------------


@pytest.fixture
def caution(pc, agency_a):
    arrest = Arrest.objects.create(
        patrol=PatrolFactory(),
        arrested_at=timezone.now(),
        offence=Offence.KERB_CRAWLING,
        suspect_description="Synthetic",
        arresting_officer=pc,
    )
    today = timezone.localdate()
    return ConditionalCaution.objects.create(
        arrest=arrest,
        given_on=today - dt.timedelta(days=90),
        provider=agency_a,
        deadline=today - dt.timedelta(days=1),
        booking_name="Synthetic",
        booking_contact="07700 900002",
    )


def test_moving_a_course_referral_moves_the_course(caution, pc, sergeant, agency_b):
    caution.provider.services.create(service=ServiceType.DIVERSION_COURSE)
    agency_b.services.create(service=ServiceType.DIVERSION_COURSE)
    referral = services.make_referral(
        person=None,
        agency=caution.provider,
        service=ServiceType.DIVERSION_COURSE,
        referred_by=pc,
        made_at=timezone.now(),
        caution=caution,
    )
    services.move_referral(referral, agency_b, sergeant, "Provider has no places")
    caution.refresh_from_db()
    assert caution.provider == agency_b
