"""referrals_for(user, queryset): the API's scope filter narrows its own queryset (with
the arrival annotation) by the scope's conditions, rather than ``pk IN (scope)``, which
joined an agency's referrals to themselves. The same rows either way."""

import pytest
from django.db.models import Value

from referrals.models import Referral
from referrals.permissions import referrals_for
from tests.factories import OfficerFactory, PersonFactory
from tests.referrals.test_portal_views import refer

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(agency_a, agency_b, pc):
    return refer(agency_a, pc), refer(agency_b, pc)


def test_a_partner_scope_narrows_the_base_and_keeps_its_annotations(partner_a, two):
    mine, theirs = two
    base = Referral.objects.annotate(marker=Value(7))

    scoped = list(referrals_for(partner_a, base))

    assert scoped == [mine]
    assert scoped[0].marker == 7
    assert list(referrals_for(partner_a, Referral.objects.filter(pk=theirs.pk))) == []


def test_a_police_scope_narrows_the_base_to_their_areas(pc, other_area, agency_a, two):
    elsewhere = OfficerFactory(areas=[other_area])
    away = refer(agency_a, elsewhere, person=PersonFactory(area=other_area))
    base = Referral.objects.annotate(marker=Value(7))

    assert set(referrals_for(pc, base)) == set(two)
    assert list(referrals_for(elsewhere, base)) == [away]
    assert list(referrals_for(pc, Referral.objects.filter(pk=away.pk))) == []


def test_a_partner_needs_both_the_grant_and_the_referral_at_their_agency(
    partner_a, agency_a, agency_b, pc
):
    from guardian.shortcuts import assign_perm, remove_perm

    granted_elsewhere = refer(agency_b, pc)  # a grant that outlived a move, say
    assign_perm("referrals.view_referral", agency_a.group, granted_elsewhere)
    ungranted_here = refer(agency_a, pc)
    remove_perm("referrals.view_referral", agency_a.group, ungranted_here)
    mine = refer(agency_a, pc)

    assert list(referrals_for(partner_a)) == [mine]
    assert list(referrals_for(partner_a, Referral.objects.all())) == [mine]
