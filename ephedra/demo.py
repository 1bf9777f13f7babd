"""A synthetic world for demonstrations and manual testing (``manage.py seed_demo``).

Every person, officer, story and number here is invented. The places are real
boroughs and wards, and the two agencies the operation names (Streetlight and
Compass Group); every other agency is fictional and says so.

Idempotent: each record has a stable key (a UUID derived from its role in the demo,
or its natural key), so running the seed again updates rows in place.
"""

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Area, OfficerProfile, Role, User, Ward
from partners.models import AgencyKind, AgencyService, PartnerAgency, ServiceType
from patrols import models as p
from referrals.models import (
    AgeBand,
    ClosedOutcome,
    ConsentMethod,
    DeclineReason,
    Person,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
)
from referrals.services import share_with_agency

DEMO_PASSWORD = "ephedra-demo-2026"  # noqa: S105 - documented demo credential, set only when DEBUG
# Every demo login's authenticator secret (README: base32 MVYGQZLEOJQS2ZDFNVXS25DPORYC2MRW),
# given only with demo passwords; the sign-in's code page also shows its current code then.
DEMO_TOTP_KEY = b"ephedra-demo-totp-26".hex()
_NAMESPACE = uuid.UUID("6f1b7c1e-4a55-4d0e-9a3c-3f1f6c2e0e11")

LAMBETH_WARDS = [
    "Brixton Acre Lane",
    "Brixton North",
    "Brixton Rush Common",
    "Brixton Windrush",
    "Clapham Common & Abbeville",
    "Clapham East",
    "Clapham Park",
    "Clapham Town",
    "Gipsy Hill",
    "Herne Hill & Loughborough Junction",
    "Kennington",
    "Knight's Hill",
    "Myatt's Fields",
    "Oval",
    "St Martin's",
    "Stockwell East",
    "Stockwell West & Larkhall",
    "Streatham Common & Vale",
    "Streatham Hill East",
    "Streatham Hill West & Thornton",
    "Streatham St Leonard's",
    "Streatham Wells",
    "Vauxhall",
    "Waterloo & South Bank",
    "West Dulwich",
]
# ONS numbers Lambeth's 2022 wards in alphabetical order from E05014095.
LAMBETH_FIRST_WARD_CODE = 5014095
SOUTHWARK_WARDS = [
    "Borough & Bankside",
    "Camberwell Green",
    "Champion Hill",
    "Chaucer",
    "Dulwich Hill",
    "Dulwich Village",
    "Dulwich Wood",
    "Faraday",
    "Goose Green",
    "London Bridge & West Bermondsey",
    "Newington",
    "North Bermondsey",
    "North Walworth",
    "Nunhead & Queen's Road",
    "Old Kent Road",
    "Peckham",
    "Peckham Rye",
    "Rotherhithe",
    "Rye Lane",
    "South Bermondsey",
    "St George's",
    "St Giles",
    "Surrey Docks",
]

AGENCIES = [
    # name, kind, services, active
    (
        "Streetlight",
        AgencyKind.DIVERSION_PROVIDER,
        [ServiceType.EXIT_SUPPORT, ServiceType.DIVERSION_COURSE, ServiceType.VAWG_OUTREACH],
        True,
    ),
    (
        "Riverside Drug and Alcohol Outreach (fictional)",
        AgencyKind.DRUGS_OUTREACH,
        [ServiceType.DRUGS_ALCOHOL],
        True,
    ),
    ("Night Street Medics (fictional)", AgencyKind.HEALTH, [ServiceType.MEDICAL], True),
    ("Borough Housing Options (fictional)", AgencyKind.HOUSING, [ServiceType.HOUSING], True),
    ("Clinic 24 Sexual Health (fictional)", AgencyKind.HEALTH, [ServiceType.SEXUAL_HEALTH], True),
    ("Open Door Mental Health (fictional)", AgencyKind.HEALTH, [ServiceType.MENTAL_HEALTH], True),
    (
        "Safe Haven VAWG Outreach (fictional)",
        AgencyKind.VAWG_OUTREACH,
        [ServiceType.VAWG_OUTREACH],
        True,
    ),
    ("Compass Group", AgencyKind.FOOD_PROVIDER, [], True),
    (
        "Old Lane Women's Project (fictional, closed)",
        AgencyKind.CHARITY,
        [ServiceType.EXIT_SUPPORT],
        False,
    ),
]

HOTSPOTS = [
    # ward, name, latitude, longitude, reason
    (
        "Brixton North",
        "Railway arches service road",
        "51.465200",
        "-0.112900",
        "Repeated kerb-crawling reports and women seen late at night.",
    ),
    (
        "Brixton Acre Lane",
        "Night bus stop on the high road",
        "51.459600",
        "-0.123100",
        "Solicitation reported by bus drivers; ASB complaints.",
    ),
    (
        "Brixton Windrush",
        "Market back lane",
        "51.461800",
        "-0.114200",
        "Used condoms and needles found by street cleansing.",
    ),
    (
        "Stockwell East",
        "Estate car park",
        "51.471900",
        "-0.118300",
        "Residents' complaints of vehicles circling after midnight.",
    ),
    (
        "Vauxhall",
        "Gyratory underpass",
        "51.486100",
        "-0.123500",
        "Women approached by men in cars; intelligence of a controlling male.",
    ),
    (
        "Kennington",
        "Park perimeter path",
        "51.483100",
        "-0.109300",
        "Loitering and soliciting reported by park staff.",
    ),
    (
        "Streatham Hill East",
        "High road lay-by",
        "51.436900",
        "-0.127800",
        "Kerb crawling seen on CCTV at weekends.",
    ),
    (
        "Streatham St Leonard's",
        "Side street by the station",
        "51.426500",
        "-0.131200",
        "New women seen in the area; outreach concern.",
    ),
    (
        "Herne Hill & Loughborough Junction",
        "Junction under the bridge",
        "51.466300",
        "-0.102000",
        "ASB and public order reports rising.",
    ),
    (
        "Oval",
        "Industrial estate entrance",
        "51.480700",
        "-0.113500",
        "Vehicles parked with engines running; used as meeting point.",
    ),
    (
        "Waterloo & South Bank",
        "Rear of the arches",
        "51.502400",
        "-0.112800",
        "Women sleeping rough; exploitation concern from outreach.",
    ),
    (
        "Clapham East",
        "Common-side footpath",
        "51.458300",
        "-0.136100",
        "Reports from dog walkers; earlier returns.",
    ),
    (
        "Peckham",
        "Multi-storey car park top deck",
        "51.470100",
        "-0.069200",
        "Southwark adoption: repeated ASB reports.",
    ),
    (
        "Old Kent Road",
        "Retail park service yard",
        "51.483000",
        "-0.073500",
        "Kerb crawling reported by security staff.",
    ),
    (
        "Camberwell Green",
        "Bus garage side road",
        "51.474200",
        "-0.092500",
        "Women seen by night-shift PCSOs; no previous returns.",
    ),
]

WORKING_NAMES = [
    "Jay",
    "Mo",
    "Red",
    "Sunny",
    "Bee",
    "Tash",
    "Lou",
    "Kiki",
    "Dee",
    "Roxy",
    "Nell",
    "Pip",
    "Gem",
    "Cass",
    "Mags",
    "Tia",
    "Jojo",
    "Vee",
    "Bella",
    "Lottie",
    "Suze",
    "Ria",
    "Fern",
    "Ash",
    "Coco",
    "Dani",
    "Em",
    "Flo",
    "Hat",
    "Izzy",
]
DESCRIPTIONS = [
    "Long red coat, often near the bus stop",
    "Short blonde hair, walks with a stick",
    "Green rucksack, Irish accent",
    "Tall, dark curly hair, grey hoodie",
    "Usually with a small dog",
    "Wears a yellow beanie",
    "Scar on left hand, quiet",
    "Purple trainers, carries a sleeping bag",
    "Glasses, speaks Portuguese",
    "Denim jacket, new to the area in spring",
]


ENCOUNTER_NOTE = "Offered hot drink and support leaflets (demo)."


def key(*parts: object) -> uuid.UUID:
    """A stable UUID for one demo record, so a second run updates instead of duplicating."""
    return uuid.uuid5(_NAMESPACE, "/".join(str(part) for part in parts))


@dataclass
class World:
    """What one step of the seed hands to the next."""

    areas: dict[str, Area] = field(default_factory=dict)
    wards: dict[str, Ward] = field(default_factory=dict)
    agencies: dict[str, PartnerAgency] = field(default_factory=dict)
    logins: dict[str, User] = field(default_factory=dict)
    ephedra_pcs: list[User] = field(default_factory=list)
    local_pcs: dict[str, list[User]] = field(default_factory=dict)
    hotspots: list[p.Hotspot] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)


@transaction.atomic
def seed(today: dt.date | None = None) -> World:
    today = today or timezone.localdate()
    world = World()
    rng = random.Random(2024)  # noqa: S311 - synthetic data, not security
    _seed_places(world)
    _seed_agencies(world)
    _seed_users(world)
    _seed_hotspots(world)
    _seed_people(world, rng, today)
    _seed_patrols(world, today)
    _seed_referrals(world)
    return world


def _seed_places(world: World) -> None:
    for name, code, wards in [
        ("Lambeth", "E09000022", LAMBETH_WARDS),
        ("Southwark", "E09000028", SOUTHWARK_WARDS),
    ]:
        area, _ = Area.objects.update_or_create(name=name, defaults={"code": code})
        world.areas[name] = area
        for index, ward_name in enumerate(wards):
            ward_code = f"E0{LAMBETH_FIRST_WARD_CODE + index}" if name == "Lambeth" else ""
            ward, _ = Ward.objects.update_or_create(
                area=area, name=ward_name, defaults={"code": ward_code}
            )
            world.wards[ward_name] = ward


def _seed_agencies(world: World) -> None:
    for name, kind, services, active in AGENCIES:
        agency, _ = PartnerAgency.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "active": active,
                "contact_email": f"referrals@{key('agency', name).hex[:8]}.example.org",
                "sharing_agreement_from": dt.date(2024, 2, 1),
                "sharing_agreement_until": dt.date(2027, 1, 31),
            },
        )
        agency.areas.set(world.areas.values())
        for service in services:
            AgencyService.objects.get_or_create(agency=agency, service=service)
        world.agencies[name] = agency


def _user(username: str, role: str, first: str, last: str, *, login: bool = False, **extra) -> User:
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "role": role,
            "first_name": first,
            "last_name": last,
            "email": f"{username}@example.org",
            **extra,
        },
    )
    if login and settings.DEMO_PASSWORDS:
        user.set_password(DEMO_PASSWORD)
    else:
        user.set_unusable_password()
    user.save(update_fields=["password"])
    _demo_second_factor(user, login and settings.DEMO_PASSWORDS)
    return user


def _demo_second_factor(user: User, give: bool) -> None:
    """A confirmed TOTP device with the documented demo secret, or none at all."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not give:
        TOTPDevice.objects.filter(user=user, key=DEMO_TOTP_KEY).delete()
        return
    TOTPDevice.objects.update_or_create(
        user=user, name="Demo authenticator", defaults={"key": DEMO_TOTP_KEY, "confirmed": True}
    )


def _officer(
    username: str,
    role: str,
    first: str,
    last: str,
    collar: str,
    ward: Ward,
    trained_on: dt.date | None,
    trainer: User | None,
    login: bool = False,
) -> User:
    user = _user(username, role, first, last, login=login)
    user.areas.set([ward.area])
    OfficerProfile.objects.update_or_create(
        user=user,
        defaults={
            "collar_number": collar,
            "home_ward": ward,
            "ephedra_trained_on": trained_on,
            "ephedra_trainer": trainer,
        },
    )
    return user


def _seed_users(world: World) -> None:
    lambeth, southwark = world.areas["Lambeth"], world.areas["Southwark"]
    w = world.wards
    admin = _user("demo-admin", Role.ADMIN, "Sam", "Admin (demo)", login=True, is_superuser=True)
    lead = _officer(
        "demo-lead",
        Role.PROJECT_LEAD,
        "Alex",
        "Morgan (demo)",
        "2101LX",
        w["Brixton North"],
        dt.date(2024, 1, 8),
        None,
        login=True,
    )
    lead.areas.set([lambeth, southwark])
    trained = dt.date(2024, 2, 5)
    sergeant = _officer(
        "demo-sergeant",
        Role.SERGEANT,
        "Jordan",
        "Reid (demo)",
        "2214LX",
        w["Stockwell East"],
        trained,
        lead,
        login=True,
    )
    _officer(
        "demo-sergeant-southwark",
        Role.SERGEANT,
        "Casey",
        "Lund (demo)",
        "3310MS",
        w["Peckham"],
        trained,
        lead,
    )
    pc = _officer(
        "demo-pc",
        Role.PC,
        "Robin",
        "Ashe (demo)",
        "4400LX",
        w["Brixton North"],
        trained,
        lead,
        login=True,
    )
    world.ephedra_pcs = [pc] + [
        _officer(
            f"demo-epc-{n}",
            Role.PC,
            first,
            f"{last} (demo)",
            f"44{n:02d}LX",
            w[LAMBETH_WARDS[n]],
            trained + dt.timedelta(days=7 * n),
            lead,
        )
        for n, (first, last) in enumerate(
            [
                ("Kit", "Hale"),
                ("Noor", "Baines"),
                ("Lee", "Fortune"),
                ("Ari", "Quinn"),
                ("Mel", "Cross"),
                ("Dev", "Okafor"),
            ],
            start=1,
        )
    ]
    for ward_name in {h[0] for h in HOTSPOTS}:
        slug = ward_name.lower().replace(" ", "-").replace("&", "and").replace("'", "")
        world.local_pcs[ward_name] = [
            _officer(
                f"demo-local-{slug}-{n}",
                Role.PC,
                "Local",
                f"PC {n} {ward_name} (demo)",
                f"5{key('collar', slug, n).int % 10000:04d}LX",
                w[ward_name],
                None,
                None,
            )
            for n in (1, 2)
        ]
    partner = _user(
        "demo-partner",
        Role.PARTNER,
        "Jo",
        "Bright (demo)",
        login=True,
        agency=world.agencies["Streetlight"],
    )
    housing = _user(
        "demo-partner-housing",
        Role.PARTNER,
        "Pat",
        "Green (demo)",
        login=True,
        agency=world.agencies["Borough Housing Options (fictional)"],
    )
    world.logins = {
        "admin": admin,
        "lead": lead,
        "sergeant": sergeant,
        "pc": pc,
        "partner": partner,
        "partner_housing": housing,
    }


def _seed_hotspots(world: World) -> None:
    for ward_name, name, lat, lon, reason in HOTSPOTS:
        hotspot, _ = p.Hotspot.objects.update_or_create(
            uuid=key("hotspot", name),
            defaults={
                "ward": world.wards[ward_name],
                "name": name,
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
                "reason": reason,
                "identified_on": dt.date(2024, 2, 1),
                "active": True,
                "retired_on": None,
            },
        )
        world.hotspots.append(hotspot)
    # One retired hotspot, so lists and maps show the difference.
    retired = world.hotspots[11]
    retired.active, retired.retired_on = False, dt.date(2025, 3, 1)
    retired.save(update_fields=["active", "retired_on"])


def _seed_people(world: World, rng: random.Random, today: dt.date) -> None:
    for n, name in enumerate(WORKING_NAMES):
        area = world.areas["Southwark" if n % 6 == 5 else "Lambeth"]
        person, _ = Person.objects.update_or_create(
            uuid=key("person", n),
            defaults={
                "working_name": name,
                "description": DESCRIPTIONS[n % len(DESCRIPTIONS)],
                "age_band": rng.choice(AgeBand.values[1:6]),
                "area": area,
                "first_seen": today - dt.timedelta(days=30 + 11 * n),
                "created_by": world.logins["pc"],
                "police_notes": "Synthetic demo record.",
            },
        )
        world.people.append(person)


def _patrol_nights(today: dt.date) -> list[dt.date]:
    """Every Friday and Saturday from 52 weeks ago to two weeks ahead."""
    start = today - dt.timedelta(weeks=52)
    end = today + dt.timedelta(weeks=2)
    days = (start + dt.timedelta(days=n) for n in range((end - start).days + 1))
    return [day for day in days if day.weekday() in (4, 5)]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _seed_patrols(world: World, today: dt.date) -> None:
    """Each night's patrol is a function of its date alone; today decides only how far it got."""
    lambeth_hotspots = [h for h in world.hotspots if h.ward.area.name == "Lambeth" and h.active]
    southwark_hotspots = [h for h in world.hotspots if h.ward.area.name == "Southwark"]
    for night in _patrol_nights(today):
        n = night.toordinal()
        rng = random.Random(n)  # noqa: S311 - synthetic data, not security
        southwark = today - dt.timedelta(weeks=8) < night <= today and n % 4 == 3
        pool = southwark_hotspots if southwark else lambeth_hotspots
        hotspots = rng.sample(pool, k=min(len(pool), rng.randint(2, 3)))
        patrol = _plan_patrol(world, n, night, today, hotspots, rng)
        if night > today:
            _upcoming(world, patrol, night, today)
        elif n % 12 == 7:
            _cancel(patrol, rng)
        else:
            _deliver(world, patrol, n, night, today, rng)


def _plan_patrol(world, n, night, today, hotspots, rng) -> p.Patrol:
    ward = hotspots[0].ward
    planner = world.logins["sergeant"] if ward.area.name == "Lambeth" else world.logins["lead"]
    patrol, _ = p.Patrol.objects.update_or_create(
        uuid=key("patrol", n),
        defaults={
            "area": ward.area,
            "ward": ward,
            "starts_at": _at(night, 20),
            "ends_at": _at(night, 20) + dt.timedelta(hours=8),
            "meeting_point": f"{ward.name} police office",
            "planned_by": planner,
            "status": p.PatrolStatus.PLANNED,
            "cancel_reason": "",
        },
    )
    patrol.hotspots.set(hotspots)
    epcs = rng.sample(world.ephedra_pcs, k=2)
    if abs((night - today).days) <= 7 and world.logins["pc"] not in epcs:
        epcs[0] = world.logins["pc"]  # the demo PC has patrols to see and a return to file
    crew = [
        (epcs[0], p.OfficerRole.EPHEDRA_PC),
        (epcs[1], p.OfficerRole.EPHEDRA_PC),
        (rng.choice(world.local_pcs[ward.name]), p.OfficerRole.LOCAL_PC),
    ]
    patrol.officers.exclude(officer__in=[officer for officer, _ in crew]).delete()
    for officer, role in crew:
        p.PatrolOfficer.objects.update_or_create(
            patrol=patrol, officer=officer, defaults={"role": role}
        )
    if n % 4 == 0:
        p.PartnerInvitation.objects.update_or_create(
            patrol=patrol,
            agency=world.agencies["Compass Group"],
            defaults={"activity": p.EngagementActivity.SOUP_KITCHEN},
        )
    if n % 6 == 1:
        p.PartnerInvitation.objects.update_or_create(
            patrol=patrol,
            agency=world.agencies["Streetlight"],
            defaults={"activity": p.EngagementActivity.OUTREACH},
        )
    return patrol


def _risk_assessment(world, patrol, approved: bool) -> None:
    assessed_at = patrol.starts_at - dt.timedelta(days=2)
    p.RiskAssessment.objects.update_or_create(
        patrol=patrol,
        defaults={
            "hazards": "Lone working in poorly lit areas; vehicles; possible aggression.",
            "controls": "Officers in pairs, radios checked, plain-clothes briefing, "
            "partners leave before enforcement.",
            "assessed_by": world.logins["pc"],
            "assessed_at": assessed_at,
            "approved_by": world.logins["sergeant"] if approved else None,
            "approved_at": assessed_at + dt.timedelta(hours=3) if approved else None,
        },
    )


def _upcoming(world, patrol, night, today) -> None:
    """The next few nights are approved; later ones wait for an assessment or approval."""
    days_ahead = (night - today).days
    if days_ahead <= 6:
        _risk_assessment(world, patrol, approved=True)
        _set_status(patrol, p.PatrolStatus.APPROVED)
    elif days_ahead <= 10:
        _risk_assessment(world, patrol, approved=False)


def _cancel(patrol, rng) -> None:
    patrol.status = p.PatrolStatus.CANCELLED
    patrol.cancel_reason = rng.choice(
        [
            "Officers abstracted to a major incident.",
            "Severe weather warning.",
            "Not enough Ephedra-trained officers available.",
        ]
    )
    patrol.save(update_fields=["status", "cancel_reason"])


def _set_status(patrol, status) -> None:
    patrol.status = status
    patrol.save(update_fields=["status"])


def _deliver(world, patrol, n, night, today, rng) -> None:
    _risk_assessment(world, patrol, approved=True)
    if night >= today - dt.timedelta(days=3) and n % 2 == 1:
        _set_status(patrol, p.PatrolStatus.DEPLOYED)  # its return is still owed
        return
    weather = rng.choice(p.Weather.values)
    quiet = weather in (p.Weather.HEAVY_RAIN, p.Weather.SNOW) and n % 3 == 0
    crew = list(patrol.officers.select_related("officer"))
    work_return, _ = p.WorkReturn.objects.update_or_create(
        patrol=patrol,
        defaults={
            "uuid": key("return", n),
            "started_at": patrol.starts_at,
            "ended_at": patrol.ends_at - dt.timedelta(minutes=rng.choice([0, 30, 60])),
            "weather": weather,
            "women_seen": 0 if quiet else rng.randint(1, 6),
            "kerb_crawlers_seen": 0 if quiet else rng.randint(0, 4),
            "engagement_count": rng.randint(5, 20) if n % 4 == 0 and not quiet else 0,
            "summary": "Nobody seen: heavy rain all night."
            if quiet
            else "Hotspots visited; women engaged and offered support.",
            "status": p.ReturnStatus.SUBMITTED,
            "filed_by": crew[0].officer,
            "submitted_at": patrol.ends_at + dt.timedelta(hours=1),
        },
    )
    work_return.hotspots_visited.set(patrol.hotspots.all())
    for duty in crew:
        p.OfficerHours.objects.update_or_create(
            work_return=work_return, officer=duty.officer, defaults={"hours": Decimal("8.00")}
        )
    if not quiet:
        _encounters(world, patrol, n, rng)
        _enforcement(world, patrol, n, crew[0].officer, rng)
    recent = night >= today - dt.timedelta(days=14)
    _set_status(patrol, p.PatrolStatus.RETURNED if recent else p.PatrolStatus.CLOSED)


def _encounters(world, patrol, n, rng) -> None:
    people = [person for person in world.people if person.area_id == patrol.area_id]
    hotspots = list(patrol.hotspots.all())
    for k in range(rng.randint(0, 3)):
        p.Encounter.objects.update_or_create(
            uuid=key("encounter", n, k),
            defaults={
                "patrol": patrol,
                "person": rng.choice(people),
                "hotspot": rng.choice(hotspots),
                "occurred_at": patrol.starts_at + dt.timedelta(hours=1 + k),
                "engaged": k != 2,
                "new_to_area": rng.random() < 0.15,
                "notes": ENCOUNTER_NOTE,
            },
        )


def _enforcement(world, patrol, n, officer, rng) -> None:
    if n % 4 != 1:
        return
    arrested_at = patrol.starts_at + dt.timedelta(hours=3)
    offence = rng.choice(
        [p.Offence.KERB_CRAWLING] * 4 + [p.Offence.CONTROLLING, p.Offence.CAUSING_INCITING]
    )
    conditional = offence == p.Offence.KERB_CRAWLING
    arrest, _ = p.Arrest.objects.update_or_create(
        uuid=key("arrest", n),
        defaults={
            "patrol": patrol,
            "arrested_at": arrested_at,
            "offence": offence,
            "suspect_description": f"Male driver, vehicle ref DEMO-{n:03d}",
            "custody_reference": f"LX/DEMO/{n:04d}",
            "arresting_officer": officer,
            "outcome": p.ArrestOutcome.CONDITIONAL_CAUTION
            if conditional
            else rng.choice([p.ArrestOutcome.CHARGED, p.ArrestOutcome.RUI, p.ArrestOutcome.NFA]),
        },
    )
    if conditional:
        given_on = arrested_at.date() + dt.timedelta(days=1)
        p.ConditionalCaution.objects.update_or_create(
            arrest=arrest,
            defaults={
                "uuid": key("caution", n),
                "given_on": given_on,
                "provider": world.agencies["Streetlight"],
                "deadline": given_on + dt.timedelta(days=84),
                "booking_name": f"Demo Cautioned Man {n}",
                "booking_contact": "07700 900000",
                "status": rng.choice(p.CautionStatus.values),
            },
        )
    if n % 8 == 5:
        p.IntelligenceReport.objects.update_or_create(
            uuid=key("intel", n),
            defaults={
                "patrol": patrol,
                "submitted_by": officer,
                "submitted_at": arrested_at,
                "subject_description": "Male seen dropping women at the hotspot (synthetic)",
                "details": "Synthetic demo intelligence. Vehicle seen on three nights.",
                "source_evaluation": p.SourceEvaluation.UNTESTED,
                "intelligence_assessment": p.IntelligenceAssessment.CANNOT_BE_JUDGED,
                "handling_code": p.HandlingCode.LAWFUL_SHARING,
            },
        )


# The status paths a demo referral walks, one per final status.
_PATHS = {
    ReferralStatus.MADE: [ReferralStatus.MADE],
    ReferralStatus.RECEIVED: [ReferralStatus.MADE, ReferralStatus.RECEIVED],
    ReferralStatus.CONTACTED: [
        ReferralStatus.MADE,
        ReferralStatus.RECEIVED,
        ReferralStatus.CONTACTED,
    ],
    ReferralStatus.ENGAGED: [
        ReferralStatus.MADE,
        ReferralStatus.RECEIVED,
        ReferralStatus.CONTACTED,
        ReferralStatus.ENGAGED,
    ],
    ReferralStatus.CLOSED: [
        ReferralStatus.MADE,
        ReferralStatus.RECEIVED,
        ReferralStatus.CONTACTED,
        ReferralStatus.ENGAGED,
        ReferralStatus.CLOSED,
    ],
    ReferralStatus.DECLINED: [
        ReferralStatus.MADE,
        ReferralStatus.RECEIVED,
        ReferralStatus.DECLINED,
    ],
    ReferralStatus.WITHDRAWN: [ReferralStatus.MADE, ReferralStatus.WITHDRAWN],
}


def _seed_referrals(world: World) -> None:
    encounters = list(
        p.Encounter.objects.filter(engaged=True, notes=ENCOUNTER_NOTE)
        .select_related("patrol", "person")
        .order_by("occurred_at")
    )
    offers = [
        (a, s)
        for a in world.agencies.values()
        if a.active
        for s in a.services.values_list("service", flat=True)
        if s != ServiceType.DIVERSION_COURSE
    ]
    statuses = list(_PATHS)
    for n, encounter in enumerate(encounters[:: max(1, len(encounters) // 22)][:22]):
        agency, service = offers[n % len(offers)]
        referral = _referral(world, n, encounter, agency, service, statuses[n % len(statuses)])
        share_with_agency(referral, agency)
        _history(
            world, referral, _PATHS[referral.status], referral.made_at, world.logins["pc"], agency
        )
    for n, caution in enumerate(p.ConditionalCaution.objects.order_by("given_on")):
        referral, _ = Referral.objects.update_or_create(
            caution=caution,
            defaults={
                "uuid": key("diversion", n),
                "person": None,
                "agency": caution.provider,
                "service": ServiceType.DIVERSION_COURSE,
                "patrol": caution.arrest.patrol,
                "status": ReferralStatus.ENGAGED if n % 2 else ReferralStatus.RECEIVED,
                "referred_by": caution.arrest.arresting_officer,
                "made_at": _at(caution.given_on, 12),
            },
        )
        share_with_agency(referral, caution.provider)
        _history(
            world,
            referral,
            _PATHS[referral.status],
            referral.made_at,
            caution.arrest.arresting_officer,
            caution.provider,
        )


def _referral(world, n, encounter, agency, service, status) -> Referral:
    made_at = encounter.occurred_at + dt.timedelta(minutes=20)
    referral, _ = Referral.objects.update_or_create(
        uuid=key("referral", n),
        defaults={
            "person": encounter.person,
            "patrol": encounter.patrol,
            "encounter": encounter,
            "agency": agency,
            "service": service,
            "consent_method": ConsentMethod.VERBAL,
            "consent_given_at": encounter.occurred_at,
            "consent_recorded_by": world.logins["pc"],
            "status": status,
            "referred_by": world.logins["pc"],
            "made_at": made_at,
            "closed_outcome": ClosedOutcome.SUPPORT_COMPLETED
            if status == ReferralStatus.CLOSED
            else "",
            "decline_reason": DeclineReason.NO_CAPACITY
            if status == ReferralStatus.DECLINED
            else "",
            "decline_detail": "Waiting list full this month."
            if status == ReferralStatus.DECLINED
            else "",
        },
    )
    return referral


def _history(world, referral, path, made_at, referrer, agency) -> None:
    # Where the agency has no user, the referring officer recorded its replies.
    partner = agency.users.first() or referrer
    referral.history.all().delete()
    previous = ""
    for step, status in enumerate(path):
        by = referrer if status in (ReferralStatus.MADE, ReferralStatus.WITHDRAWN) else partner
        ReferralStatusChange.objects.create(
            referral=referral,
            from_status=previous,
            to_status=status,
            changed_by=by,
            changed_at=made_at + dt.timedelta(days=2 * step),
        )
        previous = status


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
    import hashlib

    from reporting.evaluation import queries
    from reporting.evaluation.places import area_lsoas, layout
    from reporting.models import CrimeFileKind, CrimeRecord, ImportBatch, ImportStatus

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
    from django.db import connection

    from reporting.models import CrimeRecord

    meta, quote = CrimeRecord._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in DEMO_CRIME_COLUMNS)
    marks = ", ".join(["%s"] * len(DEMO_CRIME_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})",  # noqa: S608 - names from the model
            rows,
        )
