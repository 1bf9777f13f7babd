"""API rate limits per user (core.rate_limit, core.api_defaults.ApiRateThrottle): tokens
and the browser session count together, the refusal is 429 in the error shape with
Retry-After, and the limit holds when many requests arrive at once — also when every
cache call takes time, as a call to Redis does (a read-modify-write counter loses
counts then)."""

import threading
import time

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import connections
from django.test import Client

from core import rate_limit
from core.api_defaults import ApiRateThrottle
from tests.factories import api_token

from .conftest import bearer

API = "/api/v1/crime-records/"
# 17 s into a minute: the minute's window ends in 43 s.
NOW = 1_800_000_000.0 + 17


@pytest.fixture
def rates(settings, monkeypatch):
    """``rates(burst, sustained)`` sets the limits; the clock stands still at NOW."""
    monkeypatch.setattr(ApiRateThrottle, "timer", staticmethod(lambda: NOW))

    def set_rates(burst: str, sustained: str = "1000/hour") -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"api_burst": burst, "api_sustained": sustained},
        }

    return set_rates


@pytest.mark.django_db
def test_token_requests_are_limited_with_the_error_shape(client, pc, rates):
    rates("2/min")
    token = api_token(pc).secret

    statuses = [client.get(API, **bearer(token)).status_code for _ in range(2)]
    refused = client.get(API, **bearer(token))

    assert statuses == [200, 200]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "43"
    body = refused.json()
    assert (body["status"], body["code"], body["errors"]) == (429, "throttled", {})


@pytest.mark.django_db
def test_browser_requests_count_with_the_users_tokens(client, pc, rates):
    rates("3/min")
    token = api_token(pc).secret
    client.force_login(pc)

    statuses = [client.get(API).status_code, client.get(API, **bearer(token)).status_code]
    statuses += [client.get(API).status_code, client.get(API).status_code]

    assert statuses == [200, 200, 200, 429]


@pytest.mark.django_db
def test_each_user_has_their_own_limit(client, pc, sergeant, rates):
    rates("1/min")
    client.force_login(pc)
    assert [client.get(API).status_code for _ in range(2)] == [200, 429]

    client.force_login(sergeant)
    assert client.get(API).status_code == 200


@pytest.mark.django_db
def test_the_next_window_starts_afresh(client, pc, rates, monkeypatch):
    rates("1/min")
    client.force_login(pc)
    assert [client.get(API).status_code for _ in range(2)] == [200, 429]

    monkeypatch.setattr(ApiRateThrottle, "timer", staticmethod(lambda: NOW + 43))

    assert client.get(API).status_code == 200


@pytest.mark.django_db
def test_the_longer_limit_holds_too(client, pc, rates):
    rates("100/min", "2/hour")
    client.force_login(pc)

    refused = [client.get(API) for _ in range(3)][-1]

    assert refused.status_code == 429
    assert refused["Retry-After"] == str(3600 - int(NOW % 3600))


@pytest.mark.parametrize(
    ("text", "rate"),
    [("300/min", (300, 60)), ("5000/hour", (5000, 3600)), ("10/s", (10, 1)), ("2/day", (2, 86400))],
)
def test_rates_are_written_as_drf_writes_them(text, rate):
    assert rate_limit.Rate.parse(text) == rate_limit.Rate(*rate)


class SlowLocMemCache(LocMemCache):
    """The local-memory cache with a network's delay on every call: requests that arrive
    together interleave inside the limiter, as they do with Redis."""

    def _pause(self):
        time.sleep(0.005)

    def get(self, *args, **kwargs):
        self._pause()
        return super().get(*args, **kwargs)

    def set(self, *args, **kwargs):
        self._pause()
        return super().set(*args, **kwargs)

    def add(self, *args, **kwargs):
        self._pause()
        return super().add(*args, **kwargs)

    def incr(self, *args, **kwargs):
        self._pause()
        return super().incr(*args, **kwargs)


CLIENTS = 8
EACH = 4
LIMIT = 10


@pytest.mark.django_db(transaction=True)
def test_requests_at_once_never_pass_the_limit(pc, rates, settings):
    """Eight clients, four requests each, all at once, against a limit of ten: exactly
    ten get through (half of the clients use a token, half the browser session)."""
    settings.CACHES = {
        "default": {
            "BACKEND": f"{__name__}.SlowLocMemCache",
            "LOCATION": "rate-limit-at-once",
        }
    }
    rates(f"{LIMIT}/min")
    token = api_token(pc).secret
    clients = []
    for n in range(CLIENTS):
        client = Client()
        if n % 2:
            client.defaults.update(bearer(token))
        else:
            client.force_login(pc)
        clients.append(client)
    barrier = threading.Barrier(CLIENTS)
    answers: list = [None] * CLIENTS

    def send(n: int) -> None:
        try:
            barrier.wait()
            answers[n] = [clients[n].get(API).status_code for _ in range(EACH)]
        except Exception as error:  # noqa: BLE001 - the assertion below shows it
            answers[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = []
    for answer in answers:
        assert isinstance(answer, list), repr(answer)
        statuses += answer
    assert statuses.count(200) == LIMIT, statuses
    assert statuses.count(429) == CLIENTS * EACH - LIMIT
