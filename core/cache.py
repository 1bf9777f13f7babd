"""The cache is an optimisation, never a dependency: with Redis down, a read is a miss and
a write is skipped, so every page and API request still works from the database.

What uses the cache: the API rate limits (core.rate_limit: a counter that cannot count
answers 0, so the request is allowed). Without this, Django's RedisCache raises
ConnectionError and each of those requests is a 500. (The Evidence page once cached its
figures here; a job now stores them in the database.)

A warning is logged when the cache stops answering, once until it answers again (not on
every request of an outage).
"""

import logging
from functools import wraps

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisUnavailable
from redis.exceptions import TimeoutError as RedisTimeout

logger = logging.getLogger(__name__)
DOWN = (RedisUnavailable, RedisTimeout)
# A cache that does not answer within a second is down: the page must not wait on it.
SOCKET_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}


class _Health:
    """Whether the last call failed, so an outage is logged once, not per request."""

    down = False

    @classmethod
    def failed(cls, error: Exception) -> None:
        if not cls.down:
            logger.warning(
                "The cache (Redis) is unavailable (%s): working without it.",
                type(error).__name__,
            )
        cls.down = True

    @classmethod
    def answered(cls) -> None:
        if cls.down:
            logger.warning("The cache (Redis) answers again.")
        cls.down = False


def _degrade(fallback):
    """Run the cache call; on a connection error, log and return ``fallback(args)``."""

    def decorate(method):
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                result = method(self, *args, **kwargs)
            except DOWN as error:
                _Health.failed(error)
                return fallback(*args, **kwargs)
            _Health.answered()
            return result

        return wrapper

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _zero(*args, **kwargs):
    return 0


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, with every call degrading to a miss when Redis is down."""

    def __init__(self, server, params):
        options = {**SOCKET_OPTIONS, **params.get("OPTIONS", {})}
        super().__init__(server, {**params, "OPTIONS": options})

    get = _degrade(_default)(RedisCache.get)
    set = _degrade(_nothing)(RedisCache.set)
    add = _degrade(_false)(RedisCache.add)
    touch = _degrade(_false)(RedisCache.touch)
    delete = _degrade(_false)(RedisCache.delete)
    has_key = _degrade(_false)(RedisCache.has_key)
    get_many = _degrade(_empty)(RedisCache.get_many)
    set_many = _degrade(lambda *args, **kwargs: [])(RedisCache.set_many)
    delete_many = _degrade(_nothing)(RedisCache.delete_many)
    clear = _degrade(_false)(RedisCache.clear)
    incr = _degrade(_zero)(RedisCache.incr)
