"""An agency's deadlines and named contact (partners.models.PartnerAgency)."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import AgencyFactory, OfficerFactory, PartnerUserFactory

pytestmark = pytest.mark.django_db


def test_defaults_are_two_and_five_working_days():
    agency = AgencyFactory()
    assert (agency.receive_within_days, agency.contact_within_days) == (2, 5)


def test_the_named_contact_is_one_of_the_agency_users(agency_a, agency_b, area):
    agency_a.contact_user = PartnerUserFactory(agency=agency_a)
    agency_a.full_clean()
    for outsider in (PartnerUserFactory(agency=agency_b), OfficerFactory(areas=[area])):
        agency_a.contact_user = outsider
        with pytest.raises(ValidationError, match="agency's own users"):
            agency_a.full_clean()


def test_first_contact_cannot_be_due_before_receipt(agency_a):
    agency_a.receive_within_days, agency_a.contact_within_days = 5, 2
    with pytest.raises(ValidationError, match="First contact cannot be due"):
        agency_a.full_clean()
