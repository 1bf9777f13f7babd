"""The partner portal: an agency's referrals, working one, diversion courses, invited patrols.

The wall first: agency B never reaches agency A's referrals (404 on every URL and method),
police get 403, and police-only records never appear in a portal page.
"""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import remove_perm

from partners.models import AgencyService, ServiceType
from patrols.models import (
    Arrest,
    CautionStatus,
    ConditionalCaution,
    Encounter,
    EngagementActivity,
    IntelligenceReport,
    Offence,
    OfficerRole,
    PartnerInvitation,
    PatrolOfficer,
    PatrolStatus,
)
from referrals import services
from referrals.models import (
    ClosedOutcome,
    DeclineReason,
    Referral,
    ReferralNote,
    ReferralStatus,
    ReferralStatusChange,
)
from tests.factories import (
    AgencyFactory,
    HotspotFactory,
    OfficerFactory,
    PartnerUserFactory,
    PatrolFactory,
    PersonFactory,
    WardFactory,
)

pytestmark = pytest.mark.django_db

S = ReferralStatus
# The agency's happy path; each status is reached from the one before.
HAPPY_PATH = [S.MADE, S.RECEIVED, S.CONTACTED, S.ENGAGED, S.CLOSED]
AGENCY_TRANSITIONS = sorted(
    (before, after)
    for before, afters in services.TRANSITIONS.items()
    for after in afters & services.AGENCY_MOVES
)


def refer(agency, by, person=None, **kwargs) -> Referral:
    """A consented referral made the way officers make one: shared with the agency."""
    now = timezone.now()
    return services.make_referral(
        person=person or PersonFactory(area=by.areas.first()),
        agency=agency,
        service=kwargs.pop("service", ServiceType.EXIT_SUPPORT),
        referred_by=by,
        made_at=kwargs.pop("made_at", now),
        consent_method="verbal",
        consent_given_at=now,
        consent_recorded_by=by,
        **kwargs,
    )


def walk_to(referral: Referral, status: str, by) -> Referral:
    """Move a referral along the happy path (or decline it from made) up to `status`."""
    if status == S.DECLINED:
        services.change_status(referral, S.DECLINED, by, decline_reason=DeclineReason.NO_CAPACITY)
    else:
        for step in HAPPY_PATH[1 : HAPPY_PATH.index(status) + 1]:
            outcome = ClosedOutcome.SUPPORT_COMPLETED if step == S.CLOSED else ""
            services.change_status(referral, step, by, outcome=outcome)
    referral.refresh_from_db()
    return referral


def detail(referral) -> str:
    return reverse("referrals:partner_detail", args=[referral.uuid])


def status_url(referral) -> str:
    return reverse("referrals:partner_status", args=[referral.uuid])


def note_url(referral) -> str:
    return reverse("referrals:partner_note", args=[referral.uuid])


def course_url(referral) -> str:
    return reverse("referrals:partner_course", args=[referral.uuid])


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def referral(agency_a, pc):
    return refer(agency_a, pc)


@pytest.fixture
def diversion(agency_a, sergeant, area):
    """A diversion-course referral to agency A, from a caution on a patrol's arrest."""
    AgencyService.objects.create(agency=agency_a, service=ServiceType.DIVERSION_COURSE)
    patrol = PatrolFactory(ward=WardFactory(area=area))
    arrest = Arrest.objects.create(
        patrol=patrol,
        arrested_at=timezone.now(),
        offence=Offence.KERB_CRAWLING,
        suspect_description="CANARY-SUSPECT-4d1e",
        custody_reference="CANARY-CUSTODY-9a0b",
        arresting_officer=sergeant,
    )
    caution = ConditionalCaution.objects.create(
        arrest=arrest,
        given_on=timezone.localdate(),
        provider=agency_a,
        deadline=timezone.localdate() + dt.timedelta(days=90),
        booking_name="Booking Testname",
        booking_contact="07700 900123",
    )
    return services.make_referral(
        person=None,
        agency=agency_a,
        service=ServiceType.DIVERSION_COURSE,
        referred_by=sergeant,
        made_at=timezone.now(),
        patrol=patrol,
        caution=caution,
    )


# --- Home --------------------------------------------------------------------------------


def test_home_counts_each_status_and_lists_the_agency_referrals_newest_first(
    client, partner_a, agency_a, agency_b, pc
):
    now = timezone.now()
    made = [refer(agency_a, pc, made_at=now - dt.timedelta(days=n)) for n in (3, 1)]
    received = walk_to(
        refer(agency_a, pc, made_at=now - dt.timedelta(days=2)), S.RECEIVED, partner_a
    )
    declined = walk_to(
        refer(agency_a, pc, made_at=now - dt.timedelta(days=5)), S.DECLINED, partner_a
    )
    theirs = refer(agency_b, pc, person=PersonFactory(working_name="Agency-B-Testname"))
    client.force_login(partner_a)

    response = client.get(reverse("referrals:partner_home"))

    assert response.status_code == 200
    counts = dict(response.context["counts"])
    assert counts == {
        S.MADE: 2,
        S.RECEIVED: 1,
        S.CONTACTED: 0,
        S.ENGAGED: 0,
        S.CLOSED: 0,
        S.DECLINED: 1,
        S.WITHDRAWN: 0,
    }
    assert response.context["total"] == 4
    listed = list(response.context["page_obj"])
    assert listed == [made[1], received, made[0], declined]
    body = response.content.decode()
    assert all(r.person.working_name in body for r in listed)
    assert theirs.person.working_name not in body
    assert 'data-status="made">2<' in body


def test_home_filters_by_status(client, partner_a, agency_a, pc):
    walk_to(refer(agency_a, pc), S.RECEIVED, partner_a)
    refer(agency_a, pc)
    client.force_login(partner_a)

    response = client.get(reverse("referrals:partner_home"), {"status": "received"})

    assert [r.status for r in response.context["page_obj"]] == [S.RECEIVED]
    assert "Received referrals, newest first" in response.content.decode()
    empty = client.get(reverse("referrals:partner_home"), {"status": "engaged"})
    assert "No referrals are engaged." in empty.content.decode()


def test_home_ignores_an_unknown_status_and_says_why(client, partner_a, referral):
    client.force_login(partner_a)

    response = client.get(reverse("referrals:partner_home"), {"status": "arrested"})

    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [referral]
    assert response.context["form"].errors["status"]


def test_home_without_referrals_says_so(client, partner_a):
    client.force_login(partner_a)

    response = client.get(reverse("referrals:partner_home"))

    assert "No referrals have been made to Agency A (test) yet." in response.content.decode()


def test_home_lists_a_diversion_referral_by_its_booking_name(client, partner_a, diversion):
    client.force_login(partner_a)

    body = client.get(reverse("referrals:partner_home")).content.decode()

    assert "Booking Testname" in body
    assert "Diversion course" in body


def test_site_home_is_the_partner_home_for_partner_users(client, partner_a, referral):
    client.force_login(partner_a)

    response = client.get("/")

    assert response.status_code == 200
    assert "referrals/portal/home.html" in [t.name for t in response.templates]
    assert referral.person.working_name in response.content.decode()


@pytest.mark.parametrize("count", [5, 50])
def test_home_runs_constant_queries(
    client, partner_a, agency_a, pc, count, django_assert_num_queries
):
    for _ in range(count):
        refer(agency_a, pc)
    client.force_login(partner_a)
    client.get(reverse("referrals:partner_home"))  # django-guardian caches content types
    # 1 savepoint, 2 session, 3 user, 4-7 the portal visit (savepoint, locked read,
    # update, release), 8 the agency (its name and deadlines), 9 counts by status and
    # how many are overdue (one aggregate; their total is the page's count), 10 the
    # page's keys, 11 those referrals with their people and cautions, 12 the audit
    # log's "viewed" rows (one INSERT), 13 unread notifications (header), 14 release
    # savepoint.
    with django_assert_num_queries(14):
        response = client.get(reverse("referrals:partner_home"))
    assert len(response.context["page_obj"]) == count


# --- The wall ------------------------------------------------------------------------------


def portal_urls(referral) -> list[tuple[str, str]]:
    return [
        ("get", detail(referral)),
        ("post", status_url(referral)),
        ("post", note_url(referral)),
        ("post", course_url(referral)),
    ]


def test_another_agency_gets_404_on_every_url_and_method(client, partner_b, referral, diversion):
    client.force_login(partner_b)
    for shared in (referral, diversion):
        for method, url in portal_urls(shared):
            response = getattr(client, method)(
                url, {"status-to_status": "received", "note-text": "x", "course-step": "booked"}
            )
            assert response.status_code == 404, url
    home = client.get(reverse("referrals:partner_home")).content.decode()
    assert referral.person.working_name not in home
    assert "Booking Testname" not in home
    assert Referral.objects.get(pk=referral.pk).status == S.MADE
    assert not ReferralNote.objects.exists()


def test_a_guessed_uuid_answers_404(client, partner_a):
    client.force_login(partner_a)
    ghost = Referral(uuid="00000000-0000-4000-8000-000000000000")
    for method, url in portal_urls(ghost):
        assert getattr(client, method)(url).status_code == 404, url


@pytest.mark.parametrize("role", ["pc", "sergeant", "project_lead"])
def test_police_get_403_on_portal_pages(client, request, role, referral):
    client.force_login(request.getfixturevalue(role))
    urls = [
        ("get", reverse("referrals:partner_home")),
        ("get", reverse("referrals:invited_patrols")),
        *portal_urls(referral),
    ]
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(client, referral):
    urls = [
        ("get", reverse("referrals:partner_home")),
        ("get", reverse("referrals:invited_patrols")),
        *portal_urls(referral),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_post_endpoints_answer_405_to_get_whether_granted_or_not(
    client, partner_a, partner_b, referral
):
    # The method is checked before any lookup: the same answer for every UUID.
    for user in (partner_a, partner_b):
        client.force_login(user)
        for url in (status_url(referral), note_url(referral), course_url(referral)):
            assert client.get(url).status_code == 405, url


def test_read_only_pages_answer_405_to_post(client, partner_a, referral):
    client.force_login(partner_a)
    for url in (
        reverse("referrals:partner_home"),
        reverse("referrals:invited_patrols"),
        detail(referral),
    ):
        assert client.post(url).status_code == 405, url


def test_without_the_change_permission_the_page_is_read_only_and_posts_404(
    client, partner_a, agency_a, referral, diversion
):
    for shared in (referral, diversion):
        remove_perm("referrals.change_referral", agency_a.group, shared)
    client.force_login(partner_a)

    page = client.get(detail(referral))

    assert page.status_code == 200
    assert page.context["status_form"] is None
    assert page.context["note_form"] is None
    assert status_url(referral) not in page.content.decode()
    assert client.get(detail(diversion)).context["course_form"] is None
    assert client.post(status_url(referral), {"status-to_status": "received"}).status_code == 404
    assert client.post(note_url(referral), {"note-text": "Hello"}).status_code == 404
    assert client.post(course_url(diversion), {"course-step": "booked"}).status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == S.MADE


def test_no_police_only_record_appears_in_any_portal_page(
    client, partner_a, agency_a, pc, sergeant, area, diversion
):
    canaries = {
        "police notes": "CANARY-POLICE-NOTES-3e7c",
        "encounter": "CANARY-ENCOUNTER-51af",
        "encounter place": "CANARY-LOCATION-0b22",
        "hotspot": "CANARY-HOTSPOT-6d90",
        "arrest": "CANARY-ARREST-77c1",
        "custody": "CANARY-CUSTODY-2f48",
        "intelligence": "CANARY-INTEL-a913",
        "intelligence subject": "CANARY-INTEL-SUBJECT-c05d",
        "officer": "CANARY-OFFICER-e6b3",
        "other agency": "CANARY-AGENCY-18fe",
        "other agency note": "CANARY-B-NOTE-94d2",
        "cancel reason": "CANARY-CANCEL-d4e8",
    }
    ward = WardFactory(area=area)
    hotspot = HotspotFactory(ward=ward, name=canaries["hotspot"])
    patrol = PatrolFactory(ward=ward, meeting_point="Outside the test library")
    patrol.hotspots.add(hotspot)
    cancelled = PatrolFactory(
        ward=ward, status=PatrolStatus.CANCELLED, cancel_reason=canaries["cancel reason"]
    )
    officer = OfficerFactory(areas=[area], first_name=canaries["officer"])
    PatrolOfficer.objects.create(patrol=patrol, officer=officer, role=OfficerRole.EPHEDRA_PC)
    other = AgencyFactory(name=canaries["other agency"])
    for invited in (agency_a, other):
        PartnerInvitation.objects.create(
            patrol=patrol, agency=invited, activity=EngagementActivity.SOUP_KITCHEN
        )
    PartnerInvitation.objects.create(
        patrol=cancelled, agency=agency_a, activity=EngagementActivity.OUTREACH
    )
    person = PersonFactory(area=area, police_notes=canaries["police notes"])
    encounter = Encounter.objects.create(
        patrol=patrol,
        person=person,
        hotspot=hotspot,
        location=canaries["encounter place"],
        occurred_at=timezone.now(),
        notes=canaries["encounter"],
    )
    shared = refer(agency_a, pc, person=person, patrol=patrol, encounter=encounter)
    # The same woman referred to another agency, which wrote a note: A must not learn of it.
    theirs = refer(other, pc, person=person)
    services.add_note(theirs, PartnerUserFactory(agency=other), canaries["other agency note"])
    Arrest.objects.create(
        patrol=patrol,
        arrested_at=timezone.now(),
        offence=Offence.CONTROLLING,
        suspect_description=canaries["arrest"],
        custody_reference=canaries["custody"],
        arresting_officer=officer,
    )
    IntelligenceReport.objects.create(
        patrol=patrol,
        submitted_by=officer,
        submitted_at=timezone.now(),
        subject_description=canaries["intelligence subject"],
        details=canaries["intelligence"],
        source_evaluation="2",
        intelligence_assessment="C",
        handling_code="P",
    )
    # A withdrawal by another officer: it shows as "Police", not by name.
    services.change_status(walk_to(shared, S.RECEIVED, partner_a), S.WITHDRAWN, officer)
    client.force_login(partner_a)

    pages = {
        url: client.get(url)
        for url in [
            "/",
            reverse("referrals:partner_home"),
            reverse("referrals:invited_patrols"),
            detail(shared),
            detail(diversion),
        ]
    }

    assert all(response.status_code == 200 for response in pages.values())
    for url, response in pages.items():
        body = response.content.decode()
        for what, canary in canaries.items():
            assert canary not in body, f"{what} leaked on {url}"
        for arrest_detail in ("CANARY-SUSPECT-4d1e", "CANARY-CUSTODY-9a0b", "Kerb crawling"):
            assert arrest_detail not in body, url
    assert (
        "Outside the test library" in pages[reverse("referrals:invited_patrols")].content.decode()
    )
    assert ">Police<" in pages[detail(shared)].content.decode()


def test_page_titles_carry_nothing_personal(client, partner_a, referral, diversion):
    client.force_login(partner_a)
    for shared in (referral, diversion):
        body = client.get(detail(shared)).content.decode()
        title = body[body.index("<title>") : body.index("</title>")]
        assert title == "<title>Referral – Ephedra"


def test_a_moved_referral_shows_nothing_of_the_agency_it_left(
    client, partner_a, partner_b, agency_a, agency_b, pc, sergeant
):
    agency_b.name = "CANARY-AGENCY-B-7a2c"
    agency_b.save()
    referral = refer(agency_b, pc)
    services.change_status(referral, S.RECEIVED, partner_b, note="CANARY-B-STATUS-NOTE-31e0")
    services.add_note(referral, partner_b, "CANARY-B-NOTE-c8f1")
    services.add_note(referral, pc, "CANARY-POLICE-NOTE-FOR-B-5b06")
    services.move_referral(referral, agency_a, sergeant, "CANARY-MOVE-REASON-0e9d")
    client.force_login(partner_a)

    response = client.get(detail(referral))

    body = response.content.decode()
    for canary in (
        "CANARY-AGENCY-B-7a2c",
        "CANARY-B-STATUS-NOTE-31e0",
        "CANARY-B-NOTE-c8f1",
        "CANARY-POLICE-NOTE-FOR-B-5b06",
        "CANARY-MOVE-REASON-0e9d",
        "Referred to another agency",
        str(partner_b),
        str(sergeant),
    ):
        assert canary not in body
    history = response.context["history"]
    assert [(s.from_status, s.to_status, s.by) for s in history] == [("", S.MADE, "Police")]
    assert response.context["notes"] == []
    client.force_login(partner_b)
    assert client.get(detail(referral)).status_code == 404


# --- Working a referral ------------------------------------------------------------------


@pytest.mark.parametrize(("before", "after"), AGENCY_TRANSITIONS)
def test_every_allowed_transition_works_and_is_recorded(
    client, partner_a, referral, pc, before, after
):
    walk_to(referral, before, partner_a)
    client.force_login(partner_a)
    offered = client.get(detail(referral)).context["status_form"].fields["to_status"].choices
    assert [value for value, _ in offered] == services.allowed_moves(referral, partner_a)
    steps = ReferralStatusChange.objects.filter(referral=referral).count()

    response = client.post(
        status_url(referral),
        {
            "status-to_status": after,
            "status-outcome": ClosedOutcome.SUPPORT_COMPLETED,
            "status-decline_reason": DeclineReason.PERSON_DECLINED,
            "status-note": "  Spoke on the phone.  ",
        },
    )

    assert response.status_code == 302
    assert response.url == detail(referral)
    assert flash(response) == [f"The referral is now {ReferralStatus(after).label.lower()}."]
    referral.refresh_from_db()
    assert referral.status == after
    assert ReferralStatusChange.objects.filter(referral=referral).count() == steps + 1
    change = ReferralStatusChange.objects.filter(referral=referral).latest("changed_at", "pk")
    assert (change.from_status, change.to_status, change.changed_by) == (before, after, partner_a)
    assert change.note == "Spoke on the phone."
    page = client.get(detail(referral))
    assert page.context["history"][-1].by == str(partner_a)


def test_an_invalid_transition_is_refused_and_nothing_changes(client, partner_a, referral):
    client.force_login(partner_a)

    response = client.post(
        status_url(referral),
        {"status-to_status": "closed", "status-outcome": "support_completed", "status-note": "Hi"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "The referral cannot be moved to that status now." in body
    assert 'id="id_status-to_status-error"' in body
    assert "There is a problem" in body
    referral.refresh_from_db()
    assert referral.status == S.MADE
    assert referral.closed_outcome == ""
    assert ReferralStatusChange.objects.filter(referral=referral).count() == 1


def test_a_police_only_move_is_refused(client, partner_a, referral):
    client.force_login(partner_a)

    response = client.post(status_url(referral), {"status-to_status": "withdrawn"})

    assert response.status_code == 200
    assert response.context["status_form"].errors["to_status"]
    assert Referral.objects.get(pk=referral.pk).status == S.MADE


def test_a_final_referral_offers_no_move(client, partner_a, referral, pc):
    walk_to(referral, S.CLOSED, partner_a)
    client.force_login(partner_a)

    page = client.get(detail(referral))

    assert page.context["status_form"] is None
    assert "there is nothing more to do with it" in page.content.decode()
    response = client.post(status_url(referral), {"status-to_status": "engaged"})
    assert response.status_code == 200
    assert Referral.objects.get(pk=referral.pk).status == S.CLOSED


def test_a_rule_refused_by_the_service_is_shown_as_a_form_error(
    client, partner_a, referral, monkeypatch
):
    def refuse(*args, **kwargs):
        raise services.ReferralRuleError("A made referral cannot be moved to “received” by you.")

    monkeypatch.setattr(services, "change_status", refuse)
    client.force_login(partner_a)

    response = client.post(status_url(referral), {"status-to_status": "received"})

    assert response.status_code == 200  # shown at the field it is about
    assert 'id="id_status-to_status-error"' in response.content.decode()
    assert "cannot be moved to “received” by you" in response.content.decode()


def test_closing_without_an_outcome_re_renders_with_the_error_and_the_typed_note(
    client, partner_a, referral, pc
):
    walk_to(referral, S.ENGAGED, partner_a)
    client.force_login(partner_a)

    response = client.post(
        status_url(referral), {"status-to_status": "closed", "status-note": "Typed-note-4411"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_status-outcome-error"' in body
    assert "Choose the outcome to close the referral." in body
    assert "Typed-note-4411" in body
    assert 'value="closed" checked' in body
    assert "<title>Error: Referral" in body
    assert Referral.objects.get(pk=referral.pk).status == S.ENGAGED


def test_closing_with_an_outcome_records_it(client, partner_a, referral, pc):
    walk_to(referral, S.ENGAGED, partner_a)
    client.force_login(partner_a)

    client.post(status_url(referral), {"status-to_status": "closed", "status-outcome": "exited"})

    referral.refresh_from_db()
    assert (referral.status, referral.closed_outcome) == (S.CLOSED, ClosedOutcome.EXITED)
    assert "Exited street sex work" in client.get(detail(referral)).content.decode()


def test_declining_without_a_reason_re_renders_with_the_error(client, partner_a, referral):
    client.force_login(partner_a)

    response = client.post(status_url(referral), {"status-to_status": "declined"})

    assert response.status_code == 200
    assert "Choose the reason the referral is declined." in response.content.decode()
    assert 'id="id_status-decline_reason-error"' in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == S.MADE


def test_declining_for_another_reason_needs_the_detail(client, partner_a, referral):
    client.force_login(partner_a)

    response = client.post(
        status_url(referral), {"status-to_status": "declined", "status-decline_reason": "other"}
    )

    assert response.status_code == 200
    assert response.context["status_form"].errors["decline_detail"]
    assert 'value="other" selected' in response.content.decode()
    client.post(
        status_url(referral),
        {
            "status-to_status": "declined",
            "status-decline_reason": "other",
            "status-decline_detail": "Outside our borough.",
        },
    )
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == (S.DECLINED, DeclineReason.OTHER)
    assert referral.decline_detail == "Outside our borough."


# --- Notes -------------------------------------------------------------------------------


def test_a_note_is_added_and_shown_with_its_author(client, partner_a, referral, pc):
    services.add_note(referral, pc, "A note from the referring officer.")
    client.force_login(partner_a)

    response = client.post(note_url(referral), {"note-text": "  Called her today.  "})

    assert response.status_code == 302
    assert response.url == detail(referral)
    assert flash(response) == ["Note added."]
    note = ReferralNote.objects.get(referral=referral, author=partner_a)
    assert note.text == "Called her today."
    notes = client.get(detail(referral)).context["notes"]
    assert [(n["by"], n["text"]) for n in notes] == [
        ("Police", "A note from the referring officer."),
        (str(partner_a), "Called her today."),
    ]


def test_an_empty_note_re_renders_with_the_error(client, partner_a, referral):
    client.force_login(partner_a)

    response = client.post(note_url(referral), {"note-text": "   "})

    assert response.status_code == 200
    assert 'id="id_note-text-error"' in response.content.decode()
    assert "Write the note before saving it." in response.content.decode()
    assert not ReferralNote.objects.exists()


# --- The referral page -------------------------------------------------------------------


def test_the_page_shows_what_was_shared(client, partner_a, agency_a, pc, area):
    pc.email, pc.phone = "officer@example.test", "020 7946 0000"
    pc.save()
    person = PersonFactory(
        area=area,
        working_name="Testname-Shared",
        description="Red coat (synthetic).",
        age_band="25_34",
    )
    referral = refer(agency_a, pc, person=person)
    client.force_login(partner_a)

    body = client.get(detail(referral)).content.decode()

    for shown in (
        "Testname-Shared",
        "Red coat (synthetic).",
        "25–34",
        "Support to exit",
        "Verbal, recorded by the officer",
        f"recorded by {pc}",
        "officer@example.test",
        "020 7946 0000",
    ):
        assert shown in body


@pytest.mark.parametrize("count", [2, 20])
def test_the_page_runs_constant_queries(
    client, partner_a, referral, pc, count, django_assert_num_queries
):
    walk_to(referral, S.ENGAGED, partner_a)
    for n in range(count):
        services.add_note(referral, partner_a if n % 2 else pc, f"Test note {n}")
    client.force_login(partner_a)
    client.get(detail(referral))  # django-guardian caches content types
    # 1 savepoint, 2 session, 3 user, 4 the referral with its person and officers,
    # 5-6 the agency's object permission (django-guardian: the user's, the group's),
    # 7 the audit log's "viewed" rows (one INSERT), 8 the history with who changed it,
    # 9 the notes with their authors, 10 whether the agency works with her (an open
    # referral for her), 11-13 her shared safeguarding record (current risk level, shared
    # active markers, active routes), 14 unread notifications (header), 15 release.
    with django_assert_num_queries(15):
        response = client.get(detail(referral))
    assert len(response.context["notes"]) == count


# --- Diversion courses -------------------------------------------------------------------


def test_the_diversion_page_shows_the_booking_details_and_not_the_arrest(
    client, partner_a, diversion
):
    client.force_login(partner_a)

    response = client.get(detail(diversion))

    body = response.content.decode()
    deadline = diversion.caution.deadline
    for shown in ("Booking Testname", "07700 900123", f"{deadline:%-d %B %Y}", "Issued"):
        assert shown in body
    for hidden in ("CANARY-SUSPECT-4d1e", "CANARY-CUSTODY-9a0b", "Kerb crawling", "arrest"):
        assert hidden not in body
    offered = response.context["course_form"].fields["step"].choices
    assert [value for value, _ in offered] == [CautionStatus.BOOKED]


def test_the_course_is_booked_attended_and_completed(client, partner_a, diversion):
    client.force_login(partner_a)
    for step in ("booked", "attended", "completed"):
        response = client.post(course_url(diversion), {"course-step": step})
        assert response.status_code == 302
        assert response.url == detail(diversion)
        assert ConditionalCaution.objects.get(pk=diversion.caution_id).status == step
    assert flash(response)[-1] == "Recorded for the course: completed."
    assert client.get(detail(diversion)).context["course_form"] is None


def test_a_missed_course_closes_the_referral_and_cannot_be_booked_again(
    client, partner_a, diversion
):
    client.force_login(partner_a)
    for step in ("booked", "did_not_attend"):
        assert client.post(course_url(diversion), {"course-step": step}).status_code == 302

    response = client.post(course_url(diversion), {"course-step": "booked"})

    assert response.status_code == 200
    assert response.context["course_form"].errors["step"]
    assert ConditionalCaution.objects.get(pk=diversion.caution_id).status == "did_not_attend"
    assert Referral.objects.get(pk=diversion.pk).closed_outcome == "course_not_attended"


def test_an_invalid_course_step_is_refused_and_nothing_changes(client, partner_a, diversion):
    client.force_login(partner_a)

    response = client.post(course_url(diversion), {"course-step": "completed"})

    assert response.status_code == 200
    assert 'id="id_course-step-error"' in response.content.decode()
    assert ConditionalCaution.objects.get(pk=diversion.caution_id).status == "issued"


def test_a_course_rule_refused_by_the_service_is_shown(client, partner_a, diversion, monkeypatch):
    def refuse(*args, **kwargs):
        raise services.ReferralRuleError("A course that is breached cannot be marked booked.")

    monkeypatch.setattr(services, "record_course_step", refuse)
    client.force_login(partner_a)

    response = client.post(course_url(diversion), {"course-step": "booked"})

    assert response.status_code == 200  # at the field, on the page, nothing saved
    assert 'id="id_course-step-error"' in response.content.decode()
    assert "cannot be marked booked" in response.content.decode()


def test_no_course_on_a_referral_without_one(client, partner_a, referral):
    client.force_login(partner_a)

    assert client.get(detail(referral)).context["course_form"] is None
    assert client.post(course_url(referral), {"course-step": "booked"}).status_code == 404


# --- Invited patrols ---------------------------------------------------------------------


def patrol_at(ward, starts_at, **kwargs):
    return PatrolFactory(
        ward=ward, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=6), **kwargs
    )


def test_invited_patrols_upcoming_first_then_the_last_four_weeks(
    client, partner_a, agency_a, agency_b, area
):
    ward = WardFactory(area=area)
    now = timezone.now().replace(second=0, microsecond=0)
    soon = patrol_at(ward, now + dt.timedelta(days=2), meeting_point="Test meeting point 1")
    later = patrol_at(ward, now + dt.timedelta(days=9))
    last_week = patrol_at(ward, now - dt.timedelta(days=7))
    long_ago = patrol_at(ward, now - dt.timedelta(days=40))
    called_off = patrol_at(
        ward, now + dt.timedelta(days=4), status=PatrolStatus.CANCELLED, cancel_reason="Weather."
    )
    not_ours = patrol_at(ward, now + dt.timedelta(days=3))
    for patrol in (later, soon, last_week, long_ago, called_off):
        PartnerInvitation.objects.create(
            patrol=patrol,
            agency=agency_a,
            activity=EngagementActivity.SOUP_KITCHEN,
            notes=f"Test invitation note {patrol.pk}",
        )
    PartnerInvitation.objects.create(
        patrol=not_ours,
        agency=agency_b,
        activity=EngagementActivity.OUTREACH,
        notes="CANARY-B-INVITATION-2290",
    )
    client.force_login(partner_a)

    response = client.get(reverse("referrals:invited_patrols"))

    upcoming = [i.patrol_id for i in response.context["upcoming"]]
    recent = [i.patrol_id for i in response.context["recent"]]
    assert upcoming == [soon.pk, called_off.pk, later.pk]
    assert recent == [last_week.pk]
    body = response.content.decode()
    assert "Test meeting point 1" in body
    assert f"Test invitation note {soon.pk}" in body
    assert "Soup kitchen" in body
    assert "Cancelled" in body
    assert "Weather." not in body
    assert "CANARY-B-INVITATION-2290" not in body
    assert "Agency B (test)" not in body


def test_invited_patrols_show_no_officer_or_hotspot(client, partner_a, agency_a, area, pc):
    ward = WardFactory(area=area)
    patrol = patrol_at(ward, timezone.now() + dt.timedelta(days=1))
    patrol.hotspots.add(HotspotFactory(ward=ward, name="CANARY-HOTSPOT-81aa"))
    pc.first_name = "CANARY-OFFICER-f00d"
    pc.save()
    PatrolOfficer.objects.create(patrol=patrol, officer=pc, role=OfficerRole.EPHEDRA_PC)
    PartnerInvitation.objects.create(
        patrol=patrol, agency=agency_a, activity=EngagementActivity.HEALTH_CHECK
    )
    client.force_login(partner_a)

    body = client.get(reverse("referrals:invited_patrols")).content.decode()

    assert "Health checks" in body
    for hidden in ("CANARY-HOTSPOT-81aa", "CANARY-OFFICER-f00d", str(patrol.planned_by), ward.name):
        assert hidden not in body


def test_invited_patrols_empty_states(client, partner_a):
    client.force_login(partner_a)

    body = client.get(reverse("referrals:invited_patrols")).content.decode()

    assert "No upcoming patrols" in body
    assert "No patrols in the last four weeks." in body


@pytest.mark.parametrize("count", [5, 50])
def test_invited_patrols_run_constant_queries(
    client, partner_a, agency_a, area, count, django_assert_num_queries
):
    ward = WardFactory(area=area)
    for n in range(count):
        days = -40 if n % 10 == 0 else n % 30 - 15  # upcoming, recent, too old to show
        patrol = patrol_at(ward, timezone.now() + dt.timedelta(days=days, minutes=n))
        PartnerInvitation.objects.create(
            patrol=patrol, agency=agency_a, activity=EngagementActivity.OUTREACH
        )
    client.force_login(partner_a)
    # 1 savepoint, 2 session, 3 user, 4 the agency's name (heading), 5 upcoming
    # invitations with their patrols, 6 recent ones with their patrols, 7 unread
    # notifications (header), 8 release savepoint.
    with django_assert_num_queries(8):
        response = client.get(reverse("referrals:invited_patrols"))
    shown = len(response.context["upcoming"]) + len(response.context["recent"])
    assert shown == count - len(range(0, count, 10))
