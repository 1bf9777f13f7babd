"""A small world with one of each record about a person, for the audit tests."""

import pytest

from governance import audit
from governance.models import AuditEvent, object_key
from patrols.models import Arrest, ConditionalCaution, Encounter, IntelligenceReport
from referrals import services as referral_services
from referrals.models import Person, Referral
from tests.factories import (
    HotspotFactory,
    OfficerFactory,
    PartnerUserFactory,
    PersonFactory,
    WardFactory,
    consented_referral,
    sent_concern,
)
from tests.patrols.test_return_views import crewed_patrol, submitted


@pytest.fixture
def world(area, pc, sergeant, project_lead, agency_a, partner_a):
    """A filed return (an encounter, an arrest with a caution, a referral, intelligence),
    a deployed patrol whose return is still to file, a referral shared with agency A, and
    a possible duplicate."""
    ward = WardFactory(area=area)
    local_pc = OfficerFactory(areas=[area])
    filed = crewed_patrol(ward, pc, local_pc)
    filed.hotspots.set([HotspotFactory(ward=ward)])
    work_return = submitted(filed, pc)
    deployed = crewed_patrol(ward, pc, local_pc)
    person = PersonFactory(area=area, working_name="Auditname Kay", created_by=pc)
    twin = PersonFactory(area=area, working_name="Auditname Kay", created_by=pc)
    referral = consented_referral(agency=agency_a, by=pc, person=person)
    caution = ConditionalCaution.objects.get()
    return {
        "filed": filed,
        "deployed": deployed,
        "work_return": work_return,
        "encounter": Encounter.objects.get(patrol=filed),
        "return_person": Encounter.objects.get(patrol=filed).person,
        "arrest": caution.arrest,
        "other_arrest": Arrest.objects.exclude(pk=caution.arrest_id).get(),
        "caution": caution,
        "caution_referral": Referral.objects.get(caution=caution),
        "return_referral": Referral.objects.get(patrol=filed, caution=None),
        "intelligence": IntelligenceReport.objects.get(),
        "person": person,
        "twin": twin,
        "referral": referral,
        "flag": referral_services.flag_possible_duplicates(twin)[0],
        "provider_user": PartnerUserFactory(agency=caution.provider),
        # Agency A's concern about the person, sent with her consent, not yet graded.
        "concern": sent_concern(by=partner_a, area=area, person=person),
    }


def viewed_rows(obj, user):
    return AuditEvent.objects.filter(
        action=f"{obj._meta.label_lower}.viewed",
        object_type=obj._meta.label_lower,
        object_id=object_key(obj),
        actor=user,
    )


@pytest.fixture
def subject(world, pc, sergeant, agency_a):
    """The return's person, with a linked record, a note and a history note, and a
    sergeant who read her record."""
    person = world["return_person"]
    Person.objects.filter(pk=person.pk).update(
        working_name="Sarname Dee", police_notes="Police note (synthetic)"
    )
    Encounter.objects.filter(person=person).update(notes="Encounter note (synthetic)")
    linked = PersonFactory(area=person.area, created_by=pc, working_name="Sarname D")
    Person.objects.filter(pk=linked.pk).update(same_as=person)
    referral = world["return_referral"]
    referral_services.add_note(referral, pc, "Referral note (synthetic)")
    referral_services.change_status(referral, "withdrawn", pc, note="Withdrawn note (synthetic)")
    audit.record("referrals.person.viewed", person, user=sergeant)
    person.refresh_from_db()
    return person
