"""The audit log as JSON lines for a log collector (AUDIT_LOG_FILE / AUDIT_SYSLOG_ADDRESS):
each committed row once, rolled-back rows never, and nothing personal beyond the row."""

import json
import logging

import pytest
from django.db import transaction

from governance import audit, forwarding
from governance.models import object_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(settings):
    settings.AUDIT_FORWARD = True
    caught: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record):
            caught.append(record.getMessage())

    handler = Catch()
    forwarding.logger.addHandler(handler)
    forwarding.logger.setLevel(logging.INFO)
    yield caught
    forwarding.logger.removeHandler(handler)


def test_committed_rows_are_forwarded_once_each(lines, pc, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        audit.record("referrals.person.viewed", pc, user=pc, detail="A reason")
        audit.record_many("patrols.patrol.viewed", [], user=pc)  # nothing: no line

    (line,) = lines
    row = json.loads(line)
    assert row["action"] == "referrals.person.viewed"
    assert row["actor"] == pc.username
    assert row["object_type"] == "accounts.user"
    assert row["detail"] == "A reason"
    assert row["id"] is not None
    assert row["at"]


def test_bulk_rows_are_forwarded_too(lines, pc, sergeant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        audit.viewed_many(None, [pc, sergeant])
    assert sorted(json.loads(line)["object_id"] for line in lines) == sorted(
        [object_key(pc), object_key(sergeant)]
    )


def test_rolled_back_rows_are_never_forwarded(lines, pc, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                audit.record("referrals.person.viewed", pc, user=pc)
                raise RuntimeError
        except RuntimeError:
            pass
    assert lines == []


def test_forwarding_is_off_unless_configured(settings, pc, django_capture_on_commit_callbacks):
    settings.AUDIT_FORWARD = False
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        audit.record("referrals.person.viewed", pc, user=pc)
    assert callbacks == []
