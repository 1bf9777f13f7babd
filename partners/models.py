"""The agencies the police work with, and what each offers."""

import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q


class ServiceType(models.TextChoices):
    """A service a woman (or, for the diversion course, a cautioned man) can be referred to."""

    MEDICAL = "medical", "Medical"
    HOUSING = "housing", "Housing and homelessness"
    DRUGS_ALCOHOL = "drugs_alcohol", "Drugs and alcohol"
    SEXUAL_HEALTH = "sexual_health", "Sexual-health screening"
    MENTAL_HEALTH = "mental_health", "Mental health"
    VAWG_OUTREACH = "vawg_outreach", "VAWG outreach"
    EXIT_SUPPORT = "exit_support", "Support to exit"
    DIVERSION_COURSE = "diversion_course", "Diversion course"


class AgencyKind(models.TextChoices):
    CHARITY = "charity", "Charity"
    HEALTH = "health", "NHS / health"
    HOUSING = "housing", "Local authority / housing"
    DRUGS_OUTREACH = "drugs_outreach", "Drug and alcohol outreach"
    VAWG_OUTREACH = "vawg_outreach", "VAWG outreach"
    DIVERSION_PROVIDER = "diversion_provider", "Diversion-course provider"
    FOOD_PROVIDER = "food_provider", "Food provider"


class PartnerAgencyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def offering(self, service: str):
        return self.filter(services__service=service)


class PartnerAgency(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    areas = models.ManyToManyField("accounts.Area", blank=True, related_name="agencies")
    active = models.BooleanField(default=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    # The agency's named contact: told in the app and by e-mail when a referral passes a
    # deadline (referrals.services.escalation); without one, every active user of the agency.
    contact_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agency's named contact for overdue referrals: one of its own users.",
    )
    # Deadlines the agency has agreed with the operation, in working days (Mon-Fri, less
    # England and Wales bank holidays: core.working_days) from when a referral reached it.
    receive_within_days = models.PositiveSmallIntegerField(
        "mark a referral received within (working days)",
        default=2,
        validators=[MaxValueValidator(30)],
    )
    contact_within_days = models.PositiveSmallIntegerField(
        "first contact within (working days)",
        default=5,
        validators=[MaxValueValidator(60)],
    )
    sharing_agreement_from = models.DateField(
        "information-sharing agreement from", null=True, blank=True
    )
    sharing_agreement_until = models.DateField(
        "information-sharing agreement until", null=True, blank=True
    )
    # The django-guardian group through which this agency's users get object access.
    group = models.OneToOneField(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="agency",
    )

    objects = PartnerAgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "partner agencies"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AgencyKind.values), name="agency_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(sharing_agreement_until__isnull=True)
                | Q(sharing_agreement_from__isnull=True)
                | Q(sharing_agreement_until__gte=F("sharing_agreement_from")),
                name="agency_agreement_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(receive_within_days__gte=1)
                & Q(contact_within_days__gte=F("receive_within_days")),
                name="agency_deadlines_in_order",
                violation_error_message="First contact cannot be due before the referral "
                "is due to be received.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.group_id is None:
            self.group, _ = Group.objects.get_or_create(name=f"agency:{self.uuid}")
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        contact = self.contact_user
        if contact is not None and (self.pk is None or contact.agency_id != self.pk):
            raise ValidationError({"contact_user": "Choose one of the agency's own users."})

    def offers(self, service: str) -> bool:
        return self.services.filter(service=service).exists()


class AgencyService(models.Model):
    """One service an agency offers; a referral may only ask an agency for what it offers."""

    agency = models.ForeignKey(PartnerAgency, on_delete=models.CASCADE, related_name="services")
    service = models.CharField(max_length=30, choices=ServiceType.choices)

    class Meta:
        ordering = ["agency", "service"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "service"], name="agency_service_unique"),
            models.CheckConstraint(
                condition=Q(service__in=ServiceType.values), name="agency_service_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.get_service_display()
