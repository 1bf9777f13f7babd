"""Hotspots, patrols and everything a patrol records: risk assessment, work return,
encounters, arrests, conditional cautions and intelligence (police only)."""

import datetime
import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .checks import USER, _valid
from .intelligence import ConcernConsent as ConcernConsent
from .intelligence import ConcernKind as ConcernKind
from .intelligence import HandlingCode as HandlingCode
from .intelligence import IntelligenceAssessment as IntelligenceAssessment
from .intelligence import IntelligenceReport as IntelligenceReport
from .intelligence import PartnerConcern as PartnerConcern
from .intelligence import SourceEvaluation as SourceEvaluation
from .trials import DeviationKind as DeviationKind
from .trials import Trial as Trial
from .trials import TrialDeviation as TrialDeviation
from .trials import TrialOutcome as TrialOutcome
from .visits import HotspotVisit as HotspotVisit


class HotspotQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Hotspots in the areas the user works in."""
        return self.filter(ward__area__in=user.areas.all())

    def active(self):
        return self.filter(active=True)


class Hotspot(models.Model):
    """A named place in a ward where patrols go, and why it was chosen."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ward = models.ForeignKey("accounts.Ward", on_delete=models.PROTECT, related_name="hotspots")
    name = models.CharField(max_length=150)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    reason = models.TextField("why identified")
    identified_on = models.DateField()
    active = models.BooleanField(default=True)
    retired_on = models.DateField(null=True, blank=True)

    objects = HotspotQuerySet.as_manager()

    class Meta:
        ordering = ["ward__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["ward", "name"], name="hotspot_name_unique_in_ward"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="hotspot_coordinates_on_earth",
            ),
            models.CheckConstraint(
                condition=Q(active=True, retired_on__isnull=True)
                | Q(active=False, retired_on__isnull=False),
                name="hotspot_retired_iff_inactive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PatrolStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    APPROVED = "approved", "Risk assessment approved"
    DEPLOYED = "deployed", "Deployed"
    RETURNED = "returned", "Return filed"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class PatrolQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Patrols in the areas the user works in."""
        return self.filter(area__in=user.areas.all())

    def live(self):
        return self.exclude(status=PatrolStatus.CANCELLED)

    def starting_between(self, first: "datetime.date", last: "datetime.date"):
        return self.filter(starts_at__date__gte=first, starts_at__date__lte=last)

    def upcoming(self):
        return self.live().filter(ends_at__gte=timezone.now()).order_by("starts_at")

    def awaiting_risk_approval(self):
        """Patrols still to go out whose risk assessment is missing or not yet approved."""
        return self.upcoming().filter(status=PatrolStatus.PLANNED)

    def returns_owed(self):
        """Patrols that went out and ended, with no return filed yet."""
        return self.filter(status=PatrolStatus.DEPLOYED, ends_at__lt=timezone.now()).order_by(
            "starts_at"
        )

    def recently_returned(self, days: int = 14):
        """Patrols whose return was filed in the last `days` days, newest first."""
        since = timezone.now() - datetime.timedelta(days=days)
        return self.filter(work_return__submitted_at__gte=since).order_by("-starts_at")

    def with_officer(self, user):
        return self.filter(officers__officer=user)

    def observed_by(self, user):
        """Patrols ``user`` observes, from another area (the plan only: see
        patrols.permissions.get_observed_patrol)."""
        return self.filter(officers__officer=user, officers__role=OfficerRole.OBSERVER)


class Patrol(models.Model):
    """One deployment on one night: planned, approved, deployed, returned, closed (the
    lifecycle is patrols.services.lifecycle.TRANSITIONS)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey("accounts.Area", on_delete=models.PROTECT, related_name="patrols")
    ward = models.ForeignKey(
        "accounts.Ward",
        on_delete=models.PROTECT,
        related_name="patrols",
        help_text="The ward whose local policing team provides the local PC.",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    meeting_point = models.CharField(max_length=200, blank=True)
    hotspots = models.ManyToManyField(Hotspot, blank=True, related_name="patrols")
    status = models.CharField(
        max_length=20, choices=PatrolStatus.choices, default=PatrolStatus.PLANNED
    )
    cancel_reason = models.TextField(blank=True)
    planned_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="patrols_planned")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PatrolQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["area", "starts_at"])]
        constraints = [
            _valid("status", PatrolStatus, "patrol_status_valid"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="patrol_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status=PatrolStatus.CANCELLED, cancel_reason__gt="")
                | (~Q(status=PatrolStatus.CANCELLED) & Q(cancel_reason="")),
                name="patrol_cancel_reason_iff_cancelled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} patrol {self.starts_at:%a %d %b %Y}"


class OfficerRole(models.TextChoices):
    EPHEDRA_PC = "ephedra_pc", "Ephedra PC"
    LOCAL_PC = "local_pc", "Local PC"
    SERGEANT = "sergeant", "Sergeant"
    OBSERVER = "observer", "Observer from another area"


class PatrolOfficer(models.Model):
    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="officers")
    officer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="patrol_duties")
    role = models.CharField(max_length=20, choices=OfficerRole.choices)

    class Meta:
        ordering = ["patrol", "role"]
        constraints = [
            models.UniqueConstraint(fields=["patrol", "officer"], name="patrol_officer_once"),
            _valid("role", OfficerRole, "patrol_officer_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.officer} ({self.get_role_display()})"


class EngagementActivity(models.TextChoices):
    SOUP_KITCHEN = "soup_kitchen", "Soup kitchen"
    OUTREACH = "outreach", "Street outreach"
    HEALTH_CHECK = "health_check", "Health checks"
    OTHER = "other", "Other engagement"


class PartnerInvitation(models.Model):
    """A partner agency invited to a patrol, for engagement only."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="invitations")
    agency = models.ForeignKey(
        "partners.PartnerAgency", on_delete=models.PROTECT, related_name="invitations"
    )
    activity = models.CharField(max_length=20, choices=EngagementActivity.choices)
    notes = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["patrol", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["patrol", "agency"], name="invitation_once_per_agency"),
            _valid("activity", EngagementActivity, "invitation_activity_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.agency}: {self.get_activity_display()}"


class RiskAssessment(models.Model):
    """Completed by an officer before deployment; approved by a sergeant."""

    patrol = models.OneToOneField(Patrol, on_delete=models.CASCADE, related_name="risk_assessment")
    hazards = models.TextField()
    controls = models.TextField()
    assessed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True, approved_at__isnull=True)
                | Q(
                    approved_by__isnull=False,
                    approved_at__isnull=False,
                    approved_at__gte=F("assessed_at"),
                ),
                name="risk_approval_complete_and_after_assessment",
            ),
        ]

    def __str__(self) -> str:
        return f"Risk assessment for {self.patrol}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class Weather(models.TextChoices):
    DRY = "dry", "Dry"
    RAIN = "rain", "Rain"
    HEAVY_RAIN = "heavy_rain", "Heavy rain"
    COLD = "cold", "Cold"
    SNOW = "snow", "Snow or ice"
    HOT = "hot", "Hot"


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class WorkReturn(models.Model):
    """What one patrol did, filed after the shift. A night with no one seen is still a return."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patrol = models.OneToOneField(Patrol, on_delete=models.PROTECT, related_name="work_return")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    weather = models.CharField(max_length=20, choices=Weather.choices)
    hotspots_visited = models.ManyToManyField(Hotspot, blank=True, related_name="visits")
    women_seen = models.PositiveSmallIntegerField(
        default=0, help_text="Women seen in street sex work, whether or not engaged."
    )
    kerb_crawlers_seen = models.PositiveSmallIntegerField(default=0)
    engagement_count = models.PositiveSmallIntegerField(
        default=0, help_text="People served at the soup kitchen or other engagement."
    )
    summary = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT
    )
    filed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="returns_filed")
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            _valid("weather", Weather, "return_weather_valid"),
            _valid("status", ReturnStatus, "return_status_valid"),
            models.CheckConstraint(
                condition=Q(ended_at__gt=F("started_at")), name="return_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status=ReturnStatus.DRAFT, submitted_at__isnull=True)
                | Q(status=ReturnStatus.SUBMITTED, submitted_at__isnull=False),
                name="return_submitted_at_iff_submitted",
            ),
        ]

    def __str__(self) -> str:
        return f"Return for {self.patrol}"


class ReturnDraft(models.Model):
    """What an officer has typed into a work return so far, saved as they go.

    Kept as the raw form data, valid or not, so nothing typed is lost to a dropped
    connection or a validation error; the WorkReturn is written on submission.
    """

    patrol = models.OneToOneField(Patrol, on_delete=models.CASCADE, related_name="return_draft")
    data = models.JSONField(default=dict)
    saved_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Draft return for {self.patrol}"


class ReturnAmendment(models.Model):
    """A supervisor's change to a submitted return: who, when, why, and what changed."""

    work_return = models.ForeignKey(WorkReturn, on_delete=models.CASCADE, related_name="amendments")
    amended_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    amended_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()
    changes = models.JSONField(default=dict, help_text="Field name: [before, after].")

    class Meta:
        ordering = ["work_return", "amended_at"]
        constraints = [
            models.CheckConstraint(condition=Q(reason__gt=""), name="amendment_reason_given"),
        ]

    def __str__(self) -> str:
        return f"Amendment to {self.work_return}"


class OfficerHours(models.Model):
    """Hours one officer worked on one patrol; the basis of wellbeing warnings."""

    work_return = models.ForeignKey(WorkReturn, on_delete=models.CASCADE, related_name="hours")
    officer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="hours_worked")
    hours = models.DecimalField(max_digits=4, decimal_places=2)

    class Meta:
        verbose_name_plural = "officer hours"
        constraints = [
            models.UniqueConstraint(
                fields=["work_return", "officer"], name="hours_once_per_officer"
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=24), name="hours_within_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer}: {self.hours} h"


class Encounter(models.Model):
    """A person seen or engaged on a patrol."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patrol = models.ForeignKey(Patrol, on_delete=models.PROTECT, related_name="encounters")
    person = models.ForeignKey(
        "referrals.Person", on_delete=models.PROTECT, related_name="encounters"
    )
    hotspot = models.ForeignKey(
        Hotspot, on_delete=models.PROTECT, null=True, blank=True, related_name="encounters"
    )
    location = models.CharField(max_length=200, blank=True, help_text="Where, if not at a hotspot.")
    occurred_at = models.DateTimeField()
    engaged = models.BooleanField(default=True, help_text="Spoken with, not only seen.")
    new_to_area = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["person", "occurred_at"])]

    def __str__(self) -> str:
        return f"Encounter {self.occurred_at:%d %b %Y}"


class Offence(models.TextChoices):
    KERB_CRAWLING = "kerb_crawling", "Kerb crawling / soliciting (s.51A SOA 2003)"
    CONTROLLING = "controlling", "Controlling prostitution for gain (s.53 SOA 2003)"
    CAUSING_INCITING = (
        "causing_inciting",
        "Causing or inciting prostitution for gain (s.52 SOA 2003)",
    )
    PAYING_FOR_EXPLOITED = (
        "paying_exploited",
        "Paying for sex with a person subjected to force (s.53A)",
    )
    BROTHEL_KEEPING = "brothel_keeping", "Keeping a brothel used for prostitution"
    OTHER = "other", "Other offence"


class ArrestOutcome(models.TextChoices):
    PENDING = "pending", "Outcome pending"
    CHARGED = "charged", "Charged"
    CONDITIONAL_CAUTION = "conditional_caution", "Conditional caution"
    CAUTION = "caution", "Simple caution"
    RUI = "rui", "Released under investigation"
    BAIL = "bail", "Bailed"
    NFA = "nfa", "No further action"


class Arrest(models.Model):
    """An arrest of a man soliciting or exploiting. Police only."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patrol = models.ForeignKey(Patrol, on_delete=models.PROTECT, related_name="arrests")
    arrested_at = models.DateTimeField()
    offence = models.CharField(max_length=30, choices=Offence.choices)
    offence_detail = models.CharField(max_length=200, blank=True)
    suspect_description = models.CharField(
        max_length=200,
        help_text="A reference the custody record can be found by; no full identity.",
    )
    custody_reference = models.CharField(max_length=50, blank=True)
    arresting_officer = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="arrests_made"
    )
    outcome = models.CharField(
        max_length=30, choices=ArrestOutcome.choices, default=ArrestOutcome.PENDING
    )
    # Retention (dataprotection/retention.py), as on intelligence: review date, erasure.
    review_on = models.DateField(null=True, blank=True, db_index=True, editable=False)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-arrested_at"]
        constraints = [
            _valid("offence", Offence, "arrest_offence_valid"),
            _valid("outcome", ArrestOutcome, "arrest_outcome_valid"),
            models.CheckConstraint(
                condition=~Q(offence=Offence.OTHER)
                | Q(offence_detail__gt="")
                | Q(erased_at__isnull=False),  # erasure removes the detail
                name="arrest_other_offence_described",
            ),
        ]

    def __str__(self) -> str:
        return f"Arrest {self.arrested_at:%d %b %Y}: {self.get_offence_display()}"


class CautionCondition(models.TextChoices):
    DIVERSION_COURSE = "diversion_course", 'Attend the diversion course ("you choose")'


class CautionStatus(models.TextChoices):
    ISSUED = "issued", "Issued"
    BOOKED = "booked", "Course booked"
    ATTENDED = "attended", "Attended"
    COMPLETED = "completed", "Completed"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    BREACHED = "breached", "Breached"


class ConditionalCaution(models.Model):
    """A conditional caution whose condition is a diversion course run by a provider agency."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    arrest = models.OneToOneField(Arrest, on_delete=models.PROTECT, related_name="caution")
    given_on = models.DateField()
    condition = models.CharField(
        max_length=30, choices=CautionCondition.choices, default=CautionCondition.DIVERSION_COURSE
    )
    provider = models.ForeignKey(
        "partners.PartnerAgency", on_delete=models.PROTECT, related_name="cautions"
    )
    deadline = models.DateField(help_text="The course must be completed by this date.")
    # Shared with the course provider, which needs them to book the course.
    booking_name = models.CharField(max_length=150)
    booking_contact = models.CharField(max_length=150)
    status = models.CharField(
        max_length=20, choices=CautionStatus.choices, default=CautionStatus.ISSUED
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True, db_index=True, editable=False)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-given_on"]
        constraints = [
            _valid("condition", CautionCondition, "caution_condition_valid"),
            _valid("status", CautionStatus, "caution_status_valid"),
            models.CheckConstraint(
                condition=Q(deadline__gt=F("given_on")), name="caution_deadline_after_given"
            ),
        ]

    def __str__(self) -> str:
        return f"Conditional caution {self.given_on:%d %b %Y}"
