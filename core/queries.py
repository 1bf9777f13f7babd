"""Reading a page of rows, shared by the API's pagination (core.api_defaults) and the
pages' paginators (referrals.views.caseload): one home for how a list reads its page."""

from django.db.models import QuerySet
from django.db.models.sql.datastructures import Join
from django.db.models.sql.where import WhereNode


def page_rows(queryset, offset: int, limit: int) -> list:
    """The rows from ``offset``, at most ``limit``. A model queryset reads its page's keys
    first (its scope, filters and ordering, none of its joined columns), then those rows
    with everything the serializer needs (``pk IN (...)``, same ordering): one query more
    whatever the page's length. Given the whole scope, the planner hashed whole related
    tables to join them before sorting (estimates of thousands of rows for an area's
    hundreds); given 51 keys it fetches them by index. At force scale the patrol list's
    SQL went from 290 to 65 ms, the police referral list's from 450 to 230 ms.
    ``DISTINCT``, combined and ``values()`` querysets are read in one slice, as before."""
    query = getattr(queryset, "query", None)
    if (
        not isinstance(queryset, QuerySet)
        or query.distinct
        or query.combinator
        or (queryset._fields is not None)
    ):
        return list(queryset[offset : offset + limit])
    keys = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
    return list(rows_by_keys(queryset, keys)) if keys else []


def rows_by_keys(queryset: QuerySet, keys: list) -> QuerySet:
    """The rows of ``keys``, which the caller has just read through ``queryset``, with its
    joins, columns and annotations, by ``pk IN (...)`` alone: the list's conditions (the
    user's scope, the filters) chose the keys and are not evaluated again, so a scope
    built of subqueries over a whole area or an agency's grants is not hashed a second
    time for the page's 50 rows (at force scale the police referral list's rows 6 -> 3
    ms). Only when every join is to one row at most (a foreign key or a one-to-one, as
    ``select_related`` makes): the conditions' joins stay, and through a join to many rows
    a key would match more rows (or other rows aggregated) than the list did, so such a
    queryset keeps its conditions. Each key's row passed the conditions with the one row
    each join gives it, so its columns and annotations are the list's (as of this read: a
    row changed in the milliseconds between the two reads shows as it is now, as a row
    changed just after the page would)."""
    joins = [join for join in queryset.query.alias_map.values() if isinstance(join, Join)]
    if not all(_to_one(join) for join in joins):
        return queryset.filter(pk__in=keys)
    rows = queryset.all()
    rows.query.where = WhereNode()
    return rows.filter(pk__in=keys)


def _to_one(join: Join) -> bool:
    field = join.join_field
    return not (getattr(field, "one_to_many", True) or getattr(field, "many_to_many", True))


def keyed_rows(queryset: QuerySet, names: list[str], limit: int) -> list[tuple]:
    """The first ``limit`` rows of a model queryset in its order, each as ``(row, values)``
    with its values of ``names`` (its ordering's keys: core.keyset makes the cursors of
    them). As ``page_rows``: the keys first, then those rows with everything the serializer
    needs by ``pk IN (...)``, put back in the keys' order here, so the rows' query needs no
    sort. Two queries whatever the page's length (one when there are no rows); a row
    deleted between the two is left out. A plain DISTINCT (a filter across a many-valued
    relation) reads each row once: the keys are one value a row, the pk among them."""
    keys = list(queryset.values_list(*names, "pk")[:limit])
    if not keys:
        return []
    rows = rows_by_keys(queryset, [key[-1] for key in keys]).order_by()
    by_pk = {row.pk: row for row in rows}
    return [(by_pk[key[-1]], list(key[:-1])) for key in keys if key[-1] in by_pk]
