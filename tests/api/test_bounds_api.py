# ruff: noqa: F811 - the patrol fixtures are imported from test_api_patrols, then requested
"""The API's bounds: every date it takes is in the plausible range (core.dates), every
body is bounded in size and depth (core.api_parsers), and every error under /api/ —
a bug's 500 included — is JSON in the one shape."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.api_parsers import MAX_DEPTH
from patrols.models import CautionStatus, Hotspot, Patrol, PatrolStatus, WorkReturn
from referrals.models import ConsentMethod, Referral
from reporting.models import GeneratedReport, ReportKind
from tests.factories import PersonFactory, api_token

from .conftest import bearer
from .test_api_patrols import (  # noqa: F401 - fixtures
    busy_body,
    hotspot_body,
    local_pc,
    objects,
    patrol_body,
    provider,
    return_body,
    ward,
)
from .test_api_referrals import diversion_referral
from .test_errors import assert_error

pytestmark = pytest.mark.django_db

DATES = ["0001-01-01", "9999-12-31"]
DATETIMES = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",  # before year 1 in UTC: the parse itself overflows
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-12:00",
]
RANGE = "Enter a date between 1 January 2000 and"


def post(client, url: str, body) -> object:
    return client.post(url, json.dumps(body), content_type="application/json")


def refused(response, field: str) -> str:
    body = assert_error(response, 400, "invalid")
    messages = " ".join(m for name, ms in body["errors"].items() if name == field for m in ms)
    assert messages, body["errors"]
    return messages


# --- Every date the API takes ---------------------------------------------------------------


@pytest.mark.parametrize("day", DATES)
def test_a_hotspot_identified_at_the_calendars_ends_is_refused(client, sergeant, ward, day):
    client.force_login(sergeant)
    response = post(client, reverse("api:hotspot-list"), hotspot_body(ward, identified_on=day))

    assert RANGE in refused(response, "identified_on")
    assert not Hotspot.objects.exists()


@pytest.mark.parametrize("day", DATES)
def test_a_patrol_at_the_calendars_ends_with_an_overnight_end_is_refused(
    client, sergeant, ward, pc, local_pc, day
):
    client.force_login(sergeant)
    body = patrol_body(ward, pc, local_pc, date=day, start_time="20:00", end_time="04:00")

    response = post(client, reverse("api:patrol-list"), body)

    assert RANGE in refused(response, "date")
    assert not Patrol.objects.exists()


RETURN_DATES = [
    ("started_at", lambda b, v: b.update(started_at=v)),
    ("ended_at", lambda b, v: b.update(ended_at=v)),
    ("encounters.0.occurred_at", lambda b, v: b["encounters"][0].update(occurred_at=v)),
    ("arrests.0.arrested_at", lambda b, v: b["arrests"][0].update(arrested_at=v)),
    ("referrals.0.consent_given_at", lambda b, v: b["referrals"][0].update(consent_given_at=v)),
]
RETURN_DAYS = [
    ("arrests.0.caution.given_on", lambda b, v: b["arrests"][0]["caution"].update(given_on=v)),
    ("arrests.0.caution.deadline", lambda b, v: b["arrests"][0]["caution"].update(deadline=v)),
]


@pytest.mark.parametrize(
    ("field", "change", "value"),
    [(f, c, v) for f, c in RETURN_DATES for v in DATETIMES]
    + [(f, c, v) for f, c in RETURN_DAYS for v in DATES],
)
def test_every_date_of_a_work_return_is_bounded(
    client, pc, local_pc, objects, provider, agency_a, field, change, value
):
    patrol = objects["deployed"]
    known = PersonFactory(area=patrol.area, created_by=pc)
    body = busy_body(patrol, pc, local_pc, provider, agency_a, objects["hotspot"], known)
    change(body, value)
    client.force_login(pc)
    returns = WorkReturn.objects.count()

    response = post(client, reverse("api:patrol-work-return", args=[patrol.uuid]), body)

    assert response.status_code == 400, response.content
    assert refused(response, field)  # the range, or "invalid" when the parse overflows
    assert WorkReturn.objects.count() == returns
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.DEPLOYED


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_the_range_is_named_for_a_date_time(client, pc, objects, value):
    patrol = objects["deployed"]
    client.force_login(pc)
    body = return_body(patrol, pc, started_at=value)

    response = post(client, reverse("api:patrol-work-return", args=[patrol.uuid]), body)

    assert RANGE in refused(response, "started_at")


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00Z", "9999-12-31T20:00:00Z"])
def test_an_amendment_is_bounded(client, sergeant, objects, value):
    client.force_login(sergeant)
    url = reverse("api:patrol-amend-return", args=[objects["returned"].uuid])
    before = WorkReturn.objects.get(patrol=objects["returned"]).started_at

    response = post(client, url, {"reason": "Recount (synthetic).", "started_at": value})

    assert RANGE in refused(response, "started_at")
    assert WorkReturn.objects.get(patrol=objects["returned"]).started_at == before


@pytest.mark.parametrize("day", DATES)
def test_a_report_for_a_week_at_the_calendars_ends_is_refused(client, project_lead, area, day):
    client.force_login(project_lead)
    body = {"kind": ReportKind.WEEKLY_DEPLOYMENT, "area": area.code, "week": day}

    response = post(client, reverse("api:report-list"), body)

    assert RANGE in refused(response, "week")
    assert not GeneratedReport.objects.exists()


@pytest.mark.parametrize("value", DATETIMES)
def test_a_referral_with_consent_at_the_calendars_ends_is_refused(
    client, pc, area, agency_a, value
):
    person = PersonFactory(area=area, created_by=pc)
    client.force_login(pc)
    body = {
        "person": str(person.uuid),
        "agency": str(agency_a.uuid),
        "service": "exit_support",
        "consent_method": ConsentMethod.VERBAL,
        "consent_given_at": value,
    }

    response = post(client, reverse("api:referral-list"), body)

    assert refused(response, "consent_given_at")
    assert not Referral.objects.exists()


@pytest.mark.parametrize("day", DATES)
def test_a_course_step_at_the_calendars_ends_is_refused(client, pc, partner_a, agency_a, area, day):
    referral = diversion_referral(provider=agency_a, by=pc, area=area)
    client.force_login(partner_a)

    response = post(
        client,
        reverse("api:referral-course", args=[referral.uuid]),
        {"step": CautionStatus.BOOKED, "on": day},
    )

    assert RANGE in refused(response, "on")
    assert referral.caution.status != CautionStatus.BOOKED


# --- Every date filter --------------------------------------------------------------------

FILTERS = [
    ("api:patrol-list", "starts_after"),
    ("api:patrol-list", "starts_before"),
    ("api:encounter-list", "occurred_after"),
    ("api:encounter-list", "occurred_before"),
    ("api:arrest-list", "arrested_after"),
    ("api:arrest-list", "arrested_before"),
    ("api:caution-list", "given_after"),
    ("api:caution-list", "given_before"),
    ("api:caution-list", "deadline_before"),
    ("api:intelligence-list", "submitted_after"),
    ("api:intelligence-list", "submitted_before"),
    ("api:referral-list", "referred_after"),
    ("api:referral-list", "referred_before"),
    ("api:person-list", "first_seen_after"),
    ("api:person-list", "first_seen_before"),
]
MONTH_FILTERS = [("api:crime-record-list", name) for name in ("month", "month_from", "month_to")]


@pytest.mark.parametrize(("name", "param"), FILTERS)
@pytest.mark.parametrize("value", [*DATES, "2025-02-30", "not-a-date", "9" * 40])
def test_date_filters_refuse_the_calendars_ends_and_garbage(
    client, project_lead, name, param, value
):
    client.force_login(project_lead)

    response = client.get(reverse(name), {param: value})

    messages = refused(response, param)
    if value in DATES:
        assert RANGE in messages


@pytest.mark.parametrize(("name", "param"), MONTH_FILTERS)
@pytest.mark.parametrize("value", ["0001-01", "9999-12", "2025-13", "x"])
def test_month_filters_refuse_the_calendars_ends_and_garbage(
    client, project_lead, name, param, value
):
    client.force_login(project_lead)

    assert refused(client.get(reverse(name), {param: value}), param)


def test_a_plausible_filter_date_still_filters(client, project_lead):
    client.force_login(project_lead)

    assert client.get(reverse("api:patrol-list"), {"starts_after": "2025-03-03"}).status_code == 200


# --- Bodies: depth and size ---------------------------------------------------------------

BODY_URLS = ["api:hotspot-list", "api:patrol-list", "api:report-list"]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("name", BODY_URLS)
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 10_000])
def test_deeply_nested_json_is_a_400(client, project_lead, name, depth):
    client.force_login(project_lead)

    response = client.post(reverse(name), nested(depth), content_type="application/json")

    assert_error(response, 400, "too_deep")


def test_nesting_up_to_the_limit_is_parsed(client, project_lead):
    """At the limit the body is read, and refused for what it says, not for its shape."""
    client.force_login(project_lead)
    body = '{"kind": ' + nested(MAX_DEPTH - 1) + "}"  # the object is the first level

    response = client.post(reverse("api:report-list"), body, "application/json")

    assert "kind" in assert_error(response, 400, "invalid")["errors"]


@pytest.mark.parametrize("name", BODY_URLS)
def test_an_oversized_body_is_a_400(client, project_lead, settings, name):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(project_lead)
    body = json.dumps({"name": "x" * 2000})

    response = client.post(reverse(name), body, content_type="application/json")

    assert_error(response, 400, "too_large")


@pytest.mark.parametrize("name", BODY_URLS)
def test_an_oversized_body_with_a_token_is_a_400(client, project_lead, settings, name):
    """With a token nothing reads the body before the parser: the parser refuses it."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    token = api_token(project_lead).secret
    body = json.dumps({"name": "x" * 2000})

    response = client.post(reverse(name), body, "application/json", **bearer(token))

    assert_error(response, 400, "too_large")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 10_000])
def test_deeply_nested_json_with_a_token_is_a_400(client, project_lead, depth):
    token = api_token(project_lead).secret

    response = client.post(
        reverse("api:hotspot-list"), nested(depth), "application/json", **bearer(token)
    )

    assert_error(response, 400, "too_deep")


def test_an_oversized_body_without_a_length_is_a_400(project_lead, settings, rf):
    """Read to the limit and no further, whatever Content-Length claims."""
    from io import BytesIO

    from core.api_parsers import BodyTooLarge, BoundedJSONParser

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    request = rf.post("/api/v1/hotspots/", data=b"", content_type="application/json")
    with pytest.raises(BodyTooLarge):
        BoundedJSONParser().parse(BytesIO(b"[" + b"1," * 800 + b"1]"), None, {"request": request})


def test_the_setting_bounds_the_body():
    from django.conf import settings

    assert 0 < settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2 * 1024 * 1024


# --- Every error under /api/ is JSON --------------------------------------------------------


def test_a_bug_in_an_api_view_is_a_json_500(sergeant, monkeypatch):
    from patrols.api.views import HotspotViewSet

    def broken(*args, **kwargs):
        raise RuntimeError("a bug (synthetic)")

    monkeypatch.setattr(HotspotViewSet, "list", broken)
    client = Client(raise_request_exception=False)
    client.force_login(sergeant)

    response = client.get(reverse("api:hotspot-list"))

    body = assert_error(response, 500, "server_error")
    assert "synthetic" not in body["detail"]  # nothing of the exception leaks


@pytest.mark.urls("tests.error_urls")
def test_a_bug_outside_drf_under_api_is_a_json_500_and_a_page_elsewhere():
    client = Client(raise_request_exception=False)

    assert_error(client.get("/api/test-bug/"), 500, "server_error")
    page = client.get("/test-bug/")
    assert page.status_code == 500
    assert "text/html" in page["Content-Type"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/patrols/not-a-uuid/",
        "/api/v1/hotspots/99999999999999999999/",
        "/api/v1/referrals/%00/",
        "/api/v1/reports/12345678-1234-1234-1234-1234567890ab/download/",
    ],
)
def test_a_malformed_id_is_a_json_404(client, project_lead, path):
    client.force_login(project_lead)

    assert_error(client.get(path), 404, "not_found")


def test_a_date_at_the_end_of_the_calendar_in_a_stored_week_does_not_overflow():
    """The arithmetic helper holds at the calendar's end instead of raising."""
    from core.dates import shift

    assert shift(dt.date.max, dt.timedelta(days=7)) == dt.date.max
    assert shift(dt.date.min, -dt.timedelta(days=7)) == dt.date.min
    edge = timezone.make_aware(dt.datetime(9999, 12, 31, 20, 0), dt.UTC)
    assert shift(edge, dt.timedelta(days=1)).year == 9999
