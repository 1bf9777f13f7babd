"""core.permissions: the one registry every app's RULES join, and the one view mixin.

How a refusal looks is decided once: partner users get 404 (police pages must not seem to
exist), police users without the right 403, visitors who are not signed in go to sign in
(the whole page, for an htmx fragment request).
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.views import View

from core import permissions
from core.permissions import PermissionRequiredMixin, has_permission, register

pytestmark = pytest.mark.django_db


class SupervisorsOnly(PermissionRequiredMixin, View):
    permission_required = "patrols.plan"  # sergeants and the project lead

    def get(self, request):
        return HttpResponse("planned")


def call(user, htmx: bool = False):
    request = RequestFactory().get("/plan/")
    request.user = user
    request.htmx = htmx
    return SupervisorsOnly.as_view()(request)


def test_a_holder_of_the_right_gets_the_page(sergeant):
    assert call(sergeant).content == b"planned"


def test_police_without_the_right_get_403(pc):
    with pytest.raises(PermissionDenied):
        call(pc)


def test_partner_users_get_404_not_403(partner_a):
    with pytest.raises(Http404):
        call(partner_a)


def test_a_partner_right_lets_partners_in_and_police_get_403(partner_a, sergeant):
    class Portal(SupervisorsOnly):
        permission_required = "referrals.portal"

    request = RequestFactory().get("/portal/")
    request.user = partner_a
    assert Portal.as_view()(request).status_code == 200
    request.user = sergeant
    with pytest.raises(PermissionDenied):
        Portal.as_view()(request)


def test_visitors_are_sent_to_sign_in():
    response = call(AnonymousUser())
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/?next=")


def test_an_htmx_request_sends_the_whole_page_to_sign_in():
    response = call(AnonymousUser(), htmx=True)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/sign-in/?next=")


def test_an_inactive_user_holds_no_right(sergeant):
    sergeant.is_active = False
    assert not has_permission(sergeant, "patrols.plan")


def test_every_app_registers_its_rules():
    for right in ("patrols.plan", "referrals.portal", "reporting.reports", "partners.view"):
        assert permissions.roles_with(right)
    assert permissions.roles_with("governance.audit_log")  # dataprotection's


def test_an_unknown_right_is_an_error_not_a_refusal(sergeant):
    with pytest.raises(KeyError):
        has_permission(sergeant, "patrols.plann")


def test_a_view_without_a_right_is_refused_loudly(sergeant):
    class Forgotten(SupervisorsOnly):
        permission_required = ""

    request = RequestFactory().get("/")
    request.user = sergeant
    with pytest.raises(ImproperlyConfigured):
        Forgotten.as_view()(request)


def test_one_right_cannot_be_declared_twice_differently():
    with pytest.raises(ImproperlyConfigured):
        register({"patrols.plan": frozenset({"pc"})})
    register({"patrols.plan": permissions.roles_with("patrols.plan")})  # the same: fine
