"""The demo world's invented cast and places: wards, agencies, hotspots, names,
and the stable keys that make the seed idempotent."""

import uuid
from dataclasses import dataclass, field

from accounts.models import Area, User, Ward
from partners.models import AgencyKind, PartnerAgency, ServiceType
from patrols import models as p
from referrals.models import (
    Person,
)

DEMO_PASSWORD = "ephedra-demo-2026"  # noqa: S105 - documented demo credential, set only when DEBUG
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
