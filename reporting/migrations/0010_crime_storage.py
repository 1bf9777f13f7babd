"""The crime table loses its index on area alone: (area, month, crime_type) leads with area
and serves every query that filters by area (ranking, evaluation, metrics, the API), and
each index costs every imported row. On 6 million rows, 100,000 new rows took 9.2 s to
store with the index and 5.8 s without it (BENCHMARKS.md, section 2).

Only the index goes: the foreign key stays as it is (AlterField alone would drop and
re-add the constraint, checking every row again). The name is Django's for the field's
index, the same on PostgreSQL and SQLite."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_training_session"),
        ("reporting", "0009_generatedreport_web_page"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "reporting_crimerecord_area_id_61df4611"',
                    reverse_sql=(
                        'CREATE INDEX "reporting_crimerecord_area_id_61df4611" '
                        'ON "reporting_crimerecord" ("area_id")'
                    ),
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="crimerecord",
                    name="area",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="crimes",
                        to="accounts.area",
                    ),
                ),
            ],
        ),
    ]
