"""A woman's safeguarding record: the services' rules (each test fails if its rule goes),
history kept, and who sees which field (referrals.selectors_safeguarding)."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from governance.models import AuditEvent
from partners.models import ServiceType
from referrals import services
from referrals.models import (
    MarkerKind,
    OnwardRoute,
    Person,
    ReferralStatus,
    RiskLevel,
    RiskLevelChange,
    WarningMarker,
)
from referrals.selectors_safeguarding import safeguarding_for, shared_safeguarding_for
from referrals.services import SafeguardingRuleError
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

CANARY = "CANARY-police-only-7Q"


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def refer(person, agency, by):
    now = timezone.now()
    return services.make_referral(
        person=person, agency=agency, service=ServiceType.EXIT_SUPPORT, referred_by=by,
        made_at=now, consent_method="verbal", consent_given_at=now, consent_recorded_by=by,
    )  # fmt: skip


def in_a_month() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=30)


@pytest.fixture
def person(area, pc):
    return PersonFactory(area=area, created_by=pc)


@pytest.fixture
def full_record(person, pc):
    """Every kind of row, with the canary in every police-only field."""
    services.set_risk_level(person, pc, level=RiskLevel.HIGH, review_on=in_a_month(), reason=CANARY)
    services.add_marker(person, pc, kind=MarkerKind.VIOLENT_CLIENT, reason=CANARY)
    services.add_marker(
        person, pc, kind=MarkerKind.TRAFFICKING, reason=CANARY,
        nrm_referred_on=timezone.localdate(), nrm_reference=f"NRM-{CANARY}",
    )  # fmt: skip
    ended = services.add_marker(person, pc, kind=MarkerKind.DRUG_USE, reason=CANARY)
    services.end_marker(ended, pc, CANARY)
    services.add_route(person, pc, service="Local GP practice", note=CANARY)
    return person


# --- Risk level ---------------------------------------------------------------------------


def test_each_risk_level_is_a_new_row_and_the_latest_is_current(person, pc, sergeant):
    services.set_risk_level(person, pc, level=RiskLevel.MEDIUM, review_on=in_a_month(), reason="a")
    services.set_risk_level(
        person, sergeant, level=RiskLevel.HIGH, review_on=in_a_month(), reason="b"
    )
    record = safeguarding_for(sergeant, person)
    assert [r.level for r in record.risks] == [RiskLevel.HIGH, RiskLevel.MEDIUM]
    assert record.risk.set_by == sergeant
    assert AuditEvent.objects.filter(action="referrals.person.risk_set").count() == 2


@pytest.mark.parametrize(
    ("days", "field"), [(0, "review_on"), (-3, "review_on"), (400, "review_on")]
)
def test_the_review_date_is_after_today_and_within_a_year(person, pc, days, field):
    review_on = timezone.localdate() + dt.timedelta(days=days)
    with pytest.raises(SafeguardingRuleError) as error:
        services.set_risk_level(person, pc, level=RiskLevel.HIGH, review_on=review_on, reason="r")
    assert error.value.field == "review_on"
    assert not RiskLevelChange.objects.exists()


def test_a_risk_level_needs_a_reason_and_a_known_level(person, pc):
    with pytest.raises(SafeguardingRuleError) as error:
        services.set_risk_level(
            person, pc, level=RiskLevel.HIGH, review_on=in_a_month(), reason=" "
        )
    assert error.value.field == "reason"
    with pytest.raises(SafeguardingRuleError) as error:
        services.set_risk_level(person, pc, level="extreme", review_on=in_a_month(), reason="r")
    assert error.value.field == "level"
    assert not RiskLevelChange.objects.exists()


def test_only_police_of_her_area_record(person, partner_a, admin_user, other_area):
    elsewhere = UserFactory(role="pc", areas=[other_area])
    for user in (partner_a, admin_user, elsewhere):
        with pytest.raises(SafeguardingRuleError):
            services.set_risk_level(
                person, user, level=RiskLevel.HIGH, review_on=in_a_month(), reason="r"
            )
    assert not RiskLevelChange.objects.exists()


# --- Markers ------------------------------------------------------------------------------


def test_a_marker_is_ended_never_deleted_and_may_then_be_added_again(person, pc, sergeant):
    marker = services.add_marker(person, pc, kind=MarkerKind.VIOLENT_CLIENT, reason="seen")
    with pytest.raises(SafeguardingRuleError) as error:
        services.add_marker(person, pc, kind=MarkerKind.VIOLENT_CLIENT, reason="again")
    assert error.value.field == "kind"
    services.end_marker(marker, sergeant, "Client arrested")
    with pytest.raises(SafeguardingRuleError):
        services.end_marker(marker, sergeant, "twice")
    services.add_marker(person, pc, kind=MarkerKind.VIOLENT_CLIENT, reason="back")
    rows = WarningMarker.objects.filter(person=person).order_by("pk")
    assert [(m.active, m.end_reason) for m in rows] == [(False, "Client arrested"), (True, "")]
    assert rows[0].ended_by == sergeant
    assert rows[0].added_by == pc


def test_ending_needs_a_reason(person, pc):
    marker = services.add_marker(person, pc, kind=MarkerKind.DRUG_USE, reason="seen")
    with pytest.raises(SafeguardingRuleError) as error:
        services.end_marker(marker, pc, "  ")
    assert error.value.field == "reason"
    marker.refresh_from_db()
    assert marker.active


def test_the_nrm_referral_belongs_to_a_trafficking_marker_only(person, pc):
    today = timezone.localdate()
    with pytest.raises(SafeguardingRuleError) as error:
        services.add_marker(person, pc, kind=MarkerKind.DRUG_USE, reason="r", nrm_referred_on=today)
    assert error.value.field == "nrm_referred_on"
    with pytest.raises(SafeguardingRuleError):
        services.add_marker(person, pc, kind=MarkerKind.TRAFFICKING, reason="r", nrm_reference="X")
    with pytest.raises(SafeguardingRuleError):
        services.add_marker(
            person, pc, kind=MarkerKind.TRAFFICKING, reason="r",
            nrm_referred_on=today + dt.timedelta(days=1),
        )  # fmt: skip
    assert not WarningMarker.objects.exists()
    marker = services.add_marker(
        person, pc, kind=MarkerKind.TRAFFICKING, reason="r", nrm_referred_on=today,
        nrm_reference="NRM-1",
    )  # fmt: skip
    assert marker.nrm_reference == "NRM-1"


# --- Routes -------------------------------------------------------------------------------


def test_a_route_is_a_referral_of_hers_or_a_named_service(person, pc, agency_a, area):
    referral = refer(person, agency_a, pc)
    someone_else = refer(PersonFactory(area=area, created_by=pc), agency_a, pc)
    with pytest.raises(SafeguardingRuleError) as error:
        services.add_route(person, pc)
    assert error.value.field == "referral"
    with pytest.raises(SafeguardingRuleError):
        services.add_route(person, pc, referral=referral, service="GP")
    with pytest.raises(SafeguardingRuleError):
        services.add_route(person, pc, referral=someone_else)
    route = services.add_route(person, pc, referral=referral)
    with pytest.raises(SafeguardingRuleError):
        services.add_route(person, pc, referral=referral)
    services.add_route(person, pc, service="Housing office")
    with pytest.raises(SafeguardingRuleError) as error:
        services.add_route(person, pc, service="housing office")
    assert error.value.field == "service"
    services.end_route(route, pc, "Support finished")
    assert OnwardRoute.objects.filter(person=person).count() == 2
    route.refresh_from_db()
    assert route.ended_by == pc
    assert not route.active


# --- Who sees what ------------------------------------------------------------------------


def test_police_of_her_area_see_everything(full_record, sergeant):
    record = safeguarding_for(sergeant, full_record)
    assert record.police
    assert {m.kind for m in record.markers} == {
        MarkerKind.VIOLENT_CLIENT,
        MarkerKind.TRAFFICKING,
        MarkerKind.DRUG_USE,
    }
    assert record.risk.reason == CANARY


def test_an_agency_working_with_her_sees_only_the_shared_part(full_record, pc, agency_a, partner_a):
    refer(full_record, agency_a, pc)
    record = safeguarding_for(fresh(partner_a), full_record)
    assert not record.police
    assert record.risk.label == "High"
    assert [m.label for m in record.markers] == ["Violent client reported"]  # active, shared
    assert [(r.label, r.status) for r in record.routes] == [("Local GP practice", "Active")]
    assert CANARY not in repr(record)
    assert "rafficking" not in repr(record)


def test_an_agency_not_working_with_her_gets_404(full_record, pc, agency_a, partner_a, partner_b):
    referral = refer(full_record, agency_a, pc)
    with pytest.raises(Http404):
        safeguarding_for(fresh(partner_b), full_record)
    services.change_status(referral, ReferralStatus.WITHDRAWN, pc)  # no longer working with her
    with pytest.raises(Http404):
        safeguarding_for(fresh(partner_a), full_record)
    assert shared_safeguarding_for(fresh(partner_a), full_record) is None


def test_an_officer_of_another_area_and_an_administrator_get_404(
    full_record, other_area, admin_user
):
    elsewhere = UserFactory(role="sergeant", areas=[other_area])
    for user in (elsewhere, admin_user):
        with pytest.raises(Http404):
            safeguarding_for(user, full_record)


def test_the_record_covers_her_linked_records(full_record, area, pc, sergeant):
    newer = PersonFactory(area=area, created_by=pc, same_as=full_record)
    record = safeguarding_for(sergeant, newer)
    assert record.risk is not None
    assert len(record.markers) == 3


def test_an_erased_record_takes_no_more_safeguarding(person, pc):
    type(person).objects.filter(pk=person.pk).update(erased_at=timezone.now())
    with pytest.raises(SafeguardingRuleError, match="erased"):
        services.add_marker(person, pc, kind=MarkerKind.DRUG_USE, reason="r")
    assert not WarningMarker.objects.exists()


# --- What the officer is told, and what is kept (found by `make mutants`) -------------------


def test_a_refusal_tells_a_partner_and_an_officer_elsewhere_why(person, partner_a, other_area):
    elsewhere = UserFactory(role="pc", areas=[other_area])
    told = (
        (partner_a, "Only police officers record safeguarding."),
        (elsewhere, "This person is not in your areas."),
    )
    for user, why in told:
        with pytest.raises(SafeguardingRuleError) as error:
            services.add_marker(person, user, kind=MarkerKind.DRUG_USE, reason="r")
        assert str(error.value) == why
    assert not WarningMarker.objects.exists()


@pytest.mark.parametrize("days", [1, 366])
def test_a_review_date_from_tomorrow_to_a_year_on_is_accepted(person, pc, days):
    review_on = timezone.localdate() + dt.timedelta(days=days)
    services.set_risk_level(person, pc, level=RiskLevel.STANDARD, review_on=review_on, reason="r")
    assert RiskLevelChange.objects.get().review_on == review_on


def test_a_trafficking_marker_needs_no_nrm_referral_yet(person, pc):
    marker = services.add_marker(person, pc, kind=MarkerKind.TRAFFICKING, reason="r")
    assert (marker.nrm_referred_on, marker.nrm_reference) == (None, "")


NRM = "National Referral Mechanism referral"


@pytest.mark.parametrize(
    ("kind", "referred_on", "reference", "why"),
    [
        (MarkerKind.DRUG_USE, None, "NRM-1", f"A {NRM} belongs to a trafficking marker."),
        (MarkerKind.TRAFFICKING, None, "NRM-1", f"Give the date of the {NRM}."),
        (MarkerKind.TRAFFICKING, 1, "", "The referral date cannot be in the future."),
    ],
)
def test_each_nrm_refusal_says_why_at_the_date_field(person, pc, kind, referred_on, reference, why):
    if referred_on is not None:
        referred_on = timezone.localdate() + dt.timedelta(days=referred_on)
    with pytest.raises(SafeguardingRuleError) as error:
        services.add_marker(
            person, pc, kind=kind, reason="r", nrm_referred_on=referred_on, nrm_reference=reference
        )
    assert str(error.value) == why
    assert error.value.field == "nrm_referred_on"
    assert not WarningMarker.objects.exists()


def test_what_officers_type_is_kept_without_surrounding_spaces(person, pc):
    risk = services.set_risk_level(
        person, pc, level=RiskLevel.STANDARD, review_on=in_a_month(), reason="  seen twice "
    )
    marker = services.add_marker(
        person, pc, kind=MarkerKind.TRAFFICKING, reason=" r ",
        nrm_referred_on=timezone.localdate(), nrm_reference="  NRM-7 ",
    )  # fmt: skip
    services.end_marker(marker, pc, "  NRM decision ")
    route = services.add_route(person, pc, service="  Housing office ", note=" Tuesdays ")
    services.end_route(route, pc, " Housed ")
    marker.refresh_from_db()
    route.refresh_from_db()
    assert risk.reason == "seen twice"
    assert (marker.reason, marker.nrm_reference) == ("r", "NRM-7")
    assert marker.end_reason == "NRM decision"
    assert (route.service, route.note, route.end_reason) == ("Housing office", "Tuesdays", "Housed")


@pytest.mark.parametrize("reason", ["", None])
def test_an_empty_reason_is_refused_at_the_reason_field(person, pc, reason):
    with pytest.raises(SafeguardingRuleError) as error:
        services.add_marker(person, pc, kind=MarkerKind.DRUG_USE, reason=reason)
    assert (str(error.value), error.value.field) == ("Say why the warning is added.", "reason")


def test_a_route_ends_once_and_with_a_reason(person, pc):
    route = services.add_route(person, pc, service="Housing office")
    with pytest.raises(SafeguardingRuleError) as error:
        services.end_route(route, pc, " ")
    assert (str(error.value), error.value.field) == ("Say why the route ends.", "reason")
    route.refresh_from_db()
    assert route.active
    services.end_route(route, pc, "Housed")
    with pytest.raises(SafeguardingRuleError) as error:
        services.end_route(route, pc, "again")
    assert (str(error.value), error.value.field) == ("This route was already ended.", "reason")
    route.refresh_from_db()
    assert route.end_reason == "Housed"


def test_each_change_is_audited_with_who_and_which_row(person, pc, sergeant):
    services.set_risk_level(person, pc, level=RiskLevel.HIGH, review_on=in_a_month(), reason="r")
    marker = services.add_marker(person, pc, kind=MarkerKind.DRUG_USE, reason="r")
    services.end_marker(marker, sergeant, "gone")
    route = services.add_route(person, pc, service="GP")
    services.end_route(route, sergeant, "done")
    verbs = ("risk_set", "marker_added", "marker_ended", "route_added", "route_ended")
    rows = AuditEvent.objects.filter(action__in=[f"referrals.person.{v}" for v in verbs])
    assert [(e.action, e.actor, e.detail) for e in rows.order_by("pk")] == [
        ("referrals.person.risk_set", pc, "High"),
        ("referrals.person.marker_added", pc, str(marker.uuid)),
        ("referrals.person.marker_ended", sergeant, str(marker.uuid)),
        ("referrals.person.route_added", pc, str(route.uuid)),
        ("referrals.person.route_ended", sergeant, str(route.uuid)),
    ]
    assert set(rows) == set(AuditEvent.objects.for_object(person).filter(pk__in=rows))


def test_safeguarding_her_moves_her_review_date(person, pc):
    Person.objects.filter(pk=person.pk).update(review_on=None)
    services.set_risk_level(person, pc, level=RiskLevel.HIGH, review_on=in_a_month(), reason="r")
    assert Person.objects.get(pk=person.pk).review_on is not None
    Person.objects.filter(pk=person.pk).update(review_on=None)
    services.add_marker(person, pc, kind=MarkerKind.DRUG_USE, reason="r")
    assert Person.objects.get(pk=person.pk).review_on is not None
