"""The audit log: one append-only row per thing that happened to a record or an account."""

import uuid

from django.conf import settings
from django.db import models

from .forwarding import forward


class AuditEventQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        rows = super().bulk_create(objs, *args, **kwargs)
        forward(rows)
        return rows

    def update(self, **kwargs):
        raise TypeError("The audit log is append-only.")

    def delete(self):
        raise TypeError("The audit log is append-only.")

    def for_object(self, obj):
        return self.filter(object_type=obj._meta.label_lower, object_id=str(object_key(obj)))


def object_key(obj) -> str:
    """Records about people are known by their UUID; everything else by its primary key."""
    return str(getattr(obj, "uuid", None) or obj.pk)


class AuditEvent(models.Model):
    """Who did what to which record, when and from where.

    Append-only: the application refuses to change or delete a row (``save`` of an existing
    row, ``delete``, queryset ``update``/``delete``), and on PostgreSQL a trigger refuses
    UPDATE and DELETE whatever the client. Rows never hold personal values: an object is
    named by type and key, and changed fields list their values only where the field is
    not personal (see ``governance.audit.AUDITED``).
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # accounts are deactivated, never deleted, once they act
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the system (scheduled jobs) and for failed sign-ins.",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=100, db_index=True)  # dotted: referrals.referral.viewed
    object_type = models.CharField(max_length=100, blank=True)  # app_label.modelname
    object_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict, blank=True)  # field -> [old, new] or "changed"
    detail = models.CharField(max_length=500, blank=True)  # a reason; never personal data

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"]),
            models.Index(fields=["actor", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username or 'system'} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)
        forward([self])

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only.")


# --- Retention and review (dataprotection/retention.py) --------------------------------------


class Decision(models.TextChoices):
    RETAIN = "retain", "Kept for another period"
    ERASE = "erase", "Personal details erased"


class RetentionDecision(models.Model):
    """The project lead's decision on a record that came up for review: keep it (with the
    reason, until the next review) or erase its personal fields.

    The record is named by type and primary key, as it stays in its table after erasure.
    """

    object_type = models.CharField(max_length=100)  # app_label.modelname
    object_id = models.PositiveBigIntegerField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(blank=True)
    next_review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "decided_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__in=Decision.values), name="retention_decision_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(decision=Decision.ERASE)
                | models.Q(reason__gt="", next_review_on__isnull=False),
                name="retention_retain_has_reason_and_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.object_type} {self.object_id}"


# --- Subject access (dataprotection/subject_access) ------------------------------------------


class SubjectType(models.TextChoices):
    PERSON = "person", "A person (a woman's record and those linked to it)"
    ARREST = "arrest", "An arrested or cautioned man (one arrest)"


class RestrictionGround(models.TextChoices):
    """Data Protection Act 2018 s.45(4): why the right of access may be restricted."""

    INQUIRY = (
        "a",
        "(a) to avoid obstructing an official or legal inquiry, investigation or procedure",
    )
    CRIME = (
        "b",
        (
            "(b) to avoid prejudicing the prevention, detection, investigation or prosecution of "
            "criminal offences or the execution of criminal penalties"
        ),
    )
    PUBLIC_SECURITY = "c", "(c) to protect public security"
    NATIONAL_SECURITY = "d", "(d) to protect national security"
    OTHERS = "e", "(e) to protect the rights and freedoms of others"


class SubjectAccessRequest(models.Model):
    """One subject access request as the project lead recorded it before any download:
    whose data (a subject type and the record's UUID: governance knows no casework model),
    what is withheld and on which s.45(4) ground, the reason (s.45(7) asks that it is
    recorded), whether the subject is told of the restriction (s.45(5), unless telling
    would undermine its purpose, s.45(6)), and whether staff names are shown.

    Every download of the request applies exactly this restriction. Created only by
    ``dataprotection.subject_access.services.create_request``; never changed afterwards:
    a different restriction is a new request.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject_type = models.CharField(max_length=10, choices=SubjectType.choices)
    subject_uuid = models.UUIDField(db_index=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(auto_now_add=True)
    # Section keys, space-separated and sorted (dataprotection.subject_access.sections).
    withheld = models.CharField(max_length=300, blank=True)
    include_staff_names = models.BooleanField(default=False)
    ground = models.CharField(max_length=1, choices=RestrictionGround.choices, blank=True)
    reason = models.TextField(blank=True)
    tell_subject = models.BooleanField(default=True)

    class Meta:
        ordering = ["-made_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject_type__in=SubjectType.values),
                name="sar_subject_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(ground="") | models.Q(ground__in=RestrictionGround.values),
                name="sar_ground_valid",
            ),
            # Withholding anything (a section, or the staff names) is a restriction: it has
            # a ground and a recorded reason.
            models.CheckConstraint(
                condition=models.Q(withheld="", include_staff_names=True)
                | models.Q(ground__gt="", reason__gt=""),
                name="sar_withholding_has_ground_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Subject access request {self.uuid}"

    @property
    def withheld_sections(self) -> list[str]:
        return self.withheld.split()

    @property
    def restricts(self) -> bool:
        return bool(self.withheld) or not self.include_staff_names
