"""A synthetic force-scale dataset for `make bench`: 32 areas and five years of work.

Everything is invented (names are "Bench person 00042"); nothing here is real personal
data. Rows go in by ``bulk_create`` (and PostgreSQL COPY for the crime records), so no
signal fires: the audit log does not fill with millions of "created" rows, as it would not
for a migration of historic data either. The shapes match what the application writes
(statuses, history, guardian grants to the agency's group), so the pages and API see
what they would see in production.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import uuid
from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from guardian.models import GroupObjectPermission

from accounts.models import Area, OfficerProfile, Role, User, Ward
from partners.models import AgencyKind, AgencyService, PartnerAgency, ServiceType
from patrols import models as p
from referrals.models import (
    AgeBand,
    ClosedOutcome,
    ConsentMethod,
    Person,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
)
from reporting import crime_partitions
from reporting.models import CrimeFileKind, CrimeRecord, ImportBatch, ImportStatus

BENCH_PASSWORD = "bench-password-2026"  # noqa: S105 - synthetic accounts in a throwaway database
RELEVANT = ["Anti-social behaviour", "Public order", "Violence and sexual offences", "Other crime"]
OTHER = ["Burglary", "Vehicle crime", "Shoplifting", "Criminal damage and arson", "Drugs"]


@dataclass(frozen=True)
class Scale:
    areas: int = 32
    years: int = 5
    patrols: int = 20_000
    encounters: int = 60_000
    people: int = 15_000
    referrals: int = 20_000
    arrests: int = 8_000
    crimes: int = 2_000_000
    wards_per_area: int = 20
    pcs_per_area: int = 20
    hotspots_per_area: int = 12
    lsoas_per_area: int = 60

    @classmethod
    def tiny(cls) -> Scale:
        """For the CI smoke run: the same shapes, a few hundred rows."""
        return cls(
            areas=2, years=1, patrols=60, encounters=120, people=40, referrals=50,
            arrests=20, crimes=3_000, wards_per_area=3, pcs_per_area=3, hotspots_per_area=3,
            lsoas_per_area=8,
        )  # fmt: skip


def build(scale: Scale, *, seed: int = 2026, today: dt.date | None = None) -> dict[str, int]:
    """Fill an empty, migrated database. Returns the row counts written."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=365 * scale.years)
    with transaction.atomic():
        world = _World(scale, rng, start, today)
        world.people_and_places()
        world.patrols_and_returns()
        world.encounters_and_people()
        world.arrests_and_cautions()
        world.referrals()
    if scale.crimes:  # the national scale writes its own (bench/national.py)
        _crimes(scale, rng, world, start, today)
    return world.counts


class _World:
    def __init__(self, scale: Scale, rng: random.Random, start: dt.date, today: dt.date):
        self.scale, self.rng, self.start, self.today = scale, rng, start, today
        self.counts: dict[str, int] = {}
        self.tz = timezone.get_current_timezone()

    def _count(self, name: str, rows: list) -> list:
        self.counts[name] = self.counts.get(name, 0) + len(rows)
        return rows

    # --- Areas, wards, users, agencies, hotspots ---------------------------------------

    def people_and_places(self) -> None:
        s = self.scale
        self.areas = Area.objects.bulk_create(
            Area(name=f"Bench borough {i:02}", code=f"E0999{i:04}") for i in range(s.areas)
        )
        self.centres = {
            a.pk: (51.40 + 0.02 * (i % 8), -0.30 + 0.03 * (i // 8))
            for i, a in enumerate(self.areas)
        }
        wards = Ward.objects.bulk_create(
            Ward(area=a, name=f"Bench ward {a.pk}-{j:02}")
            for a in self.areas
            for j in range(s.wards_per_area)
        )
        self.wards = {a.pk: [w for w in wards if w.area_id == a.pk] for a in self.areas}
        self.counts["wards"] = len(wards)
        users = []
        for i, _area in enumerate(self.areas):
            users.append(self._user(f"bench-lead-{i:02}", Role.PROJECT_LEAD))
            users.append(self._user(f"bench-sergeant-{i:02}", Role.SERGEANT))
            users += [self._user(f"bench-pc-{i:02}-{j:02}", Role.PC) for j in range(s.pcs_per_area)]
        users = User.objects.bulk_create(users)
        through = User.areas.through
        per_area = 2 + s.pcs_per_area
        through.objects.bulk_create(
            through(user_id=u.pk, area_id=self.areas[n // per_area].pk) for n, u in enumerate(users)
        )
        OfficerProfile.objects.bulk_create(
            OfficerProfile(user=u, collar_number=f"B{u.pk:06}") for u in users
        )
        self.officers = {
            a.pk: users[i * per_area : (i + 1) * per_area] for i, a in enumerate(self.areas)
        }
        self.counts["users"] = len(users)
        self._agencies()
        self._hotspots()

    def _user(self, username: str, role: str) -> User:
        user = User(username=username, role=role, is_staff=True, first_name="Bench")
        user.set_unusable_password()
        return user

    def _agencies(self) -> None:
        self.agencies = []
        for i, (kind, services) in enumerate(
            [
                (AgencyKind.VAWG_OUTREACH, [ServiceType.VAWG_OUTREACH, ServiceType.EXIT_SUPPORT]),
                (AgencyKind.DIVERSION_PROVIDER, [ServiceType.DIVERSION_COURSE]),
                (AgencyKind.HEALTH, [ServiceType.MEDICAL, ServiceType.SEXUAL_HEALTH]),
                (AgencyKind.HOUSING, [ServiceType.HOUSING]),
                (AgencyKind.DRUGS_OUTREACH, [ServiceType.DRUGS_ALCOHOL, ServiceType.MENTAL_HEALTH]),
            ]
        ):
            agency = PartnerAgency.objects.create(name=f"Bench agency {i} (synthetic)", kind=kind)
            agency.areas.set(self.areas)
            AgencyService.objects.bulk_create(
                AgencyService(agency=agency, service=x) for x in services
            )
            self.agencies.append((agency, services))
            user = User(username=f"bench-partner-{i}", role=Role.PARTNER, agency=agency)
            user.set_unusable_password()
            user.save()

    def _hotspots(self) -> None:
        rows = []
        for area in self.areas:
            lat, lon = self.centres[area.pk]
            for k in range(self.scale.hotspots_per_area):
                rows.append(
                    p.Hotspot(
                        ward=self.wards[area.pk][k % len(self.wards[area.pk])],
                        name=f"Bench hotspot {k:02}",
                        latitude=round(lat + self.rng.uniform(-0.01, 0.01), 6),
                        longitude=round(lon + self.rng.uniform(-0.015, 0.015), 6),
                        reason="Synthetic benchmark hotspot.",
                        identified_on=self.start,
                    )
                )
        hotspots = p.Hotspot.objects.bulk_create(self._count("hotspots", rows))
        self.hotspots = {a.pk: [h for h in hotspots if h.ward.area_id == a.pk] for a in self.areas}

    # --- Patrols, crews and returns -----------------------------------------------------

    def _night(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        starts = dt.datetime.combine(day, dt.time(20, 0), tzinfo=self.tz)
        return starts, starts + dt.timedelta(hours=6)

    def patrols_and_returns(self) -> None:
        days = (self.today - self.start).days
        rows = []
        for n in range(self.scale.patrols):
            area = self.areas[n % len(self.areas)]
            day = self.start + dt.timedelta(days=int(days * n / self.scale.patrols))
            starts, ends = self._night(day)
            past = day < self.today
            rows.append(
                p.Patrol(
                    area=area,
                    ward=self.rng.choice(self.wards[area.pk]),
                    starts_at=starts,
                    ends_at=ends,
                    meeting_point="Synthetic meeting point",
                    status=p.PatrolStatus.CLOSED if past else p.PatrolStatus.PLANNED,
                    planned_by=self.officers[area.pk][1],
                )
            )
        self.patrols = p.Patrol.objects.bulk_create(self._count("patrols", rows), batch_size=5000)
        crews, visits, returns = [], [], []
        for patrol in self.patrols:
            sergeant, *pcs = self.officers[patrol.area_id][1:]
            crew = [sergeant, *self.rng.sample(pcs, 2)]
            roles = [p.OfficerRole.SERGEANT, p.OfficerRole.EPHEDRA_PC, p.OfficerRole.LOCAL_PC]
            crews += [
                p.PatrolOfficer(patrol=patrol, officer=o, role=r)
                for o, r in zip(crew, roles, strict=False)
            ]
            if patrol.status == p.PatrolStatus.CLOSED:
                returns.append(
                    p.WorkReturn(
                        patrol=patrol,
                        started_at=patrol.starts_at,
                        ended_at=patrol.ends_at,
                        weather=p.Weather.DRY,
                        women_seen=self.rng.randint(0, 8),
                        kerb_crawlers_seen=self.rng.randint(0, 5),
                        status=p.ReturnStatus.SUBMITTED,
                        filed_by=crew[1],
                        submitted_at=patrol.ends_at,
                    )
                )
        p.PatrolOfficer.objects.bulk_create(self._count("patrol officers", crews), batch_size=5000)
        returns = p.WorkReturn.objects.bulk_create(
            self._count("work returns", returns), batch_size=5000
        )
        link = p.Patrol.hotspots.through
        visited = p.WorkReturn.hotspots_visited.through
        by_patrol = {r.patrol_id: r for r in returns}
        links = []
        for patrol in self.patrols:
            chosen = self.rng.sample(self.hotspots[patrol.area_id], 2)
            links += [link(patrol_id=patrol.pk, hotspot_id=h.pk) for h in chosen]
            if patrol.pk in by_patrol:
                visits += [
                    visited(workreturn_id=by_patrol[patrol.pk].pk, hotspot_id=h.pk) for h in chosen
                ]
        link.objects.bulk_create(links, batch_size=10000)
        visited.objects.bulk_create(visits, batch_size=10000)
        self.closed = [x for x in self.patrols if x.status == p.PatrolStatus.CLOSED]

    # --- People and encounters ------------------------------------------------------------

    def encounters_and_people(self) -> None:
        rows = []
        for n in range(self.scale.people):
            area = self.areas[n % len(self.areas)]
            rows.append(
                Person(
                    working_name=f"Bench person {n:05}",
                    description="Synthetic benchmark record.",
                    age_band=self.rng.choice(AgeBand.values),
                    first_seen=self.start,
                    area=area,
                    created_by=self.officers[area.pk][2],
                )
            )
        people = Person.objects.bulk_create(self._count("people", rows), batch_size=5000)
        self.people = {a.pk: [x for x in people if x.area_id == a.pk] for a in self.areas}
        closed = {a.pk: [x for x in self.closed if x.area_id == a.pk] for a in self.areas}
        rows = []
        for n in range(self.scale.encounters):
            area = self.areas[n % len(self.areas)]
            patrol = self.rng.choice(closed[area.pk])
            rows.append(
                p.Encounter(
                    patrol=patrol,
                    person=self.rng.choice(self.people[area.pk]),
                    hotspot=self.rng.choice(self.hotspots[area.pk]),
                    occurred_at=patrol.starts_at + dt.timedelta(minutes=self.rng.randint(0, 300)),
                    engaged=self.rng.random() < 0.8,
                )
            )
        self.encounters = p.Encounter.objects.bulk_create(
            self._count("encounters", rows), batch_size=5000
        )

    # --- Arrests and conditional cautions --------------------------------------------------

    def arrests_and_cautions(self) -> None:
        rows = []
        for n in range(self.scale.arrests):
            patrol = self.closed[(n * 7919) % len(self.closed)]
            rows.append(
                p.Arrest(
                    patrol=patrol,
                    arrested_at=patrol.starts_at + dt.timedelta(hours=2),
                    offence=p.Offence.KERB_CRAWLING,
                    suspect_description=f"Bench suspect {n:05}",
                    custody_reference=f"BENCH/{n:05}",
                    arresting_officer=self.officers[patrol.area_id][2],
                    outcome=p.ArrestOutcome.CONDITIONAL_CAUTION
                    if n % 3 == 0
                    else p.ArrestOutcome.NFA,
                )
            )
        arrests = p.Arrest.objects.bulk_create(self._count("arrests", rows), batch_size=5000)
        provider = self.agencies[1][0]
        cautions = [
            p.ConditionalCaution(
                arrest=a,
                given_on=a.arrested_at.date(),
                provider=provider,
                deadline=a.arrested_at.date() + dt.timedelta(days=84),
                booking_name="Bench booking",
                booking_contact="bench@example.invalid",
                status=p.CautionStatus.COMPLETED if a.pk % 2 else p.CautionStatus.BREACHED,
            )
            for a in arrests
            if a.outcome == p.ArrestOutcome.CONDITIONAL_CAUTION
        ]
        self.cautions = p.ConditionalCaution.objects.bulk_create(
            self._count("cautions", cautions), batch_size=5000
        )

    # --- Referrals, history and guardian grants --------------------------------------------

    def referrals(self) -> None:
        women = [(a, s) for a, s in self.agencies if ServiceType.DIVERSION_COURSE not in s]
        provider = self.agencies[1][0]
        rows = []
        for caution in self.cautions[: self.scale.referrals // 5]:
            made = timezone.make_aware(dt.datetime.combine(caution.given_on, dt.time(9)))
            rows.append(
                Referral(
                    caution=caution,
                    agency=provider,
                    service=ServiceType.DIVERSION_COURSE,
                    status=ReferralStatus.CLOSED,
                    closed_outcome=ClosedOutcome.COURSE_COMPLETED,
                    referred_by=self.officers[self.areas[0].pk][2],
                    made_at=made,
                    arrived_at=made,  # none is moved
                )
            )
        statuses = [ReferralStatus.MADE, ReferralStatus.RECEIVED, ReferralStatus.ENGAGED]
        while len(rows) < self.scale.referrals:
            encounter = self.encounters[(len(rows) * 104729) % len(self.encounters)]
            agency, services = women[len(rows) % len(women)]
            status = self.rng.choice([*statuses, ReferralStatus.CLOSED])
            rows.append(
                Referral(
                    person_id=encounter.person_id,
                    patrol_id=encounter.patrol_id,
                    encounter=encounter,
                    agency=agency,
                    service=services[0],
                    consent_method=ConsentMethod.VERBAL,
                    consent_given_at=encounter.occurred_at,
                    consent_recorded_by_id=encounter.patrol.planned_by_id,
                    status=status,
                    closed_outcome=ClosedOutcome.SUPPORT_COMPLETED
                    if status == ReferralStatus.CLOSED
                    else "",
                    referred_by_id=encounter.patrol.planned_by_id,
                    made_at=encounter.occurred_at,
                    arrived_at=encounter.occurred_at,  # none is moved
                )
            )
        referrals = Referral.objects.bulk_create(self._count("referrals", rows), batch_size=5000)
        history = []
        path = [ReferralStatus.MADE, ReferralStatus.RECEIVED, ReferralStatus.ENGAGED]
        for r in referrals:
            steps = [*path[: path.index(r.status) + 1]] if r.status in path else [*path, r.status]
            previous = ""
            for k, step in enumerate(steps):
                history.append(
                    ReferralStatusChange(
                        referral=r,
                        from_status=previous,
                        to_status=step,
                        changed_by_id=r.referred_by_id,
                        changed_at=r.made_at + dt.timedelta(days=3 * k),
                    )
                )
                previous = step
        ReferralStatusChange.objects.bulk_create(
            self._count("referral history", history), batch_size=10000
        )
        self._grant(referrals)

    def _grant(self, referrals: list[Referral]) -> None:
        """What referrals.services.share_with_agency writes, in bulk."""
        referral_type = ContentType.objects.get_for_model(Referral)
        person_type = ContentType.objects.get_for_model(Person)
        view_r = Permission.objects.get(content_type=referral_type, codename="view_referral")
        change_r = Permission.objects.get(content_type=referral_type, codename="change_referral")
        view_p = Permission.objects.get(content_type=person_type, codename="view_person")
        groups = {a.pk: a.group_id for a, _ in self.agencies}
        rows, seen = [], set()
        for r in referrals:
            group = groups[r.agency_id]
            rows += [
                GroupObjectPermission(
                    group_id=group, permission=perm, content_type=referral_type, object_pk=str(r.pk)
                )
                for perm in (view_r, change_r)
            ]
            if r.person_id and (group, r.person_id) not in seen:
                seen.add((group, r.person_id))
                rows.append(
                    GroupObjectPermission(
                        group_id=group,
                        permission=view_p,
                        content_type=person_type,
                        object_pk=str(r.person_id),
                    )
                )
        GroupObjectPermission.objects.bulk_create(self._count("grants", rows), batch_size=10000)


# --- Crime records: COPY on PostgreSQL ------------------------------------------------------


def _crimes(scale: Scale, rng: random.Random, world: _World, start: dt.date, today: dt.date):
    months = []
    month = start.replace(day=1)
    while month <= today:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    per_batch = max(1, scale.crimes // (len(world.areas) * len(months)))
    crime_partitions.ensure_months(months)
    batches = ImportBatch.objects.bulk_create(
        ImportBatch(
            filename=f"bench-{area.code}-{m:%Y-%m}.csv",
            sha256=uuid.uuid4().hex * 2,
            kind=CrimeFileKind.STREET,
            force=f"Bench Police {area.code} (synthetic)",
            month=m,
            row_count=per_batch,
            status=ImportStatus.IMPORTED,
        )
        for area in world.areas
        for m in months
    )
    columns = (
        "batch_id, area_id, crime_id, month, reported_by, falls_within, longitude, latitude, "
        "location, lsoa_code, lsoa_name, crime_type, last_outcome, context"
    )
    buffer = io.StringIO()
    written = 0
    for n, batch in enumerate(batches):
        index = n // len(months)  # not the pk: LSOA codes are 9 characters
        area = world.areas[index]
        lat0, lon0 = world.centres[area.pk]
        hotspots = world.hotspots[area.pk]
        for k in range(per_batch):
            if k % 3 == 0:  # a third cluster around the hotspots, like the real thing
                h = hotspots[k % len(hotspots)]
                lat = float(h.latitude) + rng.gauss(0, 0.0015)
                lon = float(h.longitude) + rng.gauss(0, 0.002)
                kind = rng.choice(RELEVANT)
            else:
                lat, lon = lat0 + rng.uniform(-0.03, 0.03), lon0 + rng.uniform(-0.04, 0.04)
                kind = rng.choice(RELEVANT + OTHER)
            lsoa = f"E0199{index:02}{k % scale.lsoas_per_area:02}"
            buffer.write(
                f"{batch.pk}\t{area.pk}\tbench{n:05}{k:06}\t{batch.month}\tBench Police\t"
                f"Bench Police\t{lon:.6f}\t{lat:.6f}\tOn or near Synthetic Street\t{lsoa}\t"
                f"Bench {index:02}{k % scale.lsoas_per_area:02}X\t{kind}\t\t\n"
            )
            written += 1
        if buffer.tell() > 32_000_000 or n == len(batches) - 1:
            _copy(CrimeRecord._meta.db_table, columns, buffer)
            buffer = io.StringIO()
    world.counts["crime records"] = written


def _copy(table: str, columns: str, buffer: io.StringIO) -> None:
    buffer.seek(0)
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):  # noqa: E501
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
        return
    # SQLite (the CI smoke run without PostgreSQL): the same rows through the ORM.
    names = [c.strip() for c in columns.split(",")]
    rows = [
        CrimeRecord(**dict(zip(names, line.split("\t"), strict=True)))
        for line in buffer.getvalue().splitlines()
    ]
    CrimeRecord.objects.bulk_create(rows, batch_size=5000)
