"""Drafts saved at the same moment: the work return saves a draft on every change, and
a phone on a poor connection sends several at once. All of them must succeed, on SQLite
(WAL, IMMEDIATE transactions and a busy timeout: the embedded default, issue 14) as on
PostgreSQL, and the last one kept is one of them, whole."""

import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from patrols.models import PatrolStatus, ReturnDraft
from tests.factories import WardFactory

from .cast import crewed, local_pc_for

pytestmark = pytest.mark.django_db(transaction=True)

SAVES = 8


def test_eight_draft_saves_at_once_all_succeed(area, pc):
    ward = WardFactory(area=area)
    patrol = crewed(ward, pc, local_pc_for(ward, area), status=PatrolStatus.DEPLOYED)
    url = reverse("patrols:save_draft", args=[patrol.uuid])
    clients = []
    for _ in range(SAVES):
        client = Client()
        client.force_login(pc)
        clients.append(client)
    barrier = threading.Barrier(SAVES)
    answers: list = [None] * SAVES

    def save(n: int) -> None:
        try:
            barrier.wait()
            response = clients[n].post(
                url, {"summary": f"typed {n}"}, headers={"HX-Request": "true"}
            )
            answers[n] = (response.status_code, response.content.decode().strip())
        except Exception as error:  # noqa: BLE001 - the assertion below shows it
            answers[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(SAVES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    for answer in answers:
        assert not isinstance(answer, Exception), repr(answer)
        status, body = answer
        assert status == 200
        assert body.startswith("Draft saved at "), body
    draft = ReturnDraft.objects.get(patrol=patrol)
    assert draft.data["summary"][0] in {f"typed {n}" for n in range(SAVES)}
