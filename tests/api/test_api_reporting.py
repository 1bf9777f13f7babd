"""Crime records and generated reports through the API: the reporting pages' rules
(reporting.permissions.RULES), their data scoped to the user's areas, constant queries."""

import datetime as dt
import json

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import AuditEvent
from reporting.models import (
    CrimeRecord,
    CrimeType,
    GeneratedReport,
    ImportBatch,
    ImportStatus,
    ReportKind,
    ReportStatus,
)

from .conftest import bearer
from .test_api_matrix import ROLES, row

pytestmark = pytest.mark.django_db

POLICE_READ = row(401, 404, 404, 200, 200, 200, 403)
LEAD_ONLY = row(401, 404, 404, 403, 403, 200, 403)
NOT_ALLOWED = row(401, 405, 405, 405, 405, 405, 405)
API_MATRIX = [
    ("api:crime-record-list", "GET", POLICE_READ),
    ("api:crime-record-list", "POST", NOT_ALLOWED),
    ("api:crime-record-detail", "GET", POLICE_READ),
    ("api:crime-record-detail", "DELETE", NOT_ALLOWED),
    ("api:report-list", "GET", LEAD_ONLY),
    ("api:report-list", "POST", {**LEAD_ONLY, "project_lead": 201}),
    ("api:report-detail", "GET", LEAD_ONLY),
    ("api:report-detail", "DELETE", NOT_ALLOWED),
    ("api:report-download", "GET", LEAD_ONLY),
]


# --- Data ----------------------------------------------------------------------------------


def batch(month=dt.date(2026, 9, 1)) -> ImportBatch:
    return ImportBatch.objects.create(
        filename="synthetic-street.csv",
        sha256="0" * 64,
        kind="street",
        force="metropolitan",
        month=month,
        status=ImportStatus.IMPORTED,
    )


def crimes(area, count, *, month=dt.date(2026, 9, 1), crime_type=CrimeType.DRUGS, lsoa="E01000001"):
    source = (
        batch(month)
        if not ImportBatch.objects.filter(month=month).exists()
        else (ImportBatch.objects.get(month=month))
    )
    CrimeRecord.objects.bulk_create(
        CrimeRecord(
            batch=source,
            area=area,
            crime_id=f"synthetic-{area.pk}-{month:%Y%m}-{n}",
            month=month,
            reported_by="Metropolitan Police Service",
            falls_within="Metropolitan Police Service",
            latitude="51.460000",
            longitude="-0.115000",
            location="On or near Test Street",
            lsoa_code=lsoa,
            lsoa_name="Test LSOA",
            crime_type=crime_type,
        )
        for n in range(count)
    )
    return CrimeRecord.objects.filter(area=area, month=month).order_by("pk")


def report(area, *, status=ReportStatus.READY, month=dt.date(2026, 10, 1), by=None):
    made = GeneratedReport(
        kind=ReportKind.MONTHLY_TREND,
        area=area,
        period_start=month,
        period_end=month.replace(day=28),
        status=status,
        requested_by=by,
    )
    if status == ReportStatus.READY:
        made.file.save("monthly.pdf", ContentFile(b"%PDF-1.4 synthetic"), save=False)
    made.save()
    return made


@pytest.fixture
def objects(area):
    return {"crime": crimes(area, 1).first(), "report": report(area)}


def url_for(name: str, objects: dict) -> str:
    if name.endswith("-list"):
        return reverse(name)
    if name.startswith("api:crime-record"):
        return reverse(name, args=[objects["crime"].pk])
    return reverse(name, args=[objects["report"].uuid])


def body_for(name: str, method: str, area) -> dict | None:
    if (name, method) == ("api:report-list", "POST"):
        return {"kind": ReportKind.MONTHLY_TREND, "area": area.code, "month": "2026-09"}
    return None


def call(client, method, url, token=None, body=None, **extra):
    headers = bearer(token) if token else {}
    data = json.dumps(body) if body is not None else ""
    return client.generic(
        method, url, data=data, content_type="application/json", **headers, **extra
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "expected"), API_MATRIX, ids=[f"{n} {m}" for n, m, _ in API_MATRIX]
)
def test_status_for_each_role(
    client, request, make_token, area, objects, name, method, expected, role
):
    token = None if role == "anonymous" else make_token(request.getfixturevalue(role))
    response = call(client, method, url_for(name, objects), token, body_for(name, method, area))
    assert response.status_code == expected[role], response.content[:300]


# --- Crime records -------------------------------------------------------------------------


@pytest.fixture
def pc_token(pc, make_token):
    return make_token(pc)


@pytest.fixture
def lead_token(project_lead, make_token):
    return make_token(project_lead)


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    return response.json()["results"]


def test_crime_records_are_those_of_the_users_areas(client, area, other_area, pc_token):
    ours = crimes(area, 2)
    theirs = crimes(other_area, 3)

    rows = results(call(client, "GET", reverse("api:crime-record-list"), pc_token))

    assert sorted(r["id"] for r in rows) == sorted(c.pk for c in ours)
    assert rows[0]["area"] == area.code
    assert rows[0]["month"] == "2026-09-01"
    detail = reverse("api:crime-record-detail", args=[theirs.first().pk])
    assert call(client, "GET", detail, pc_token).status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"month": "2026-09"}, 2),
        ({"month": "2026-08"}, 3),
        ({"month_from": "2026-09"}, 2),
        ({"month_to": "2026-08"}, 3),
        ({"crime_type": CrimeType.ROBBERY}, 3),
        ({"lsoa": "E01000002"}, 3),
        ({"area": "E09000022"}, 5),
        ({"area": "E09999999"}, 0),
    ],
)
def test_crime_records_filter(client, area, pc_token, query, expected):
    crimes(area, 2)
    crimes(area, 3, month=dt.date(2026, 8, 1), crime_type=CrimeType.ROBBERY, lsoa="E01000002")

    response = client.get(reverse("api:crime-record-list"), query, **bearer(pc_token))

    assert len(results(response)) == expected


def test_a_bad_month_is_a_field_error(client, area, pc_token):
    response = client.get(reverse("api:crime-record-list"), {"month": "Sept"}, **bearer(pc_token))

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["code"] == "invalid"
    assert body["errors"]["month"] == ["Enter a month as a year and month, like 2025-03."]


def test_crime_records_page_and_page_size(client, area, pc_token):
    crimes(area, 7)
    url = reverse("api:crime-record-list")

    with CaptureQueriesContext(connection) as queries:
        first = client.get(url, {"page_size": 5}, **bearer(pc_token)).json()
    second = client.get(first["next"], **bearer(pc_token)).json()

    # No COUNT over the whole scope: a page knows only whether another follows.
    assert not [q for q in queries if "COUNT(" in q["sql"].upper() and "crime" in q["sql"]]
    assert "count" not in first
    assert len(first["results"]) == 5
    assert first["previous"] is None
    assert "cursor=" in first["next"]
    assert "page_size=5" in first["next"]
    assert len(second["results"]) == 2
    assert second["next"] is None
    back = client.get(second["previous"], **bearer(pc_token)).json()
    assert back["results"] == first["results"]
    rows = [json.dumps(r, sort_keys=True) for r in first["results"] + second["results"]]
    assert len(set(rows)) == 7  # each record once across the two pages


@pytest.mark.parametrize("page", ["1", "2", "abc"])
def test_a_page_number_is_refused_not_ignored(client, area, pc_token, page):
    """A client still counting pages would read the first page for ever."""
    crimes(area, 2)
    response = client.get(reverse("api:crime-record-list"), {"page": page}, **bearer(pc_token))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "cursor" in response.json()["detail"]


def test_a_page_exactly_full_has_no_next(client, area, pc_token):
    crimes(area, 5)
    url = reverse("api:crime-record-list")
    answer = client.get(url, {"page_size": 5}, **bearer(pc_token)).json()
    assert (len(answer["results"]), answer["next"]) == (5, None)


def list_queries(client, url, token) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"page_size": 200}, **bearer(token)).status_code == 200
    return len(queries)


def test_crime_record_list_runs_a_constant_number_of_queries(
    client, area, pc_token, django_assert_max_num_queries
):
    """Session lookup (the test client's cookie), savepoint + release (the request's
    transaction), token with its user, count, page (areas as a subquery, area joined).
    The token's last use is written on the first request only (once a minute)."""
    url = reverse("api:crime-record-list")
    crimes(area, 5)
    list_queries(client, url, pc_token)  # the token's first use is written here
    small = list_queries(client, url, pc_token)
    crimes(area, 45, month=dt.date(2026, 8, 1))
    with django_assert_max_num_queries(6):
        large = list_queries(client, url, pc_token)
    assert small == large


# --- Generated reports ---------------------------------------------------------------------


def test_reports_are_those_of_the_leads_areas(client, area, other_area, project_lead, lead_token):
    ours = report(area, by=project_lead)
    theirs = report(other_area)

    rows = results(call(client, "GET", reverse("api:report-list"), lead_token))

    assert [r["uuid"] for r in rows] == [str(ours.uuid)]
    assert rows[0]["status"] == "ready"
    assert rows[0]["area"] == area.code
    assert rows[0]["download"].endswith(reverse("api:report-download", args=[ours.uuid]))
    detail = reverse("api:report-detail", args=[theirs.uuid])
    assert call(client, "GET", detail, lead_token).status_code == 404


def test_report_list_runs_a_constant_number_of_queries(
    client, area, project_lead, lead_token, django_assert_max_num_queries
):
    """As for crime records: session, savepoint, token, count, page (area and requester
    joined), release."""
    url = reverse("api:report-list")
    for n in range(5):
        report(area, status=ReportStatus.PENDING, month=dt.date(2021, n + 1, 1), by=project_lead)
    list_queries(client, url, lead_token)
    small = list_queries(client, url, lead_token)
    for n in range(45):
        month = dt.date(2022 + n // 12, n % 12 + 1, 1)
        report(area, status=ReportStatus.PENDING, month=month, by=project_lead)
    with django_assert_max_num_queries(6):
        large = list_queries(client, url, lead_token)
    assert small == large


def test_asking_for_a_report_uses_the_reports_page_rules(client, area, project_lead, lead_token):
    body = {"kind": ReportKind.MONTHLY_TREND, "area": area.code, "month": "2026-09"}

    response = call(client, "POST", reverse("api:report-list"), lead_token, body)

    assert response.status_code == 201, response.content
    made = GeneratedReport.objects.get(uuid=response.json()["uuid"])
    assert (made.kind, made.area, made.requested_by) == (body["kind"], area, project_lead)
    assert made.period_end.month == 9
    assert made.status == ReportStatus.PENDING
    assert response["Location"].endswith(reverse("api:report-detail", args=[made.uuid]))
    assert response.json()["download"] is None


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"area": "E09000022"}, "kind", "This field is required."),
        ({"kind": "monthly_trend", "area": "E09000028"}, "area", None),
        ({"kind": "monthly_trend", "area": "E09000022", "month": "2019-01"}, "month", None),
        ({"kind": "weekly_deployment", "area": "E09000022"}, "week", None),
    ],
)
def test_a_bad_report_request_is_a_field_error(
    client, area, other_area, lead_token, body, field, message
):
    response = call(client, "POST", reverse("api:report-list"), lead_token, body)

    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert message is None or errors[field] == [message]
    assert not GeneratedReport.objects.exists()


def test_download_gives_the_pdf_and_an_audit_row(client, area, project_lead, lead_token):
    ready = report(area)
    url = reverse("api:report-download", args=[ready.uuid])

    response = call(client, "GET", url, lead_token, HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 synthetic"
    assert "attachment" in response["Content-Disposition"]
    row = AuditEvent.objects.get(action="reporting.generatedreport.downloaded")
    assert (row.actor, row.object_id) == (project_lead, str(ready.uuid))


def test_a_report_not_ready_is_not_downloadable(client, area, lead_token):
    pending = report(area, status=ReportStatus.PENDING)
    url = reverse("api:report-download", args=[pending.uuid])

    response = call(client, "GET", url, lead_token, HTTP_ACCEPT="application/pdf")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
    assert not AuditEvent.objects.filter(action="reporting.generatedreport.downloaded").exists()
