"""core.pagination.SelectorPaginator pages as Django's Paginator does, reading each page's
rows through the selector it is given."""

import pytest
from django.core.paginator import EmptyPage, Paginator

from core.pagination import SelectorPaginator


def sliced(calls):
    def rows(items, offset, limit):
        calls.append((offset, limit))
        return items[offset : offset + limit]

    return rows


@pytest.mark.parametrize("count", [0, 1, 6, 7, 9])
@pytest.mark.parametrize("orphans", [0, 1, 2])
def test_pages_hold_what_djangos_paginator_gives(count, orphans):
    items = list(range(count))
    django = Paginator(items, 3, orphans=orphans)
    ours = SelectorPaginator(items, 3, rows=sliced([]), orphans=orphans)

    assert ours.num_pages == django.num_pages
    for number in django.page_range:
        assert list(ours.page(number)) == list(django.page(number)), number


def test_the_selector_reads_only_the_page():
    calls = []
    paginator = SelectorPaginator(list(range(120)), 50, rows=sliced(calls))

    page = paginator.page(2)

    assert calls == [(50, 50)]
    assert page.has_next()
    assert page.has_previous()
    with pytest.raises(EmptyPage):
        paginator.page(4)


class Uncountable(list):
    """A list whose length must not be asked: the paginator was told it."""

    def count(self):
        raise AssertionError("counted")

    def __len__(self):
        raise AssertionError("counted")


def test_a_count_given_is_not_run_again():
    paginator = SelectorPaginator(Uncountable(range(120)), 50, rows=sliced([]), count=120)

    page = paginator.page(3)

    assert paginator.num_pages == 3
    assert list(page) == list(range(100, 120))
