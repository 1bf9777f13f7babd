"""Two changes to one referral at the same moment end in one consistent state: the services
lock the referral (and a course's caution) and check their rule after the lock, so the
second change gets the rule's message, never a 500 or a half-written mix.

Real threads with their own database connections, released together by a barrier. Row
locks need PostgreSQL (SQLite locks the whole database and has no SELECT ... FOR UPDATE).
"""

import threading
from collections.abc import Callable

import pytest
from django.db import close_old_connections, connection

from referrals import services
from referrals.models import CourseStatus, Referral, ReferralStatus
from tests.factories import consented_referral, course_referral

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT ... FOR UPDATE) need PostgreSQL; run with DATABASE_URL set",
    ),
]

S, C = ReferralStatus, CourseStatus


def at_once(*changes: Callable[[], object]) -> list[str]:
    """Run the changes in parallel threads, released together; what each ended in: "ok",
    or the rule's message. Any other exception fails the test."""
    barrier = threading.Barrier(len(changes))
    results: list[str] = [""] * len(changes)

    def run(i: int, change: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            change()
            results[i] = "ok"
        except services.ReferralRuleError as refusal:
            results[i] = f"refused: {refusal}"
        except Exception as error:  # noqa: BLE001 - reported, and the test fails on it
            results[i] = f"ERROR {type(error).__name__}: {error}"
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(changes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(r.startswith("ERROR") for r in results), results
    return results


@pytest.fixture
def course(agency_a, pc, sergeant, area):
    return course_referral(provider=agency_a, referred_by=pc, arresting_officer=sergeant, area=area)


def course_rows(referral) -> list[str]:
    return list(
        referral.history.exclude(course_step="")
        .order_by("pk")
        .values_list("course_step", flat=True)
    )


def test_two_bookings_at_once_book_once(course, partner_a):
    results = at_once(
        lambda: services.record_course_step(course, C.BOOKED, partner_a),
        lambda: services.record_course_step(course, C.BOOKED, partner_a),
    )

    assert sorted(results) == [
        "ok",
        "refused: A course that is course booked cannot be marked course booked.",
    ]
    referral = Referral.objects.select_related("caution").get(pk=course.pk)
    assert (referral.status, referral.caution.status) == (S.ENGAGED, C.BOOKED)
    assert course_rows(referral) == [C.BOOKED]


def test_attended_and_did_not_attend_at_once_leave_one_story(course, partner_a):
    services.record_course_step(course, C.BOOKED, partner_a)

    results = at_once(
        lambda: services.record_course_step(course, C.ATTENDED, partner_a),
        lambda: services.record_course_step(course, C.DID_NOT_ATTEND, partner_a),
    )

    assert results.count("ok") == 1
    referral = Referral.objects.select_related("caution").get(pk=course.pk)
    winner = referral.caution.status
    expected = {C.ATTENDED: (S.ENGAGED, ""), C.DID_NOT_ATTEND: (S.CLOSED, "course_not_attended")}
    assert (referral.status, referral.closed_outcome) == expected[winner]
    assert course_rows(referral) == [C.BOOKED, winner]


def test_a_course_step_and_a_withdrawal_at_once_agree(course, partner_a, pc):
    """Either order is allowed (booked, then withdrawn; or withdrawn, then refused): the
    referral and its history must tell the same story."""
    results = at_once(
        lambda: services.record_course_step(course, C.BOOKED, partner_a),
        lambda: services.change_status(course, S.WITHDRAWN, pc),
    )

    referral = Referral.objects.select_related("caution").get(pk=course.pk)
    assert referral.status == S.WITHDRAWN
    assert results[1] == "ok"
    booked = results[0] == "ok"
    assert referral.caution.status == (C.BOOKED if booked else C.ISSUED)
    assert course_rows(referral) == ([C.BOOKED] if booked else [])


@pytest.fixture
def referral(agency_a, pc):
    return consented_referral(agency=agency_a, by=pc)


def test_two_identical_transitions_at_once_move_once(referral, partner_a):
    results = at_once(
        lambda: services.change_status(referral, S.RECEIVED, partner_a),
        lambda: services.change_status(referral, S.RECEIVED, partner_a),
    )

    assert sorted(results) == [
        "ok",
        "refused: A received referral cannot be moved to “received” by you.",
    ]
    assert referral.history.filter(to_status=S.RECEIVED).count() == 1


def test_a_decline_and_a_withdrawal_at_once_end_in_one_of_them(referral, partner_a, pc):
    results = at_once(
        lambda: services.change_status(referral, S.DECLINED, partner_a, decline_reason="other"),
        lambda: services.change_status(referral, S.WITHDRAWN, pc),
    )

    assert results.count("ok") == 1
    referral.refresh_from_db()
    final = [S.DECLINED, S.WITHDRAWN][results.index("ok")]
    assert referral.status == final
    assert list(referral.history.values_list("to_status", flat=True).order_by("pk")) == [
        S.MADE,
        final,
    ]


def test_a_note_and_a_move_at_once_both_land(referral, partner_a, sergeant, agency_b):
    """The note waits for the move's lock; neither is lost, nothing half-written."""
    from partners.models import AgencyService

    AgencyService.objects.get_or_create(agency=agency_b, service=referral.service)
    results = at_once(
        lambda: services.add_note(referral, partner_a, "Synthetic note"),
        lambda: services.move_referral(referral, agency_b, sergeant, "No places"),
    )

    assert results == ["ok", "ok"]
    referral.refresh_from_db()
    assert referral.agency == agency_b
    assert referral.notes.count() == 1
