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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "contact_user":  # partner users only; clean() checks the agency
            kwargs["queryset"] = selectors.partner_users()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
