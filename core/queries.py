"""Reading a page of rows, shared by the API's pagination (core.api_defaults) and the
pages' paginators (referrals.views.caseload): one home for how a list reads its page."""

from django.db.models import QuerySet


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
    return list(queryset.filter(pk__in=keys)) if keys else []


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
    rows = queryset.filter(pk__in=[key[-1] for key in keys]).order_by()
    by_pk = {row.pk: row for row in rows}
    return [(by_pk[key[-1]], list(key[:-1])) for key in keys if key[-1] in by_pk]
