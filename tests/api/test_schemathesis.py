"""Schemathesis over every operation of the schema, in-process against the WSGI app, as a
police user (the project lead, who may do the most) and as a partner user, each with an
API token: no answer is a 500, and every answer conforms to the schema (status code,
content type, headers, body: the error shape included).

In-process on PostgreSQL, Django would close the test's connection after each call (its
``close_old_connections`` signal handlers), so they are disconnected for the run; axes is
off (no sign-in is tried); Hypothesis is derandomised with few examples per operation, so
the run is repeatable and takes well under a minute.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from ephedra.wsgi import application
from tests.factories import (
    HotspotFactory,
    PatrolFactory,
    PersonFactory,
    WardFactory,
    api_token,
    consented_referral,
)

from .test_api_reporting import crimes, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def _in_process(settings):
    settings.AXES_ENABLED = False
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def records(area, pc, agency_a):
    """Something in each list, so rows are serialised, not only empty pages."""
    ward = WardFactory(area=area)
    HotspotFactory(ward=ward)
    PatrolFactory(ward=ward)
    consented_referral(agency=agency_a, by=pc, person=PersonFactory(area=area, created_by=pc))
    crimes(area, 2)
    report(area)


def generated_schema() -> dict:
    """The schema /api/schema/ serves (tests/api/test_schema.py checks they are equal),
    made here without a request: /api/schema/ needs a token, which needs the database,
    which is not there while tests are collected (and schemathesis' fixture-based loader
    does not work with pytest 9)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(raw))


# The coverage phase (every boundary value of every parameter) takes minutes here; the
# fuzzing phase, derandomised, covers the operations in seconds.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_dict(generated_schema(), config=CONFIG)
schema.app = application  # in-process, as schemathesis.openapi.from_wsgi does


# No 500, and the answer is what the schema says. Left out: the checks that every
# schema-valid request is accepted (business rules refuse some: a closed referral cannot
# move) and every schema-invalid one refused (an empty filter is ignored, as DRF does).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def bearer_for(user) -> dict:
    return {"Authorization": f"Bearer {api_token(user, 'Fuzz').secret}"}


FUZZ = settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.usefixtures("_in_process", "records")
@schema.parametrize()
@FUZZ
def test_every_operation_as_a_police_user(case, project_lead):
    case.call_and_validate(headers=bearer_for(project_lead), checks=CHECKS)


@pytest.mark.usefixtures("_in_process", "records")
@schema.parametrize()
@FUZZ
def test_every_operation_as_a_partner_user(case, partner_a):
    case.call_and_validate(headers=bearer_for(partner_a), checks=CHECKS)
