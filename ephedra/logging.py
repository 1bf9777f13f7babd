"""Log output never carries personal data by accident.

Exception messages are where it slips in: a PostgreSQL IntegrityError's DETAIL line
echoes the row's values ("Key (working_name)=(...) already exists"), a validation error
repeats what was typed, a template error shows the variable. So every record that
passes through a handler with `NoPersonalData` loses its traceback and exception text:
what remains is the exception's type and where it was raised in our code, which is
enough to find the bug (Sentry or a debugger holds the rest, never a log file).

Request lines lose their query string (a search for a name would otherwise be logged);
paths stay, because URLs about people hold UUIDs, never names.
"""

import logging
import re
import traceback
from pathlib import Path
from types import TracebackType

from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parent.parent
QUERY_STRING = re.compile(r"\?[^\s\"]*")
THIRD_PARTY = ("site-packages", "dist-packages")


class NoPersonalData(logging.Filter):
    """Reduce exceptions to type and location, and drop query strings; never drops a
    record (a log line that something failed is itself worth keeping)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            _, error, trace = record.exc_info
            record.msg = f"{_text(record.msg)} [{_escape(summary(error, trace), record)}]"
        record.exc_info = None
        record.exc_text = None
        if isinstance(record.msg, BaseException):
            record.msg = type(record.msg).__name__
        record.args = _safe_args(record.args)
        if record.name == "django.server" and record.args:
            record.args = (QUERY_STRING.sub("?…", str(record.args[0])), *record.args[1:])
        return True


def summary(error: BaseException, trace: TracebackType | None) -> str:
    """'IntegrityError at referrals/services.py:42 in make_referral': the innermost
    frame in our own code, else the innermost frame at all."""
    frames = traceback.extract_tb(trace) if trace is not None else []
    ours = [frame for frame in frames if _is_ours(frame.filename)]
    frame = (ours or frames or [None])[-1]
    name = type(error).__name__
    if frame is None:
        return name
    return f"{name} at {_relative(frame.filename)}:{frame.lineno} in {frame.name}"


def _safe_args(args):
    """An exception passed as a %s argument would print its message: its type instead."""
    if isinstance(args, tuple):
        return tuple(type(a).__name__ if isinstance(a, BaseException) else a for a in args)
    if isinstance(args, dict):
        return {k: type(v).__name__ if isinstance(v, BaseException) else v for k, v in args.items()}
    return args


def _text(message) -> str:
    return type(message).__name__ if isinstance(message, BaseException) else str(message)


def _escape(text: str, record: logging.LogRecord) -> str:
    # The summary joins a %-format string: a literal % in it must not become a placeholder.
    return text.replace("%", "%%") if record.args else text


def _is_ours(filename: str) -> bool:
    path = Path(filename)
    return path.is_relative_to(ROOT) and not any(part in THIRD_PARTY for part in path.parts)


def _relative(filename: str) -> str:
    path = Path(filename)
    for marker in THIRD_PARTY:  # .../site-packages/django/db/... -> django/db/...
        if marker in path.parts:
            return str(Path(*path.parts[path.parts.index(marker) + 1 :]))
    if path.is_relative_to(ROOT):
        return str(path.relative_to(ROOT))
    return path.name


# --- The configuration (settings.LOGGING) -------------------------------------------------


def config(*, level: str, audit_file: str = "", audit_syslog: str = "") -> dict:
    """Every record goes through one handler whose filter (``NoPersonalData``) cuts
    exceptions down to their type and location and request lines down to their path.
    Django's own loggers are configured so that they reach that handler instead of
    Django's defaults (an unfiltered console, mail_admins). The ``ephedra.audit`` logger
    (governance/forwarding.py) writes bare JSON lines to the audit handlers only."""
    audit_handlers: dict = {}
    if audit_file:
        audit_handlers["audit_file"] = {
            "class": "logging.handlers.WatchedFileHandler",  # follows logrotate's moves
            "filename": audit_file,
            "formatter": "line",
        }
    if audit_syslog:
        host, _, port = audit_syslog.rpartition(":")
        if not host or not port.isdigit():
            raise ImproperlyConfigured("AUDIT_SYSLOG_ADDRESS must be host:port.")
        audit_handlers["audit_syslog"] = {
            "class": "logging.handlers.SysLogHandler",
            "address": (host, int(port)),
            "formatter": "line",
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"no_personal_data": {"()": "ephedra.logging.NoPersonalData"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
            "line": {"format": "%(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["no_personal_data"],
                "formatter": "plain",
            },
            **audit_handlers,
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Configuring "django" resets its children (django.request, django.server, ...)
            # to pass their records up to the root's filtered handler.
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            "ephedra.audit": {
                "handlers": list(audit_handlers),
                "level": "INFO",
                "propagate": False,  # never in the application's own log
            },
        },
    }
