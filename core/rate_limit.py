"""Counting requests per client in fixed windows, atomically.

Each window (a minute, an hour...) has one counter in the cache, made with ``add`` and
counted with ``incr``: both are atomic in Redis and in the local-memory cache, so
requests arriving together each get their own number and no more than the limit are
let through, however many run at once. (A list of timestamps read, extended and written
back, as DRF's SimpleRateThrottle keeps, loses the writes of parallel requests: six
parallel clients went far past a limit of 300 a minute.)

A fixed window lets a client use its limit at the end of one window and again at the
start of the next; a second, longer limit (the hour's) bounds what that can add up to.

When the cache cannot count (Redis down: core.cache answers 0 and logs the outage once),
requests are let through: the limit protects the service, it must not stop it.
"""

import re
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE = re.compile(r"^\s*(\d+)\s*/\s*([smhd])[a-z]*\s*$")


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """DRF's notation: "300/min", "5000/hour", "10/s", "100/day"."""
        match = RATE.match(text)
        if not match:
            raise ImproperlyConfigured(f"Not a rate like 300/min: {text!r}")
        return cls(int(match[1]), SECONDS[match[2]])


@dataclass(frozen=True)
class Count:
    number: int  # this request's number in its window, from 1; 0 when the cache is down
    retry_after: float  # seconds until the window ends and counting starts again


def hit(key: str, rate: Rate, now: float) -> Count:
    """Count one request under ``key`` in the window ``now`` falls in."""
    window = int(now // rate.seconds)
    counter = f"rate:{key}:{rate.seconds}:{window}"
    timeout = rate.seconds + 1  # outlives its window, so incr never finds it gone early
    cache.add(counter, 0, timeout)
    try:
        number = cache.incr(counter)
    except ValueError:  # evicted between add and incr (a full local-memory cache)
        number = 1 if cache.add(counter, 1, timeout) else cache.incr(counter)
    return Count(number=number, retry_after=(window + 1) * rate.seconds - now)


def allows(count: Count, rate: Rate) -> bool:
    return count.number <= rate.limit
