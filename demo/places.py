"""Demo areas, wards, agencies, logins and officers, and hotspots."""

import datetime as dt
from decimal import Decimal

from django.conf import settings

from accounts.demo_codes import DEMO_TOTP_KEY
from accounts.models import Area, OfficerProfile, Role, User, Ward
from partners.models import AgencyService, PartnerAgency
from patrols import models as p

from .data import (
    AGENCIES,
    DEMO_PASSWORD,
    HOTSPOTS,
    LAMBETH_FIRST_WARD_CODE,
    LAMBETH_WARDS,
    SOUTHWARK_WARDS,
    World,
    key,
)


def seed_places(world: World) -> None:
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


def seed_agencies(world: World) -> None:
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


def seed_users(world: World) -> None:
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
    # Each agency's named contact (told when a referral passes a deadline) is its login.
    for user in (partner, housing):
        type(user.agency).objects.filter(pk=user.agency_id).update(contact_user=user)
    world.logins = {
        "admin": admin,
        "lead": lead,
        "sergeant": sergeant,
        "pc": pc,
        "partner": partner,
        "partner_housing": housing,
    }


def seed_hotspots(world: World) -> None:
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
