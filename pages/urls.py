"""The home page and the liveness check."""

from django.urls import path

from accounts.models import Role
from patrols.views.home import pc_home, supervisor_home
from referrals.views.caseload import partner_home

from . import views

HOMES = {
    Role.PROJECT_LEAD: supervisor_home,
    Role.SERGEANT: supervisor_home,
    Role.PC: pc_home,
    Role.PARTNER: partner_home,
}

urlpatterns = [
    path("", views.role_home(HOMES), name="home"),
    path("-/floor/", views.floor, name="floor"),
]
