"""The Evidence, stored: the frozen dataclass tree as JSON-ready data, and back.

JSON, never pickle: a stored result is read by whatever code runs later, so it must not be
able to run code of its own, and it stays readable in the database. The conversion follows
the dataclasses' own type hints (dataclasses, tuples, ``X | None``, dates, datetimes, str,
int, float, bool), so a new field needs no code here. A float that JSON cannot hold (NaN,
±infinity) is kept as its name. A change of shape that old data cannot fill bumps
``FORMAT``: results stored in another format are not read, and are worked out again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import types
import typing

FORMAT = 5  # 2: Effect.method replaced Effect.clustered (honest intervals, issue 18);
# 3: timed visits (Dose.timed_visits, DoseResponse.per_hour, Evidence.visit_lengths) and
# Evidence.staggered (group-time effects and the event-time series, issue 18);
# 4: Effect.detectable, HotspotEvidence.stopped and patrolled_months (exposure, issue 18);
# 5: Effect.trend_adjusted (a clear effect must survive the trend before, continued)


class StoredFormatError(ValueError):
    """Stored data that does not fit the dataclass it is read as."""


def to_data(value):
    """``value`` (a dataclass tree) as JSON-ready lists, dicts, strings and numbers."""
    if type(value).__module__ == "numpy":
        value = value.item()  # numpy scalars: the Python number
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [to_data(item) for item in value]
    if isinstance(value, dt.date):  # and datetimes: ISO 8601, with the UTC offset
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # "nan", "inf", "-inf"
    if value is None or isinstance(value, (str, int, float)):
        return value
    raise TypeError(f"Cannot store a {type(value).__name__}")


def from_data(kind, data):
    """``data`` read back as ``kind`` (a dataclass, or any type hint it uses)."""
    try:
        return _read(kind, data)
    except StoredFormatError:
        raise
    except (TypeError, ValueError, KeyError) as error:
        raise StoredFormatError(f"{type(error).__name__}: {error}") from None


def _read(kind, data):
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        return _read_union(args, data)
    if origin is tuple:
        return _read_tuple(args, _expect(data, list))
    if dataclasses.is_dataclass(kind):
        return _read_dataclass(kind, _expect(data, dict))
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(_expect(data, str))
    if kind is dt.date:
        return dt.date.fromisoformat(_expect(data, str))
    if kind is float:
        return float(data) if isinstance(data, str) else float(_expect(data, (int, float)))
    if kind is bool:
        return _expect(data, bool)
    if kind is int:
        if isinstance(data, bool):
            raise StoredFormatError("Expected a whole number, found true or false")
        return _expect(data, int)
    if kind is str:
        return _expect(data, str)
    raise StoredFormatError(f"Cannot read a {kind!r}")


def _read_union(args: tuple, data):
    choices = [arg for arg in args if arg is not type(None)]
    if data is None and len(choices) < len(args):
        return None
    if len(choices) != 1:
        raise StoredFormatError(f"Cannot read a value of one of {args!r}")
    return _read(choices[0], data)


def _read_tuple(args: tuple, data: list) -> tuple:
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(_read(args[0], item) for item in data)
    if len(args) != len(data):
        raise StoredFormatError(f"Expected {len(args)} items, found {len(data)}")
    return tuple(_read(arg, item) for arg, item in zip(args, data, strict=True))


def _read_dataclass(kind, data: dict):
    hints = _hints(kind)
    if set(data) != set(hints):
        raise StoredFormatError(f"The fields of {kind.__name__} do not match")
    return kind(**{name: _read(hint, data[name]) for name, hint in hints.items()})


@functools.cache
def _hints(kind) -> dict:
    """The type of each field (the modules use postponed annotations: strings)."""
    hints = typing.get_type_hints(kind)
    return {f.name: hints[f.name] for f in dataclasses.fields(kind) if f.init}


def _expect(data, kinds):
    if not isinstance(data, kinds):
        raise StoredFormatError(f"Expected {kinds!r}, found {type(data).__name__}")
    return data
