"""With Redis down, the cache is a miss (core.cache.ResilientRedisCache): API token requests
(whose throttle counts in the cache) and the Evidence page (its figures stored in the
database by a job) work from the database; what truly needs Redis answers JSON 503 with
Retry-After under /api/.

No Redis runs here: the cache points at a port nothing listens on."""

import logging
import os
import subprocess
import sys

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from core import cache as core_cache
from tests.api.conftest import bearer
from tests.factories import api_token

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:6390/0"


def dead_cache(backend: str = "core.cache.ResilientRedisCache") -> dict:
    return {"default": {"BACKEND": backend, "LOCATION": DEAD_REDIS}}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = dead_cache()
    core_cache._Health.down = False
    yield
    core_cache._Health.down = False
    caches["default"].close()


@pytest.fixture
def throttled(settings):
    """The throttles on, as in production (the cache is where they count)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_sustained": "1000/hour", "api_burst": "100/min"},
    }


def test_an_api_token_request_works_with_redis_down(client, redis_down, throttled, sergeant):
    token = api_token(sergeant).secret

    response = client.get("/api/v1/hotspots/", **bearer(token))

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/json"


def test_the_rate_limit_lets_requests_through_when_it_cannot_count(
    client, redis_down, settings, sergeant
):
    """The limit protects the service; with nowhere to count, it must not stop it."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_sustained": "1/hour", "api_burst": "1/min"},
    }
    token = api_token(sergeant).secret

    statuses = [client.get("/api/v1/hotspots/", **bearer(token)).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]


def test_the_evidence_page_reads_the_database(client, redis_down, project_lead):
    client.force_login(project_lead)
    area = project_lead.areas.get()

    response = client.get(reverse("reporting:evidence"), {"area": area.pk})

    assert response.status_code == 200


def test_an_outage_is_logged_once_not_per_request(client, redis_down, throttled, sergeant, caplog):
    token = api_token(sergeant).secret
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        for _ in range(3):
            assert client.get("/api/v1/hotspots/", **bearer(token)).status_code == 200

    warnings = [r for r in caplog.records if r.name == "core.cache"]
    assert len(warnings) == 1
    assert "unavailable" in warnings[0].getMessage()


def test_every_cache_call_degrades(redis_down):
    cache = caches["default"]

    assert cache.get("k", "fallback") == "fallback"
    cache.set("k", 1)
    assert cache.add("k", 1) is False
    assert cache.get_many(["k"]) == {}
    assert cache.get_or_set("k", 5) == 5
    cache.delete("k")


def test_a_service_down_under_api_is_json_503_with_retry_after(client, sergeant, monkeypatch):
    """What truly needs Redis (the task queue, say) answers 503, not a 500 page."""
    from patrols.api.views import HotspotViewSet

    def broken(*args, **kwargs):
        raise RedisConnectionError("Connection refused (synthetic)")

    monkeypatch.setattr(HotspotViewSet, "list", broken)
    client.force_login(sergeant)

    response = client.get("/api/v1/hotspots/")

    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert response.json()["code"] == "unavailable"


@pytest.mark.urls("tests.error_urls")
def test_an_unavailable_service_outside_a_drf_view_is_json_503():
    """An error after the view (an on_commit enqueue with the broker down) reaches
    Django's handler500: still JSON 503 under /api/."""
    response = Client(raise_request_exception=False).get("/api/test-redis-down/")

    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert response.json()["code"] == "unavailable"


def test_production_settings_use_the_resilient_cache():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.CACHES['default']['BACKEND'])"
    )
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(DJANGO_SETTINGS_MODULE="ephedra.settings", REDIS_URL=DEAD_REDIS)
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed argv
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "core.cache.ResilientRedisCache"
