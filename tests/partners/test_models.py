"""Database constraints on partner agencies and the services they offer."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from partners.models import AgencyKind, AgencyService, PartnerAgency, ServiceType

pytestmark = pytest.mark.django_db

APRIL_1, APRIL_30 = dt.date(2025, 4, 1), dt.date(2025, 4, 30)


def test_agency_kind_must_be_known():
    PartnerAgency.objects.create(name="Known", kind=AgencyKind.CHARITY)
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerAgency.objects.create(name="Unknown", kind="church")


@pytest.mark.parametrize(
    ("start", "end"),
    [(APRIL_1, APRIL_1), (APRIL_1, APRIL_30), (None, APRIL_30), (APRIL_1, None), (None, None)],
)
def test_agency_agreement_may_end_on_or_after_start_or_be_open(agency_a, start, end):
    rows = PartnerAgency.objects.filter(pk=agency_a.pk)
    assert rows.update(sharing_agreement_from=start, sharing_agreement_until=end) == 1


def test_agency_agreement_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerAgency.objects.create(
            name="Backwards",
            kind=AgencyKind.CHARITY,
            sharing_agreement_from=APRIL_30,
            sharing_agreement_until=APRIL_1,
        )


def test_agency_offers_each_service_once(agency_a, agency_b):
    AgencyService.objects.create(agency=agency_a, service=ServiceType.HOUSING)
    AgencyService.objects.create(agency=agency_b, service=ServiceType.HOUSING)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgencyService.objects.create(agency=agency_a, service=ServiceType.HOUSING)


def test_agency_service_must_be_known(agency_a):
    AgencyService.objects.create(agency=agency_a, service=ServiceType.MEDICAL)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgencyService.objects.create(agency=agency_a, service="astrology")
