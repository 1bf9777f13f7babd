"""Redis stops while people work (issue 14): a private ``redis-server`` on a port of its
own, started and stopped by the test, carries the Celery broker and the cache. A report
asked for while it is down is kept and the page says it is waiting; when Redis returns,
the per-minute sweep sends it and the worker's message builds it. Pages that need only
the database keep working while the cache is gone."""

import datetime as dt
import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from ephedra.celery import app as celery_app
from reporting import reports, services, tasks
from reporting.models import GeneratedReport, ReportKind, ReportStatus
from tests.factories import OfficerFactory

REDIS_SERVER = shutil.which("redis-server")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server (Debian's redis-server)"),
]


class PrivateRedis:
    """A redis-server of the test's own, on a free loopback port, keeping nothing on disk."""

    def __init__(self, folder):
        self.folder = folder
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        pytest.fail("the private redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def queued(self) -> list[bytes]:
        import redis

        return redis.Redis.from_url(self.url).lrange("celery", 0, -1)


@pytest.fixture
def redis_outage(tmp_path, settings):
    server = PrivateRedis(tmp_path)
    server.start()
    # Celery makes its connection pools from broker_url on first use: this test's app
    # gets pools of its own on the private server, and the usual ones come back after.
    kept = (
        celery_app.conf.broker_url,
        celery_app.conf.task_always_eager,
        celery_app._pool,
        celery_app.amqp._producer_pool,
    )
    celery_app._pool = celery_app.amqp._producer_pool = None
    celery_app.conf.broker_url = server.url
    celery_app.conf.task_always_eager = False
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/1",
        }
    }
    yield server
    server.stop()
    (
        celery_app.conf.broker_url,
        celery_app.conf.task_always_eager,
        celery_app._pool,
        celery_app.amqp._producer_pool,
    ) = kept


def test_a_report_asked_for_while_redis_is_down_is_built_when_it_returns(
    client, area, redis_outage, monkeypatch, django_capture_on_commit_callbacks
):
    lead = OfficerFactory(role=Role.PROJECT_LEAD, areas=[area])
    client.force_login(lead)
    cache.set("warm", 1)  # the cache works while Redis is up
    redis_outage.stop()

    form = {"kind": ReportKind.MONTHLY_TREND, "area": area.pk, "month": "2026-10"}
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:reports"), form, follow=True)
    assert time.monotonic() - started < 15  # the broker's retries do not hold the page
    assert response.status_code == 200
    page = response.content.decode()
    assert "asked for" in page
    assert "Waiting to start" in page
    report = GeneratedReport.objects.get()
    assert report.status == ReportStatus.PENDING
    assert cache.get("warm") is None  # Redis is gone: a miss, not an error
    assert client.get(reverse("home")).status_code == 200  # database-only pages work

    redis_outage.start()  # on the same port; the web process reconnects by itself
    assert redis_outage.queued() == []  # nothing was sent while Redis was down
    services.sweep(now=timezone.now() + services.QUEUE_GRACE + dt.timedelta(seconds=1))
    messages = redis_outage.queued()
    assert len(messages) == 1  # the sweep sent the kept request, once

    # The worker's side: the message names the report, and building it makes it ready.
    import json

    body = json.loads(messages[0])
    assert body["headers"]["task"] == tasks.build_report.name
    (report_id,) = body["headers"]["argsrepr"].strip("()[],").split(",")[:1]
    monkeypatch.setattr(reports, "builder_for", lambda kind: lambda r: ("r.pdf", b"%PDF-"))
    tasks.build_report.apply(args=[int(report_id)])
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    report.file.delete(save=False)
