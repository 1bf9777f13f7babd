"""The week view on a 1280 px screen (issue 16, item 6): the seven days side by side, each
patrol with who is on it."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from patrols.models import OfficerRole, PatrolOfficer

from ..factories import OfficerFactory, PatrolFactory, WardFactory
from .conftest import check_accessibility, sign_in

pytestmark = pytest.mark.e2e


def test_the_week_fits_a_1280_px_screen_and_names_the_crew(page: Page, area, sergeant):
    ward = WardFactory(area=area, name="Brixton North")
    tonight = timezone.localtime().replace(hour=20, minute=0, second=0, microsecond=0)
    patrol = PatrolFactory(ward=ward, starts_at=tonight, ends_at=tonight + dt.timedelta(hours=8))
    officer = OfficerFactory(role=Role.PC, areas=[area], first_name="Crew", last_name="Member")
    PatrolOfficer.objects.create(patrol=patrol, officer=officer, role=OfficerRole.EPHEDRA_PC)
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, sergeant)

    page.goto("/patrols/week/")

    days = page.locator(".app-week__day")
    expect(days).to_have_count(7)
    tops = {round(box["y"]) for box in (days.nth(n).bounding_box() for n in range(7))}
    assert len(tops) == 1, "the seven days sit on one row"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    expect(page.locator(".app-week__crew")).to_contain_text("Crew Member")
    check_accessibility(page, "week-1280")
