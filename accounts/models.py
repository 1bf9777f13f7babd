"""Who uses Ephedra and where they work: areas (boroughs), wards, users and officers."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from . import backup_codes


class Area(models.Model):
    """A borough running the operation (Lambeth, Southwark, ...)."""

    name = models.CharField(max_length=100, unique=True)
    code = models.CharField("ONS local authority code", max_length=9, unique=True)
    overtime_threshold_hours = models.PositiveSmallIntegerField(
        default=48,
        help_text="Extended-shift hours per officer per month above which planning warns.",
    )
    separate_approver = models.BooleanField(
        "Approver must not be the author",
        default=True,
        help_text="A patrol's risk assessment is approved by someone other than its author.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Ward(models.Model):
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="wards")
    name = models.CharField(max_length=100)
    code = models.CharField("ONS ward code", max_length=9, blank=True)

    class Meta:
        ordering = ["area__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="ward_name_unique_in_area"),
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="ward_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


def display_name(first_name: str, last_name: str, username: str) -> str:
    """How pages name a user (``User.__str__``): the full name, else the username. From the
    three fields alone, so a list reading names as values builds no User per row."""
    return f"{first_name} {last_name}".strip() or username


class Role(models.TextChoices):
    PROJECT_LEAD = "project_lead", "Project lead"
    SERGEANT = "sergeant", "Ward sergeant"
    PC = "pc", "Police constable"
    PARTNER = "partner", "Partner agency user"
    ADMIN = "admin", "System administrator"


POLICE_ROLES = (Role.PROJECT_LEAD, Role.SERGEANT, Role.PC)


class EphedraUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: a police officer, a partner agency's worker or an administrator.

    ``is_staff`` follows the role (everyone but partner users may open the admin, where
    each role's rights are decided in ``accounts.permissions``); the database refuses a
    partner user without exactly one agency, or with staff or superuser rights.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        "partners.PartnerAgency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="Partner users only: the one agency they work for.",
    )
    areas = models.ManyToManyField(
        Area, blank=True, related_name="users", help_text="Police users: the areas they work in."
    )
    phone = models.CharField(max_length=30, blank=True)
    sessions_valid_after = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Sessions signed in before this moment are ended ('sign out everywhere').",
    )

    objects = EphedraUserManager()

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            models.CheckConstraint(
                condition=(Q(role=Role.PARTNER) & Q(agency__isnull=False))
                | (~Q(role=Role.PARTNER) & Q(agency__isnull=True)),
                name="user_agency_iff_partner",
                violation_error_message="A partner user belongs to exactly one agency; "
                "police and administrators belong to none.",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.PARTNER) | Q(is_staff=False, is_superuser=False),
                name="user_partner_never_staff",
            ),
            models.CheckConstraint(
                condition=Q(is_superuser=False) | Q(role=Role.ADMIN), name="user_superuser_is_admin"
            ),
        ]

    def __str__(self) -> str:
        return display_name(self.first_name, self.last_name, self.username)

    def clean(self):
        super().clean()
        self.is_staff = self.role != Role.PARTNER
        if self.role == Role.PARTNER and self.agency_id is None:
            raise ValidationError({"agency": "Choose the agency this partner user works for."})
        if self.role != Role.PARTNER and self.agency_id is not None:
            raise ValidationError({"agency": "Only partner users belong to an agency."})
        if self.is_superuser and self.role != Role.ADMIN:
            raise ValidationError(
                {"is_superuser": "Only a system administrator can be a superuser."}
            )

    def save(self, *args, **kwargs):
        self.is_staff = self.role != Role.PARTNER
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "role" in update_fields:
            kwargs["update_fields"] = {*update_fields, "is_staff"}
        with transaction.atomic():
            tokens_lost_because = self._tokens_lost_because(update_fields)
            super().save(*args, **kwargs)
            if update_fields is None or {"role", "agency"} & set(update_fields):
                self._join_agency_group()
            if tokens_lost_because:
                from .services import revoke_tokens  # services import this module

                revoke_tokens(self, tokens_lost_because)

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_removed = True

    def _tokens_lost_because(self, update_fields) -> str | None:
        """Why this save ends the user's API tokens, if it does: the password is replaced
        or removed, or the account is deactivated. Checked here, on every save, because
        the admin's user and password forms (and any code) save the model directly.

        A new password is what Django itself calls a change (``_password`` is set by
        ``set_password`` and read by ``password_validation.password_changed``); a hash
        upgraded at sign-in is no change and clears it. Only the save of an inactive
        user reads the stored row (locked), to see whether it was active until now.
        """
        from .services import DEACTIVATED, PASSWORD_CHANGED

        if self._state.adding:
            return None
        saved = set(update_fields) if update_fields is not None else None
        replaced = self._password is not None or getattr(self, "_password_removed", False)
        if replaced and (saved is None or "password" in saved):
            self._password_removed = False
            return PASSWORD_CHANGED
        if self.is_active or (saved is not None and "is_active" not in saved):
            return None
        was_active = User.objects.select_for_update().filter(pk=self.pk, is_active=True)
        return DEACTIVATED if was_active.exists() else None

    def _join_agency_group(self) -> None:
        """A partner user is in exactly their agency's group, through which django-guardian
        grants them what was shared with the agency; anyone else is in no agency's group."""
        agency_groups = Group.objects.filter(agency__isnull=False)
        self.groups.remove(*agency_groups.exclude(agency__pk=self.agency_id))
        if self.agency_id is not None:
            self.groups.add(self.agency.group)

    @property
    def is_police(self) -> bool:
        return self.role in POLICE_ROLES

    @property
    def is_partner(self) -> bool:
        return self.role == Role.PARTNER


class OfficerProfile(models.Model):
    """What the operation needs to know about a police officer."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="officer_profile")
    collar_number = models.CharField(max_length=20, unique=True)
    home_ward = models.ForeignKey(
        Ward, on_delete=models.PROTECT, null=True, blank=True, related_name="officers"
    )
    ephedra_trained_on = models.DateField(
        null=True,
        blank=True,
        help_text="Date of the in-house Ephedra training; blank if untrained.",
    )
    ephedra_trainer = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["collar_number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ephedra_trainer__isnull=True) | Q(ephedra_trained_on__isnull=False),
                name="officer_trainer_needs_training_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.collar_number} {self.user}"

    @property
    def is_ephedra_trained(self) -> bool:
        return self.ephedra_trained_on is not None


class TrainingSession(models.Model):
    """An Ephedra training session: those who attend become Ephedra-trained (their
    profile's date is the first session they attended)."""

    held_on = models.DateField()
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="training_sessions")
    trainer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    attendees = models.ManyToManyField(User, related_name="training_sessions")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"Ephedra training, {self.area}, {self.held_on:%-d %b %Y}"


class Notification(models.Model):
    """A message in a user's in-app inbox (also sent by e-mail). Never holds personal
    data beyond what its recipient may already see; the subject line holds none."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The e-mail is sent by a Celery job, not the request: owed until sent (or given up
    # after a few failures). A sender claims it first, so the job and the sweep never
    # both send it; a claim older than a few minutes belongs to a sender that died.
    email_pending = models.BooleanField(default=False)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(
                fields=["created_at"],
                condition=models.Q(email_pending=True),
                name="notification_email_owed",
            ),
        ]

    def __str__(self) -> str:
        return self.message


def token_expiry():
    """When a token made now stops working: API_TOKEN_DAYS from now."""
    return timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        """The tokens that work: neither revoked nor past their expiry."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A named, revocable credential for the REST API, belonging to one user.

    Only a SHA-256 hash of the secret is stored; the whole token is shown once, when it is
    made. ``prefix`` (not secret) finds the row and lets the owner tell tokens apart.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Every token expires (ASVS: no credential lives for ever); a token made before
    # expiry existed got API_TOKEN_DAYS from the migration that added it.
    expires_at = models.DateTimeField(default=token_expiry, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def works(self) -> bool:
        """The same test as ``ApiToken.objects.active()``, for a token in hand."""
        return self.revoked_at is None and not self.expired


class BackupCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A user's one-time backup codes, as a django-otp device (so ``django_otp.login``,
    ``devices_for_user`` and the throttling work as for the app). Unlike django-otp's
    ``StaticDevice`` it stores no code in clear: only keyed hashes (``BackupCode``)."""

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        """django-otp's contract: refuse while throttled, spend a matching code, count a
        wrong one. Call inside a transaction with the device locked (``for_verify``)."""
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        stored = list(self.codes.values_list("pk", "digest"))
        match = backup_codes.matching(self.pk, str(token), stored)
        if match is None:
            self.throttle_increment()
            return False
        self.codes.filter(pk=match).delete()
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


class BackupCode(models.Model):
    """One unused backup code: ``HMAC-SHA256(SECRET_KEY, device:code)``, never the code."""

    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, editable=False)

    def __str__(self) -> str:
        return "backup code"
