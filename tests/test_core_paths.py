"""core.paths.uuid_paths: the same links as reverse, reversed once."""

import uuid

import pytest
from django.urls import reverse, set_script_prefix

from core.paths import uuid_paths

KEYS = [uuid.uuid4() for _ in range(5)] + [uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)]
NAMES = ["referrals:partner_detail", "referrals:partner_status", "referrals:detail"]


@pytest.mark.parametrize("name", NAMES)
def test_links_are_those_reverse_gives(name):
    link = uuid_paths(name)

    assert [link(key) for key in KEYS] == [reverse(name, args=[key]) for key in KEYS]


def test_links_keep_the_script_prefix():
    set_script_prefix("/ephedra/")
    try:
        link = uuid_paths("referrals:partner_detail")
        assert link(KEYS[0]) == f"/ephedra/partner/referrals/{KEYS[0]}/"
    finally:
        set_script_prefix("/")
