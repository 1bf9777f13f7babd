"""Which of an area's hotspots most need a patrol in a given week, and why, in plain words.

The evidence, all computed by the database in a fixed number of queries (four for a
ranking with its uncovered places, however many hotspots and crimes there are):

- **Relevant crime near each hotspot**: crimes of the relevant types (anti-social
  behaviour, public order, other crime, violence and sexual offences by default) inside a
  box of ``RADIUS_M`` metres either side of the hotspot (no PostGIS: 1° of latitude is
  ~111.3 km, 1° of longitude ~111.3 km × cos(latitude)). The box is a square, so its
  corners reach ~1.4 × the radius. Counted for the last 4 weeks, the last 12 weeks and
  the 26 weeks (about 6 months) before the last 4, the baseline, given per 4 weeks.
- **Dates**: a local weekly extract gives each crime's date; police.uk gives only the
  month. A monthly crime counts in a window when the first day of its month falls in the
  window — an approximation: a 4-week window holds at most one month's first day, so
  monthly-only data shows up in the 4-week figure in bursts. A month that has any dated
  crimes is counted from those only, so a crime in both a weekly extract and the later
  police.uk file is not counted twice.
- **Sightings** in the last 4 weeks: women seen on submitted work returns of patrols
  that visited the hotspot (a return's count is credited to each hotspot it visited) and
  encounters recorded at the hotspot.
- **Days since last patrolled**: the latest live (not cancelled) patrol that had the
  hotspot as a planned hotspot, or a work return that visited it.

All windows end at ``as_of``: the week's Monday, or today for a week that has not begun,
so the sheet for the coming week uses the freshest data.
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import connection
from django.db.models import BooleanField, Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from patrols.models import Encounter, Hotspot, Patrol, PatrolStatus, ReturnStatus, WorkReturn

from .coverage import CrimeCoverage, crime_coverage
from .models import CrimeRecord, ImportStatus
from .ranking_words import compared, hotspot_reason

DEFAULT_RELEVANT: tuple[str, ...] = (
    "Anti-social behaviour",
    "Public order",
    "Other crime",
    "Violence and sexual offences",
)
RADIUS_M = 250
METRES_PER_DEGREE_LATITUDE = 111_320
RECENT_DAYS, TREND_DAYS, BASELINE_DAYS = 28, 84, 182

# Score weights: points per unit of evidence. Crime is the main signal, crime above the
# usual level counts again, sightings of street sex work (the operation's aim) count more
# than a crime, and a hotspot left unpatrolled gains up to STALE_CAP points.
CRIME_POINT = 1.0
RISE_POINT = 1.0
TREND_RISE_POINT = 0.5
WOMAN_SEEN_POINT = 2.0
ENCOUNTER_POINT = 1.0
STALE_POINT_PER_WEEK = 0.5
STALE_CAP = 2.0

# An uncovered place is flagged at this many relevant crimes in 4 weeks, and this many
# times its baseline.
UNCOVERED_MIN_CRIMES = 5
UNCOVERED_MIN_RATIO = 2

_WINDOW_NAMES = ("recent", "trend", "baseline")


@dataclass(frozen=True)
class Windows:
    """The periods compared: [start, as_of) for recent and trend; baseline before recent."""

    as_of: dt.date

    @classmethod
    def for_week(cls, week_start: dt.date, today: dt.date | None = None) -> "Windows":
        return cls(min(week_start, today or timezone.localdate()))

    @property
    def recent_start(self) -> dt.date:
        return self.as_of - dt.timedelta(days=RECENT_DAYS)

    @property
    def trend_start(self) -> dt.date:
        return self.as_of - dt.timedelta(days=TREND_DAYS)

    @property
    def baseline_start(self) -> dt.date:
        return self.recent_start - dt.timedelta(days=BASELINE_DAYS)

    def bounds(self, name: str) -> tuple[dt.date, dt.date]:
        return {
            "recent": (self.recent_start, self.as_of),
            "trend": (self.trend_start, self.as_of),
            "baseline": (self.baseline_start, self.recent_start),
        }[name]

    def crime_filter(self, name: str) -> Q:
        """Crimes in the window: by date when known, else by the first day of the month."""
        start, end = self.bounds(name)
        return Q(date__isnull=False, date__gte=start, date__lt=end) | Q(
            date__isnull=True, month__gte=start, month__lt=end
        )

    def start_of(self, day: dt.date) -> dt.datetime:
        """Local midnight at the start of `day`, for filtering datetimes."""
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class HotspotRank:
    hotspot: Hotspot
    rank: int
    score: float
    crimes_4w: int
    crimes_12w: int
    baseline_per_4w: float
    crimes_by_type: tuple[tuple[str, int], ...]  # last 4 weeks, most first
    women_seen: int
    encounters: int
    last_patrolled: dt.date | None
    days_since_patrolled: int | None
    reason: str


@dataclass(frozen=True)
class UncoveredPlace:
    lsoa_code: str
    lsoa_name: str
    latitude: float
    longitude: float
    crimes_4w: int
    baseline_per_4w: float
    reason: str


@dataclass(frozen=True)
class Ranking:
    area: object
    windows: Windows
    hotspots: list[HotspotRank]
    uncovered: list[UncoveredPlace]
    crime_types: tuple[str, ...]
    crime_data_until: dt.date | None = None
    coverage: CrimeCoverage | None = None
    radius_m: int = RADIUS_M
    uncovered_min_crimes: int = UNCOVERED_MIN_CRIMES

    @property
    def crime_data_short(self) -> bool:
        """The crime data stops before the end of the 4 weeks ranked."""
        last_day = self.windows.as_of - dt.timedelta(days=1)
        return self.coverage is not None and not self.coverage.covers(last_day)


# --- Public entry points --------------------------------------------------------------


def area_ranking(
    area, week_start: dt.date, *, crime_types: Sequence[str] = DEFAULT_RELEVANT
) -> Ranking:
    """The ranking and the uncovered places, as the pages and the sheet show them."""
    windows = Windows.for_week(week_start)
    hotspots = list(_annotated_hotspots(area, windows))
    coverage = crime_coverage(area)
    return Ranking(
        area=area,
        windows=windows,
        hotspots=_rank(hotspots, crime_types, windows, coverage),
        uncovered=_uncovered(area, crime_types, windows, hotspots),
        crime_types=tuple(crime_types),
        crime_data_until=coverage.until,
        coverage=coverage,
    )


def rank_hotspots(
    area, week_start: dt.date, *, crime_types: Sequence[str] = DEFAULT_RELEVANT
) -> list[HotspotRank]:
    """The area's active hotspots, most in need of a patrol first (two queries)."""
    windows = Windows.for_week(week_start)
    hotspots = list(_annotated_hotspots(area, windows))
    return _rank(hotspots, crime_types, windows, crime_coverage(area))


def uncovered_places(
    area, week_start: dt.date, *, crime_types: Sequence[str] = DEFAULT_RELEVANT
) -> list[UncoveredPlace]:
    """LSOAs of the area with rising relevant crime and no hotspot near it (two queries)."""
    windows = Windows.for_week(week_start)
    hotspots = list(Hotspot.objects.active().filter(ward__area=area))
    return _uncovered(area, crime_types, windows, hotspots)


# --- Queries ----------------------------------------------------------------------------


def relevant_crimes(crime_types: Sequence[str], windows: Windows) -> QuerySet:
    """Mapped crimes of the relevant types from current imports that any window can use."""
    first_month = windows.baseline_start.replace(day=1)
    current = CrimeRecord.objects.filter(
        batch__status=ImportStatus.IMPORTED, month__gte=first_month, month__lt=windows.as_of
    )
    dated_months = current.filter(date__isnull=False).values("month")
    return current.filter(crime_type__in=list(crime_types), latitude__isnull=False).exclude(
        date__isnull=True, month__in=dated_months
    )


def _annotated_hotspots(area, windows: Windows) -> QuerySet:
    """The area's active hotspots with their sightings and last patrol (one query)."""
    since, until = windows.start_of(windows.recent_start), windows.start_of(windows.as_of)
    visits = WorkReturn.hotspots_visited.through.objects.filter(
        hotspot=OuterRef("pk"), workreturn__status=ReturnStatus.SUBMITTED
    )
    women = (
        visits.filter(workreturn__started_at__gte=since, workreturn__started_at__lt=until)
        .values("hotspot")
        .annotate(total=Sum("workreturn__women_seen"))
        .values("total")
    )
    encounters = (
        Encounter.objects.filter(hotspot=OuterRef("pk"), occurred_at__gte=since)
        .filter(occurred_at__lt=until)
        .values("hotspot")
        .annotate(total=Count("pk"))
        .values("total")
    )
    planned = (
        Patrol.objects.filter(hotspots=OuterRef("pk"), starts_at__lt=until)
        .exclude(status=PatrolStatus.CANCELLED)
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )
    visited = (
        visits.filter(workreturn__started_at__lt=until)
        .order_by("-workreturn__started_at")
        .values("workreturn__started_at")[:1]
    )
    return (
        Hotspot.objects.active()
        .filter(ward__area=area)
        .select_related("ward")
        .annotate(
            women_seen=Subquery(women),
            encounter_count=Subquery(encounters),
            last_planned=Subquery(planned),
            last_visited=Subquery(visited),
        )
        .order_by("name")
    )


def _near(latitude: Decimal, longitude: Decimal, field_prefix: str = "") -> Q:
    """The box of RADIUS_M either side of a point."""
    dlat, dlon = _box_half_sides(latitude)
    return Q(
        **{
            f"{field_prefix}latitude__gte": latitude - dlat,
            f"{field_prefix}latitude__lte": latitude + dlat,
            f"{field_prefix}longitude__gte": longitude - dlon,
            f"{field_prefix}longitude__lte": longitude + dlon,
        }
    )


def _box_half_sides(latitude: Decimal) -> tuple[Decimal, Decimal]:
    dlat = RADIUS_M / METRES_PER_DEGREE_LATITUDE
    dlon = dlat / math.cos(math.radians(float(latitude)))
    return Decimal(f"{dlat:.6f}"), Decimal(f"{dlon:.6f}")


def _near_any(hotspots: Iterable[Hotspot]) -> Q:
    """One box around all the hotspots' boxes: a cheap first cut of the crime rows. On
    PostgreSQL the same box also as points in a box (``POINT_IN_BOX``), the condition the
    crime table's spatial index answers (migration 0012): a range on latitude then on
    longitude reads every row of the country in the latitude band (BENCHMARKS.md)."""
    hotspots = list(hotspots)
    dlat, dlon = _box_half_sides(max((abs(h.latitude) for h in hotspots), default=Decimal(0)))
    south = min(h.latitude for h in hotspots) - dlat
    north = max(h.latitude for h in hotspots) + dlat
    west = min(h.longitude for h in hotspots) - dlon
    east = max(h.longitude for h in hotspots) + dlon
    box = Q(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)
    if connection.vendor != "postgresql":
        return box
    corners = [float(west), float(south), float(east), float(north)]
    # The corners are parameters, never text in the SQL.
    return box & Q(RawSQL(POINT_IN_BOX, corners, output_field=BooleanField()))  # noqa: S611


# The expression of the crime table's GiST index (reporting migration 0012), in a box.
POINT_IN_BOX = (
    '(point("reporting_crimerecord"."longitude"::float8, "reporting_crimerecord"."latitude"'
    "::float8) <@ box(point(%s, %s), point(%s, %s)))"
)


def _crime_counts(
    hotspots: list[Hotspot], crime_types: Sequence[str], windows: Windows
) -> dict[int, dict[str, dict[str, int]]]:
    """{hotspot pk: {window: {crime type: count}}}, from one conditional-count query.

    One scan of the crime rows, grouped by crime type, with a count per hotspot and
    window: a crime near two hotspots counts for both. The SQL grows with the number of
    hotspots (three columns each), the number of queries does not.
    """
    counts: dict[int, dict[str, dict[str, int]]] = {
        h.pk: {name: defaultdict(int) for name in _WINDOW_NAMES} for h in hotspots
    }
    if not hotspots:
        return counts
    columns = {
        f"h{h.pk}_{name}": Count(
            "pk", filter=_near(h.latitude, h.longitude) & windows.crime_filter(name)
        )
        for h in hotspots
        for name in _WINDOW_NAMES
    }
    rows = (
        relevant_crimes(crime_types, windows)
        .filter(_near_any(hotspots))
        .values("crime_type")
        .annotate(**columns)
        .order_by()
    )
    for row in rows:
        for h in hotspots:
            for name in _WINDOW_NAMES:
                counts[h.pk][name][row["crime_type"]] += row[f"h{h.pk}_{name}"]
    return counts


# --- Ranking ----------------------------------------------------------------------------


def _rank(
    hotspots: list[Hotspot], crime_types: Sequence[str], windows: Windows, coverage
) -> list[HotspotRank]:
    counts = _crime_counts(hotspots, crime_types, windows)
    # Where the data stops before the week, a count of none is no evidence of none.
    until = None if coverage.covers(windows.as_of - dt.timedelta(days=1)) else coverage
    unranked = [_evidence(h, counts[h.pk], windows, until) for h in hotspots]
    unranked.sort(key=lambda r: (-r.score, -r.crimes_4w, r.hotspot.name))
    return [replace(r, rank=n) for n, r in enumerate(unranked, start=1)]


def _evidence(
    hotspot: Hotspot, counts: dict[str, dict[str, int]], windows: Windows, short=None
) -> HotspotRank:
    by_type = tuple(sorted(((t, n) for t, n in counts["recent"].items() if n), key=_most_first))
    recent = sum(counts["recent"].values())
    trend = sum(counts["trend"].values())
    baseline = per_4_weeks(sum(counts["baseline"].values()))
    last = _last_patrolled(hotspot)
    days = (windows.as_of - last).days if last else None
    women, encounters = hotspot.women_seen or 0, hotspot.encounter_count or 0
    score = _score(recent, trend, baseline, women, encounters, days)
    return HotspotRank(
        hotspot=hotspot,
        rank=0,
        score=score,
        crimes_4w=recent,
        crimes_12w=trend,
        baseline_per_4w=baseline,
        crimes_by_type=by_type,
        women_seen=women,
        encounters=encounters,
        last_patrolled=last,
        days_since_patrolled=days,
        reason=hotspot_reason(
            by_type,
            recent,
            trend,
            baseline,
            women,
            encounters,
            days,
            RADIUS_M,
            short,
            windows.recent_start,
        ),
    )


def per_4_weeks(baseline_count: int) -> float:
    return baseline_count * RECENT_DAYS / BASELINE_DAYS


def _score(
    recent: int, trend: int, baseline: float, women: int, encounters: int, days: int | None
) -> float:
    stale_weeks = STALE_CAP / STALE_POINT_PER_WEEK if days is None else days / 7
    points = (
        CRIME_POINT * recent
        + RISE_POINT * max(0.0, recent - baseline)
        + TREND_RISE_POINT * max(0.0, trend / 3 - baseline)
        + WOMAN_SEEN_POINT * women
        + ENCOUNTER_POINT * encounters
        + min(STALE_CAP, STALE_POINT_PER_WEEK * stale_weeks)
    )
    return round(points, 1)


def _last_patrolled(hotspot: Hotspot) -> dt.date | None:
    times = [t for t in (hotspot.last_planned, hotspot.last_visited) if t is not None]
    return timezone.localtime(max(times)).date() if times else None


def _most_first(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


# --- Uncovered places -------------------------------------------------------------------


def _uncovered(
    area, crime_types: Sequence[str], windows: Windows, hotspots: list[Hotspot]
) -> list[UncoveredPlace]:
    """LSOAs whose recent crimes' centroid has no active hotspot within the radius."""
    rows = (
        relevant_crimes(crime_types, windows)
        .filter(area=area)
        .exclude(lsoa_code="")
        .values("lsoa_code")
        .annotate(
            name=Max("lsoa_name"),  # a code can carry different names in different months
            recent=Count("pk", filter=windows.crime_filter("recent")),
            baseline=Count("pk", filter=windows.crime_filter("baseline")),
            latitude_sum=Sum("latitude", filter=windows.crime_filter("recent")),
            longitude_sum=Sum("longitude", filter=windows.crime_filter("recent")),
        )
        .filter(recent__gte=UNCOVERED_MIN_CRIMES)
        .order_by("-recent", "lsoa_code")
    )
    places = []
    for row in rows:
        baseline = per_4_weeks(row["baseline"])
        if row["recent"] < UNCOVERED_MIN_RATIO * baseline:
            continue
        latitude = Decimal(str(row["latitude_sum"])) / row["recent"]
        longitude = Decimal(str(row["longitude_sum"])) / row["recent"]
        if any(_covers(h, latitude, longitude) for h in hotspots):
            continue
        places.append(_uncovered_place(row, latitude, longitude, baseline))
    return places


def _covers(hotspot: Hotspot, latitude: Decimal, longitude: Decimal) -> bool:
    """The same box test the crime counts use, so "near" means one thing everywhere."""
    dlat, dlon = _box_half_sides(hotspot.latitude)
    return abs(hotspot.latitude - latitude) <= dlat and abs(hotspot.longitude - longitude) <= dlon


def _uncovered_place(row: dict, latitude: Decimal, longitude: Decimal, baseline: float):
    crimes = f"{row['recent']} relevant crimes in 4 weeks"
    reason = f"{crimes}, {compared(row['recent'], baseline)}; no hotspot within {RADIUS_M} m"
    return UncoveredPlace(
        lsoa_code=row["lsoa_code"],
        lsoa_name=row["name"],
        latitude=round(float(latitude), 6),
        longitude=round(float(longitude), 6),
        crimes_4w=row["recent"],
        baseline_per_4w=baseline,
        reason=reason,
    )
