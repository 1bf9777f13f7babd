"""On PostgreSQL the crime table's position index becomes a spatial one: a GiST index on
each mapped crime's point, which the hotspot ranking's box (``ranking.POINT_IN_BOX``)
reads directly. The B-tree on (latitude, longitude) it replaces could only range over
latitude, so a box around a London hotspot read every row of the country in that
latitude band: on 12 million rows, 37,599 index entries in 85-172 ms against 7 ms
(BENCHMARKS.md, national section). SQLite keeps the B-tree (no GiST there; its tables are
small). The model no longer declares the index: each database has its own."""

from django.db import migrations

POINT = "point(longitude::float8, latitude::float8)"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('DROP INDEX IF EXISTS "crime_position"')
    schema_editor.execute(
        f'CREATE INDEX "crime_point" ON "reporting_crimerecord" USING gist ({POINT}) '
        "WHERE latitude IS NOT NULL"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('DROP INDEX IF EXISTS "crime_point"')
    schema_editor.execute(
        'CREATE INDEX "crime_position" ON "reporting_crimerecord" ("latitude", "longitude")'
    )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0011_trial_results")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.RemoveIndex(model_name="crimerecord", name="crime_position"),
            ],
        ),
    ]
