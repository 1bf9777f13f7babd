"""The status "risk_assessed" meant the risk assessment was approved: it is now "approved"
("Risk assessment approved"). Stored rows are converted between dropping the old check
constraint and adding the new one."""

from django.db import migrations, models

OLD, NEW = "risk_assessed", "approved"
STATUSES = ["planned", "approved", "deployed", "returned", "closed", "cancelled"]


def rename(apps, old: str, new: str) -> None:
    Patrol = apps.get_model("patrols", "Patrol")
    Patrol.objects.filter(status=old).update(status=new)


def forwards(apps, schema_editor):
    rename(apps, OLD, NEW)


def backwards(apps, schema_editor):
    rename(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("patrols", "0005_backfill_review_dates")]

    operations = [
        migrations.RemoveConstraint(model_name="patrol", name="patrol_status_valid"),
        migrations.AlterField(
            model_name="patrol",
            name="status",
            field=models.CharField(
                choices=[
                    ("planned", "Planned"),
                    ("approved", "Risk assessment approved"),
                    ("deployed", "Deployed"),
                    ("returned", "Return filed"),
                    ("closed", "Closed"),
                    ("cancelled", "Cancelled"),
                ],
                default="planned",
                max_length=20,
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AddConstraint(
            model_name="patrol",
            constraint=models.CheckConstraint(
                condition=models.Q(status__in=STATUSES), name="patrol_status_valid"
            ),
        ),
    ]
