"""Referral workflows: making a referral, with the rules every way in must obey.

Each refusal raises `ReferralRuleError` with a message a person can act on. Messages
name agencies and services, never the person referred.
"""

import datetime as dt

from django.db import transaction

from partners.models import PartnerAgency, ServiceType

from .models import Person, Referral, ReferralStatus, ReferralStatusChange


class ReferralRuleError(Exception):
    """A referral that would break a rule of the operation; the message says which."""


@transaction.atomic
def make_referral(
    *,
    person: Person | None,
    agency: PartnerAgency,
    service: str,
    referred_by,
    made_at: dt.datetime,
    consent_method: str = "",
    consent_given_at: dt.datetime | None = None,
    consent_recorded_by=None,
    patrol=None,
    encounter=None,
    caution=None,
) -> Referral:
    """Refer a person (or a cautioned man, to the diversion course) to an agency.

    The referral and the first step of its history are written together or not at all.
    """
    _check_agency(agency, service)
    _check_basis(person, service, caution, consent_method, consent_given_at, consent_recorded_by)
    referral = Referral.objects.create(
        person=person,
        agency=agency,
        service=service,
        consent_method=consent_method,
        consent_given_at=consent_given_at,
        consent_recorded_by=consent_recorded_by,
        patrol=patrol,
        encounter=encounter,
        caution=caution,
        referred_by=referred_by,
        made_at=made_at,
    )
    ReferralStatusChange.objects.create(
        referral=referral,
        from_status="",
        to_status=ReferralStatus.MADE,
        changed_by=referred_by,
        changed_at=made_at,
    )
    # Later: grant the agency's django-guardian group view access to this referral and
    # its person here, inside this transaction, so a refused referral shares nothing.
    return referral


def _check_agency(agency: PartnerAgency, service: str) -> None:
    if not agency.active:
        raise ReferralRuleError(f"{agency} is no longer an active partner agency.")
    if not agency.offers(service):
        label = ServiceType(service).label
        raise ReferralRuleError(f"{agency} does not offer {label.lower()}.")


def _check_basis(person, service, caution, consent_method, consent_given_at, recorded_by) -> None:
    """Consent, or for the diversion course a conditional caution, is the basis of a referral."""
    if caution is not None:
        if service != ServiceType.DIVERSION_COURSE:
            raise ReferralRuleError(
                "A conditional caution can only be the basis of a diversion-course referral."
            )
        if Referral.objects.filter(caution=caution).exists():
            raise ReferralRuleError("This conditional caution already has its referral.")
        return
    if person is None:
        raise ReferralRuleError("A referral needs the person referred.")
    if not (consent_method and consent_given_at and recorded_by):
        raise ReferralRuleError(
            "A referral needs the person's consent: record how and when it was given, and by whom."
        )
