"""Imported crime data and the reports Ephedra generates from it."""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

USER = settings.AUTH_USER_MODEL


class CrimeFileKind(models.TextChoices):
    STREET = "street", "data.police.uk street-level crimes"
    OUTCOMES = "outcomes", "data.police.uk outcomes"
    WEEKLY = "weekly", "Local weekly extract"
    UNKNOWN = "unknown", "Not recognised"  # refused files only: the header matched no kind


class CrimeType(models.TextChoices):
    """The police.uk crime categories in use since May 2013, as the CSV files spell them."""

    ANTI_SOCIAL_BEHAVIOUR = "Anti-social behaviour"
    BICYCLE_THEFT = "Bicycle theft"
    BURGLARY = "Burglary"
    CRIMINAL_DAMAGE_AND_ARSON = "Criminal damage and arson"
    DRUGS = "Drugs"
    OTHER_CRIME = "Other crime"
    OTHER_THEFT = "Other theft"
    POSSESSION_OF_WEAPONS = "Possession of weapons"
    PUBLIC_ORDER = "Public order"
    ROBBERY = "Robbery"
    SHOPLIFTING = "Shoplifting"
    THEFT_FROM_THE_PERSON = "Theft from the person"
    VEHICLE_CRIME = "Vehicle crime"
    VIOLENCE_AND_SEXUAL_OFFENCES = "Violence and sexual offences"


class ImportStatus(models.TextChoices):
    IMPORTED = "imported", "Imported"
    REPLACED = "replaced", "Replaced by a later import"
    FAILED = "failed", "Refused"


class ImportBatch(models.Model):
    """One file's import of one force-month; a re-import replaces the earlier batch."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=CrimeFileKind.choices)
    force = models.CharField(max_length=100, blank=True)
    month = models.DateField(null=True, blank=True, help_text="First day of the month covered.")
    row_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=ImportStatus.choices)
    error = models.TextField(blank=True)
    imported_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name_plural = "import batches"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CrimeFileKind.values), name="batch_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="batch_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=ImportStatus.FAILED) | Q(error__gt=""),
                name="batch_failure_explained",
            ),
            models.CheckConstraint(
                condition=~Q(status=ImportStatus.IMPORTED) | Q(month__isnull=False, force__gt=""),
                name="batch_imported_names_force_month",
            ),
            models.CheckConstraint(
                condition=~Q(kind=CrimeFileKind.UNKNOWN) | Q(status=ImportStatus.FAILED),
                name="batch_unknown_kind_only_refused",
            ),
            models.UniqueConstraint(
                fields=["kind", "force", "month"],
                condition=Q(status=ImportStatus.IMPORTED),
                name="batch_one_current_per_force_month",
            ),
        ]

    def __str__(self) -> str:
        return self.filename


class CrimeImportStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"
    INCOMPLETE = "incomplete", "Incomplete: interrupted, to be run again"


class CrimeImport(models.Model):
    """One uploaded file imported by a Celery job; the progress page polls ``status``.

    The upload is kept under MEDIA_ROOT/private/ (never served) until the job ends. A run
    killed part-way leaves some force-months replaced (each one whole) and the rest not:
    the job is then incomplete, and the sweep runs the file again (re-importing a
    force-month replaces it, so a second run is safe).
    """

    # A run past the soft limit is stopped with that reason; the hard limit kills it.
    SOFT_TIME_LIMIT = 25 * 60
    HARD_TIME_LIMIT = SOFT_TIME_LIMIT + 60
    # Running longer than this, the worker is dead (the hard limit would have killed it).
    STALE_AFTER = dt.timedelta(seconds=HARD_TIME_LIMIT + 30)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to="private/crime-imports/%Y/%m/", blank=True, max_length=200)
    original_name = models.CharField(max_length=255)
    requested_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=CrimeImportStatus.choices, default=CrimeImportStatus.PENDING
    )
    rows_checked = models.PositiveIntegerField(default=0)
    months_replaced = models.PositiveIntegerField(default=0)
    months_total = models.PositiveIntegerField(default=0)
    error_line = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="The first error: why the file stopped.")
    summary = models.TextField(blank=True, help_text="What a finished import wrote.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Runs started; a worker that died mid-run leaves one more."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CrimeImportStatus.values), name="crime_import_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=CrimeImportStatus.FAILED) | Q(error__gt=""),
                name="crime_import_failure_explained",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def finished(self) -> bool:
        return self.status in (CrimeImportStatus.DONE, CrimeImportStatus.FAILED)

    @property
    def interrupted(self) -> bool:
        """Incomplete, or still marked running although its worker must be dead (the
        sweep has not yet seen it): either way, part of the file may be imported."""
        if self.status == CrimeImportStatus.INCOMPLETE:
            return True
        stale = self.started_at and self.started_at < timezone.now() - self.STALE_AFTER
        return self.status == CrimeImportStatus.RUNNING and bool(stale)

    @property
    def shown_status(self) -> str:
        if self.interrupted:
            return CrimeImportStatus.INCOMPLETE
        return self.status

    def get_shown_status_display(self) -> str:
        return CrimeImportStatus(self.shown_status).label


class CrimeRecord(models.Model):
    """One row of police.uk street-level crime data (or a local extract with an exact date)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="crimes")
    # No index of its own: (area, month, crime_type) below leads with it.
    area = models.ForeignKey(
        "accounts.Area",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="crimes",
        db_index=False,
    )
    crime_id = models.CharField(max_length=64, blank=True)  # blank for anti-social behaviour
    month = models.DateField(help_text="First day of the month of the crime.")
    date = models.DateField(
        null=True, blank=True, help_text="Exact date, from local extracts only."
    )
    reported_by = models.CharField(max_length=100)
    falls_within = models.CharField(max_length=100)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    location = models.CharField(max_length=255, blank=True)
    lsoa_code = models.CharField(max_length=9, blank=True)
    lsoa_name = models.CharField(max_length=100, blank=True)
    crime_type = models.CharField(max_length=60)
    last_outcome = models.CharField(max_length=120, blank=True)
    context = models.TextField(blank=True)

    class Meta:
        ordering = ["-month"]
        indexes = [
            models.Index(fields=["area", "month", "crime_type"]),
            models.Index(fields=["lsoa_code", "month"]),
            # Hotspot ranking counts crimes in a box around each hotspot: its index is a
            # GiST on PostgreSQL, a B-tree on SQLite, so not declared here (migration 0012).
            # Only local weekly extracts have exact dates: these stay small.
            models.Index(fields=["date"], condition=Q(date__isnull=False), name="crime_dated"),
            models.Index(
                fields=["month"], condition=Q(date__isnull=False), name="crime_dated_month"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="crime_coordinates_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.crime_type}, {self.month:%b %Y}"

    def outcomes(self) -> models.QuerySet["CrimeOutcome"]:
        """Outcome events recorded for this crime, in any month (none without a Crime ID)."""
        if not self.crime_id:
            return CrimeOutcome.objects.none()
        return CrimeOutcome.objects.filter(crime_id=self.crime_id).order_by("month", "pk")


class CrimeOutcome(models.Model):
    """One row of a police.uk outcomes file: an outcome event for a crime.

    ``month`` is when the outcome was recorded, which is usually later than the crime's
    month, so outcomes join crimes by ``crime_id`` across all months (never within one).
    Stored apart from ``CrimeRecord.last_outcome``, which stays what the street file said.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="outcomes")
    area = models.ForeignKey(
        "accounts.Area", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    crime_id = models.CharField(max_length=64)
    month = models.DateField(help_text="First day of the month the outcome was recorded.")
    reported_by = models.CharField(max_length=100)
    falls_within = models.CharField(max_length=100)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    location = models.CharField(max_length=255, blank=True)
    lsoa_code = models.CharField(max_length=9, blank=True)
    lsoa_name = models.CharField(max_length=100, blank=True)
    outcome_type = models.CharField(max_length=120)

    class Meta:
        ordering = ["-month"]
        indexes = [
            models.Index(fields=["crime_id"]),
            models.Index(fields=["area", "month"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="outcome_coordinates_both_or_neither",
            ),
            models.CheckConstraint(condition=Q(crime_id__gt=""), name="outcome_names_a_crime"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome_type}, {self.month:%b %Y}"


class ReportKind(models.TextChoices):
    WEEKLY_DEPLOYMENT = "weekly_deployment", "Weekly deployment sheet"
    MONTHLY_TREND = "monthly_trend", "Monthly trend report"
    MONTHLY_TREND_PARTNER = "monthly_trend_partner", "Monthly trend report (partner-safe edition)"


class ReportStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Being built"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class GeneratedReport(models.Model):
    """A PDF built by a Celery job; the page polls ``status``."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=30, choices=ReportKind.choices)
    area = models.ForeignKey("accounts.Area", on_delete=models.PROTECT, related_name="reports")
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    superseded = models.BooleanField(
        default=False, help_text="A newer report covers the same period."
    )
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    # A monthly report's web page (its first page and charts, as HTML), made with its PDF
    # from the same figures, so the page shows what the PDF holds; blanked when withdrawn.
    web_page = models.TextField(blank=True, editable=False)
    last_error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Builds started; a worker that died mid-build leaves one more."
    )
    disclosed = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="The records about people the file holds, as [model label, key] pairs: "
        "each download writes a 'disclosed' audit row for each (DPA 2018 s.62).",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReportKind.values), name="report_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="report_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="report_period_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.FAILED) | Q(last_error__gt=""),
                name="report_failure_explained",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.READY) | ~Q(file=""), name="report_ready_has_file"
            ),
            models.UniqueConstraint(
                fields=["kind", "area", "period_start", "period_end"],
                condition=Q(superseded=False),
                name="report_one_current_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.area}, {self.period_start:%d %b %Y}"

    @property
    def awaited(self) -> bool:
        """Still to be built and not replaced by a newer request: its page keeps asking."""
        return self.status in (ReportStatus.PENDING, ReportStatus.RUNNING) and not self.superseded


class EvidenceStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Being worked out"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class EvidenceRun(models.Model):
    """The Evidence figures of one area, worked out by a Celery job (each night, after
    each crime import, or when the page finds none): the page only reads the newest
    ready one. The result is the ``evaluation.Evidence`` tree as JSON (``stored``)."""

    # A run past the soft limit fails with that reason; the hard limit kills it.
    SOFT_TIME_LIMIT = 10 * 60
    HARD_TIME_LIMIT = SOFT_TIME_LIMIT + 60
    # Running longer than this, the worker is dead (the hard limit would have killed it).
    STALE_AFTER = dt.timedelta(seconds=HARD_TIME_LIMIT + 30)

    # Worked-out figures: nothing is lost with the area, they go with it.
    area = models.ForeignKey(
        "accounts.Area", on_delete=models.CASCADE, related_name="evidence_runs"
    )
    as_of = models.DateField(help_text="With the data up to this day (the day it ran).")
    status = models.CharField(
        max_length=10, choices=EvidenceStatus.choices, default=EvidenceStatus.PENDING
    )
    error = models.TextField(blank=True, help_text="Why it failed, in words; never the data.")
    result = models.JSONField(null=True, blank=True, editable=False)
    result_format = models.PositiveSmallIntegerField(
        default=0, help_text="The shape of the stored result (evaluation.stored.FORMAT)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Runs started; a worker that died mid-run leaves one more."
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["area", "status"], name="evidence_area_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=EvidenceStatus.values), name="evidence_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=EvidenceStatus.FAILED) | Q(error__gt=""),
                name="evidence_failure_explained",
            ),
            models.CheckConstraint(
                condition=~Q(status=EvidenceStatus.READY)
                | Q(result__isnull=False, finished_at__isnull=False),
                name="evidence_ready_has_result",
            ),
            # One request waits per area: asking again while it waits is the same request.
            models.UniqueConstraint(
                fields=["area"],
                condition=Q(status=EvidenceStatus.PENDING),
                name="evidence_one_pending_per_area",
            ),
        ]

    def __str__(self) -> str:
        return f"Evidence for {self.area}, {self.as_of:%d %b %Y}"


class TrialAnalysis(models.Model):
    """A registered trial's result, worked out with its area's Evidence figures (each
    night and after each crime import, ``trial_jobs``); the trial page reads it and says
    when it was worked out. No result: no week of the trial was over yet."""

    trial = models.OneToOneField("patrols.Trial", on_delete=models.CASCADE, related_name="analysis")
    computed_at = models.DateTimeField()
    data_until = models.DateField(null=True, blank=True, help_text="The data runs to this day.")
    result = models.JSONField(null=True, blank=True, editable=False)
    result_format = models.PositiveSmallIntegerField(
        default=0, help_text="The shape of the stored result (evaluation.trial_result.FORMAT)."
    )

    def __str__(self) -> str:
        return f"Result of {self.trial_id}, {self.computed_at:%d %b %Y %H:%M}"


class CrimeFetchStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Fetching"
    IMPORTED = "imported", "Imported"
    NOT_PUBLISHED = "unpublished", "Not yet published: tried again each day"
    ABSENT = "absent", "The force published nothing"
    FAILED = "failed", "Failed"


class CrimeFetch(models.Model):
    """One force-month fetched from data.police.uk by the daily job (reporting.policeuk_fetch):
    one row per force-month, run again until it is imported or the force published nothing."""

    SOFT_TIME_LIMIT = 40 * 60  # a month's archive is large: download, then import
    HARD_TIME_LIMIT = SOFT_TIME_LIMIT + 60
    STALE_AFTER = dt.timedelta(seconds=HARD_TIME_LIMIT + 30)

    force = models.CharField(max_length=100)
    month = models.DateField(help_text="First day of the month fetched.")
    status = models.CharField(
        max_length=11, choices=CrimeFetchStatus.choices, default=CrimeFetchStatus.PENDING
    )
    rows = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text="What was imported, or why not.")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Downloads tried.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "force"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CrimeFetchStatus.values), name="crime_fetch_status_valid"
            ),
            models.UniqueConstraint(fields=["force", "month"], name="crime_fetch_one_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.force}, {self.month:%B %Y}"
