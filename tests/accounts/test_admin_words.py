"""The admin index reads in the administrator's words: plain names for records, a
sentence per section, sections in the order of the work (accounts.admin_words)."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.admin_words import RECORDS, SECTIONS

pytestmark = pytest.mark.django_db

CODE_LIKE = ("Api tokens", "Return drafts", "Import batches", "Possible duplicates", "Records<")


@pytest.fixture
def index(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response


def test_the_index_names_records_in_plain_words(index):
    html = index.content.decode()
    for words in (
        "Ephedra&#x27;s records",
        "API keys for connected systems",
        "Work returns not yet submitted",
        "Crime data uploads",
        "People who may be recorded twice",
        "Users and areas",
    ):
        assert words in html
    for words in CODE_LIKE:
        assert words not in html


def test_each_section_says_what_it_holds_in_the_order_of_the_work(index):
    sections = [app["app_label"] for app in index.context["app_list"]]
    assert sections == list(SECTIONS)
    html = index.content.decode()
    assert html.count("data-section-description") == len(SECTIONS)
    assert "The agencies police refer people to" in html


def test_a_sergeant_sees_the_same_words(client, sergeant):
    client.force_login(sergeant)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Work returns not yet submitted" in html
    assert "Return drafts" not in html


def test_the_side_navigation_stays_a_bare_list(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("admin:accounts_area_changelist")).content.decode()
    assert "Areas (boroughs)" in html
    assert "data-section-description" not in html


def test_every_plain_name_is_for_a_record_in_the_admin():
    registered = {f"{m._meta.app_label}.{m.__name__}" for m in admin.site._registry}
    assert set(RECORDS) <= registered, "a plain name for a record the admin does not show"
    assert set(SECTIONS) == {label.split(".")[0] for label in registered}
    assert all(re.fullmatch(r"[A-Z].+", name) for name in RECORDS.values())
