import uuid

from django.db import migrations, models


def give_each_flag_a_uuid(apps, schema_editor):
    PossibleDuplicate = apps.get_model("referrals", "PossibleDuplicate")
    for flag in PossibleDuplicate.objects.filter(uuid__isnull=True).only("pk"):
        flag.uuid = uuid.uuid4()
        flag.save(update_fields=["uuid"])


class Migration(migrations.Migration):
    """Duplicate flags are about people: their URLs use a UUID, not a guessable number."""

    dependencies = [("referrals", "0004_backfill_review_dates")]

    operations = [
        migrations.AddField(
            model_name="possibleduplicate",
            name="uuid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_each_flag_a_uuid, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="possibleduplicate",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
