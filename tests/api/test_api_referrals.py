"""The referrals and people API: the portal's and the police pages' capabilities under the
same rules, and the wall between police and partner data, probed as an outsider would.

`API_MATRIX` lists every endpoint × method with the status each role must get; the
matrix test runs each row for every role on fresh data (writes included).
"""

import base64
import datetime as dt
import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.settings import api_settings

from governance.models import AuditEvent
from partners.models import AgencyService, ServiceType
from patrols.models import (
    Arrest,
    CautionStatus,
    ConditionalCaution,
    IntelligenceReport,
    Offence,
)
from referrals import services
from referrals.models import (
    DeclineReason,
    Person,
    Referral,
    ReferralNote,
    ReferralStatus,
    ReferralStatusChange,
)
from tests.factories import (
    AgencyFactory,
    OfficerFactory,
    PatrolFactory,
    PersonFactory,
    WardFactory,
    consented_referral,
)

pytestmark = pytest.mark.django_db

S = ReferralStatus
ROLES = ["anonymous", "partner_a", "partner_b", "pc", "sergeant", "project_lead", "admin_user"]


def _anonymous_status() -> int:
    """401 when an authentication scheme can challenge (API tokens), else DRF's 403."""
    schemes = [auth() for auth in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    return 401 if any(s.authenticate_header(None) for s in schemes) else 403


ANON = _anonymous_status()


def statuses(partner_a, partner_b, pc, sergeant, lead, admin, anonymous=ANON) -> dict:
    values = [anonymous, partner_a, partner_b, pc, sergeant, lead, admin]
    return dict(zip(ROLES, values, strict=True))


READ_ALL = statuses(200, 200, 200, 200, 200, 403)  # both sides, each in its own scope
READ_SHARED = statuses(200, 404, 200, 200, 200, 403)  # agency A's referral
POLICE_ONLY = statuses(404, 404, 200, 200, 200, 403)
NOT_ALLOWED = statuses(405, 405, 405, 405, 405, 405)

# (URL name, method, {role: status}). Detail URLs name agency A's referral (or its person,
# or agency A); "course" names a diversion-course referral whose provider is agency A.
API_MATRIX = [
    ("api:referral-list", "GET", READ_ALL),
    ("api:referral-list", "POST", statuses(404, 404, 201, 201, 201, 403)),
    ("api:referral-detail", "GET", READ_SHARED),
    ("api:referral-detail", "PUT", NOT_ALLOWED),
    ("api:referral-detail", "PATCH", NOT_ALLOWED),
    ("api:referral-detail", "DELETE", NOT_ALLOWED),
    ("api:referral-transition", "POST", READ_SHARED),
    ("api:referral-transition", "GET", NOT_ALLOWED),
    ("api:referral-notes", "GET", READ_SHARED),
    ("api:referral-notes", "POST", statuses(201, 404, 403, 403, 403, 403)),
    ("api:referral-history", "GET", READ_SHARED),
    ("api:referral-move", "POST", statuses(404, 404, 403, 200, 200, 403)),
    ("api:referral-course", "POST", statuses(200, 404, 403, 403, 403, 403)),
    ("api:person-list", "GET", POLICE_ONLY),
    ("api:person-list", "POST", NOT_ALLOWED),
    ("api:person-detail", "GET", READ_SHARED),
    ("api:person-detail", "DELETE", NOT_ALLOWED),
]


# --- Data -----------------------------------------------------------------------------


def diversion_referral(*, provider, by, area, booking_name="Test Booking (synthetic)"):
    """A conditional caution whose course is with `provider`, and its referral."""
    AgencyService.objects.get_or_create(agency=provider, service=ServiceType.DIVERSION_COURSE)
    patrol = PatrolFactory(ward=WardFactory(area=area))
    arrest = Arrest.objects.create(
        patrol=patrol,
        arrested_at=timezone.now(),
        offence=Offence.KERB_CRAWLING,
        suspect_description="Synthetic suspect",
        custody_reference="SYN-0001",
        arresting_officer=by,
    )
    caution = ConditionalCaution.objects.create(
        arrest=arrest,
        given_on=timezone.localdate(),
        provider=provider,
        deadline=timezone.localdate() + dt.timedelta(days=60),
        booking_name=booking_name,
        booking_contact="07700 900001",
    )
    return services.make_referral(
        person=None,
        agency=provider,
        service=ServiceType.DIVERSION_COURSE,
        referred_by=by,
        made_at=timezone.now(),
        caution=caution,
        patrol=patrol,
    )


@pytest.fixture
def agency_c():
    return AgencyFactory(name="Agency C (test)")


@pytest.fixture
def objects(area, pc, agency_a, agency_b, agency_c):
    person = PersonFactory(area=area, created_by=pc)
    return {
        "referral": consented_referral(agency=agency_a, by=pc, person=person),
        "course": diversion_referral(provider=agency_a, by=pc, area=area),
        "person": person,
        "agency_c": agency_c,
    }


def url_for(name: str, objects: dict) -> str:
    if name.endswith("-list"):
        return reverse(name)
    if name == "api:referral-course":
        return reverse(name, args=[objects["course"].uuid])
    if name.startswith("api:person-"):
        return reverse(name, args=[objects["person"].uuid])
    return reverse(name, args=[objects["referral"].uuid])


def body_for(name: str, method: str, role: str, objects: dict) -> dict:
    partner = role.startswith("partner")
    return {
        ("api:referral-list", "POST"): lambda: {
            "person": str(objects["person"].uuid),
            "agency": str(objects["agency_c"].uuid),
            "service": ServiceType.EXIT_SUPPORT,
            "consent_method": "verbal",
            "consent_given_at": timezone.now().isoformat(),
        },
        ("api:referral-transition", "POST"): lambda: {
            "to_status": S.RECEIVED if partner else S.WITHDRAWN
        },
        ("api:referral-notes", "POST"): lambda: {"text": "Called her (synthetic)."},
        ("api:referral-move", "POST"): lambda: {
            "agency": str(objects["agency_c"].uuid),
            "reason": "Closer to where she stays (synthetic).",
        },
        ("api:referral-course", "POST"): lambda: {"step": CautionStatus.BOOKED},
    }.get((name, method), dict)()


def call(client, method: str, url: str, body: dict | None = None):
    data = json.dumps(body) if body is not None else None
    return client.generic(method, url, data=data or "", content_type="application/json")


def errors(response) -> dict[str, list[str]]:
    """The refused fields of an error answer (the API's one error shape)."""
    return response.json()["errors"]


def rows(response) -> list[dict]:
    """A list answer's rows, paginated or not."""
    data = response.json()
    return data["results"] if isinstance(data, dict) else data


# --- The matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "expected"), API_MATRIX, ids=[f"{n} {m}" for n, m, _ in API_MATRIX]
)
def test_status_for_each_role(client, request, objects, name, method, expected, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    body = body_for(name, method, role, objects)

    response = call(client, method, url_for(name, objects), body)

    assert response.status_code == expected[role], response.content[:300]


def test_the_matrix_covers_every_route_and_method_of_these_viewsets():
    from ephedra.api_urls import build_router
    from referrals.api.views import PersonViewSet, ReferralViewSet

    mine = (ReferralViewSet, PersonViewSet)
    covered = {(name, method) for name, method, _ in API_MATRIX}
    for url in build_router().urls:
        callback = url.callback
        if getattr(callback, "cls", None) not in mine:
            continue
        for method in callback.actions:
            if method != "head":
                assert (f"api:{url.name}", method.upper()) in covered, url.name


# --- The wall ------------------------------------------------------------------------------

CANARIES = {
    "intelligence": "CANARY-INTEL-7f3a",
    "intelligence subject": "CANARY-INTEL-SUBJECT-19c2",
    "arrest": "CANARY-ARREST-2b9d",
    "custody": "CANARY-CUSTODY-5e11",
    "police notes": "CANARY-POLICE-NOTES-8c40",
    "other agency": "CANARY-OTHER-AGENCY-33aa",
    "other person": "CANARY-OTHER-PERSON-61fd",
    "officer": "CANARY-OFFICER-0d7e",
    "move reason": "CANARY-MOVE-REASON-0e9d",
    "earlier agency note": "CANARY-B-NOTE-c8f1",
    "earlier status note": "CANARY-B-STATUS-NOTE-31e0",
    "linked record": "CANARY-LINKED-RECORD-4a77",
}


@pytest.fixture
def world(area, pc, sergeant, agency_a, agency_b, partner_b):
    """Agency A sees two referrals (one moved to it from B, one for a course it runs);
    everything else is police-only or another agency's business, and carries a canary."""
    sergeant.first_name = CANARIES["officer"]
    sergeant.save()
    patrol = PatrolFactory(ward=WardFactory(area=area))
    person = PersonFactory(area=area, police_notes=CANARIES["police notes"], created_by=pc)
    older = PersonFactory(
        area=area, working_name=CANARIES["linked record"], first_seen=dt.date(2024, 3, 1)
    )
    person.same_as = older
    person.save()
    moved = consented_referral(agency=agency_b, by=pc, person=person, patrol=patrol)
    services.change_status(moved, S.RECEIVED, partner_b, note=CANARIES["earlier status note"])
    services.add_note(moved, partner_b, CANARIES["earlier agency note"])
    services.move_referral(moved, agency_a, sergeant, CANARIES["move reason"])
    course = diversion_referral(provider=agency_a, by=pc, area=area)
    IntelligenceReport.objects.create(
        patrol=patrol,
        submitted_by=sergeant,
        submitted_at=timezone.now(),
        subject_description=CANARIES["intelligence subject"],
        details=CANARIES["intelligence"],
        source_evaluation="2",
        intelligence_assessment="C",
        handling_code="P",
    )
    Arrest.objects.create(
        patrol=patrol,
        arrested_at=timezone.now(),
        offence=Offence.CONTROLLING,
        suspect_description=CANARIES["arrest"],
        custody_reference=CANARIES["custody"],
        arresting_officer=sergeant,
    )
    other = AgencyFactory(name=CANARIES["other agency"])
    theirs = consented_referral(
        agency=other,
        by=sergeant,
        person=PersonFactory(area=area, working_name=CANARIES["other person"]),
    )
    return {"moved": moved, "course": course, "person": person, "theirs": theirs}


def reachable(client) -> dict[str, object]:
    """Everything a partner user can fetch: lists, then every record they link to."""
    seen = {}
    listing = client.get(reverse("api:referral-list"))
    seen["list"] = listing
    for row in rows(listing):
        for name in ("detail", "history", "notes"):
            url = reverse(f"api:referral-{name}", args=[row["uuid"]])
            seen[url] = client.get(url)
        if row["person"]:
            url = reverse("api:person-detail", args=[row["person"]["uuid"]])
            seen[url] = client.get(url)
    for url in (reverse("api:person-list"), reverse("api:partner-agency-list")):
        seen[url] = client.get(url)
    return seen


def test_no_canary_in_anything_a_partner_can_fetch(client, partner_a, world):
    client.force_login(partner_a)

    answers = reachable(client)

    assert len(rows(answers["list"])) == 2
    assert sum(r.status_code == 200 for r in answers.values()) >= 8
    for url, response in answers.items():
        body = response.content.decode()
        for what, canary in CANARIES.items():
            assert canary not in body, f"{what} leaked on {url}"


def test_a_partner_sees_only_the_portals_fields(client, partner_a, world, pc):
    client.force_login(partner_a)
    moved = world["moved"]

    referral = client.get(reverse("api:referral-detail", args=[moved.uuid])).json()
    person = client.get(reverse("api:person-detail", args=[world["person"].uuid])).json()
    history = client.get(reverse("api:referral-history", args=[moved.uuid])).json()

    assert set(person) == {"uuid", "working_name", "description", "age_band"}
    assert set(referral["person"]) == set(person)
    for police_only in ("agency", "made_at", "updated_at", "patrol", "moves", "referred_by"):
        assert police_only not in referral
    assert referral["referring_officer"]["name"] == str(pc)
    # The story starts when it reached agency A, made "by the police".
    assert [(s["from_status"], s["to_status"], s["by"]) for s in history] == [
        ("", S.MADE, "Police")
    ]
    assert client.get(reverse("api:referral-notes", args=[moved.uuid])).json() == []
    assert referral["allowed_transitions"] == [S.RECEIVED, S.DECLINED]


def test_a_course_referral_shows_the_booking_not_the_arrest(client, partner_a, world):
    client.force_login(partner_a)

    data = client.get(reverse("api:referral-detail", args=[world["course"].uuid])).json()

    assert data["person"] is None
    assert set(data["course"]) == {"booking_name", "booking_contact", "deadline", "status"}
    assert data["course_steps"] == [CautionStatus.BOOKED]


def test_guessed_ids_answer_404_with_nothing_in_them(client, partner_a, world):
    client.force_login(partner_a)
    theirs = world["theirs"]
    urls = [
        reverse("api:referral-detail", args=[theirs.uuid]),
        reverse("api:referral-history", args=[theirs.uuid]),
        reverse("api:referral-notes", args=[theirs.uuid]),
        reverse("api:person-detail", args=[theirs.person.uuid]),
        reverse("api:referral-detail", args=[uuid.uuid4()]),
        "/api/v1/referrals/not-a-uuid/",
        f"/api/v1/referrals/?agency={theirs.agency.uuid}",
        f"/api/v1/referrals/?person={theirs.person.uuid}",
    ]
    for url in urls:
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 404 or rows(response) == [], url
        assert not any(canary in body for canary in CANARIES.values()), url
        assert str(theirs.uuid) not in body or str(theirs.uuid) in url


# --- Agency B on agency A's referral: 404 everywhere, nothing written -------------------------


def test_agency_b_gets_404_for_agency_as_referral_and_changes_nothing(client, partner_b, objects):
    referral, course = objects["referral"], objects["course"]
    client.force_login(partner_b)
    before = (ReferralStatusChange.objects.count(), ReferralNote.objects.count())

    answers = [
        client.get(reverse("api:referral-detail", args=[referral.uuid])),
        client.get(reverse("api:referral-notes", args=[referral.uuid])),
        client.get(reverse("api:referral-history", args=[referral.uuid])),
        call(
            client,
            "POST",
            reverse("api:referral-transition", args=[referral.uuid]),
            {"to_status": S.RECEIVED},
        ),
        call(client, "POST", reverse("api:referral-notes", args=[referral.uuid]), {"text": "x"}),
        call(
            client, "POST", reverse("api:referral-course", args=[course.uuid]), {"step": "booked"}
        ),
    ]

    assert [a.status_code for a in answers] == [404] * len(answers)
    referral.refresh_from_db()
    course.caution.refresh_from_db()
    assert referral.status == S.MADE
    assert course.caution.status == CautionStatus.ISSUED
    assert (ReferralStatusChange.objects.count(), ReferralNote.objects.count()) == before


def test_a_police_officer_of_another_area_gets_404(client, other_area, objects):
    client.force_login(OfficerFactory(areas=[other_area]))
    referral = objects["referral"]

    assert client.get(reverse("api:referral-detail", args=[referral.uuid])).status_code == 404
    assert (
        client.get(reverse("api:person-detail", args=[objects["person"].uuid])).status_code == 404
    )
    response = call(
        client,
        "POST",
        reverse("api:referral-transition", args=[referral.uuid]),
        {"to_status": S.WITHDRAWN},
    )
    assert response.status_code == 404
    assert rows(client.get(reverse("api:referral-list"))) == []


# --- Moving a referral on ------------------------------------------------------------------


def transition(client, referral, **body):
    return call(client, "POST", reverse("api:referral-transition", args=[referral.uuid]), body)


def test_the_agency_moves_its_referral_through_the_lifecycle(client, partner_a, objects, pc):
    referral = objects["referral"]
    client.force_login(partner_a)

    for to_status in (S.RECEIVED, S.CONTACTED, S.ENGAGED):
        assert transition(client, referral, to_status=to_status).status_code == 200
    response = transition(
        client, referral, to_status=S.CLOSED, outcome="exited", note="Synthetic note."
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["closed_outcome"]) == (S.CLOSED, "exited")
    assert response.json()["allowed_transitions"] == []
    referral.refresh_from_db()
    assert referral.status == S.CLOSED
    assert referral.history.last().note == "Synthetic note."
    assert pc.notifications.count() == 4  # the referring officer is told each time


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to_status": S.CLOSED, "outcome": "exited"}, "to_status"),  # not from "made"
        ({"to_status": S.WITHDRAWN}, "to_status"),  # police only
        ({"to_status": "banana"}, "to_status"),
        ({}, "to_status"),
        ({"to_status": S.DECLINED}, "decline_reason"),
        ({"to_status": S.DECLINED, "decline_reason": "other"}, "decline_detail"),
        ({"to_status": S.RECEIVED, "note": "x" * 5001}, "note"),
    ],
)
def test_an_illegal_transition_is_400_by_field_and_writes_nothing(
    client, partner_a, objects, body, field
):
    referral = objects["referral"]
    client.force_login(partner_a)

    response = transition(client, referral, **body)

    assert response.status_code == 400
    assert field in errors(response)
    referral.refresh_from_db()
    assert referral.status == S.MADE
    assert referral.history.count() == 1


def test_closing_needs_the_outcome(client, partner_a, objects):
    referral = objects["referral"]
    for to_status in (S.RECEIVED, S.CONTACTED, S.ENGAGED):
        services.change_status(referral, to_status, partner_a)
    client.force_login(partner_a)

    response = transition(client, referral, to_status=S.CLOSED)

    assert response.status_code == 400
    assert list(errors(response)) == ["outcome"]
    referral.refresh_from_db()
    assert referral.status == S.ENGAGED


def test_declining_with_a_reason(client, partner_a, objects):
    referral = objects["referral"]
    client.force_login(partner_a)

    response = transition(
        client, referral, to_status=S.DECLINED, decline_reason="other", decline_detail=" Far. "
    )

    assert response.status_code == 200
    referral.refresh_from_db()
    assert (referral.decline_reason, referral.decline_detail) == (DeclineReason.OTHER, "Far.")


def test_the_police_withdraw_but_do_not_work_a_referral(client, pc, objects):
    referral = objects["referral"]
    client.force_login(pc)

    refused = transition(client, referral, to_status=S.RECEIVED)
    withdrawn = transition(client, referral, to_status=S.WITHDRAWN, note="No longer needed.")
    again = transition(client, referral, to_status=S.WITHDRAWN)

    assert refused.status_code == 400
    assert "to_status" in errors(refused)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == S.WITHDRAWN
    assert again.status_code == 400
    assert referral.history.count() == 2


def test_a_rule_broken_in_the_service_is_a_400_not_a_500(client, partner_a, objects, monkeypatch):
    def refuse(*args, **kwargs):
        raise services.ReferralRuleError("Refused by the rules (synthetic).")

    monkeypatch.setattr(services, "change_status", refuse)
    client.force_login(partner_a)

    response = transition(client, objects["referral"], to_status=S.RECEIVED)

    assert response.status_code == 400
    assert errors(response) == {"non_field_errors": ["Refused by the rules (synthetic)."]}


# --- Notes and history ---------------------------------------------------------------------


def test_notes_are_added_by_the_agency_and_read_by_both(client, partner_a, pc, objects):
    referral = objects["referral"]
    client.force_login(partner_a)

    added = call(
        client, "POST", reverse("api:referral-notes", args=[referral.uuid]), {"text": " Hi. "}
    )
    blank = call(client, "POST", reverse("api:referral-notes", args=[referral.uuid]), {"text": ""})
    services.add_note(referral, pc, "From the referring officer (synthetic).")
    seen_by_agency = client.get(reverse("api:referral-notes", args=[referral.uuid])).json()
    client.force_login(pc)
    seen_by_police = client.get(reverse("api:referral-notes", args=[referral.uuid])).json()

    assert added.status_code == 201
    assert added.json()["text"] == "Hi."
    assert blank.status_code == 400
    assert "text" in errors(blank)
    assert [(n["by"], n["text"]) for n in seen_by_agency] == [
        (str(partner_a), "Hi."),
        ("Police", "From the referring officer (synthetic)."),
    ]
    assert [n["by"] for n in seen_by_police] == [str(partner_a), str(pc)]


def test_the_police_see_the_whole_history_by_name(client, partner_b, sergeant, agency_a, pc):
    referral = consented_referral(agency=partner_b.agency, by=pc)
    services.change_status(referral, S.RECEIVED, partner_b)
    services.move_referral(referral, agency_a, sergeant, "Synthetic reason.")
    client.force_login(sergeant)

    history = client.get(reverse("api:referral-history", args=[referral.uuid])).json()
    detail = client.get(reverse("api:referral-detail", args=[referral.uuid])).json()

    assert [s["by"] for s in history] == [str(pc), str(partner_b), str(sergeant)]
    assert [m["reason"] for m in detail["moves"]] == ["Synthetic reason."]
    assert detail["allowed_transitions"] == [S.WITHDRAWN]


# --- Making and moving a referral (police) ----------------------------------------------------


def make_body(objects, **overrides):
    return {
        "person": str(objects["person"].uuid),
        "agency": str(objects["agency_c"].uuid),
        "service": ServiceType.EXIT_SUPPORT,
        "consent_method": "verbal",
        "consent_given_at": timezone.now().isoformat(),
        **overrides,
    }


def test_a_police_officer_makes_a_referral(client, pc, objects):
    client.force_login(pc)

    response = call(client, "POST", reverse("api:referral-list"), make_body(objects))

    assert response.status_code == 201
    referral = Referral.objects.get(uuid=response.json()["uuid"])
    assert (referral.agency, referral.referred_by, referral.consent_recorded_by) == (
        objects["agency_c"],
        pc,
        pc,
    )
    assert referral.history.get().to_status == S.MADE
    assert response["Location"].endswith(reverse("api:referral-detail", args=[referral.uuid]))
    assert response.json()["agency"]["uuid"] == str(objects["agency_c"].uuid)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"service": ServiceType.MEDICAL}, "agency"),  # agency C does not offer it
        ({"service": ServiceType.DIVERSION_COURSE}, "service"),
        ({"consent_given_at": "2099-01-01T10:00:00Z"}, "consent_given_at"),
        ({"consent_given_at": "yesterday"}, "consent_given_at"),
        ({"consent_method": "telepathy"}, "consent_method"),
        ({"person": str(uuid.uuid4())}, "person"),
        ({"agency": "not-a-uuid"}, "agency"),
        ({"person": None}, "person"),
    ],
)
def test_a_referral_that_breaks_a_rule_is_400_by_field(client, pc, objects, overrides, field):
    client.force_login(pc)
    before = Referral.objects.count()

    response = call(client, "POST", reverse("api:referral-list"), make_body(objects, **overrides))

    assert response.status_code == 400
    assert field in errors(response)
    assert Referral.objects.count() == before


def test_a_person_of_another_area_or_an_inactive_agency_cannot_be_used(
    client, pc, objects, other_area
):
    stranger = PersonFactory(area=other_area)
    objects["agency_c"].active = False
    objects["agency_c"].save()
    client.force_login(pc)

    response = call(
        client, "POST", reverse("api:referral-list"), make_body(objects, person=str(stranger.uuid))
    )

    assert response.status_code == 400
    assert {"person", "agency"} <= set(errors(response))


def test_a_sergeant_moves_a_referral_and_the_old_agency_loses_it(
    client, sergeant, partner_a, objects
):
    referral, agency_c = objects["referral"], objects["agency_c"]
    client.force_login(sergeant)

    same = call(
        client,
        "POST",
        reverse("api:referral-move", args=[referral.uuid]),
        {"agency": str(referral.agency.uuid), "reason": "Synthetic."},
    )
    no_reason = call(
        client,
        "POST",
        reverse("api:referral-move", args=[referral.uuid]),
        {"agency": str(agency_c.uuid), "reason": ""},
    )
    moved = call(
        client,
        "POST",
        reverse("api:referral-move", args=[referral.uuid]),
        {"agency": str(agency_c.uuid), "reason": "Synthetic."},
    )

    assert same.status_code == 400
    assert "agency" in errors(same)
    assert no_reason.status_code == 400
    assert "reason" in errors(no_reason)
    assert moved.status_code == 200
    assert moved.json()["agency"]["uuid"] == str(agency_c.uuid)
    client.force_login(partner_a)
    assert client.get(reverse("api:referral-detail", args=[referral.uuid])).status_code == 404


# --- The diversion course -------------------------------------------------------------------


def test_the_provider_records_the_course(client, partner_a, objects):
    course = objects["course"]
    url = reverse("api:referral-course", args=[course.uuid])
    client.force_login(partner_a)

    booked = call(client, "POST", url, {"step": CautionStatus.BOOKED})
    too_soon = call(client, "POST", url, {"step": CautionStatus.COMPLETED})
    attended = call(client, "POST", url, {"step": CautionStatus.ATTENDED})

    assert booked.status_code == 200
    assert booked.json()["course"]["status"] == "booked"
    assert too_soon.status_code == 400
    assert "step" in errors(too_soon)
    assert attended.json()["course_steps"] == [CautionStatus.COMPLETED]
    course.caution.refresh_from_db()
    assert course.caution.status == CautionStatus.ATTENDED


def test_a_referral_without_a_course_has_no_course_to_record(client, partner_a, objects):
    client.force_login(partner_a)
    url = reverse("api:referral-course", args=[objects["referral"].uuid])

    assert call(client, "POST", url, {"step": "booked"}).status_code == 404


def test_a_closed_course_referral_refuses_the_step(client, partner_a, pc, objects):
    course = objects["course"]
    services.change_status(course, S.WITHDRAWN, pc)
    client.force_login(partner_a)

    response = call(
        client, "POST", reverse("api:referral-course", args=[course.uuid]), {"step": "booked"}
    )

    assert response.status_code == 400
    course.caution.refresh_from_db()
    assert course.caution.status == CautionStatus.ISSUED


# --- People (police) -----------------------------------------------------------------------


def test_the_police_see_a_person_with_her_linked_records_and_referrals(client, pc, area, objects):
    person = objects["person"]
    older = PersonFactory(area=area, first_seen=dt.date(2024, 1, 1), police_notes="Synthetic.")
    person.same_as = older
    person.save()
    client.force_login(pc)

    data = client.get(reverse("api:person-detail", args=[person.uuid])).json()

    assert data["same_as"] == str(older.uuid)
    assert [r["uuid"] for r in data["linked_records"]] == [str(older.uuid)]
    assert [r["uuid"] for r in data["referrals"]] == [str(objects["referral"].uuid)]
    assert "police_notes" in data


# --- Filters and ordering -------------------------------------------------------------------


def test_filters_and_ordering(client, pc, agency_a, agency_b):
    made = [consented_referral(agency=agency, by=pc) for agency in (agency_a, agency_b)]
    services.change_status(made[1], S.WITHDRAWN, pc)
    month_ago = timezone.now() - dt.timedelta(days=30)  # never moved: it arrived when made
    Referral.objects.filter(pk=made[0].pk).update(made_at=month_ago, arrived_at=month_ago)
    client.force_login(pc)
    listed = lambda query: [r["uuid"] for r in rows(client.get(f"/api/v1/referrals/?{query}"))]  # noqa: E731
    week_ago = (timezone.localdate() - dt.timedelta(days=7)).isoformat()

    assert listed(f"status={S.WITHDRAWN}") == [str(made[1].uuid)]
    assert listed(f"agency={agency_a.uuid}") == [str(made[0].uuid)]
    assert listed(f"referred_before={week_ago}") == [str(made[0].uuid)]
    assert listed(f"referred_after={week_ago}") == [str(made[1].uuid)]
    assert listed("ordering=referred_at") == [str(made[0].uuid), str(made[1].uuid)]
    assert listed(f"service={ServiceType.MEDICAL}") == []
    bad = client.get("/api/v1/referrals/?referred_after=soon&status=banana")
    assert bad.status_code == 400
    assert {"referred_after", "status"} <= set(errors(bad))


# --- Audit ---------------------------------------------------------------------------------


def test_reads_are_audited_with_the_records_shown(client, pc, objects):
    client.force_login(pc)

    def viewed(kind: str) -> list[str]:
        rows = AuditEvent.objects.filter(action=f"{kind}.viewed", actor=pc)
        return sorted(rows.values_list("object_id", flat=True))

    referral, course, person = objects["referral"], objects["course"], objects["person"]
    client.get(reverse("api:referral-detail", args=[referral.uuid]))
    assert (viewed("referrals.referral"), viewed("referrals.person")) == (
        [str(referral.uuid)],
        [str(person.uuid)],
    )
    client.get(reverse("api:person-detail", args=[person.uuid]))
    assert viewed("referrals.person") == [str(person.uuid)] * 2
    client.get(reverse("api:referral-list"))  # both referrals, the person and the caution
    assert viewed("referrals.referral") == sorted([str(referral.uuid)] * 2 + [str(course.uuid)])
    assert viewed("referrals.person") == [str(person.uuid)] * 3
    assert viewed("patrols.conditionalcaution") == [str(course.caution.uuid)]


# --- Query budgets: 5 vs 50 rows, the same number of queries --------------------------------


def count_queries(client, url) -> tuple[int, int]:
    client.get(url)  # the session's first request saves it: measure the next one
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(rows(response))


@pytest.fixture
def many_referrals(area, pc, agency_a):
    def make(n):
        for _ in range(n):
            referral = consented_referral(
                agency=agency_a, by=pc, person=PersonFactory(area=area, created_by=pc)
            )
            services.add_note(referral, pc, "Synthetic.")

    return make


@pytest.mark.parametrize("role", ["pc", "partner_a"])
def test_the_referral_list_costs_the_same_for_5_and_50(
    client, request, role, many_referrals, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(role))
    many_referrals(5)
    small, shown_small = count_queries(client, reverse("api:referral-list"))
    many_referrals(45)
    large, shown_large = count_queries(client, reverse("api:referral-list"))

    assert shown_large > shown_small == 5
    assert large == small
    # session + user, (partner: groups), count, rows, audit bulk insert, savepoints
    with django_assert_max_num_queries(12):
        client.get(reverse("api:referral-list"))


def cursor_values(link: str) -> list:
    cursor = link.split("cursor=")[1].split("&")[0]
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["k"]


@pytest.mark.parametrize("ordering", ["", "made_at", "-made_at"])
def test_a_partners_cursor_holds_what_its_page_shows_only(
    client, partner_a, many_referrals, ordering
):
    """When each reached the agency and its uuid: not made_at (which a partner may not
    order by either), not the integer key (how many referrals the force has made)."""
    many_referrals(5)
    client.force_login(partner_a)
    url = f"/api/v1/referrals/?page_size=2&ordering={ordering}"

    first = client.get(url).json()
    shown = first["results"][-1]
    pages = [first]
    while pages[-1]["next"]:
        pages.append(client.get(pages[-1]["next"]).json())

    at, named = cursor_values(first["next"])
    assert (parse_datetime(at), named) == (parse_datetime(shown["referred_at"]), shown["uuid"])
    listed = [row["uuid"] for page in pages for row in page["results"]]
    newest_first = Referral.objects.order_by("-arrived_at", "-pk").values_list("uuid", flat=True)
    assert listed == [str(value) for value in newest_first]


def test_the_people_list_costs_the_same_for_5_and_50(
    client, pc, many_referrals, django_assert_max_num_queries
):
    client.force_login(pc)
    many_referrals(5)
    small, shown_small = count_queries(client, reverse("api:person-list"))
    many_referrals(45)
    large, shown_large = count_queries(client, reverse("api:person-list"))

    assert shown_large > shown_small == 5
    assert large == small
    with django_assert_max_num_queries(10):  # session, user, count, rows, audit insert ...
        client.get(reverse("api:person-list"))


def test_a_referral_page_does_not_grow_with_its_history(client, partner_a, objects):
    referral = objects["referral"]
    client.force_login(partner_a)
    services.add_note(referral, partner_a, "Synthetic 0.")
    url = reverse("api:referral-notes", args=[referral.uuid])
    small, _ = count_queries_any(client, url)
    for n in range(1, 20):
        services.add_note(referral, partner_a, f"Synthetic {n}.")
    large, _ = count_queries_any(client, url)

    assert large == small


def count_queries_any(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_people_are_only_records_not_created_by_the_api(client, pc):
    client.force_login(pc)
    assert call(client, "POST", reverse("api:person-list"), {}).status_code == 405
    assert Person.objects.count() == 0


# --- A partner's integration, with an API token ------------------------------------------------


def test_a_partner_pulls_and_updates_its_referrals_with_a_token(
    client, partner_a, objects, make_token
):
    from tests.api.conftest import bearer

    headers = bearer(make_token(partner_a))
    referral = objects["referral"]

    listed = client.get(reverse("api:referral-list"), **headers)
    moved = client.post(
        reverse("api:referral-transition", args=[referral.uuid]),
        {"to_status": S.RECEIVED},
        content_type="application/json",
        **headers,
    )
    no_token = client.get(reverse("api:referral-list"))

    assert {r["uuid"] for r in rows(listed)} == {str(referral.uuid), str(objects["course"].uuid)}
    assert moved.status_code == 200
    assert moved.json()["status"] == S.RECEIVED
    assert no_token.status_code == 401
