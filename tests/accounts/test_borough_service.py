"""The one change of "Add a borough" (accounts/boroughs.py::create_borough): it refuses
what the pages would, and a clash that appears meanwhile is a message, never half a
borough."""

import pytest

from accounts import boroughs
from accounts.models import Area
from governance.models import AuditEvent
from tests.accounts.test_boroughs import WARDS, counts

pytestmark = pytest.mark.django_db


def create(by, **changes):
    arguments = {
        "name": "Lewisham",
        "code": "E09000023",
        "wards": boroughs.parse_ward_rows(WARDS),
        "overtime_threshold_hours": 48,
        "separate_approver": True,
        "coverers": [],
        "by": by,
    }
    return boroughs.create_borough(**{**arguments, **changes})


def test_only_leads_and_sergeants_may_cover_a_borough(admin_user, pc):
    with pytest.raises(boroughs.BoroughRuleError) as refused:
        create(admin_user, coverers=[pc])
    assert refused.value.field == "coverers"
    assert not Area.objects.filter(code="E09000023").exists()


def test_an_area_added_meanwhile_is_a_message_and_nothing_is_half_written(admin_user, monkeypatch):
    Area.objects.create(name="Lewisham", code="E09000099")
    monkeypatch.setattr(boroughs, "area_name_problem", lambda name: None)  # checked too early
    before = counts()
    with pytest.raises(boroughs.BoroughRuleError, match="added meanwhile"):
        create(admin_user)
    assert counts() == before
    assert not AuditEvent.objects.filter(action="accounts.area.created").exists()


def test_the_service_refuses_anyone_but_an_administrator(project_lead):
    with pytest.raises(boroughs.BoroughRuleError):
        create(project_lead)
    assert not Area.objects.filter(code="E09000023").exists()
