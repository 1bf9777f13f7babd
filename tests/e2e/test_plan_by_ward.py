"""Planning knows its ward: once Kennington is chosen, Brixton's hotspots and local PCs
are not offered (a button shows them again), on a phone-sized page."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import Role
from tests.e2e.conftest import sign_in
from tests.factories import HotspotFactory, OfficerFactory, WardFactory

pytestmark = pytest.mark.e2e


def test_a_kennington_patrol_is_not_offered_brixtons_hotspots(page: Page, area, sergeant):
    kennington = WardFactory(area=area, name="Kennington")
    brixton = WardFactory(area=area, name="Brixton North")
    HotspotFactory(ward=kennington, name="Oval service road")
    HotspotFactory(ward=brixton, name="Railway arches")
    local = {"role": Role.PC, "areas": [area], "profile__ephedra_trained_on": None}
    OfficerFactory(first_name="Kenn", last_name="Local", profile__home_ward=kennington, **local)
    OfficerFactory(first_name="Brix", last_name="Local", profile__home_ward=brixton, **local)
    sign_in(page, sergeant)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(reverse("patrols:create"))
    # Before a ward is chosen, every ward's are offered.
    expect(page.get_by_label("Railway arches", exact=False)).to_be_visible()

    page.get_by_label("Ward").select_option(str(kennington.pk))

    expect(page.get_by_label("Oval service road", exact=False)).to_be_visible()
    expect(page.get_by_label("Railway arches", exact=False)).to_be_hidden()
    expect(page.get_by_label("Kenn Local", exact=False)).to_be_visible()
    expect(page.get_by_label("Brix Local", exact=False)).to_be_hidden()
    page.get_by_role("button", name="Show 1 more from other wards").first.click()
    expect(page.get_by_label("Railway arches", exact=False)).to_be_visible()
