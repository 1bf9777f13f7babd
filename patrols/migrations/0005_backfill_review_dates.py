"""Give every existing intelligence report its review date (issue 7, retention):
RETENTION_INTELLIGENCE_MONTHS after it was submitted. The rule is
governance/retention.py's, restated with the historical models."""

import calendar

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def backfill(apps, schema_editor):
    IntelligenceReport = apps.get_model("patrols", "IntelligenceReport")
    changed = []
    for report in IntelligenceReport.objects.only("pk", "submitted_at").iterator(chunk_size=2000):
        submitted = timezone.localtime(report.submitted_at).date()
        report.review_on = add_months(submitted, settings.RETENTION_INTELLIGENCE_MONTHS)
        changed.append(report)
    IntelligenceReport.objects.bulk_update(changed, ["review_on"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("patrols", "0004_retention_review")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
