"""Database constraints on users, wards and officer profiles, and User.clean/save."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import POLICE_ROLES, OfficerProfile, Role, User, Ward

pytestmark = pytest.mark.django_db

NON_PARTNER_ROLES = [*POLICE_ROLES, Role.ADMIN]


@pytest.mark.parametrize("role", ["constable", ""])
def test_user_role_must_be_a_known_role(role):
    User.objects.create(username="known", role=Role.PC)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="unknown", role=role)


def test_partner_user_needs_an_agency(agency_a):
    User.objects.create(username="with-agency", role=Role.PARTNER, agency=agency_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="without-agency", role=Role.PARTNER)


@pytest.mark.parametrize("role", NON_PARTNER_ROLES)
def test_police_and_admins_belong_to_no_agency(role, agency_a):
    User.objects.create(username="no-agency", role=role)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="with-agency", role=role, agency=agency_a)


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_partner_user_is_never_staff_or_superuser(flag, partner_a):
    # update() bypasses User.save, which would otherwise reset is_staff from the role.
    rows = User.objects.filter(pk=partner_a.pk)
    assert rows.update(**{flag: False}) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(**{flag: True})


@pytest.mark.parametrize("role", [*POLICE_ROLES, Role.PARTNER])
def test_only_admins_can_be_superusers(role, agency_a):
    User.objects.create(username="root", role=Role.ADMIN, is_superuser=True)
    agency = agency_a if role == Role.PARTNER else None
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="not-root", role=role, agency=agency, is_superuser=True)


@pytest.mark.parametrize(
    ("role", "is_staff"), [*((role, True) for role in NON_PARTNER_ROLES), (Role.PARTNER, False)]
)
def test_save_derives_is_staff_from_role(role, is_staff, agency_a):
    agency = agency_a if role == Role.PARTNER else None
    user = User.objects.create(username="u", role=role, agency=agency, is_staff=not is_staff)
    user.refresh_from_db()
    assert user.is_staff is is_staff


def test_save_with_update_fields_role_also_writes_is_staff(pc, agency_a):
    pc.areas.clear()
    pc.role, pc.agency = Role.PARTNER, agency_a
    pc.save(update_fields=["role", "agency"])
    pc.refresh_from_db()
    assert pc.is_staff is False


@pytest.mark.parametrize(
    ("role", "with_agency", "is_superuser", "field"),
    [
        (Role.PARTNER, False, False, "agency"),
        (Role.PC, True, False, "agency"),
        (Role.SERGEANT, False, True, "is_superuser"),
    ],
)
def test_clean_reports_the_wrong_field(role, with_agency, is_superuser, field, agency_a):
    agency = agency_a if with_agency else None
    user = User(username="new", password="x", role=role, agency=agency, is_superuser=is_superuser)
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert set(error.value.message_dict) == {field}


@pytest.mark.parametrize("role", [Role.PARTNER, *NON_PARTNER_ROLES])
def test_clean_accepts_a_consistent_user(role, agency_a):
    agency = agency_a if role == Role.PARTNER else None
    User(username="new", password="x", role=role, agency=agency).full_clean()


def test_ward_name_is_unique_within_its_area(area, other_area):
    Ward.objects.create(area=area, name="Brixton")
    Ward.objects.create(area=other_area, name="Brixton")
    with pytest.raises(IntegrityError), transaction.atomic():
        Ward.objects.create(area=area, name="Brixton")


def test_ward_code_is_unique_when_given(area, other_area):
    Ward.objects.create(area=area, name="No code 1", code="")
    Ward.objects.create(area=area, name="No code 2", code="")
    Ward.objects.create(area=area, name="Coded", code="E05000416")
    with pytest.raises(IntegrityError), transaction.atomic():
        Ward.objects.create(area=other_area, name="Same code", code="E05000416")


def test_officer_trainer_needs_a_training_date(pc, sergeant):
    rows = OfficerProfile.objects.filter(user=pc)
    assert rows.update(ephedra_trainer=sergeant, ephedra_trained_on=dt.date(2024, 1, 15)) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(ephedra_trained_on=None)


def test_partner_user_is_in_exactly_their_agency_group(partner_a, agency_a, agency_b):
    assert list(partner_a.groups.all()) == [agency_a.group]
    partner_a.agency = agency_b
    partner_a.save()
    assert list(partner_a.groups.all()) == [agency_b.group]
