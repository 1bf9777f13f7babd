from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import can_use_admin
from patrols.views.home import pc_home, supervisor_home
from referrals.views.portal import partner_home


@require_GET
@login_required
def home(request):
    """Each role starts somewhere different."""
    if request.user.role in (Role.PROJECT_LEAD, Role.SERGEANT):
        return supervisor_home(request)
    if request.user.role == Role.PC:
        return pc_home(request)
    if request.user.role == Role.PARTNER:
        return partner_home(request)
    return render(request, "home.html", {"can_use_admin": can_use_admin(request.user)})


@require_GET
@transaction.non_atomic_requests
def floor(request):
    """Liveness check, and the floor of the stack for `make bench`: one trivial query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")
