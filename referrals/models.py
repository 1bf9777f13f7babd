"""People the operation supports (pseudonymous) and the referrals made for them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from partners.models import ServiceType

USER = settings.AUTH_USER_MODEL


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", "Under 18"
    AGE_18_24 = "18_24", "18–24"
    AGE_25_34 = "25_34", "25–34"
    AGE_35_44 = "35_44", "35–44"
    AGE_45_54 = "45_54", "45–54"
    AGE_55_PLUS = "55_plus", "55 or over"
    UNKNOWN = "unknown", "Not known"


class Person(models.Model):
    """A service user known by a working name, nickname or description; no legal identity.

    ``working_name``, ``description`` and ``age_band`` are the fields a partner agency
    may see once a referral for this person is made to it; ``police_notes`` never leaves
    the police side.
    """

    SHAREABLE_FIELDS = ("uuid", "working_name", "description", "age_band")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    working_name = models.CharField(
        max_length=100, help_text="First name, nickname or street name."
    )
    description = models.TextField(blank=True, help_text="How to recognise her; no legal identity.")
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    first_seen = models.DateField()
    area = models.ForeignKey("accounts.Area", on_delete=models.PROTECT, related_name="people")
    police_notes = models.TextField(blank=True)
    same_as = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="linked_records",
        help_text="Set by a sergeant when this record turns out to be the same woman.",
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Retention (dataprotection/retention.py): when the record is next reviewed, and when its
    # personal fields were erased; an erased row stays, so reports still count it.
    review_on = models.DateField(null=True, blank=True, db_index=True, editable=False)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["working_name"]
        verbose_name_plural = "people"
        constraints = [
            models.CheckConstraint(
                condition=Q(age_band__in=AgeBand.values), name="person_age_band_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.working_name


class ReferralStatus(models.TextChoices):
    MADE = "made", "Made"
    RECEIVED = "received", "Received"
    CONTACTED = "contacted", "Contacted"
    ENGAGED = "engaged", "Engaged"
    CLOSED = "closed", "Closed"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Verbal, recorded by the officer"
    WRITTEN = "written", "Written"
    BODY_WORN_VIDEO = "bwv", "Verbal, on body-worn video"


class CourseStatus(models.TextChoices):
    """Where a diversion course stands: the values of patrols' CautionStatus, named here so
    the referral side can drive the course without importing patrols (a test keeps the two
    in step)."""

    ISSUED = "issued", "Issued"
    BOOKED = "booked", "Course booked"
    ATTENDED = "attended", "Attended"
    COMPLETED = "completed", "Completed"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    BREACHED = "breached", "Breached"


class ClosedOutcome(models.TextChoices):
    SUPPORT_COMPLETED = "support_completed", "Support completed"
    ONGOING_ELSEWHERE = "ongoing_elsewhere", "Support continuing with another service"
    EXITED = "exited", "Exited street sex work"
    COURSE_COMPLETED = "course_completed", "Diversion course completed"
    COURSE_NOT_ATTENDED = "course_not_attended", "Did not attend the diversion course"
    COURSE_DEADLINE_MISSED = "course_deadline_missed", "Diversion course deadline missed"
    LOST_CONTACT = "lost_contact", "Lost contact"
    MOVED_AWAY = "moved_away", "Moved out of the area"


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", "No capacity"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    PERSON_DECLINED = "person_declined", "Person declined support"
    UNABLE_TO_CONTACT = "unable_to_contact", "Unable to contact"
    ALREADY_SUPPORTED = "already_supported", "Already supported"
    OTHER = "other", "Other"


class Referral(models.Model):
    """A referral of one person to one agency for one service.

    Made only with consent recorded (how, when, by whom), except a diversion-course
    referral of a cautioned man, whose basis is the conditional caution.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    caution = models.OneToOneField(
        "patrols.ConditionalCaution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referral",
    )
    patrol = models.ForeignKey(
        "patrols.Patrol", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    encounter = models.ForeignKey(
        "patrols.Encounter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    agency = models.ForeignKey(
        "partners.PartnerAgency", on_delete=models.PROTECT, related_name="referrals"
    )
    service = models.CharField(max_length=30, choices=ServiceType.choices)
    consent_method = models.CharField(max_length=20, choices=ConsentMethod.choices, blank=True)
    consent_given_at = models.DateTimeField(null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.MADE
    )
    closed_outcome = models.CharField(max_length=30, choices=ClosedOutcome.choices, blank=True)
    decline_reason = models.CharField(max_length=30, choices=DeclineReason.choices, blank=True)
    decline_detail = models.TextField(blank=True)
    referred_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="referrals_made")
    made_at = models.DateTimeField()
    # When the referral reached its current agency: made_at, or the last move to it. Set by
    # the services that make and move a referral; its deadlines run from then, and the
    # partner's caseload sorts on it (stored, so the page reads an index, not every move).
    arrived_at = models.DateTimeField(editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Retention (dataprotection/retention.py): when the record is next reviewed, and when its
    # personal fields were erased; an erased row stays, so reports still count it.
    review_on = models.DateField(null=True, blank=True, db_index=True, editable=False)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-made_at"]
        indexes = [
            models.Index(fields=["agency", "status"]),
            # The caseload and the API lists, newest arrival first: the planner reads this
            # index in order, checks each row against the agency's grants, and stops at a
            # page (it sorted the whole scope before).
            models.Index(fields=["-arrived_at", "-id"], name="referral_arrival_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(service__in=ServiceType.values), name="referral_service_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values), name="referral_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(consent_method__in=["", *ConsentMethod.values])
                & Q(closed_outcome__in=["", *ClosedOutcome.values])
                & Q(decline_reason__in=["", *DeclineReason.values]),
                name="referral_choices_valid",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False)
                | Q(service=ServiceType.DIVERSION_COURSE, caution__isnull=False),
                name="referral_has_a_subject",
            ),
            models.CheckConstraint(
                condition=Q(
                    consent_method__gt="",
                    consent_given_at__isnull=False,
                    consent_recorded_by__isnull=False,
                )
                | Q(service=ServiceType.DIVERSION_COURSE, caution__isnull=False)
                | Q(erased_at__isnull=False),  # erasure removes the consent details
                name="referral_consent_or_caution",
            ),
            models.CheckConstraint(
                condition=Q(caution__isnull=True) | Q(service=ServiceType.DIVERSION_COURSE),
                name="referral_caution_only_for_diversion",
            ),
            models.CheckConstraint(
                condition=Q(status=ReferralStatus.CLOSED, closed_outcome__gt="")
                | (~Q(status=ReferralStatus.CLOSED) & Q(closed_outcome="")),
                name="referral_outcome_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(status=ReferralStatus.DECLINED, decline_reason__gt="")
                | (~Q(status=ReferralStatus.DECLINED) & Q(decline_reason="")),
                name="referral_decline_reason_iff_declined",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral to {self.agency} ({self.get_service_display()})"


class ReferralStatusChange(models.Model):
    """One step of a referral's history: who moved it, when, from what to what.

    A step of a diversion course is a row too (`course_step`, `course_step_on`), even when
    the referral's status stays the same (attended: still engaged). `changed_by` is empty
    only for a step the system took (the daily job that finds missed course deadlines).
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    changed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()
    note = models.TextField(blank=True)
    course_step = models.CharField(max_length=20, choices=CourseStatus.choices, blank=True)
    course_step_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["referral", "changed_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_status=F("to_status")) | Q(course_step__gt=""),
                name="status_change_changes",
            ),
            models.CheckConstraint(
                condition=Q(
                    from_status__in=["", *ReferralStatus.values],
                    to_status__in=ReferralStatus.values,
                    course_step__in=["", *CourseStatus.values],
                ),
                name="status_change_statuses_valid",
            ),
            models.CheckConstraint(
                condition=Q(course_step="", course_step_on__isnull=True)
                | Q(course_step__gt="", course_step_on__isnull=False),
                name="status_change_course_step_dated",
            ),
            models.CheckConstraint(
                condition=Q(changed_by__isnull=False) | Q(course_step=CourseStatus.BREACHED),
                name="status_change_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class ReferralNote(models.Model):
    """A note on a referral, written by the agency working it (or the police)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)
    text = models.TextField()

    class Meta:
        ordering = ["referral", "written_at"]
        constraints = [models.CheckConstraint(condition=Q(text__gt=""), name="note_has_text")]

    def __str__(self) -> str:
        return f"Note on {self.referral}"


class DuplicateStatus(models.TextChoices):
    OPEN = "open", "Waiting for a sergeant"
    LINKED = "linked", "Linked: the same person"
    DISMISSED = "dismissed", "Not the same person"


class PossibleDuplicate(models.Model):
    """Two person records that may be one woman. A sergeant decides; nothing is merged
    silently: linking points the newer record at the older, keeping both."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="duplicate_flags")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=200)
    flagged_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-flagged_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(person=F("other")), name="duplicate_of_another"),
            models.CheckConstraint(
                condition=Q(status__in=DuplicateStatus.values), name="duplicate_status_valid"
            ),
            models.UniqueConstraint(fields=["person", "other"], name="duplicate_pair_once"),
            models.CheckConstraint(
                condition=Q(status=DuplicateStatus.OPEN, decided_at__isnull=True)
                | (
                    ~Q(status=DuplicateStatus.OPEN)
                    & Q(decided_at__isnull=False, decided_by__isnull=False)
                ),
                name="duplicate_decision_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} may be {self.other}"


class ReferralMove(models.Model):
    """A referral moved from one agency to another (police only: neither agency sees it)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="moves")
    from_agency = models.ForeignKey(
        "partners.PartnerAgency", on_delete=models.PROTECT, related_name="+"
    )
    to_agency = models.ForeignKey(
        "partners.PartnerAgency", on_delete=models.PROTECT, related_name="+"
    )
    moved_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    moved_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()

    class Meta:
        ordering = ["referral", "moved_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_agency=F("to_agency")), name="move_changes_agency"
            ),
            models.CheckConstraint(condition=Q(reason__gt=""), name="move_reason_given"),
        ]

    def __str__(self) -> str:
        return f"{self.referral} moved"


class Deadline(models.TextChoices):
    """A step an agency has agreed to take within so many working days of a referral
    reaching it (partners.PartnerAgency's `receive_within_days`, `contact_within_days`)."""

    RECEIVE = "receive", "Mark as received"
    CONTACT = "contact", "First contact"


class ReferralEscalation(models.Model):
    """A deadline a referral passed, and that its referring officer and the agency's contact
    were told of: one row per referral, deadline and arrival at an agency, so the daily
    check tells them once (a referral moved to another agency has new deadlines there)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="escalations")
    agency = models.ForeignKey("partners.PartnerAgency", on_delete=models.PROTECT, related_name="+")
    deadline = models.CharField(max_length=10, choices=Deadline.choices)
    arrived_at = models.DateTimeField(help_text="When the referral reached the agency.")
    due_on = models.DateField()
    escalated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-escalated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "deadline", "arrived_at"], name="escalation_once"
            ),
            models.CheckConstraint(
                condition=Q(deadline__in=Deadline.values), name="escalation_deadline_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral}: {self.get_deadline_display()} overdue"


class PortalVisit(models.Model):
    """When a partner user last opened the portal's caseload, and the visit before: what
    reached the agency after `previous_at` is "new since your last visit". A visit within
    `referrals.services.caseload.SAME_VISIT` of the last one is the same visit, so the
    marks stay while the user works through the list."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="portal_visit")
    previous_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Portal visits of {self.user_id}"


# A woman's safeguarding record lives in its own module (the app's models stay readable).
from .models_safeguarding import (  # noqa: E402, F401
    MarkerKind,
    OnwardRoute,
    RiskLevel,
    RiskLevelChange,
    WarningMarker,
)
