from django.contrib import admin

from accounts.admin_base import RoleInline, RoleModelAdmin

from . import selectors
from .models import AgencyService, PartnerAgency


class AgencyServiceInline(RoleInline):
    model = AgencyService
    scope = staticmethod(selectors.agency_services_for)


@admin.register(PartnerAgency)
class PartnerAgencyAdmin(RoleModelAdmin):
    scope = staticmethod(selectors.agencies_for)
    list_display = ["name", "kind", "active", "sharing_agreement_from", "sharing_agreement_until"]
    list_filter = ["kind", "active", "areas", "services__service"]
    search_fields = ["name"]
    filter_horizontal = ["areas"]
    inlines = [AgencyServiceInline]
