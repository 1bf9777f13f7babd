"""Writing the audit log: ``record`` for any event, ``viewed`` for reads, and automatic
``created``/``changed``/``deleted`` rows for the models listed in ``AUDITED``.

Rows are written with the caller's database connection, so inside a request (every
request is atomic) or a service's ``transaction.atomic`` the row commits or rolls back
with the change it records. Who and from where come from ``AuditContextMiddleware`` for
web requests; scheduled jobs record the system (no actor).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_delete, post_save, pre_save

from core.http import client_ip

from .audited import AUDITED, IGNORED_FIELDS, OPEN_EVERYWHERE
from .audited import PERSONAL as PERSONAL
from .models import AuditEvent, object_key

MASKED = "•••"


_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)

# --- Who is acting ---------------------------------------------------------------------


def set_request(request) -> contextvars.Token:
    """The request being served. Its user is read when a row is written, not now: DRF
    authenticates an API token inside the view, after the middleware ran, and then sets
    the user on this same Django request (``request._request.user``)."""
    return _request.set(request)


def reset_request(token: contextvars.Token) -> None:
    _request.reset(token)


def current_request():
    return _request.get()


def _actor(user, request):
    """The signed-in user acting; None for the system (a scheduled job) or an anonymous
    visitor."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


# --- Writing rows ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """Who acted and from where: the same for every row one call writes."""

    actor: object
    username: str
    ip_address: str | None


def _source(user, request) -> _Source:
    request = request if request is not None else _request.get()
    actor = _actor(user, request)
    return _Source(
        actor,
        actor.get_username() if actor else "",
        client_ip(request) if request is not None else None,
    )


def event(
    action: str,
    obj=None,
    *,
    user=None,
    request=None,
    changes: dict | None = None,
    detail: str = "",
    object_type: str = "",
    object_id: str = "",
    source: _Source | None = None,
) -> AuditEvent:
    """An unsaved row: ``record`` saves one, ``record_many`` several in one query.
    ``source``: who and from where, when the caller has read it once for many rows."""
    source = source or _source(user, request)
    if obj is not None:
        object_type, object_id = obj._meta.label_lower, object_key(obj)
    return AuditEvent(
        actor=source.actor,
        actor_username=source.username,
        ip_address=source.ip_address,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        changes=changes or {},
        detail=printable(detail)[:500],
    )


def printable(text: str) -> str:
    """Text for a row: control characters (a NUL, which PostgreSQL refuses in text, a
    newline that would forge a line in an exported log) become U+FFFD."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)


def record(action: str, obj=None, **kwargs) -> AuditEvent:
    """Append one row, in the caller's transaction. ``user`` overrides the current
    request's user; with neither (a Celery task) the actor is the system."""
    row = event(action, obj, **kwargs)
    row.save()
    return row


def record_lasting(action: str, obj=None, **kwargs) -> AuditEvent:
    """Append one row that the request's failure must not undo (a refusal, a failed sign-in
    or second factor): inside a request it is written by ``AuditContextMiddleware`` once
    the request's transaction has ended, committed or rolled back; elsewhere at once."""
    row = event(action, obj, **kwargs)
    request = _request.get()
    pending = getattr(request, AFTER_REQUEST, None) if request is not None else None
    if pending is None:
        row.save()
    else:
        pending.append(row)
    return row


AFTER_REQUEST = "_audit_after_request"
REFUSALS = {403: "forbidden", 404: "not_found"}


def refused(request, response) -> None:
    """A signed-in user refused (403), or sent to "not found" (404: also what another
    agency's or another area's record answers, so that its existence is not revealed):
    s.62 asks that failed attempts at access are logged too. The path names records by
    their UUIDs, never by personal values; the query string is not kept."""
    outcome = REFUSALS.get(response.status_code)
    user = getattr(request, "user", None)
    if outcome and user is not None and user.is_authenticated:
        record_lasting(
            f"access.{outcome}",
            user=user,
            request=request,
            detail=f"{request.method} {request.path}",
        )


def write_after_request(request) -> None:
    """The rows ``record_lasting`` kept back, written in their own transaction now that
    the request's has ended (the middleware calls it)."""
    rows = getattr(request, AFTER_REQUEST, None) or []
    setattr(request, AFTER_REQUEST, [])
    if rows:
        AuditEvent.objects.bulk_create(rows)


def record_many(action: str, objects: Iterable, **kwargs) -> list[AuditEvent]:
    """One row per object in a single INSERT (nothing for no objects)."""
    source = _source(kwargs.pop("user", None), kwargs.pop("request", None))
    return AuditEvent.objects.bulk_create(
        [event(action, obj, source=source, **kwargs) for obj in objects if obj is not None]
    )


def viewed(request, *objects) -> None:
    """Log that the signed-in user consulted each object (Data Protection Act 2018 s.62)."""
    viewed_many(request, objects)


def viewed_many(request, objects: Iterable) -> None:
    """One row per object shown on a page, in one query whatever their number or types:
    a list page stays constant in queries."""
    groups = _by_label(objects)
    source = _source(None, request)
    AuditEvent.objects.bulk_create(
        [event(f"{label}.viewed", obj, source=source) for label in groups for obj in groups[label]]
    )


def _by_label(objects: Iterable) -> dict[str, list]:
    """The objects grouped by model, each once (a person met twice on a page is one row)."""
    groups: dict[str, dict] = {}
    for obj in objects:
        if obj is not None:
            groups.setdefault(obj._meta.label_lower, {}).setdefault(object_key(obj), obj)
    return {label: list(group.values()) for label, group in groups.items()}


def with_related(objects: Iterable, *names: str) -> Iterator:
    """Each object, then the related records named (``person``, ``caution``...) that the
    page shows with it. Name only relations fetched with ``select_related``: reading
    another would cost a query per object."""
    for obj in objects:
        yield obj
        for name in names:
            try:
                related = getattr(obj, name)
            except ObjectDoesNotExist:  # a reverse one-to-one with nothing at the other end
                related = None
            if related is not None:
                yield related


def created_many(objects: Iterable, **kwargs) -> None:
    """For ``bulk_create`` of an audited model, which sends no signals."""
    objects = [obj for obj in objects if obj is not None]
    if objects:
        label = objects[0]._meta.label_lower
        created = f"{label}.created"
        rows = [event(created, obj, changes=_created(label, obj), **kwargs) for obj in objects]
        AuditEvent.objects.bulk_create(rows)


def changed_many(model, keys: Iterable, changes: dict, **kwargs) -> None:
    """For ``QuerySet.update`` of an audited model, which sends no signals: one row per
    record key (its UUID, or primary key), ``changes`` mapping each field to [old, new]
    (the value masked unless the field is open)."""
    label = model._meta.label_lower
    logged = {
        name: [_value(old), _value(new)] if name in AUDITED[label] else MASKED
        for name, (old, new) in changes.items()
        if name not in IGNORED_FIELDS
    }
    AuditEvent.objects.bulk_create(
        [
            event(
                f"{label}.changed", object_type=label, object_id=str(key), changes=logged, **kwargs
            )
            for key in keys
        ]
    )


# --- Automatic rows for changes to AUDITED models --------------------------------------


def _value(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _field_values(instance, only=None) -> dict:
    """The instance's loaded field values (a deferred field is not fetched just for this)."""
    deferred = instance.get_deferred_fields()
    return {
        field.name: _value(field.value_from_object(instance))
        for field in instance._meta.concrete_fields
        if field.name not in IGNORED_FIELDS
        and not field.primary_key
        and field.attname not in deferred
        and (only is None or field.name in only or field.attname in only)
    }


def _created(label: str, instance) -> dict:
    """What a new record holds: open fields with their values, others named and masked;
    empty fields left out."""
    open_fields = AUDITED[label] | OPEN_EVERYWHERE
    return {
        name: [None, value] if name in open_fields else MASKED
        for name, value in _field_values(instance).items()
        if value not in (None, "")
    }


def _diff(label: str, before: dict, after: dict) -> dict:
    open_fields = AUDITED[label] | OPEN_EVERYWHERE
    changes = {}
    for name, new in after.items():
        if name not in before:
            continue  # not loaded before: nothing to compare with
        old = before[name]
        if old != new:
            changes[name] = [old, new] if name in open_fields else MASKED
    return changes


def _remember_before(sender, instance, raw=False, update_fields=None, **kwargs):
    """The stored values of the fields about to be saved, to compare after the save."""
    instance._audit_before = None
    if raw or instance._state.adding or instance.pk is None:
        return
    names = [
        f.name
        for f in sender._meta.concrete_fields
        if f.name not in IGNORED_FIELDS
        and not f.primary_key
        and (update_fields is None or f.name in update_fields or f.attname in update_fields)
    ]
    if not names:
        instance._audit_before = {}  # only bookkeeping fields are saved: nothing to log
        return
    previous = sender._base_manager.filter(pk=instance.pk).only(*names).first()
    instance._audit_before = _field_values(previous, names) if previous else None


def _log_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    label = sender._meta.label_lower
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        record(f"{label}.created", instance, changes=_created(label, instance))
        return
    changes = _diff(label, before, _field_values(instance, update_fields))
    if changes:
        record(f"{label}.changed", instance, changes=changes)


def _log_delete(sender, instance, **kwargs):
    record(f"{sender._meta.label_lower}.deleted", instance)


def connect_signals() -> None:
    from django.apps import apps

    for label in AUDITED:
        model = apps.get_model(label)
        uid = f"audit-{label}"
        pre_save.connect(_remember_before, sender=model, dispatch_uid=f"{uid}-pre")
        post_save.connect(_log_save, sender=model, dispatch_uid=f"{uid}-post")
        post_delete.connect(_log_delete, sender=model, dispatch_uid=f"{uid}-delete")
    _connect_auth_signals()


# --- Sign-in events --------------------------------------------------------------------


def _signed_in(sender, request, user, **kwargs):
    record("accounts.user.signed_in", user, user=user, request=request)


def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record("accounts.user.signed_out", user, user=user, request=request)


def _sign_in_failed(sender, credentials, request=None, **kwargs):
    """The account tried is named only if it exists: a mistyped username may be a password,
    so an unknown username is never written down."""
    from django.contrib.auth import get_user_model

    model = get_user_model()
    if model.USERNAME_FIELD not in credentials:
        return  # single sign-on: accounts.oidc records the refusal and its reason
    username = str(credentials.get(model.USERNAME_FIELD, ""))
    account = model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()
    record_lasting(
        "accounts.user.sign_in_failed",
        account,
        user=None,
        request=request,
        detail="" if account else "No account has that username.",
    )


def _connect_auth_signals() -> None:
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(_signed_in, dispatch_uid="audit-signed-in")
    user_logged_out.connect(_signed_out, dispatch_uid="audit-signed-out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="audit-sign-in-failed")
