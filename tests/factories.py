"""factory-boy factories: synthetic records only, never real personal data."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import tokens
from accounts.models import Area, OfficerProfile, Role, User, Ward
from partners.models import AgencyKind, AgencyService, PartnerAgency, ServiceType
from patrols import models as patrols
from referrals.models import ConsentMethod, Person, Referral


class Base(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True
        skip_postgeneration_save = True


class AreaFactory(Base):
    class Meta:
        model = Area
        django_get_or_create = ["name"]

    name = "Lambeth"
    code = factory.Sequence(lambda n: f"E09{n:06d}")


class WardFactory(Base):
    class Meta:
        model = Ward

    area = factory.SubFactory(AreaFactory)
    name = factory.Sequence(lambda n: f"Test Ward {n}")


class AgencyFactory(Base):
    class Meta:
        model = PartnerAgency

    name = factory.Sequence(lambda n: f"Test Agency {n}")
    kind = AgencyKind.CHARITY

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        for service in extracted or [ServiceType.EXIT_SUPPORT]:
            AgencyService.objects.create(agency=self, service=service)


class UserFactory(Base):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    role = Role.PC
    password = factory.django.Password("correct-horse-battery-staple")

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if self.role != Role.PARTNER:
            self.areas.set(extracted if extracted is not None else [AreaFactory()])


class PartnerUserFactory(UserFactory):
    role = Role.PARTNER
    agency = factory.SubFactory(AgencyFactory)


class OfficerFactory(UserFactory):
    profile = factory.RelatedFactory(
        "tests.factories.OfficerProfileFactory", factory_related_name="user"
    )


class OfficerProfileFactory(Base):
    class Meta:
        model = OfficerProfile

    user = factory.SubFactory(UserFactory)
    # "TX": never a demo world's or a test's own collar number (those end "LX"), whatever the
    # session's count of officers (at the 2,101st it was the demo sergeant's "2101LX").
    collar_number = factory.Sequence(lambda n: f"{n:05d}TX")
    ephedra_trained_on = dt.date(2024, 1, 15)


def confirmed_app(user: User) -> TOTPDevice:
    """The user's confirmed authenticator app, made if they have none: a user who signed
    in completely has one (``force_login`` in conftest), and API tokens work only then."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test device", confirmed=True)


def api_token(user: User, name: str = "Test integration") -> tokens.NewToken:
    """A token made by its owner, as the token page makes one: they have a second factor."""
    confirmed_app(user)
    return tokens.create_token(user, name)


class HotspotFactory(Base):
    class Meta:
        model = patrols.Hotspot

    ward = factory.SubFactory(WardFactory)
    name = factory.Sequence(lambda n: f"Test Street {n}")
    latitude = Decimal("51.460000")
    longitude = Decimal("-0.115000")
    reason = "Repeated reports of kerb crawling (synthetic)."
    identified_on = dt.date(2024, 2, 1)


class PatrolFactory(Base):
    class Meta:
        model = patrols.Patrol

    ward = factory.SubFactory(WardFactory)
    area = factory.SelfAttribute("ward.area")
    starts_at = factory.LazyFunction(
        lambda: timezone.now().replace(hour=20, minute=0, second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=8))
    planned_by = factory.SubFactory(UserFactory, role=Role.SERGEANT)


class PersonFactory(Base):
    class Meta:
        model = Person

    working_name = factory.Sequence(lambda n: f"Testname{n}")
    description = "Synthetic description for tests."
    first_seen = dt.date(2025, 1, 10)
    area = factory.SubFactory(AreaFactory)
    created_by = factory.SubFactory(UserFactory)


class ReferralFactory(Base):
    class Meta:
        model = Referral

    person = factory.SubFactory(PersonFactory)
    agency = factory.SubFactory(AgencyFactory)
    service = ServiceType.EXIT_SUPPORT
    consent_method = ConsentMethod.VERBAL
    consent_given_at = factory.LazyFunction(timezone.now)
    consent_recorded_by = factory.SelfAttribute("referred_by")
    referred_by = factory.SubFactory(UserFactory)
    made_at = factory.LazyFunction(timezone.now)
    arrived_at = factory.SelfAttribute("made_at")  # as make_referral sets it


def consented_referral(*, agency, by, person=None, service=ServiceType.EXIT_SUPPORT, **extra):
    """A referral made the way officers make one: consent recorded, shared with the agency."""
    from referrals.services import make_referral

    now = timezone.now()
    return make_referral(
        person=person if person is not None else PersonFactory(),
        agency=agency,
        service=service,
        referred_by=by,
        made_at=now,
        consent_method=ConsentMethod.VERBAL,
        consent_given_at=now,
        consent_recorded_by=by,
        **extra,
    )


def course_referral(*, provider, referred_by, arresting_officer, area, given_ago=30, due_in=60):
    """A conditional caution (given `given_ago` days ago, due in `due_in` days; negative:
    already missed) and its diversion-course referral to `provider`, made as a work
    return makes it."""
    from referrals.services import make_referral

    AgencyService.objects.get_or_create(agency=provider, service=ServiceType.DIVERSION_COURSE)
    patrol = PatrolFactory(ward=WardFactory(area=area))
    today = timezone.localdate()
    arrest = patrols.Arrest.objects.create(
        patrol=patrol,
        arrested_at=timezone.now() - dt.timedelta(days=given_ago),
        offence=patrols.Offence.KERB_CRAWLING,
        suspect_description="Synthetic suspect",
        custody_reference="SYN-COURSE-1",
        arresting_officer=arresting_officer,
    )
    caution = patrols.ConditionalCaution.objects.create(
        arrest=arrest,
        given_on=today - dt.timedelta(days=given_ago),
        provider=provider,
        deadline=today + dt.timedelta(days=due_in),
        booking_name="Booking Synthname",
        booking_contact="07700 900777",
    )
    return make_referral(
        person=None,
        agency=provider,
        service=ServiceType.DIVERSION_COURSE,
        referred_by=referred_by,
        made_at=timezone.now() - dt.timedelta(days=given_ago),
        caution=caution,
        patrol=patrol,
    )


def backup_codes(user: User, *codes: str, confirmed: bool = True):
    """The user's backup-code device holding ``codes``, stored as the service stores them
    (keyed hashes, accounts.backup_codes)."""
    from accounts import backup_codes as hashing
    from accounts.models import BackupCode, BackupCodeDevice

    device = BackupCodeDevice.objects.create(user=user, name="Backup codes", confirmed=confirmed)
    BackupCode.objects.bulk_create(
        BackupCode(device=device, digest=hashing.digest(device.pk, code)) for code in codes
    )
    return device


def sent_concern(*, by, area, person=None, anonymised=None, **fields):
    """A concern a partner user sent through the service: anonymised unless it names a
    ``person`` (then with her consent, recorded by the sender)."""
    from patrols.services.concerns import Concern, send_concern

    anonymised = person is None if anonymised is None else anonymised
    values = {
        "area": area,
        "occurred_on": timezone.localdate(),
        "kind": "controller",
        "subject_description": "Tall man in a grey coat (synthetic)",
        "details": "Seen taking money from two women (synthetic)",
        "anonymised": anonymised,
    }
    if not anonymised:
        values |= {"consent_method": "verbal", "consent_given_on": timezone.localdate()}
        values["person"] = person
    return send_concern(by, Concern(**(values | fields)))
