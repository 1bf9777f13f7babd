"""What each row of the partner caseload shows beyond a field (the view's CaseRow and the
filters of referrals.templatetags.referral_tags): the status tag's colour for every
status, written out by the rows as the status partials write it; days written as the date
filter writes them; the names of the service and the status; the local day of arrival."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from partners.models import ServiceType
from referrals.models import Referral, ReferralStatus
from referrals.templatetags.referral_tags import day, referral_tag_class
from referrals.views.caseload import CaseRow, case_row
from tests.referrals.test_portal_views import refer, walk_to

S = ReferralStatus
COLOURS = {
    S.MADE: "govuk-tag--blue",
    S.RECEIVED: "govuk-tag--light-blue",
    S.CONTACTED: "govuk-tag--purple",
    S.ENGAGED: "govuk-tag--turquoise",
    S.CLOSED: "govuk-tag--green",
    S.DECLINED: "govuk-tag--red",
    S.WITHDRAWN: "govuk-tag--grey",
}


@pytest.mark.parametrize("status", S)
def test_each_status_has_its_tag_colour(status):
    assert referral_tag_class(status) == COLOURS[status]
    assert referral_tag_class(status.value) == COLOURS[status]


def test_a_status_not_known_is_grey():
    assert referral_tag_class("") == "govuk-tag--grey"


@pytest.mark.django_db
@pytest.mark.parametrize("status", S)
def test_the_rows_and_both_status_partials_write_the_same_tag(
    status, client, partner_a, agency_a, pc
):
    referral = refer(agency_a, pc)
    if status == S.WITHDRAWN:  # not on the partner's path: set directly
        Referral.objects.filter(pk=referral.pk).update(status=status)
        referral.refresh_from_db()
    else:
        walk_to(referral, status, partner_a)
    tag = f'<strong class="govuk-tag {COLOURS[status]}">{status.label}</strong>\n'
    client.force_login(partner_a)

    page = client.get(reverse("referrals:partner_home")).content.decode()
    portal = render_to_string(
        "referrals/portal/_status_tag.html", {"status": status.value, "label": status.label}
    )
    police = render_to_string("referrals/police/_status_tag.html", {"referral": referral})

    assert f'data-label="Status">{tag}</td>' in page
    assert portal == tag
    assert police == tag


DAYS = [dt.date(2026, month, day) for month in range(1, 13) for day in (1, 9, 28)]


@pytest.mark.parametrize("value", [*DAYS, dt.date(987, 3, 4), dt.date(2024, 2, 29)])
def test_day_writes_a_date_as_the_date_filter_does(value):
    assert day(value) == date_filter(value, "j M Y")


def test_day_names_the_month_in_the_language_in_use():
    with translation.override("fr"):
        assert day(dt.date(2026, 2, 3)) == date_filter(dt.date(2026, 2, 3), "j M Y")
        assert day(dt.date(2026, 2, 3)) != "3 Feb 2026"


def row_for(**fields) -> CaseRow:
    referral = Referral(service=ServiceType.EXIT_SUPPORT, status=S.CLOSED)
    for name, value in fields.items():
        setattr(referral, name, value)
    return CaseRow(referral, dt.date(2026, 1, 1), 0, None, False, "")


@pytest.mark.parametrize("service", ServiceType)
def test_a_row_names_its_service_as_the_model_does(service):
    row = row_for(service=service.value)
    assert row.service_name == row.referral.get_service_display() == service.label


@pytest.mark.parametrize("status", S)
def test_a_row_names_its_status_as_the_model_does(status):
    row = row_for(status=status.value)
    assert row.status_name == row.referral.get_status_display() == status.label


def test_a_row_arrived_on_its_local_day():
    """Late in a summer evening in UTC is the next morning in London."""
    late = dt.datetime(2026, 6, 1, 23, 30, tzinfo=dt.UTC)
    referral = SimpleNamespace(referred_at=late, status=S.CLOSED, uuid=None)

    row = case_row(referral, None, None, dt.date(2026, 6, 12), link=str)

    assert row.arrived_on == dt.date(2026, 6, 2)
    assert row.age_days == 10


@pytest.mark.django_db
def test_each_row_links_to_its_referral(client, partner_a, agency_a, pc):
    referrals = [refer(agency_a, pc) for _ in range(3)]
    client.force_login(partner_a)

    response = client.get(reverse("referrals:partner_home"))

    links = {row.referral.pk: row.url for row in response.context["rows"]}
    assert links == {
        referral.pk: reverse("referrals:partner_detail", args=[referral.uuid])
        for referral in referrals
    }
    for url in links.values():
        assert f'href="{url}"' in response.content.decode()
