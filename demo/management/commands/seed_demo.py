from django.conf import settings
from django.core.management.base import BaseCommand

from dataprotection.retention import refresh_review_dates
from patrols.models import Arrest, Patrol
from referrals.models import Referral
from reporting.evidence_jobs import request_for_all_areas

from ...crime import seed_crime
from ...data import DEMO_PASSWORD
from ...world import seed


class Command(BaseCommand):
    help = "Create (or refresh) the synthetic demo world and one login per role. Idempotent."

    def handle(self, *args, **options):
        world = seed()
        self.stdout.write(
            f"Demo world ready: {Patrol.objects.count()} patrols, "
            f"{Arrest.objects.count()} arrests, {Referral.objects.count()} referrals."
        )
        # A step of its own: synthetic crime data for the Evidence page (Lambeth only).
        crimes = seed_crime()
        self.stdout.write(f"Synthetic crime data ready: {crimes} relevant crimes in Lambeth.")
        # Review dates, as the monthly retention job would set them.
        refresh_review_dates()
        # The Evidence figures are asked for, not worked out here (seconds per area): a
        # starting worker sends what waits (`make run`), else the sweep does.
        asked = request_for_all_areas(send=False)
        self.stdout.write(
            f"Evidence figures asked for in {asked} areas (worked out by the worker)."
        )
        if settings.DEMO_PASSWORDS:
            names = ", ".join(user.username for user in world.logins.values())
            self.stdout.write(f"Demo logins ({names}) use the password {DEMO_PASSWORD!r}.")
        else:
            self.stdout.write(
                self.style.WARNING("DEBUG is off: demo logins were given no usable password.")
            )
