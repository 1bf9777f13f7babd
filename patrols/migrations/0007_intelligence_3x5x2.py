"""Intelligence grading: from the 5x5x5 wording to the College of Policing's 3x5x2.

The codes stay A–E; their meanings change. Grades recorded under the old wording are moved
to the new meaning closest to it, and one audit row says how many were moved:

    5x5x5 (recorded as)                                 3x5x2 (now)
    A  known to be true without reservation         ->  A  known directly to the source
    B  known personally to source, not to officer   ->  A  known directly to the source
    C  not known personally to source, corroborated ->  B  known indirectly but corroborated
    D  cannot be judged                             ->  D  not known
    E  suspected to be false or malicious           ->  E  suspected to be false

Nothing maps to the new C (known indirectly, not corroborated): no old grade meant that.
Source evaluations (1–3) and handling codes (P, C) were already the 3x5x2's.
"""

from django.db import migrations, models
from django.db.models import Case, Value, When

MOVED = {"B": "A", "C": "B"}


def to_3x5x2(apps, schema_editor):
    report = apps.get_model("patrols", "IntelligenceReport")
    counts = {old: report.objects.filter(intelligence_assessment=old).count() for old in MOVED}
    if not any(counts.values()):
        return
    # One statement, so that a grade moved from C to B is not moved again to A.
    report.objects.filter(intelligence_assessment__in=list(MOVED)).update(
        intelligence_assessment=Case(
            *[When(intelligence_assessment=old, then=Value(new)) for old, new in MOVED.items()],
            default=models.F("intelligence_assessment"),
        )
    )
    apps.get_model("governance", "AuditEvent").objects.create(
        action="patrols.intelligencereport.regraded",
        object_type="patrols.intelligencereport",
        detail="Intelligence assessments moved from the 5x5x5 to the 3x5x2 wording: "
        + ", ".join(f"{counts[old]} from {old} to {new}" for old, new in MOVED.items()),
    )


def to_5x5x5(apps, schema_editor):
    """Back: an A may have been a 5x5x5 A or B, so only the move from C to B is undone."""
    report = apps.get_model("patrols", "IntelligenceReport")
    report.objects.filter(intelligence_assessment="B").update(intelligence_assessment="C")


class Migration(migrations.Migration):
    dependencies = [
        ("patrols", "0006_patrol_status_approved"),
        ("governance", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="intelligencereport",
            name="intelligence_assessment",
            field=models.CharField(
                choices=[
                    ("A", "A – Known directly to the source"),
                    ("B", "B – Known indirectly to the source but corroborated"),
                    ("C", "C – Known indirectly to the source"),
                    ("D", "D – Not known"),
                    ("E", "E – Suspected to be false"),
                ],
                max_length=1,
            ),
        ),
        migrations.RunPython(to_3x5x2, to_5x5x5),
    ]
