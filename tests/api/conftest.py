"""Fixtures for the API tests: tokens, and a fresh cache per test (the token throttles
count in the cache: a count left by one test must not throttle the next)."""

import uuid

import pytest

from tests.factories import api_token


@pytest.fixture(autouse=True)
def _fresh_throttle_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"api-test-{uuid.uuid4()}",
        }
    }


@pytest.fixture
def make_token():
    """``make_token(user)`` → the whole token string, as its owner copied it (the owner
    has a second factor, as every token's owner must)."""

    def make(user, name="Test integration") -> str:
        return api_token(user, name).secret

    return make


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
