"""Migration 0007: grades recorded in the 5x5x5's words move to the 3x5x2's (the College of
Policing's current intelligence report), with one audit row saying how many moved."""

import importlib

import pytest
from django.apps import apps

from governance.models import AuditEvent
from patrols.models import IntelligenceAssessment, IntelligenceReport
from tests.factories import PatrolFactory

from .test_models import make_intelligence

pytestmark = pytest.mark.django_db
migration = importlib.import_module("patrols.migrations.0007_intelligence_3x5x2")


def test_the_labels_are_the_3x5x2_s():
    assert dict(IntelligenceAssessment.choices) == {
        "A": "A – Known directly to the source",
        "B": "B – Known indirectly to the source but corroborated",
        "C": "C – Known indirectly to the source",
        "D": "D – Not known",
        "E": "E – Suspected to be false",
    }


def test_old_grades_move_to_the_nearest_new_meaning_once_each():
    patrol = PatrolFactory()
    old = {code: make_intelligence(patrol, intelligence_assessment=code) for code in "ABCDE"}

    migration.to_3x5x2(apps, None)

    now = {code: IntelligenceReport.objects.get(pk=row.pk).intelligence_assessment
           for code, row in old.items()}  # fmt: skip
    # B (known personally to the source) -> A; C (corroborated) -> B, and not on to A.
    assert now == {"A": "A", "B": "A", "C": "B", "D": "D", "E": "E"}
    (row,) = AuditEvent.objects.filter(action="patrols.intelligencereport.regraded")
    assert row.detail.endswith("1 from B to A, 1 from C to B")


def test_nothing_to_move_writes_no_audit_row():
    make_intelligence(PatrolFactory(), intelligence_assessment="A")
    migration.to_3x5x2(apps, None)
    assert not AuditEvent.objects.filter(action="patrols.intelligencereport.regraded").exists()
