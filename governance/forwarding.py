"""Audit rows, also as JSON lines for a log collector (optional).

A force's security team keeps its own copy of the audit trail, out of the application's
reach: with ``AUDIT_LOG_FILE`` (a file a collector such as Fluent Bit or Filebeat tails)
or ``AUDIT_SYSLOG_ADDRESS`` (host:port, UDP syslog) set, every row is also written to the
``ephedra.audit`` logger as one JSON object per line, once its transaction has committed
(a row rolled back is never forwarded). The lines hold exactly what the row holds: keys,
never personal values.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.db import transaction

logger = logging.getLogger("ephedra.audit")


def as_line(row) -> str:
    return json.dumps(
        {
            "id": row.pk,
            "at": row.at.isoformat() if row.at else None,
            "actor": row.actor_username or None,
            "ip": row.ip_address,
            "action": row.action,
            "object_type": row.object_type or None,
            "object_id": row.object_id or None,
            "changes": row.changes,
            "detail": row.detail or None,
        },
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )


def forward(rows: Sequence) -> None:
    """After commit, one line per row (nothing when forwarding is off)."""
    if settings.AUDIT_FORWARD and rows:
        transaction.on_commit(partial(_emit, list(rows)))


def _emit(rows) -> None:
    for row in rows:
        logger.info(as_line(row))
