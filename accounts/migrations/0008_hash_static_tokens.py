"""Backup codes made before hashing (django-otp's StaticToken, kept in clear) become
hashed codes on a BackupCodeDevice; the clear ones are deleted. People keep the codes
they printed: each still works once."""

from django.db import migrations

from accounts import backup_codes


def hash_clear_codes(apps, schema_editor):
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    BackupCodeDevice = apps.get_model("accounts", "BackupCodeDevice")
    BackupCode = apps.get_model("accounts", "BackupCode")
    for old in StaticDevice.objects.all():
        device = BackupCodeDevice.objects.create(
            user_id=old.user_id,
            name=old.name,
            confirmed=old.confirmed,
            throttling_failure_count=old.throttling_failure_count,
            throttling_failure_timestamp=old.throttling_failure_timestamp,
        )
        tokens = old.token_set.values_list("token", flat=True)
        BackupCode.objects.bulk_create(
            BackupCode(device=device, digest=backup_codes.digest(device.pk, token))
            for token in tokens
        )
        old.delete()  # its clear codes with it (cascade)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_backup_code_hashes"),
        ("otp_static", "0003_add_timestamps"),
    ]

    # Irreversible by design: the clear codes are gone.
    operations = [migrations.RunPython(hash_clear_codes, migrations.RunPython.noop)]
