"""Before personal data leaves the system (report downloads, the weekly sheet PDF), a user
who has not typed their password for 15 minutes confirms it is them."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.views import View

from accounts.middleware import REAUTHENTICATED_AT
from accounts.reauth import RecentAuthenticationRequiredMixin, recent_authentication_required
from reporting.models import GeneratedReport, ReportKind, ReportStatus

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"  # tests/factories.py


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def report(area):
    report = GeneratedReport(
        kind=ReportKind.MONTHLY_TREND,
        area=area,
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 10, 31),
        status=ReportStatus.READY,
    )
    report.file.save("monthly.pdf", ContentFile(b"%PDF-1.4 reauth test"), save=False)
    report.save()
    return report


def password_typed_ago(client, ago: dt.timedelta) -> None:
    session = client.session
    session[REAUTHENTICATED_AT] -= ago.total_seconds()
    session.save()


def test_download_right_after_sign_in_needs_no_password(client, project_lead, report):
    client.force_login(project_lead)
    response = client.get(reverse("reporting:report_download", args=[report.uuid]))
    assert response.status_code == 200


def test_download_later_asks_for_the_password_then_comes_back(client, project_lead, report):
    download = reverse("reporting:report_download", args=[report.uuid])
    client.force_login(project_lead)
    password_typed_ago(client, settings.REAUTHENTICATE_AFTER + dt.timedelta(seconds=1))

    response = client.get(download)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:confirm_identity"))
    page = client.get(response.url)
    assert "Confirm it is you" in page.content.decode()

    wrong = client.post(response.url, {"password": "not it", "next": download})
    assert wrong.status_code == 200
    assert "The password is not right" in wrong.content.decode()
    assert client.get(download).status_code == 302  # still not confirmed

    right = client.post(response.url, {"password": PASSWORD, "next": download})
    assert right.status_code == 302
    assert right.url == download
    assert client.get(download).status_code == 200


def test_empty_password_re_renders_with_the_error(client, pc):
    client.force_login(pc)
    response = client.post(reverse("accounts:confirm_identity"), {"password": ""})
    assert response.status_code == 200
    assert "Enter your password" in response.content.decode()


def test_confirming_never_follows_an_unsafe_next(client, pc):
    client.force_login(pc)
    response = client.post(
        reverse("accounts:confirm_identity"),
        {"password": PASSWORD, "next": "//evil.example/steal"},
    )
    assert response.url == reverse("home")


def test_outsiders_still_get_404_not_a_password_page(client, partner_a, report):
    client.force_login(partner_a)
    password_typed_ago(client, dt.timedelta(hours=1))
    response = client.get(reverse("reporting:report_download", args=[report.uuid]))
    assert response.status_code == 404


def test_weekly_sheet_pdf_asks_but_the_page_does_not(client, sergeant, area):
    client.force_login(sergeant)
    password_typed_ago(client, dt.timedelta(hours=1))
    sheet = f"{reverse('reporting:weekly_sheet')}?area={area.pk}&week=2025-03-03"
    assert client.get(sheet).status_code == 200
    response = client.get(f"{sheet}&download=1")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:confirm_identity"))


def _stale_request(user):
    request = RequestFactory().get("/export/")
    request.user = user
    request.session = {REAUTHENTICATED_AT: 0}
    return request


def test_decorator_and_mixin_guard_any_view(pc):
    @recent_authentication_required
    def export(request):
        return HttpResponse("data")

    class ExportView(RecentAuthenticationRequiredMixin, View):
        def get(self, request):
            return HttpResponse("data")

    for view in (export, ExportView.as_view()):
        response = view(_stale_request(pc))
        assert response.status_code == 302
        assert response.url == reverse("accounts:confirm_identity") + "?next=%2Fexport%2F"
