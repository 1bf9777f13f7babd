from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.permissions import can_use_admin


@require_GET
@login_required
def home(request):
    return render(request, "home.html", {"can_use_admin": can_use_admin(request.user)})
