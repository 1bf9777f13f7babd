"""Finding a person (issue 16, item 3) as a PC on a 360 px phone: the People page searches
by working name and description; on the work return, "Someone already known" is a
type-ahead (GOV.UK's accessible autocomplete over the same <select>), and a new person who
looks like someone known is questioned before she is saved."""

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from patrols.models import Encounter
from referrals.models import AgeBand

from ..factories import OfficerFactory, PersonFactory, WardFactory
from ..patrols.test_return_views import crewed_patrol
from .conftest import check_accessibility, check_phone_layout, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def known(area):
    return {
        name: PersonFactory(area=area, working_name=name, description=description, age_band=age)
        for name, description, age in [
            ("Jade Testname", "Red coat", AgeBand.AGE_25_34),
            ("Mia Testname", "Blue scarf", AgeBand.AGE_18_24),
        ]
    }


@pytest.fixture
def deployed(area, pc):
    ward = WardFactory(area=area)
    local_pc = OfficerFactory(role=Role.PC, areas=[area], profile__home_ward=ward)
    return crewed_patrol(ward, pc, local_pc)


def test_a_pc_finds_a_person_on_a_phone(page: Page, pc, known):
    sign_in(page, pc)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a person")
    page.get_by_label("Working name or description").fill("red coat")
    page.get_by_role("button", name="Search").click()
    table = page.get_by_role("table", name="People matching your search (1)")
    expect(table).to_contain_text("Jade Testname")
    expect(table).not_to_contain_text("Mia Testname")
    check_accessibility(page, "person-search")
    check_phone_layout(page, "person-search")
    table.get_by_role("link", name="Jade Testname").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jade Testname")


def test_someone_known_is_picked_by_typing(page: Page, pc, known, deployed):
    patrol = deployed
    sign_in(page, pc)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"/patrols/{patrol.uuid}/return/")

    picker = page.get_by_role("combobox", name="Someone already known")
    picker.fill("mia")
    page.get_by_role("option", name="Mia Testname – Blue scarf").click()
    expect(page.locator("#id_encounters-0-person-select")).to_have_value(
        str(known["Mia Testname"].pk)
    )
    page.get_by_label("Time", exact=True).first.fill("22:00")
    page.get_by_label("Heavy rain").check()
    check_accessibility(page, "return-type-ahead")
    check_phone_layout(page, "return-type-ahead")
    page.get_by_role("button", name="Submit the return").click()
    expect(page.get_by_role("heading", name="Work return submitted")).to_be_visible()
    assert Encounter.objects.get(patrol=patrol).person == known["Mia Testname"]


def test_a_new_person_like_someone_known_is_questioned(page: Page, pc, known, deployed):
    patrol = deployed
    sign_in(page, pc)
    page.goto(f"/patrols/{patrol.uuid}/return/")

    page.get_by_label("Or a new person’s working name").fill("jade testname")
    page.get_by_label("Time", exact=True).first.fill("22:00")
    page.get_by_label("Heavy rain").check()
    page.get_by_role("button", name="Submit the return").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Encounter 1: Already known in Lambeth: Jade Testname – Red coat."
    )
    page.get_by_label("She is someone new, not anyone already known").check()
    page.get_by_role("button", name="Submit the return").click()
    expect(page.get_by_role("heading", name="Work return submitted")).to_be_visible()
