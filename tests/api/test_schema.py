"""The OpenAPI schema: valid with no warning (CI runs this, and `.ci/run` the command
too), readable by signed-in users and token holders, documenting the error shape on
every operation; Swagger UI and ReDoc served from our own static files under a CSP that
is loosened for those two pages only."""

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from tests.factories import api_token

from .conftest import bearer

pytestmark = pytest.mark.django_db

SCHEMA = "/api/schema/"
ERRORS = {"400", "401", "403", "404", "429"}


def test_the_schema_is_valid_with_no_warning(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert yaml.safe_load(target.read_text())["paths"]


@pytest.fixture
def schema(client, partner_a):
    """The schema as a partner's developer reads it, with their token."""
    token = api_token(partner_a, "Schema").secret
    response = client.get(SCHEMA, {"format": "json"}, **bearer(token))
    assert response.status_code == 200
    return response.json()


def test_anonymous_visitors_cannot_read_the_schema(client):
    assert client.get(SCHEMA).status_code == 401


def test_the_schema_covers_the_api_and_declares_the_token(schema):
    assert "/api/v1/crime-records/" in schema["paths"]
    assert "/api/v1/reports/{uuid}/download/" in schema["paths"]
    scheme = schema["components"]["securitySchemes"]["apiToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {
        "status",
        "code",
        "detail",
        "errors",
    }


def test_every_operation_documents_the_errors(schema):
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = ERRORS | ({"415"} if method in {"post", "put", "patch"} else set())
            assert expected <= set(responses), (path, method)
            for code in expected:
                assert responses[code]["content"]["application/json"]["schema"] == ref
            assert {"apiToken": []} in operation["security"], (path, method)


@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_docs_send_anonymous_browsers_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def csp(response) -> dict[str, list[str]]:
    directives = (d.strip().split() for d in response["Content-Security-Policy"].split(";"))
    return {d[0]: d[1:] for d in directives if d}


def test_swagger_ui_is_served_offline_under_a_csp_loosened_for_it_only(client, pc):
    client.force_login(pc)

    page = client.get(reverse("api:docs"))
    script = client.get(reverse("api:docs"), {"script": ""})

    assert page.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page.text
    assert "http://" not in page.text
    assert "https://" not in page.text
    policy = csp(page)
    assert policy["script-src"] == ["'self'"]  # the start-up script is a file (?script)
    assert "'unsafe-inline'" in policy["style-src"]
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.text
    assert script["Content-Type"].startswith("application/javascript")
    # Everywhere else the site's strict policy holds.
    assert "'unsafe-inline'" not in csp(client.get(reverse("tokens:list")))["style-src"]


def test_redoc_is_served_offline(client, pc):
    client.force_login(pc)

    page = client.get(reverse("api:redoc"))

    assert page.status_code == 200
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in page.text
    assert "googleapis" not in page.text
    assert "<script>" not in page.text
    assert "blob:" in csp(page)["worker-src"]


def test_schemathesis_fuzzes_the_schema_that_is_served(schema):
    from .test_schemathesis import generated_schema

    assert schema == generated_schema()
