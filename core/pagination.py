"""Page lists whose rows a selector reads: the paginator counts the queryset as Django's
does, and hands the page's offset and length to ``rows(queryset, offset, limit)``, which
reads and shapes just that page (values, related names) in a fixed number of queries.
Given ``count`` when the caller already knows it (a list's counts by status add up to its
length), no count is run."""

from collections.abc import Callable, Sequence

from django.core.paginator import Paginator


class SelectorPaginator(Paginator):
    def __init__(
        self, object_list, per_page, rows: Callable[..., Sequence], count: int | None = None, **kw
    ):
        super().__init__(object_list, per_page, **kw)
        self.rows = rows
        if count is not None:
            self.count = count  # the cached property's value

    def page(self, number):
        number = self.validate_number(number)
        offset = (number - 1) * self.per_page
        limit = self.per_page
        if offset + limit + self.orphans >= self.count:  # the last page keeps its orphans
            limit = self.count - offset
        return self._get_page(self.rows(self.object_list, offset, limit), number, self)
