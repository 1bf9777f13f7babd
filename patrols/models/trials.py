"""A randomised trial of hotspot patrols (Maryland SMS level 5), registered by the project
lead before it starts and locked from then on, and the deviations from its allocation.

The weekly allocation itself is never stored: it is drawn again, the same every time,
from the trial's secret seed and the week's number (patrols.trial_allocation), and only
shown once that week's planning has opened (patrols.selectors_trials). So there is no
row an early reader could find in the database, the admin or the API.
"""

import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .checks import USER, _valid


class TrialOutcome(models.TextChoices):
    RETURN_SIGHTINGS = (
        "return_sightings",
        "Sightings and encounters recorded in work returns (weekly)",
    )
    STREET_CRIME = "street_crime", "Relevant street crime near the hotspot (monthly, police.uk)"


class TrialQuerySet(models.QuerySet):
    def in_areas(self, areas):
        return self.filter(area__in=areas)


def commitment(seed: str) -> str:
    """The public hash of the seed: published at registration, it shows afterwards that
    the seed (revealed when the trial ends) was not changed to suit the result."""
    return hashlib.sha256(seed.encode()).hexdigest()


class Trial(models.Model):
    """The registration: what will be tested, where, for how long and how it will be
    analysed. Written once (patrols.services.trials.register_trial) and never changed."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey("accounts.Area", on_delete=models.PROTECT, related_name="trials")
    title = models.CharField(max_length=150)
    hotspots = models.ManyToManyField("patrols.Hotspot", related_name="trials")
    primary_outcome = models.CharField(max_length=30, choices=TrialOutcome.choices)
    hypotheses = models.TextField()
    analysis_plan = models.TextField()
    weeks = models.PositiveSmallIntegerField("duration in weeks")
    starts_on = models.DateField("first week (a Monday)")
    patrol_share = models.DecimalField(
        "share of hotspots allocated to patrol each week", max_digits=3, decimal_places=2
    )
    # Secret until the trial ends (selectors_trials.seed_for_display); its hash is public.
    seed = models.CharField(max_length=64, editable=False)
    seed_commitment = models.CharField(max_length=64, editable=False)
    registered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(editable=False)

    objects = TrialQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            _valid("primary_outcome", TrialOutcome, "trial_outcome_valid"),
            models.CheckConstraint(
                condition=Q(weeks__gte=4, weeks__lte=104), name="trial_weeks_in_range"
            ),
            models.CheckConstraint(
                condition=Q(patrol_share__gt=0, patrol_share__lt=1),
                name="trial_share_between_0_and_1",
            ),
            models.CheckConstraint(condition=~Q(seed=""), name="trial_seed_recorded"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        """A registered trial is locked: its row is written once. (Registration is the one
        way in; a second save, from any page, the admin or a shell, is refused.)"""
        if self.pk is not None:
            raise ValidationError("A registered trial is locked and cannot be changed.")
        super().save(*args, **kwargs)


class DeviationKind(models.TextChoices):
    PLANNED_CONTROL = "planned_control", "Patrol planned at a control hotspot"
    VISITED_CONTROL = "visited_control", "Work return lists a control hotspot"
    MISSED_PATROL = "missed_patrol", "Patrol hotspot not visited that week"


class TrialDeviation(models.Model):
    """Where what happened differed from the allocation, for one hotspot in one week.
    Recorded by patrols.services.trials.record_deviations; a supervisor may add why."""

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="deviations")
    hotspot = models.ForeignKey("patrols.Hotspot", on_delete=models.PROTECT, related_name="+")
    week = models.PositiveSmallIntegerField(help_text="The trial week, from 1.")
    kind = models.CharField(max_length=20, choices=DeviationKind.choices)
    patrol = models.ForeignKey(
        "patrols.Patrol", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    reason_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["trial", "week", "hotspot__name", "kind"]
        constraints = [
            _valid("kind", DeviationKind, "deviation_kind_valid"),
            models.UniqueConstraint(
                fields=["trial", "hotspot", "week", "kind"], name="deviation_once_per_week"
            ),
            models.CheckConstraint(condition=Q(week__gte=1), name="deviation_week_from_one"),
        ]

    def __str__(self) -> str:
        return f"Week {self.week}: {self.get_kind_display()}"
