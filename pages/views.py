"""Pages that span apps: the home page (each role starts somewhere different) and the
liveness check. The role's own home views come from their apps, wired in ``pages.urls``
(only a urls module may import views)."""

from collections.abc import Callable, Mapping

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.permissions import can_use_admin


def role_home(homes: Mapping[str, Callable]) -> Callable:
    """The home view: the role's own home page from ``homes``, else the plain one."""

    @require_GET
    @login_required
    def home(request):
        view = homes.get(request.user.role)
        if view is not None:
            return view(request)
        return render(request, "home.html", {"can_use_admin": can_use_admin(request.user)})

    return home


@require_GET
@transaction.non_atomic_requests
def floor(request):
    """Liveness check, and the floor of the stack for `make bench`: one trivial query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")
