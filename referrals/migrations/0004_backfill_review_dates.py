"""Give every existing person and closed referral its review date (issue 7, retention).

The rule is governance/retention.py's, restated here with the historical models so the
migration keeps working whatever that module becomes: a person is reviewed
RETENTION_PERSON_MONTHS after her latest encounter or referral (or the record's
creation); a referral RETENTION_REFERRAL_MONTHS after it was closed, declined or
withdrawn. No record has been retained or erased before this migration.
"""

import calendar

from django.conf import settings
from django.db import migrations
from django.db.models import Max
from django.utils import timezone

FINAL = ("closed", "declined", "withdrawn")


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _date(moment):
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def backfill(apps, schema_editor):
    Person = apps.get_model("referrals", "Person")
    Referral = apps.get_model("referrals", "Referral")
    people = Person.objects.annotate(
        met=Max("encounters__occurred_at"), referred=Max("referrals__made_at")
    ).only("pk", "created_at")
    changed = []
    for person in people.iterator(chunk_size=2000):
        last = max(m for m in (person.created_at, person.met, person.referred) if m)
        person.review_on = add_months(_date(last), settings.RETENTION_PERSON_MONTHS)
        changed.append(person)
    Person.objects.bulk_update(changed, ["review_on"], batch_size=1000)
    referrals = (
        Referral.objects.filter(status__in=FINAL)
        .annotate(closed=Max("history__changed_at"))
        .only("pk", "updated_at")
    )
    changed = []
    for referral in referrals.iterator(chunk_size=2000):
        closed = referral.closed or referral.updated_at
        referral.review_on = add_months(_date(closed), settings.RETENTION_REFERRAL_MONTHS)
        changed.append(referral)
    Referral.objects.bulk_update(changed, ["review_on"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_retention_review")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
