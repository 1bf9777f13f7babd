"""A test-only URLconf: the site's, plus views under /api/ that fail outside DRF (as an
on_commit enqueue with the broker down does), and the site's error handlers."""

from django.urls import path
from redis.exceptions import ConnectionError as RedisConnectionError

from ephedra.urls import handler400, handler403, handler404, handler500
from ephedra.urls import urlpatterns as site

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def bug(request):
    raise RuntimeError("a bug (synthetic)")


def redis_down(request):
    raise RedisConnectionError("Connection refused (synthetic)")


urlpatterns = [
    path("api/test-bug/", bug),
    path("api/test-redis-down/", redis_down),
    path("test-bug/", bug),
    *site,
]
