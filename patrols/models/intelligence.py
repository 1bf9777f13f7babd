"""Intelligence gathered on a patrol or sent by a partner agency, graded as police
intelligence is (source evaluation, intelligence assessment, handling code). The grading
is police only, always; a partner sees only the concern it sent (PartnerConcern)."""

import uuid

from django.db import models
from django.db.models import Q

from .checks import USER, _valid


# The College of Policing's 3x5x2 model (APP Intelligence management, the intelligence
# report), which replaced the 5x5x5: how reliable the source is (3), how the source knows
# what they reported (5), and whether it may be shared (2). Migration 0007 moved grades
# recorded under the 5x5x5 wording to these.
class SourceEvaluation(models.TextChoices):
    RELIABLE = "1", "1 – Reliable"
    UNTESTED = "2", "2 – Untested"
    NOT_RELIABLE = "3", "3 – Not reliable"


class IntelligenceAssessment(models.TextChoices):
    KNOWN_DIRECTLY = "A", "A – Known directly to the source"
    INDIRECT_CORROBORATED = "B", "B – Known indirectly to the source but corroborated"
    KNOWN_INDIRECTLY = "C", "C – Known indirectly to the source"
    NOT_KNOWN = "D", "D – Not known"
    SUSPECTED_FALSE = "E", "E – Suspected to be false"


class HandlingCode(models.TextChoices):
    LAWFUL_SHARING = "P", "P – Lawful sharing permitted"
    CONDITIONS = "C", "C – Lawful sharing permitted with conditions"


class IntelligenceReport(models.Model):
    """Intelligence gathered on a patrol (e.g. on potential pimps). Police only, always."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patrol = models.ForeignKey(
        "patrols.Patrol",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intelligence",
    )
    # Graded from what a partner sent (patrols.services.concerns), not from a patrol.
    partner_concern = models.OneToOneField(
        "patrols.PartnerConcern",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intelligence",
    )
    submitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="intelligence_submitted"
    )
    submitted_at = models.DateTimeField()
    subject_description = models.CharField(max_length=200)
    details = models.TextField()
    source_evaluation = models.CharField(max_length=1, choices=SourceEvaluation.choices)
    intelligence_assessment = models.CharField(max_length=1, choices=IntelligenceAssessment.choices)
    handling_code = models.CharField(max_length=1, choices=HandlingCode.choices)
    handling_conditions = models.CharField(max_length=200, blank=True)
    # Retention (dataprotection/retention.py): when the record is next reviewed, and when its
    # personal fields were erased; an erased row stays, so reports still count it.
    review_on = models.DateField(null=True, blank=True, db_index=True, editable=False)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            _valid("source_evaluation", SourceEvaluation, "intel_source_evaluation_valid"),
            _valid("intelligence_assessment", IntelligenceAssessment, "intel_assessment_valid"),
            _valid("handling_code", HandlingCode, "intel_handling_code_valid"),
            models.CheckConstraint(
                condition=~Q(handling_code=HandlingCode.CONDITIONS)
                | Q(handling_conditions__gt="")
                | Q(erased_at__isnull=False),  # erasure removes the conditions too
                name="intel_conditions_stated",
            ),
            models.CheckConstraint(
                condition=Q(patrol__isnull=True) | Q(partner_concern__isnull=True),
                name="intel_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"Intelligence {self.submitted_at:%d %b %Y}"


class ConcernKind(models.TextChoices):
    DANGEROUS_CLIENT = "dangerous_client", "A dangerous client"
    CONTROLLER = "controller", "A suspected controller or pimp"
    BODYGUARD = "bodyguard", "A bodyguard"
    VEHICLE = "vehicle", "A vehicle"
    OTHER = "other", "Something else"


class ConcernConsent(models.TextChoices):
    VERBAL = "verbal", "She agreed, verbally"
    WRITTEN = "written", "She agreed in writing"


class PartnerConcernQuerySet(models.QuerySet):
    def sent_by_agency(self, agency_id):
        return self.filter(agency=agency_id)

    def in_areas(self, areas):
        return self.filter(area__in=areas)

    def to_grade(self):
        return self.filter(intelligence__isnull=True)


class PartnerConcern(models.Model):
    """A concern or incident a partner agency tells the police about (issue 16, item 5).

    The partner's words, as sent: what the agency sees of it is this row's own fields and
    whether it was received. The police grade it as an IntelligenceReport of their own
    (``intelligence``), which the partner never sees. The woman it came from either
    consented to sharing (how, when, who recorded it) or the report is anonymised (then
    it links to no one): exactly one, as the database checks.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(
        "partners.PartnerAgency", on_delete=models.PROTECT, related_name="concerns"
    )
    sent_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="concerns_sent")
    sent_at = models.DateTimeField()
    area = models.ForeignKey("accounts.Area", on_delete=models.PROTECT, related_name="concerns")
    occurred_on = models.DateField("date it happened")
    occurred_time = models.TimeField("time it happened", null=True, blank=True)
    kind = models.CharField(max_length=20, choices=ConcernKind.choices)
    subject_description = models.CharField(max_length=200)
    details = models.TextField()
    anonymised = models.BooleanField(default=False)
    consent_method = models.CharField(max_length=20, choices=ConcernConsent.choices, blank=True)
    consent_given_on = models.DateField(null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        "referrals.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_concerns",
    )
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_on = models.DateField(null=True, blank=True, db_index=True, editable=False)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PartnerConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["area", "sent_at"])]
        constraints = [
            _valid("kind", ConcernKind, "concern_kind_valid"),
            models.CheckConstraint(
                condition=Q(consent_method__in=["", *ConcernConsent.values]),
                name="concern_consent_method_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    anonymised=True,
                    consent_method="",
                    consent_given_on__isnull=True,
                    consent_recorded_by__isnull=True,
                    person__isnull=True,
                )
                | Q(
                    anonymised=False,
                    consent_method__gt="",
                    consent_given_on__isnull=False,
                    consent_recorded_by__isnull=False,
                ),
                name="concern_consent_or_anonymised",
                violation_error_message="Record her consent, or send the concern anonymised.",
            ),
            models.CheckConstraint(
                condition=Q(received_at__isnull=True, received_by__isnull=True)
                | Q(received_at__isnull=False, received_by__isnull=False),
                name="concern_received_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Partner concern {self.sent_at:%d %b %Y}"
