"""Reads of partner agencies and their services."""

from django.db.models import QuerySet

from accounts.models import Role, User

from .models import AgencyService, PartnerAgency


def agencies_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """Agencies are the operation's directory: every police user and administrator may
    read it (partner users never reach these reads: the admin and police pages 404)."""
    return PartnerAgency.objects.all() if queryset is None else queryset


def agency_services_for(user, queryset: QuerySet | None = None) -> QuerySet:
    return AgencyService.objects.all() if queryset is None else queryset


def partner_users() -> QuerySet:
    """Users who may be an agency's named contact (the model checks it is their agency)."""
    return User.objects.filter(role=Role.PARTNER, is_active=True)
