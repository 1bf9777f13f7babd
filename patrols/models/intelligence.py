"""Intelligence gathered on a patrol, graded as police intelligence is (source evaluation,
intelligence assessment, handling code). Police only, always."""

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
        ]

    def __str__(self) -> str:
        return f"Intelligence {self.submitted_at:%d %b %Y}"
