from django.contrib import admin

from ephedra.admin import RoleInline, RoleModelAdmin

from .models import AgencyService, PartnerAgency


class AgencyServiceInline(RoleInline):
    model = AgencyService


@admin.register(PartnerAgency)
class PartnerAgencyAdmin(RoleModelAdmin):
    list_display = ["name", "kind", "active", "sharing_agreement_from", "sharing_agreement_until"]
    list_filter = ["kind", "active", "areas", "services__service"]
    search_fields = ["name"]
    filter_horizontal = ["areas"]
    inlines = [AgencyServiceInline]
