"""Every API error has one JSON shape: {"status", "code", "detail", "errors"}."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import api_token

from .conftest import bearer

pytestmark = pytest.mark.django_db

CRIMES = "/api/v1/crime-records/"
REPORTS = "/api/v1/reports/"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"status", "code", "detail", "errors"}
    assert (body["status"], body["code"]) == (status, code)
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


@pytest.fixture
def pc_token(pc):
    return api_token(pc, "Test").secret


@pytest.fixture
def lead_token(project_lead):
    return api_token(project_lead, "Test").secret


def test_400_names_each_field(client, area, lead_token):
    response = client.post(
        REPORTS, {"area": "nowhere"}, content_type="application/json", **bearer(lead_token)
    )

    body = assert_error(response, 400, "invalid")
    assert set(body["errors"]) == {"kind", "area"}
    assert all(isinstance(m, list) and m for m in body["errors"].values())


def test_400_for_a_body_that_is_not_json(client, area, lead_token):
    response = client.post(
        REPORTS, "{not json", content_type="application/json", **bearer(lead_token)
    )

    assert_error(response, 400, "parse_error")


def test_401_without_credentials(client):
    response = client.get(CRIMES)

    body = assert_error(response, 401, "not_authenticated")
    assert body["errors"] == {}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_403_for_a_role_without_the_right(client, pc_token):
    assert_error(client.get(REPORTS, **bearer(pc_token)), 403, "permission_denied")


def test_404_for_a_record_outside_the_scope_and_for_a_police_resource(client, partner_a):
    partner_token = api_token(partner_a, "Test").secret
    assert_error(client.get(CRIMES, **bearer(partner_token)), 404, "not_found")


@pytest.mark.parametrize("path", ["/api/nothing", "/api/v1/nothing/", "/api/v1/crime-records/1/x/"])
def test_404_for_unknown_addresses_is_json(client, path):
    assert_error(client.get(path), 404, "not_found")


def test_404_suggests_the_trailing_slash(client):
    body = assert_error(client.get("/api/v1/crime-records"), 404, "not_found")
    assert "/api/v1/crime-records/" in body["detail"]
    assert "Did you mean" not in client.get("/api/v1/nothing").json()["detail"]


@pytest.mark.parametrize("cursor", ["not a cursor", "eyJzIjoiMSJ9", "e30"])
def test_404_for_a_cursor_not_made_here(client, pc_token, cursor):
    response = client.get(CRIMES, {"cursor": cursor}, **bearer(pc_token))
    body = assert_error(response, 404, "not_found")
    assert body["detail"] == "Invalid cursor."


def test_405_for_a_method_the_route_does_not_have(client, pc_token):
    response = client.delete(CRIMES, **bearer(pc_token))
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_415_for_a_body_that_is_not_json(client, area, lead_token):
    response = client.post(REPORTS, {"kind": "monthly_trend"}, **bearer(lead_token))  # a form
    assert_error(response, 415, "unsupported_media_type")


def test_browser_session_writes_need_the_csrf_token(area, project_lead):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(project_lead)
    body = {"kind": "monthly_trend", "area": area.code, "month": "2026-09"}

    refused = browser.post(REPORTS, body, content_type="application/json")

    assert_error(refused, 403, "permission_denied")
    assert "CSRF" in refused.json()["detail"]
    browser.get(reverse("reporting:reports"))  # the page sets the CSRF cookie
    csrf = browser.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = browser.post(REPORTS, body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 201, accepted.content


def test_token_writes_need_no_csrf_token(area, lead_token):
    api = Client(enforce_csrf_checks=True)
    body = {"kind": "monthly_trend", "area": area.code, "month": "2026-09"}

    response = api.post(REPORTS, body, content_type="application/json", **bearer(lead_token))

    assert response.status_code == 201
