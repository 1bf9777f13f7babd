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
