"""A synthetic world for demonstrations and manual testing (``manage.py seed_demo``).

Every person, officer, story and number here is invented. The places are real
boroughs and wards, and the two agencies the operation names (Streetlight and
Compass Group); every other agency is fictional and says so.

Idempotent: each record has a stable key (a UUID derived from its role in the demo,
or its natural key), so running the seed again updates rows in place."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from .casework import seed_concerns, seed_patrols, seed_people, seed_referrals
from .data import World
from .places import seed_agencies, seed_hotspots, seed_places, seed_users
from .safeguarding import seed_safeguarding
from .trial import record_deviations, seed_trial


@transaction.atomic
def seed(today: dt.date | None = None) -> World:
    today = today or timezone.localdate()
    world = World()
    rng = random.Random(2024)  # noqa: S311 - synthetic data, not security
    seed_places(world)
    seed_agencies(world)
    seed_users(world)
    seed_hotspots(world)
    seed_people(world, rng, today)
    trial = seed_trial(world, today)
    seed_patrols(world, today, trial)
    record_deviations(world, trial, today)
    seed_referrals(world)
    seed_concerns(world, today)
    seed_safeguarding(world, today)
    return world
