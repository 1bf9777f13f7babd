"""Synthetic crime data for the Evidence page (Lambeth only), clearly marked as such."""

import datetime as dt
import hashlib
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Area
from reporting import crime_partitions
from reporting.evaluation import queries
from reporting.evaluation.places import area_lsoas, layout
from reporting.models import CrimeFileKind, CrimeRecord, ImportBatch, ImportStatus

# --- Synthetic crime data (for the Evidence page) -------------------------------------------

DEMO_CRIME_FORCE = "Synthetic demo data (not real crime)"
DEMO_CRIME_MONTHS = 24
DEMO_CRIME_DROP = 0.8  # relevant crime near patrolled hotspots after patrols: 20% less
DEMO_CRIME_MEAN = 5.0  # relevant crimes per LSOA per month, before place-to-place variation
# The ranking's relevant types, in rough police.uk proportions for an inner-London borough.
DEMO_CRIME_MIX = {
    "Violence and sexual offences": 0.5,
    "Anti-social behaviour": 0.3,
    "Public order": 0.15,
    "Other crime": 0.05,
}


@transaction.atomic
def seed_crime(today: dt.date | None = None) -> int:
    """Monthly police.uk-style street crime for Lambeth's LSOAs over DEMO_CRIME_MONTHS
    months ending two months ago (police.uk publishes about a month in arrears), with a
    planted 20% drop in the LSOAs near patrolled hotspots once their patrols began.

    Clearly synthetic: its own "force" and file names say so, no Crime IDs, points at
    LSOA centroids. Idempotent: the batches carry a fingerprint of what they were made
    from (months and patrol starts); the same fingerprint is left alone, another one is
    replaced. Returns the number of crime rows now in the demo batches.
    """
    today = today or timezone.localdate()
    area = Area.objects.get(name="Lambeth")
    lsoas = area_lsoas(area)
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    last = (last - dt.timedelta(days=1)).replace(day=1)
    months = [last]
    while len(months) < DEMO_CRIME_MONTHS:
        months.insert(0, (months[0] - dt.timedelta(days=1)).replace(day=1))
    starts = _demo_patrol_starts(area, lsoas, today, queries, layout)
    fingerprint = hashlib.sha256(
        repr((months, sorted(starts.items()), DEMO_CRIME_DROP, DEMO_CRIME_MEAN)).encode()
    ).hexdigest()
    batches = ImportBatch.objects.filter(force=DEMO_CRIME_FORCE)
    if {b.sha256 for b in batches} == {fingerprint} and batches.count() == len(months):
        return CrimeRecord.objects.filter(batch__in=batches).count()
    batches.delete()
    rows = []
    for n, month in enumerate(months):
        batch = ImportBatch.objects.create(
            filename=f"synthetic-demo-{month:%Y-%m}-lambeth-street.csv",
            sha256=fingerprint,
            kind=CrimeFileKind.STREET,
            force=DEMO_CRIME_FORCE,
            month=month,
            status=ImportStatus.IMPORTED,
        )
        rows += _demo_crimes(batch, area, lsoas, n, month, starts)
    crime_partitions.ensure_months(months)
    _insert_demo_crimes(rows)
    return len(rows)


def _demo_patrol_starts(area, lsoas, today, queries, layout) -> dict[str, dt.date]:
    """Each LSOA near a patrolled hotspot → the month its patrols began (the evaluation's
    own definition of "near", so the planted effect is where the evaluation looks)."""
    visited = queries.patrolled_hotspots(area, today)
    places = layout(
        ((r["hotspot"], float(r["latitude"]), float(r["longitude"])) for r in visited), lsoas
    )
    starts: dict[str, dt.date] = {}
    for row in visited:
        month = timezone.localtime(row["first_visit"]).date().replace(day=1)
        for code in places.catchments[row["hotspot"]]:
            starts[code] = min(month, starts.get(code, month))
    return starts


def _demo_crimes(batch, area, lsoas, n, month, starts) -> list[tuple]:
    """One month's crimes as rows of DEMO_CRIME_COLUMNS."""
    import numpy as np

    rng = np.random.default_rng([2024, n])  # one stream per month: reproducible
    season = 1 + 0.15 * np.cos(2 * np.pi * (month.month - 7) / 12)  # busier in summer
    types, shares = list(DEMO_CRIME_MIX), list(DEMO_CRIME_MIX.values())
    rows = []
    for code, lsoa in sorted(lsoas.items()):
        level = np.random.default_rng([2024, int(code[3:])]).lognormal(0, 0.6)  # per place
        after = code in starts and month > starts[code]
        mean = DEMO_CRIME_MEAN * level * season * (DEMO_CRIME_DROP if after else 1.0)
        place = (
            Decimal(f"{lsoa.longitude:.6f}"),
            Decimal(f"{lsoa.latitude:.6f}"),
            "On or near a synthetic street",
            code,
            lsoa.name,
        )
        for crime_type in rng.choice(types, size=rng.poisson(mean), p=shares):
            rows.append(
                (batch.pk, area.pk, "", month, DEMO_CRIME_FORCE, DEMO_CRIME_FORCE)
                + place
                + (str(crime_type), "", "")
            )
    batch.row_count = len(rows)
    batch.save(update_fields=["row_count"])
    return rows


DEMO_CRIME_COLUMNS = (
    "batch",
    "area",
    "crime_id",
    "month",
    "reported_by",
    "falls_within",
    "longitude",
    "latitude",
    "location",
    "lsoa_code",
    "lsoa_name",
    "crime_type",
    "last_outcome",
    "context",
)


def _insert_demo_crimes(rows: list[tuple]) -> None:
    """One executemany, not bulk_create: building 20,000 model instances took seconds."""
    meta, quote = CrimeRecord._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in DEMO_CRIME_COLUMNS)
    marks = ", ".join(["%s"] * len(DEMO_CRIME_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})",  # noqa: S608 - names from the model
            rows,
        )
