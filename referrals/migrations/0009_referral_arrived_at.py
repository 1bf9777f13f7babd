"""Referral.arrived_at: when the referral reached its current agency, stored (it was worked
out per row from the moves on every read). Existing rows get the last move to their
current agency, or when they were made, in one UPDATE (SQLite and PostgreSQL alike); the
index serves the lists sorted newest arrival first."""

from django.db import migrations, models

FILL = """
UPDATE referrals_referral SET arrived_at = COALESCE(
    (SELECT MAX(m.moved_at) FROM referrals_referralmove m
     WHERE m.referral_id = referrals_referral.id
       AND m.to_agency_id = referrals_referral.agency_id),
    made_at
)
"""


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0008_safeguarding_record'),
    ]

    operations = [
        migrations.AddField(
            model_name='referral',
            name='arrived_at',
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(
            model_name='referral',
            name='arrived_at',
            field=models.DateTimeField(editable=False),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(fields=['-arrived_at', '-id'], name='referral_arrival_order'),
        ),
    ]
