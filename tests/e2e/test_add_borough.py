"""Add a borough, as the system administrator would (issue 20, item 1): the menu, the
example Lewisham file uploaded, the preview, "Create borough", and the new borough's page;
and a pasted list with a bad line, reported by its number."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Area

from .conftest import check_accessibility, check_phone_layout, sign_in

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "lewisham-wards.csv"


def test_the_administrator_adds_lewisham_from_the_example_file(
    page: Page, admin_user, project_lead
):
    sign_in(page, admin_user)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Add a borough").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a borough")
    check_accessibility(page, "borough-new")
    check_phone_layout(page, "borough-new")

    page.get_by_label("Borough name").fill("Lewisham")
    page.get_by_label("ONS local authority code").fill("E09000023")
    page.get_by_label("Or upload the wards as a CSV file").set_input_files(EXAMPLE)
    lead = page.get_by_label(project_lead.get_full_name(), exact=False)
    expect(lead).to_be_checked()  # every active project lead, by default
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check before you create Lewisham")
    expect(page.locator("[data-wards] tbody tr")).to_have_count(19)
    expect(page.locator("[data-geography]")).to_contain_text(
        "No LSOA geography ships for E09000023"
    )
    check_accessibility(page, "borough-preview")
    check_phone_layout(page, "borough-preview")
    page.get_by_role("button", name="Create borough").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Lewisham added, with 19 wards."
    )
    expect(page.locator("[data-wards]")).to_contain_text("Telegraph Hill")
    check_accessibility(page, "borough-created")
    area = Area.objects.get(code="E09000023")
    assert area.wards.count() == 19
    assert project_lead in area.users.all()


def test_a_pasted_bad_line_is_reported_by_its_number(page: Page, admin_user):
    sign_in(page, admin_user)
    page.goto("/boroughs/new/")
    page.get_by_label("Borough name").fill("Lewisham")
    page.get_by_label("ONS local authority code").fill("E09000023")
    page.get_by_label("Wards", exact=True).fill("E05013720,Bellingham\nE0501372,Blackheath")
    page.get_by_role("button", name="Continue").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text('Line 2: the ward code is "E0501372"')
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Wards", exact=True)).to_be_focused()
    check_accessibility(page, "borough-new-error")
    assert not Area.objects.filter(code="E09000023").exists()
