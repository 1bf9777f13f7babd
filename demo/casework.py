"""Demo people, patrols (planned, delivered, cancelled) and referrals with their histories."""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from partners.models import ServiceType
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

from .data import DESCRIPTIONS, ENCOUNTER_NOTE, WORKING_NAMES, World, key
from .trial import planned_hotspots


def seed_people(world: World, rng: random.Random, today: dt.date) -> None:
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


def seed_patrols(world: World, today: dt.date, trial: p.Trial | None = None) -> None:
    """Each night's patrol is a function of its date alone; today decides only how far it got.
    In the demo trial's revealed weeks, Lambeth patrols follow its allocation (demo.trial)."""
    lambeth_hotspots = [h for h in world.hotspots if h.ward.area.name == "Lambeth" and h.active]
    southwark_hotspots = [h for h in world.hotspots if h.ward.area.name == "Southwark"]
    for night in _patrol_nights(today):
        n = night.toordinal()
        rng = random.Random(n)  # noqa: S311 - synthetic data, not security
        southwark = today - dt.timedelta(weeks=8) < night <= today and n % 4 == 3
        pool = southwark_hotspots if southwark else lambeth_hotspots
        hotspots = rng.sample(pool, k=min(len(pool), rng.randint(2, 3)))
        if trial is not None and not southwark:
            hotspots = planned_hotspots(trial, night, today) or hotspots
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
    _timed_visits(work_return, n)
    for duty in crew:
        p.OfficerHours.objects.update_or_create(
            work_return=work_return, officer=duty.officer, defaults={"hours": Decimal("8.00")}
        )
    if not quiet:
        _encounters(world, patrol, n, rng)
        _enforcement(world, patrol, n, crew[0].officer, rng)
    recent = night >= today - dt.timedelta(days=14)
    _set_status(patrol, p.PatrolStatus.RETURNED if recent else p.PatrolStatus.CLOSED)


def _timed_visits(work_return, n) -> None:
    """Synthetic arrival and departure times on two returns in three (the others leave
    them out, as officers may): rounds of the hotspots, stays of 5 to 25 minutes. Its own
    random stream, so the rest of the world is the same with or without it."""
    work_return.visits.all().delete()
    if n % 3 == 2:
        return
    rng = random.Random(f"visits-{n}")  # noqa: S311 - synthetic data, not security
    moment = work_return.started_at + dt.timedelta(minutes=rng.randint(20, 45))
    last = work_return.ended_at - dt.timedelta(minutes=15)
    hotspots = list(work_return.hotspots_visited.all())
    for _ in range(2):
        for hotspot in hotspots:
            left = moment + dt.timedelta(minutes=rng.choice([5, 8, 11, 12, 14, 15, 18, 25]))
            if left > last:
                return
            p.HotspotVisit.objects.create(
                work_return=work_return, hotspot=hotspot, arrived_at=moment, left_at=left
            )
            moment = left + dt.timedelta(minutes=rng.randint(15, 40))


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
                "intelligence_assessment": p.IntelligenceAssessment.NOT_KNOWN,
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


def seed_referrals(world: World) -> None:
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
                "arrived_at": _at(caution.given_on, 12),  # never moved
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
            "arrived_at": made_at,  # never moved
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


def seed_concerns(world: World, today: dt.date) -> None:
    """Two concerns Streetlight sent about Lambeth: one graded by the sergeant (the partner
    sees "Received"), one still to grade on the intelligence list."""
    partner, sergeant = world.logins["partner"], world.logins["sergeant"]
    stories = [
        ("bodyguard", "Man in a black puffer jacket waiting by the bus stop (synthetic)", True),
        ("vehicle", "Silver estate car circling the block after midnight (synthetic)", False),
    ]
    for n, (kind, description, graded) in enumerate(stories, 1):
        sent_at = _at(today - dt.timedelta(days=3 * n), 11)
        concern, _ = p.PartnerConcern.objects.update_or_create(
            uuid=key("concern", n),
            defaults={
                "agency": partner.agency,
                "sent_by": partner,
                "sent_at": sent_at,
                "area": world.areas["Lambeth"],
                "occurred_on": sent_at.date() - dt.timedelta(days=1),
                "kind": kind,
                "subject_description": description,
                "details": "Synthetic demo concern, sent anonymised by an outreach worker.",
                "anonymised": True,
                "received_at": sent_at + dt.timedelta(hours=5) if graded else None,
                "received_by": sergeant if graded else None,
            },
        )
        if graded:
            p.IntelligenceReport.objects.update_or_create(
                uuid=key("concern-intel", n),
                defaults={
                    "partner_concern": concern,
                    "submitted_by": sergeant,
                    "submitted_at": sent_at + dt.timedelta(hours=6),
                    "subject_description": description,
                    "details": "Graded from a partner's concern (synthetic).",
                    "source_evaluation": p.SourceEvaluation.UNTESTED,
                    "intelligence_assessment": p.IntelligenceAssessment.KNOWN_INDIRECTLY,
                    "handling_code": p.HandlingCode.LAWFUL_SHARING,
                },
            )
