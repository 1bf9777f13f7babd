"""Keyset (cursor) pagination, the part without HTTP: a list's ordering as keys, the
cursor that names a row by its keys' values, and the filter "the rows after that row".
core.api_defaults.Pagination reads pages with it.

The ordering is the queryset's own (after the views' filter backends ran: a user's
``?ordering=`` is already in it), made total by appending the primary key with the
direction of the last key. A key is a model field, a field across forward relations
(``ward__area__name``) or an annotation (``referred_at``). **NULLs come last** in the
forward order, ascending or descending, on SQLite and PostgreSQL alike (read backwards,
they come first); keys that cannot be NULL keep plain ``ORDER BY`` terms, so the indexes
that served the list still serve it.

What cannot be keyed (an expression or ``?`` in the ordering, a transform, a relation
as the last step or a reverse many-valued one, ``extra()`` ordering, ``DISTINCT ON``, combined
or ``values()`` querysets, a plain list) is read by offset: ``keys_for`` answers None and the
cursor carries an offset, as DRF's CursorPagination does for its ties.

A cursor carries an ordering signature and the keys' values of the row at the page's
edge: values of a row the user was shown, of the fields the list is ordered by (and a
view names the only fields it may be), the row named by its uuid where it has one, not
by its integer key: it reveals nothing the page did not. The
filter it becomes is applied on top of the scoped queryset, so it can narrow a list,
never widen it. Anything else in the cursor place is ``InvalidCursor``.
"""

import base64
import binascii
import datetime as dt
import decimal
import hashlib
import json
import uuid
from dataclasses import dataclass, replace
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, FieldError, ValidationError
from django.db.models import F, Field, Q, QuerySet, Subquery
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import Col
from django.utils.duration import duration_iso_string

MAX_CURSOR_LENGTH = 2000  # a cursor is a few values: anything longer was not made here


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Key:
    name: str  # as in order_by: "status", "ward__area__name", "referred_at", "pk"
    descending: bool
    field: Field  # reads a cursor's value back (to_python)
    nullable: bool
    nulls_first: bool = False  # the forward order puts NULLs last
    carried: str = ""  # the field whose value the cursor carries, when not ``name``'s

    @property
    def read(self) -> str:
        return self.carried or self.name

    def reversed(self) -> "Key":
        return replace(self, descending=not self.descending, nulls_first=not self.nulls_first)

    def order(self):
        """The order_by term: explicit about NULLs only where a NULL can be."""
        if not self.nullable:
            return f"-{self.name}" if self.descending else self.name
        nulls = {"nulls_first": True} if self.nulls_first else {"nulls_last": True}
        return F(self.name).desc(**nulls) if self.descending else F(self.name).asc(**nulls)

    @property
    def term(self) -> str:
        return f"-{self.name}" if self.descending else self.name


# --- The ordering as keys ----------------------------------------------------------------


def ordering_of(queryset) -> list:
    """The terms the queryset is ordered by: its order_by, else its model's Meta.ordering."""
    query = queryset.query
    if query.order_by:
        return list(query.order_by)
    if query.default_ordering:
        return list(queryset.model._meta.ordering)
    return []


def keyable(queryset) -> bool:
    return (
        isinstance(queryset, QuerySet)
        and not queryset.query.distinct_fields  # a plain DISTINCT (a filter's) is keyed
        and not queryset.query.combinator
        and queryset._fields is None
        and not queryset.query.extra_order_by
    )


def keys_for(queryset, allowed: set[str] | None = None) -> list[Key] | None:
    """The queryset's ordering as keys, ending with the primary key; None when it cannot
    be keyed, or when it names a field outside ``allowed`` (the fields the view lets a
    client order by: a cursor must carry no other)."""
    if not keyable(queryset):
        return None
    keys: list[Key] = []
    for term in ordering_of(queryset):
        if not isinstance(term, str) or term == "?" or "." in term:
            return None
        name = term.removeprefix("-")
        pk = name in ("pk", queryset.model._meta.pk.name)
        found = _field_of(queryset, name)
        if found is None or (allowed is not None and not pk and name not in allowed):
            return None
        keys.append(Key("pk" if pk else name, term.startswith("-"), *found))
        if pk:
            return [*keys[:-1], _pk_key(queryset.model, keys[-1].descending)]  # unique: done
    descending = keys[-1].descending if keys else False
    return [*keys, _pk_key(queryset.model, descending)]


def _pk_key(model, descending: bool) -> Key:
    """The pk, as the last key. A record with a ``uuid`` (a person's, a referral's) is
    named in its cursor by that uuid, which its page shows, never by its integer key,
    which would tell how many records the force has made (ARCHITECTURE: integer keys stay
    internal); ``at_uuids`` turns it back into the key inside the query."""
    try:
        public = model._meta.get_field("uuid")
    except FieldDoesNotExist:
        public = None
    if public is not None and public.unique and not public.null:
        return Key("pk", descending, public, False, carried="uuid")
    return Key("pk", descending, model._meta.pk, False)


def _field_of(queryset, name: str) -> tuple[Field, bool] | None:
    """The field that reads ``name``'s values, and whether a value may be NULL."""
    model = queryset.model
    if name in ("pk", model._meta.pk.name):
        return model._meta.pk, False
    annotation = queryset.query.annotations.get(name)
    if annotation is not None:
        return _annotation_field(queryset, annotation)
    parts = name.split(LOOKUP_SEP)
    nullable = False
    for step, part in enumerate(parts):
        try:
            field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        except FieldDoesNotExist:
            return None  # a transform (``__year``), or not a field
        nullable = nullable or bool(field.null)
        last = step == len(parts) - 1
        if field.is_relation:
            # A relation last is ordered by its model's Meta.ordering; a many-valued one
            # repeats rows: neither is one value per row.
            if last or field.many_to_many or field.one_to_many:
                return None
            model = field.related_model
        elif not last:
            return None
    return field, nullable


def _annotation_field(queryset, annotation) -> tuple[Field, bool] | None:
    try:
        field = annotation.output_field
    except FieldError:
        return None
    if field.is_relation:
        return None
    # Only a column of the list's own table is known never to be NULL; any other
    # expression (a join, a Coalesce, a subquery) may be.
    own_column = isinstance(annotation, Col) and annotation.alias == queryset.query.base_table
    return field, not (own_column and not field.null)


def signature(terms) -> str:
    """A short fingerprint of an ordering: a cursor made for one is refused by another."""
    text = ",".join(term if isinstance(term, str) else repr(term) for term in terms)
    return hashlib.blake2s(text.encode(), digest_size=6).hexdigest()


# --- "After this row" ----------------------------------------------------------------------


def at_uuids(scope: QuerySet, keys: list[Key], values: list) -> list:
    """A cursor's values for ``after``: a uuid it carries becomes that row's pk, read by a
    subquery of the scoped list (no query more; a uuid outside the scope is no row, and
    nothing comes after it)."""
    rows = scope.order_by()
    return [
        Subquery(rows.filter(**{key.carried: value}).values("pk")[:1]) if key.carried else value
        for key, value in zip(keys, values, strict=True)
    ]


def after(keys: list[Key], values: list) -> Q:
    """The rows after the row whose keys have ``values``, in the keys' order (reversed
    keys: the rows before it). Equal on the keys before one, beyond on that one."""
    disjuncts = []
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        beyond = _beyond(key, value)
        if beyond is not None:
            disjuncts.append(equal & beyond)
        is_null = Q(**{f"{key.name}__isnull": True})
        equal &= is_null if value is None else Q(**{key.name: value})
    rows = reduce(or_, disjuncts)  # never empty: the last key is the pk, never NULL
    first, value = keys[0], values[0]
    if len(keys) > 1 and not first.nullable:
        # Implied by the disjuncts, but it is what lets PostgreSQL start the ordering's
        # index scan at the row (an OR of ANDs alone would walk the index from its start).
        rows = Q(**{f"{first.name}__{'lte' if first.descending else 'gte'}": value}) & rows
    return rows


def _beyond(key: Key, value) -> Q | None:
    if value is None:  # after a NULL: the values, when NULLs come first; else nothing
        return Q(**{f"{key.name}__isnull": False}) if key.nulls_first else None
    beyond = Q(**{f"{key.name}__{'lt' if key.descending else 'gt'}": value})
    if key.nullable and not key.nulls_first:
        beyond |= Q(**{f"{key.name}__isnull": True})
    return beyond


# --- Cursors -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    values: list  # the keys' values of the row at the edge
    backwards: bool  # the page is the rows before it


def position_cursor(keys: list[Key], values, backwards: bool) -> str:
    payload = {"s": signature(key.term for key in keys), "k": [_to_json(v) for v in values]}
    if backwards:
        payload["b"] = 1
    return _encode(payload)


def read_position(text: str, keys: list[Key]) -> Position:
    payload = _decode(text)
    if set(payload) - {"s", "k", "b"} or payload.get("b", 1) != 1:
        raise InvalidCursor
    if payload.get("s") != signature(key.term for key in keys):
        raise InvalidCursor  # made for another ordering (or not a position)
    raw = payload.get("k")
    if not isinstance(raw, list) or len(raw) != len(keys):
        raise InvalidCursor
    values = [_from_json(key, value) for key, value in zip(keys, raw, strict=True)]
    return Position(values, "b" in payload)


def offset_cursor(terms, offset: int) -> str:
    return _encode({"s": signature(terms), "o": offset})


def read_offset(text: str, terms, limit: int) -> int:
    payload = _decode(text)
    offset = payload.get("o")
    if set(payload) != {"s", "o"} or payload["s"] != signature(terms):
        raise InvalidCursor
    if type(offset) is not int or not 0 <= offset <= limit:
        raise InvalidCursor
    return offset


def _encode(payload: dict) -> str:
    text = json.dumps(payload, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("=")


def _decode(text: str) -> dict:
    if len(text) > MAX_CURSOR_LENGTH:
        raise InvalidCursor
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        payload = json.loads(raw)
    except (ValueError, UnicodeError, binascii.Error, RecursionError):
        raise InvalidCursor from None
    if not isinstance(payload, dict):
        raise InvalidCursor
    return payload


def _to_json(value):
    """A key's value as JSON that ``to_python`` reads back exactly (DjangoJSONEncoder
    would cut a datetime's microseconds, and the next page would repeat or skip rows)."""
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value  # None, bool, int, float, str


def _from_json(key: Key, value):
    if value is None:
        if not key.nullable:
            raise InvalidCursor
        return None
    if not isinstance(value, str | int | float | bool):
        raise InvalidCursor
    try:
        python = key.field.to_python(value)
        key.field.run_validators(python)  # a key the database's integers cannot hold
    except (ValidationError, TypeError, ValueError, OverflowError, decimal.InvalidOperation):
        raise InvalidCursor from None
    if python is None:
        raise InvalidCursor  # "" read as NULL by some fields
    if isinstance(python, dt.datetime) and settings.USE_TZ and python.tzinfo is None:
        raise InvalidCursor  # we write aware datetimes: a naive one was not made here
    return python
