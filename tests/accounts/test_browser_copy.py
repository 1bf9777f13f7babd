"""The work return's copy in the browser is encrypted with a key that leaves with the
session (accounts/browser_copy.py), and signing out clears the site's storage. The
encryption itself runs in the browser: tests/e2e/test_patrol_flow.py checks it there."""

import base64
import re

import pytest
from django.test import Client
from django.urls import reverse

from patrols.models import PatrolStatus
from tests.factories import WardFactory
from tests.patrols.cast import crewed, local_pc_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def return_url(area, pc):
    ward = WardFactory(area=area)
    patrol = crewed(ward, pc, local_pc_for(ward, area), status=PatrolStatus.DEPLOYED)
    return reverse("patrols:work_return", args=[patrol.uuid])


def key_on(page: str) -> bytes:
    (key,) = re.findall(r'data-copy-key="([^"]*)"', page)
    return base64.b64decode(key)


def test_the_return_page_carries_this_session_s_key(client, pc, return_url):
    client.force_login(pc)
    first = key_on(client.get(return_url).content.decode())
    again = key_on(client.get(return_url).content.decode())
    assert len(first) == 32  # AES-256
    assert again == first  # the same all session: a copy made earlier can be read

    other = Client()
    other.force_login(pc)  # the same officer on another device
    assert key_on(other.get(return_url).content.decode()) != first


def test_after_sign_out_the_old_key_is_gone(client, pc, return_url):
    client.force_login(pc)
    before = key_on(client.get(return_url).content.decode())

    response = client.post(reverse("logout"))

    assert response["Clear-Site-Data"] == '"storage"'  # and the browser drops its copies
    client.force_login(pc)
    assert key_on(client.get(return_url).content.decode()) != before


def test_signing_out_everywhere_clears_this_browser_too(client, pc):
    client.force_login(pc)
    response = client.post(reverse("accounts:sign_out_everywhere"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"storage"'
