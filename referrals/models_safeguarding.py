"""A woman's safeguarding record (issue 16, item 4): her risk level, warning markers and
the onward routes of her support plan. Nothing is ever deleted or overwritten: a new
risk level is a new row (the current one is the latest), a marker or a route is ended
(who, when, why) and stays in the history.

Who sees what is decided field by field in ``referrals.selectors_safeguarding`` (the
one place it is enforced) and told in the README.

Imported by ``referrals.models``; the person is named by string so there is no import
back.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

USER = settings.AUTH_USER_MODEL


class RiskLevel(models.TextChoices):
    """The three levels UK multi-agency safeguarding uses (the SafeLives DASH checklist and
    MARAC thresholds: standard, medium, high)."""

    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class MarkerKind(models.TextChoices):
    VIOLENT_CLIENT = "violent_client", "Violent client reported"
    APPROACH_IN_PAIRS = "approach_in_pairs", "Do not approach alone"
    DRUG_USE = "drug_use", "Drug or alcohol use"
    MENTAL_HEALTH = "mental_health", "Mental health"
    EXPLOITATION = "exploitation", "Exploitation indicators (controller, pimp)"
    TRAFFICKING = "trafficking", "Trafficking or modern slavery indicators"


class RiskLevelChange(models.Model):
    """One setting of her risk level: the level, when it is next reviewed, why, and who
    set it when. Her current level is her latest row."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "referrals.Person", on_delete=models.CASCADE, related_name="risk_levels"
    )
    level = models.CharField(max_length=10, choices=RiskLevel.choices)
    review_on = models.DateField(help_text="When the level is next reviewed.")
    reason = models.TextField(help_text="Why this level (police only).")
    set_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["person", "-set_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=RiskLevel.values), name="risk_level_valid")
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} risk"


class Ending(models.Model):
    """Who ended a marker or a route, when and why; empty while it stands."""

    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def active(self) -> bool:
        return self.ended_at is None


def _ended_together(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(ended_at__isnull=True, ended_by__isnull=True, end_reason="")
        | Q(ended_at__isnull=False, ended_by__isnull=False),
        name=name,
    )


class WarningMarker(Ending):
    """A warning on her record, added (who, when, why) and, when it no longer applies,
    ended. A trafficking marker may carry the National Referral Mechanism referral."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "referrals.Person", on_delete=models.CASCADE, related_name="warning_markers"
    )
    kind = models.CharField(max_length=20, choices=MarkerKind.choices)
    reason = models.TextField(help_text="Why the marker was added (police only).")
    nrm_referred_on = models.DateField(
        null=True, blank=True, help_text="When she was referred to the National Referral Mechanism."
    )
    nrm_reference = models.CharField(max_length=50, blank=True)
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["person", "-added_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MarkerKind.values), name="marker_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind=MarkerKind.TRAFFICKING)
                | Q(nrm_referred_on__isnull=True, nrm_reference=""),
                name="marker_nrm_only_for_trafficking",
            ),
            _ended_together("marker_ending_recorded"),
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=Q(ended_at__isnull=True),
                name="marker_once_while_active",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class OnwardRoute(Ending):
    """A route of her support plan: one of her referrals, or a service named in words
    (her GP, the housing office), with a note on where it stands."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "referrals.Person", on_delete=models.CASCADE, related_name="onward_routes"
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="onward_routes",
    )
    service = models.CharField(max_length=100, blank=True, help_text="When not a referral.")
    note = models.TextField(blank=True, help_text="Police only.")
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["person", "-added_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(referral__isnull=False, service="")
                | Q(referral__isnull=True, service__gt=""),
                name="route_is_a_referral_or_a_service",
            ),
            _ended_together("route_ending_recorded"),
        ]

    def __str__(self) -> str:
        return self.service or "Referral"
