"""Writing the audit log: ``record`` for any event, ``viewed`` for reads, and automatic
``created``/``changed``/``deleted`` rows for the models listed in ``AUDITED``.

Rows are written with the caller's database connection, so inside a request (every
request is atomic) or a service's ``transaction.atomic`` the row commits or rolls back
with the change it records. Who and from where come from ``AuditContextMiddleware`` for
web requests; scheduled jobs record the system (no actor).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable

from django.conf import settings
from django.db.models.signals import post_delete, post_save, pre_save

from .models import AuditEvent, object_key

MASKED = "•••"


_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)

# Models whose changes are logged, with the fields whose values may be written to the log.
# Every other changed field is listed by name with its value masked: names, descriptions,
# notes, custody references and the like never reach the audit table.
AUDITED: dict[str, frozenset[str]] = {
    "accounts.user": frozenset(
        {"username", "role", "agency", "is_active", "is_staff", "is_superuser", "last_login"}
    ),
    "accounts.officerprofile": frozenset({"home_ward", "ephedra_trained_on"}),
    "accounts.apitoken": frozenset({"name", "prefix", "revoked_at"}),
    "partners.partneragency": frozenset(
        {"name", "kind", "active", "sharing_agreement_from", "sharing_agreement_until"}
    ),
    "patrols.hotspot": frozenset({"ward", "name", "active", "retired_on", "identified_on"}),
    "patrols.patrol": frozenset(
        {"area", "ward", "starts_at", "ends_at", "status", "meeting_point", "planned_by"}
    ),
    "patrols.patrolofficer": frozenset({"patrol", "officer", "role"}),
    "patrols.partnerinvitation": frozenset({"patrol", "agency", "activity"}),
    "patrols.riskassessment": frozenset({"patrol", "assessed_by", "approved_by", "approved_at"}),
    "patrols.workreturn": frozenset(
        {"patrol", "status", "started_at", "ended_at", "women_seen", "kerb_crawlers_seen"}
    ),
    "patrols.encounter": frozenset({"patrol", "person", "hotspot", "occurred_at", "engaged"}),
    "patrols.arrest": frozenset({"patrol", "arrested_at", "offence", "outcome"}),
    "patrols.conditionalcaution": frozenset({"arrest", "given_on", "deadline", "status"}),
    "patrols.intelligencereport": frozenset({"patrol", "submitted_by", "handling_code"}),
    "referrals.person": frozenset({"area", "age_band", "first_seen", "same_as"}),
    "referrals.referral": frozenset(
        {"person", "agency", "service", "status", "closed_outcome", "decline_reason"}
    ),
    "referrals.referralnote": frozenset({"referral", "author"}),
    "referrals.possibleduplicate": frozenset({"person", "other", "status", "decided_by"}),
    "reporting.importbatch": frozenset({"kind", "force", "month", "row_count", "status"}),
    "reporting.generatedreport": frozenset(
        {"kind", "area", "period_start", "period_end", "status", "superseded"}
    ),
}
# Never worth a row: bookkeeping timestamps.
IGNORED_FIELDS = frozenset({"updated_at", "password", "secret_hash"})


# --- Who is acting ---------------------------------------------------------------------


def set_request(request) -> contextvars.Token:
    """The request being served; its user is read when a row is written (DRF authenticates
    API tokens inside the view, after the middleware ran)."""
    return _request.set(request)


def reset_request(token: contextvars.Token) -> None:
    _request.reset(token)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the proxy's X-Forwarded-For behind our TLS proxy."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


# --- Writing rows ----------------------------------------------------------------------


def record(
    action: str,
    obj=None,
    *,
    user=None,
    request=None,
    changes: dict | None = None,
    detail: str = "",
    object_type: str = "",
    object_id: str = "",
) -> AuditEvent:
    """Append one row. ``user`` overrides the current request's user when given."""
    request = request if request is not None else _request.get()
    ip_address = client_ip(request) if request is not None else None
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if obj is not None:
        object_type, object_id = obj._meta.label_lower, object_key(obj)
    return AuditEvent.objects.create(
        actor=user,
        actor_username=user.get_username() if user else "",
        ip_address=ip_address,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        changes=changes or {},
        detail=detail[:500],
    )


def viewed(request, *objects) -> None:
    """Log that the signed-in user consulted each object (Data Protection Act 2018 s.62)."""
    for obj in objects:
        if obj is not None:
            record(f"{obj._meta.label_lower}.viewed", obj, request=request)


def viewed_many(request, objects: Iterable) -> None:
    """One row per object shown on a page (bulk insert: a list page stays constant in queries)."""
    actor = request.user if request.user.is_authenticated else None
    ip_address = client_ip(request)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            actor_username=actor.get_username() if actor else "",
            ip_address=ip_address,
            action=f"{obj._meta.label_lower}.viewed",
            object_type=obj._meta.label_lower,
            object_id=object_key(obj),
        )
        for obj in objects
    )


# --- Automatic rows for changes to AUDITED models --------------------------------------


def _value(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _field_values(instance) -> dict:
    return {
        field.name: _value(field.value_from_object(instance))
        for field in instance._meta.concrete_fields
        if field.name not in IGNORED_FIELDS and not field.primary_key
    }


def _diff(label: str, before: dict, after: dict) -> dict:
    open_fields = AUDITED[label]
    changes = {}
    for name, new in after.items():
        old = before.get(name)
        if old != new:
            changes[name] = [old, new] if name in open_fields else MASKED
    return changes


def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._audit_before = None
        return
    previous = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = _field_values(previous) if previous else None


def _log_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    label = sender._meta.label_lower
    before = None if created else getattr(instance, "_audit_before", None)
    after = _field_values(instance)
    if created or before is None:
        changes = {name: MASKED for name in after if name not in AUDITED[label]}
        changes = {**changes, **{n: [None, v] for n, v in after.items() if n in AUDITED[label]}}
        record(f"{label}.created", instance, changes={k: v for k, v in changes.items() if v})
        return
    changes = _diff(label, before, after)
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
    """The account tried is named only if it exists: a mistyped username may be a password."""
    from django.contrib.auth import get_user_model

    username = credentials.get("username", "")
    account = get_user_model().objects.filter(username=username).first()
    ip_address = client_ip(request) if request is not None else None
    AuditEvent.objects.create(
        actor=None,
        actor_username="",
        ip_address=ip_address,
        action="accounts.user.sign_in_failed",
        object_type="accounts.user" if account else "",
        object_id=object_key(account) if account else "",
        detail="" if account else "No account has that username.",
    )


def _connect_auth_signals() -> None:
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(_signed_in, dispatch_uid="audit-signed-in")
    user_logged_out.connect(_signed_out, dispatch_uid="audit-signed-out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="audit-sign-in-failed")
