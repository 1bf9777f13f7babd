"""The patrols API (police only): hotspots, patrols with their crew, invitations, risk
assessment and work return, and the encounters, arrests, cautions and intelligence a
return holds — the planning and return pages' capabilities, under the same rules.

`API_MATRIX` lists every endpoint × method with the status each role must get; the
matrix test runs each row for every role on fresh data, writes included.
"""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.settings import api_settings

from accounts.models import Role
from governance.models import AuditEvent
from partners.models import ServiceType
from patrols import services
from patrols.models import (
    Arrest,
    ArrestOutcome,
    CautionStatus,
    ConditionalCaution,
    Encounter,
    EngagementActivity,
    HandlingCode,
    Hotspot,
    HotspotVisit,
    IntelligenceReport,
    Offence,
    OfficerHours,
    OfficerRole,
    PartnerInvitation,
    Patrol,
    PatrolOfficer,
    PatrolStatus,
    ReturnAmendment,
    RiskAssessment,
    Weather,
    WorkReturn,
)
from referrals.models import ConsentMethod, Person, Referral
from tests.factories import (
    AgencyFactory,
    HotspotFactory,
    OfficerFactory,
    PatrolFactory,
    PersonFactory,
    WardFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "partner_a", "partner_b", "pc", "sergeant", "project_lead", "admin_user"]


def _anonymous_status() -> int:
    """401 when an authentication scheme can challenge (API tokens), else DRF's 403."""
    schemes = [auth() for auth in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    return 401 if any(s.authenticate_header(None) for s in schemes) else 403


ANON = _anonymous_status()


def police(pc, sergeant, lead) -> dict:
    """Partner users get 404 from every patrols endpoint; administrators are not police."""
    return dict(zip(ROLES, [ANON, 404, 404, pc, sergeant, lead, 403], strict=True))


READ = police(200, 200, 200)
# Writes the pages do not offer (deleting): refused for every signed-in user.
NOT_ALLOWED = {**dict.fromkeys(ROLES, 405), "anonymous": ANON}

# (URL name, method, {role: status}). Detail URLs name records of the user's area; the
# PC was on the patrols whose return is read (see `url_for` and `body_for`).
API_MATRIX = [
    ("api:hotspot-list", "GET", READ),
    ("api:hotspot-list", "POST", police(403, 201, 201)),
    ("api:hotspot-detail", "GET", READ),
    ("api:hotspot-detail", "PUT", police(403, 200, 200)),
    ("api:hotspot-detail", "PATCH", police(403, 200, 200)),
    ("api:hotspot-detail", "DELETE", NOT_ALLOWED),
    ("api:hotspot-retire", "POST", police(403, 200, 200)),
    ("api:patrol-list", "GET", READ),
    ("api:patrol-list", "POST", police(403, 201, 201)),
    ("api:patrol-detail", "GET", READ),
    ("api:patrol-detail", "PUT", police(403, 200, 200)),
    ("api:patrol-detail", "PATCH", police(403, 200, 200)),
    ("api:patrol-detail", "DELETE", NOT_ALLOWED),
    ("api:patrol-cancel", "POST", police(403, 200, 200)),
    ("api:patrol-assess-risk", "POST", police(200, 200, 200)),
    ("api:patrol-approve-risk", "POST", police(403, 200, 200)),
    ("api:patrol-deploy", "POST", police(403, 200, 200)),
    ("api:patrol-close", "POST", police(403, 200, 200)),
    ("api:patrol-work-return", "GET", READ),
    ("api:patrol-work-return", "POST", police(201, 201, 201)),
    ("api:patrol-amend-return", "POST", police(403, 200, 200)),
    ("api:encounter-list", "GET", READ),
    ("api:encounter-detail", "GET", READ),
    ("api:arrest-list", "GET", READ),
    ("api:arrest-detail", "GET", READ),
    ("api:caution-list", "GET", READ),
    ("api:caution-detail", "GET", READ),
    ("api:intelligence-list", "GET", READ),
    ("api:intelligence-detail", "GET", READ),
]


# --- Data ----------------------------------------------------------------------------------


def next_friday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=(4 - today.weekday()) % 7 or 7)


def night(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(20, 0)))


@pytest.fixture
def ward(area):
    return WardFactory(area=area, name="Brixton North")


@pytest.fixture
def local_pc(area, ward):
    return OfficerFactory(
        role=Role.PC, areas=[area], profile__home_ward=ward, profile__ephedra_trained_on=None
    )


@pytest.fixture
def provider():
    return AgencyFactory(name="Course provider (test)", services=[ServiceType.DIVERSION_COURSE])


def crewed(ward, ephedra_pc, local_pc, **fields) -> Patrol:
    patrol = PatrolFactory(ward=ward, **fields)
    PatrolOfficer.objects.create(patrol=patrol, officer=ephedra_pc, role=OfficerRole.EPHEDRA_PC)
    PatrolOfficer.objects.create(patrol=patrol, officer=local_pc, role=OfficerRole.LOCAL_PC)
    return patrol


def deployed(ward, pc, local_pc, days_ago: int) -> Patrol:
    starts = night(timezone.localdate() - dt.timedelta(days=days_ago))
    return crewed(
        ward,
        pc,
        local_pc,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=8),
        status=PatrolStatus.DEPLOYED,
    )


def file_return(patrol, pc, *, provider, person=None, hotspot=None):
    """A return with one encounter, an arrest with a conditional caution and intelligence."""
    starts = patrol.starts_at
    person = person or PersonFactory(area=patrol.area, created_by=pc)
    services.submit_return(
        patrol,
        pc,
        return_fields={
            "started_at": starts,
            "ended_at": starts + dt.timedelta(hours=8),
            "weather": Weather.DRY,
            "hotspots_visited": [hotspot] if hotspot else [],
            "women_seen": 2,
            "kerb_crawlers_seen": 1,
            "engagement_count": 0,
            "summary": "Synthetic night.",
        },
        hours={pc: Decimal("8")},
        encounters=[
            {
                "person": person,
                "hotspot": hotspot,
                "location": "",
                "occurred_at": starts + dt.timedelta(hours=1),
                "engaged": True,
                "new_to_area": False,
                "notes": "",
            }
        ],
        arrests=[
            {
                "arrested_at": starts + dt.timedelta(hours=2),
                "arresting_officer": pc,
                "offence": Offence.KERB_CRAWLING,
                "offence_detail": "",
                "suspect_description": "Custody record (synthetic)",
                "custody_reference": "SYN/1",
                "outcome": ArrestOutcome.CONDITIONAL_CAUTION,
                "caution": {
                    "given_on": starts.date(),
                    "deadline": starts.date() + dt.timedelta(days=60),
                    "provider": provider,
                    "booking_name": "Test Booking (synthetic)",
                    "booking_contact": "07700 900001",
                },
            }
        ],
        intelligence=[
            {
                "subject_description": "Grey van (synthetic)",
                "details": "Seen twice (synthetic).",
                "source_evaluation": "2",
                "intelligence_assessment": "C",
                "handling_code": HandlingCode.LAWFUL_SHARING,
                "handling_conditions": "",
            }
        ],
    )
    return patrol


@pytest.fixture
def objects(area, ward, pc, local_pc, sergeant, provider, agency_a):
    hotspot = HotspotFactory(ward=ward, name="Acre Lane (test)")
    planned = crewed(ward, pc, local_pc, starts_at=night(next_friday()))
    planned.hotspots.add(hotspot)
    services.record_risk_assessment(planned, "Traffic (synthetic).", "Hi-vis (synthetic).", pc)
    approved = PatrolFactory(ward=ward, starts_at=night(next_friday() + dt.timedelta(days=1)))
    services.record_risk_assessment(approved, "Traffic (synthetic).", "Hi-vis.", pc)
    services.approve_risk_assessment(approved, sergeant)
    returned = file_return(deployed(ward, pc, local_pc, 10), pc, provider=provider)
    arrest = returned.arrests.get()
    tonight = PatrolFactory(ward=ward, starts_at=night(timezone.localdate()))
    services.record_risk_assessment(tonight, "Traffic (synthetic).", "Hi-vis.", pc)
    services.approve_risk_assessment(tonight, sergeant)
    return {
        "tonight": tonight,
        "hotspot": hotspot,
        "planned": planned,
        "approved": approved,
        "deployed": deployed(ward, pc, local_pc, 3),
        "returned": returned,
        "encounter": returned.encounters.get(),
        "arrest": arrest,
        "caution": arrest.caution,
        "intelligence": returned.intelligence.get(),
        "agency": agency_a,
    }


def url_for(name: str, method: str, objects: dict) -> str:
    if name.endswith("-list"):
        return reverse(name)
    record = {
        "api:hotspot-detail": "hotspot",
        "api:hotspot-retire": "hotspot",
        "api:patrol-deploy": "tonight",  # approved, and on its day
        "api:patrol-close": "returned",
        "api:patrol-work-return": "deployed" if method == "POST" else "returned",
        "api:patrol-amend-return": "returned",
        "api:encounter-detail": "encounter",
        "api:arrest-detail": "arrest",
        "api:caution-detail": "caution",
        "api:intelligence-detail": "intelligence",
    }.get(name, "planned")
    return reverse(name, args=[objects[record].uuid])


def hotspot_body(ward, **overrides) -> dict:
    return {
        "ward": ward.pk,
        "name": "Coldharbour Lane (test)",
        "latitude": "51.4613",
        "longitude": "-0.1156",
        "reason": "Kerb crawling reports (synthetic).",
        "identified_on": "2025-02-01",
        **overrides,
    }


def patrol_body(ward, ephedra_pc, local_pc, /, day=None, **overrides) -> dict:
    return {
        "ward": ward.pk,
        "date": (day or next_friday() + dt.timedelta(days=7)).isoformat(),
        "start_time": "20:00",
        "end_time": "04:00",
        "meeting_point": "Brixton police office",
        "hotspots": [],
        "ephedra_pcs": [str(ephedra_pc.uuid)],
        "local_pcs": [str(local_pc.uuid)],
        "invitations": [],
        **overrides,
    }


def return_body(patrol, pc, **overrides) -> dict:
    return {
        "started_at": patrol.starts_at.isoformat(),
        "ended_at": (patrol.starts_at + dt.timedelta(hours=8)).isoformat(),
        "weather": Weather.HEAVY_RAIN,
        "summary": "Heavy rain; no one out.",
        "hours": [{"officer": str(pc.uuid), "hours": "8"}],
        **overrides,
    }


def body_for(name: str, method: str, objects: dict, pc, local_pc) -> dict | None:
    ward = objects["hotspot"].ward
    return {
        ("api:hotspot-list", "POST"): lambda: hotspot_body(ward),
        ("api:hotspot-detail", "PUT"): lambda: hotspot_body(ward, name="Renamed (test)"),
        ("api:hotspot-detail", "PATCH"): lambda: {"reason": "Updated (synthetic)."},
        ("api:patrol-list", "POST"): lambda: patrol_body(ward, pc, local_pc),
        ("api:patrol-detail", "PUT"): lambda: patrol_body(ward, pc, local_pc, next_friday()),
        ("api:patrol-detail", "PATCH"): lambda: {"meeting_point": "Stockwell (test)"},
        ("api:patrol-cancel", "POST"): lambda: {"reason": "Officers abstracted (synthetic)."},
        ("api:patrol-assess-risk", "POST"): lambda: {"hazards": "Ice.", "controls": "Care."},
        ("api:patrol-work-return", "POST"): lambda: return_body(objects["deployed"], pc),
        ("api:patrol-amend-return", "POST"): lambda: {"reason": "Recount.", "women_seen": 3},
    }.get((name, method), lambda: None)()


def call(client, method: str, url: str, body: dict | None = None):
    data = json.dumps(body) if body is not None else ""
    return client.generic(method, url, data=data, content_type="application/json")


def errors(response) -> dict[str, list[str]]:
    """The refused fields of an error answer (the API's one error shape)."""
    return response.json()["errors"]


def messages_for(response, field: str) -> str:
    """The messages for a field and the fields inside it (``hours.0.hours`` ...)."""
    found = errors(response).items()
    return " ".join(
        m for key, ms in found if key == field or key.startswith(f"{field}.") for m in ms
    )


def rows(response) -> list[dict]:
    data = response.json()
    return data["results"] if isinstance(data, dict) else data


# --- The matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "expected"), API_MATRIX, ids=[f"{n} {m}" for n, m, _ in API_MATRIX]
)
def test_status_for_each_role(client, request, objects, pc, local_pc, name, method, expected, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    body = body_for(name, method, objects, pc, local_pc)

    response = call(client, method, url_for(name, method, objects), body)

    assert response.status_code == expected[role], response.content[:400]


def test_the_matrix_covers_every_route_and_method_of_these_viewsets():
    from ephedra.api_urls import build_router
    from patrols.api import records, views

    mine = {
        views.HotspotViewSet,
        views.PatrolViewSet,
        records.EncounterViewSet,
        records.ArrestViewSet,
        records.CautionViewSet,
        records.IntelligenceViewSet,
    }
    covered = {(name, method) for name, method, _ in API_MATRIX}
    for url in build_router().urls:
        if getattr(url.callback, "cls", None) in mine:
            for method in url.callback.actions:
                if method != "head":
                    assert (f"api:{url.name}", method.upper()) in covered, url.name


# --- Other areas: 404 for reading and for every action ----------------------------------


@pytest.fixture
def elsewhere(other_area, provider):
    """A patrol of another area with a filed return, and a hotspot there."""
    ward = WardFactory(area=other_area)
    pc = OfficerFactory(role=Role.PC, areas=[other_area])
    local = OfficerFactory(
        role=Role.PC, areas=[other_area], profile__home_ward=ward, profile__ephedra_trained_on=None
    )
    returned = file_return(deployed(ward, pc, local, 5), pc, provider=provider)
    arrest = returned.arrests.get()
    return {
        "hotspot": HotspotFactory(ward=ward),
        "planned": crewed(ward, pc, local, starts_at=night(next_friday())),
        "approved": returned,
        "tonight": returned,
        "deployed": returned,
        "returned": returned,
        "encounter": returned.encounters.get(),
        "arrest": arrest,
        "caution": arrest.caution,
        "intelligence": returned.intelligence.get(),
    }


@pytest.mark.parametrize(
    ("name", "method"),
    [(n, m) for n, m, _ in API_MATRIX if not n.endswith("-list") and m != "DELETE"],
)
def test_another_areas_records_are_404(client, project_lead, elsewhere, name, method):
    client.force_login(project_lead)
    before = AuditEvent.objects.count()

    response = call(client, method, url_for(name, method, elsewhere), {"reason": "x"})

    assert response.status_code == 404, response.content[:300]
    # Nothing read, nothing changed: the one new row is the refusal itself (s.62).
    new = AuditEvent.objects.order_by("pk")[before:]
    assert [row.action for row in new] == ["access.not_found"]


@pytest.mark.parametrize(
    "name",
    [
        "api:hotspot-list",
        "api:patrol-list",
        "api:encounter-list",
        "api:arrest-list",
        "api:caution-list",
        "api:intelligence-list",
    ],
)
def test_lists_hold_only_the_users_areas(client, sergeant, objects, elsewhere, name):
    client.force_login(sergeant)
    response = client.get(reverse(name))
    assert response.status_code == 200
    listed = {row["uuid"] for row in rows(response)}
    assert listed, name
    assert not listed & {str(getattr(obj, "uuid", "")) for obj in elsewhere.values()}


# --- Hotspots ------------------------------------------------------------------------------


def test_a_supervisor_adds_a_hotspot(client, sergeant, ward):
    client.force_login(sergeant)
    body = hotspot_body(ward, latitude="51.46130049")  # more places than kept: rounded

    response = call(client, "POST", reverse("api:hotspot-list"), body)

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["name"] == "Coldharbour Lane (test)"
    assert data["ward"] == {"id": ward.pk, "name": ward.name}
    assert data["area"]["name"] == "Lambeth"
    assert data["latitude"] == "51.461300"
    assert data["identified_on"] == "2025-02-01"
    assert data["active"] is True
    assert data["retired_on"] is None
    assert Hotspot.objects.get(uuid=data["uuid"]).reason == body["reason"]


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"latitude": "0.1156"}, "latitude", "covers London"),
        ({"latitude": "north"}, "latitude", "valid number"),
        ({"name": ""}, "name", "blank"),
        ({"name": "Acre Lane (TEST)"}, "name", "already has a hotspot"),
        # In the range people may enter (core.dates), but in the future.
        ({"identified_on": f"{dt.date.today().year + 1}-01-01"}, "identified_on", "in the past"),
        ({"identified_on": "31/02/2025"}, "identified_on", "format"),
    ],
)
def test_a_bad_hotspot_is_400_by_field_and_writes_nothing(
    client, sergeant, objects, overrides, field, words
):
    client.force_login(sergeant)
    before = Hotspot.objects.count()

    response = call(
        client,
        "POST",
        reverse("api:hotspot-list"),
        hotspot_body(objects["hotspot"].ward, **overrides),
    )

    assert response.status_code == 400
    assert words in " ".join(errors(response)[field])
    assert Hotspot.objects.count() == before


def test_a_ward_of_another_area_is_refused(client, sergeant, other_area):
    client.force_login(sergeant)
    response = call(
        client, "POST", reverse("api:hotspot-list"), hotspot_body(WardFactory(area=other_area))
    )
    assert response.status_code == 400
    assert "ward" in errors(response)
    assert not Hotspot.objects.exists()


def test_a_partial_change_keeps_the_other_fields(client, sergeant, objects):
    hotspot = objects["hotspot"]
    client.force_login(sergeant)

    response = call(
        client, "PATCH", reverse("api:hotspot-detail", args=[hotspot.uuid]), {"name": "New (t)"}
    )

    assert response.status_code == 200, response.content
    hotspot.refresh_from_db()
    assert (hotspot.name, hotspot.reason) == (
        "New (t)",
        "Repeated reports of kerb crawling (synthetic).",
    )


def test_retiring_twice_is_refused_and_retiring_is_audited(client, sergeant, objects):
    hotspot = objects["hotspot"]
    client.force_login(sergeant)
    url = reverse("api:hotspot-retire", args=[hotspot.uuid])

    first = call(client, "POST", url)
    second = call(client, "POST", url)

    assert first.status_code == 200
    assert first.json()["active"] is False
    assert first.json()["retired_on"] == timezone.localdate().isoformat()
    assert second.status_code == 400
    assert "already retired" in errors(second)["non_field_errors"][0]
    assert (
        AuditEvent.objects.filter(
            action="patrols.hotspot.changed", object_id=str(hotspot.uuid)
        ).count()
        == 1
    )


def test_hotspots_filter_by_ward_and_active(client, pc, objects):
    other_ward = WardFactory(area=objects["hotspot"].ward.area)
    HotspotFactory(ward=other_ward, active=False, retired_on=dt.date(2025, 1, 1))
    client.force_login(pc)

    by_ward = rows(client.get(reverse("api:hotspot-list"), {"ward": other_ward.pk}))
    active = rows(client.get(reverse("api:hotspot-list"), {"active": "true"}))

    assert [row["ward"]["id"] for row in by_ward] == [other_ward.pk]
    assert [row["uuid"] for row in active] == [str(objects["hotspot"].uuid)]


# --- Patrols: planning --------------------------------------------------------------------


def test_a_supervisor_plans_a_patrol_with_crew_hotspots_and_invitations(
    client, sergeant, objects, pc, local_pc, agency_a
):
    client.force_login(sergeant)
    hotspot = objects["hotspot"]
    body = patrol_body(
        hotspot.ward,
        pc,
        local_pc,
        hotspots=[str(hotspot.uuid)],
        invitations=[{"agency": str(agency_a.uuid), "activity": EngagementActivity.SOUP_KITCHEN}],
    )

    response = call(client, "POST", reverse("api:patrol-list"), body)

    assert response.status_code == 201, response.content
    data = response.json()
    patrol = Patrol.objects.get(uuid=data["uuid"])
    assert patrol.planned_by == sergeant
    assert patrol.status == PatrolStatus.PLANNED
    assert patrol.ends_at - patrol.starts_at == dt.timedelta(hours=8)  # ends next morning
    assert data["status"] == "planned"
    assert data["hotspots"] == [{"uuid": str(hotspot.uuid), "name": hotspot.name}]
    assert {(o["officer"]["uuid"], o["role"]) for o in data["officers"]} == {
        (str(pc.uuid), OfficerRole.EPHEDRA_PC),
        (str(local_pc.uuid), OfficerRole.LOCAL_PC),
    }
    assert data["invitations"] == [
        {"agency": {"uuid": str(agency_a.uuid), "name": agency_a.name},
         "activity": "soup_kitchen", "notes": ""}
    ]  # fmt: skip
    assert data["risk_assessment"] is None
    assert data["return_status"] is None
    assert isinstance(data["wellbeing_warnings"], list)
    assert dt.datetime.fromisoformat(data["starts_at"]) == patrol.starts_at


WRITTEN_BY_PLANNING = (Patrol, PatrolOfficer, PartnerInvitation)


def counts(models) -> list[int]:
    return [model.objects.count() for model in models]


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"end_time": "12:00"}, "end_time", "more than 14 hours"),
        ("local PC of another ward", "local_pcs", "local PC from"),
        ({"date": "someday"}, "date", "format"),
        ({"ward": 999999}, "ward", "valid choice"),
        ({"ephedra_pcs": ["00000000-0000-0000-0000-000000000000"]}, "ephedra_pcs", "not exist"),
    ],
)
def test_a_bad_plan_is_400_by_field_and_writes_nothing(
    client, sergeant, objects, pc, local_pc, overrides, field, words
):
    client.force_login(sergeant)
    before = counts(WRITTEN_BY_PLANNING)
    ward = objects["hotspot"].ward
    if overrides == "local PC of another ward":
        elsewhere = WardFactory(area=ward.area)
        other = OfficerFactory(
            role=Role.PC, areas=[ward.area], profile__home_ward=elsewhere,
            profile__ephedra_trained_on=None,
        )  # fmt: skip
        overrides = {"local_pcs": [str(other.uuid)]}
    body = patrol_body(ward, pc, local_pc, **overrides)

    response = call(client, "POST", reverse("api:patrol-list"), body)

    assert response.status_code == 400, response.content
    assert words in messages_for(response, field), errors(response)
    assert counts(WRITTEN_BY_PLANNING) == before


def test_a_double_booked_officer_is_refused(client, sergeant, objects, pc, local_pc):
    client.force_login(sergeant)
    body = patrol_body(objects["hotspot"].ward, pc, local_pc, day=next_friday())  # = planned
    before = counts(WRITTEN_BY_PLANNING)

    response = call(client, "POST", reverse("api:patrol-list"), body)

    assert response.status_code == 400
    assert "already on another patrol" in " ".join(errors(response)["ephedra_pcs"])
    assert "already on another patrol" in " ".join(errors(response)["local_pcs"])
    assert counts(WRITTEN_BY_PLANNING) == before


def test_an_invitation_with_a_bad_activity_writes_nothing(
    client, sergeant, objects, pc, local_pc, agency_a
):
    client.force_login(sergeant)
    body = patrol_body(
        objects["hotspot"].ward,
        pc,
        local_pc,
        invitations=[{"agency": str(agency_a.uuid), "activity": "party"}],
    )
    before = counts(WRITTEN_BY_PLANNING)

    response = call(client, "POST", reverse("api:patrol-list"), body)

    assert response.status_code == 400
    assert any(key.startswith("invitations") for key in errors(response))
    assert counts(WRITTEN_BY_PLANNING) == before


def test_changing_a_patrol_replaces_its_invitations(
    client, sergeant, objects, pc, local_pc, agency_a, agency_b
):
    patrol = objects["planned"]
    patrol.invitations.create(agency=agency_a, activity=EngagementActivity.OUTREACH)
    client.force_login(sergeant)
    url = reverse("api:patrol-detail", args=[patrol.uuid])
    invite_b = [{"agency": str(agency_b.uuid), "activity": "health_check", "notes": "Van"}]

    response = call(client, "PATCH", url, {"invitations": invite_b})

    assert response.status_code == 200, response.content
    assert [(i.agency, i.notes) for i in patrol.invitations.all()] == [(agency_b, "Van")]
    assert patrol.officers.count() == 2  # the crew, not sent, is kept
    patrol.refresh_from_db()
    assert patrol.meeting_point == ""
    assert patrol.hotspots.count() == 1


def test_a_deployed_patrol_can_no_longer_be_changed(client, sergeant, objects):
    client.force_login(sergeant)
    url = reverse("api:patrol-detail", args=[objects["deployed"].uuid])
    response = call(client, "PATCH", url, {"meeting_point": "Elsewhere"})
    assert response.status_code == 400
    assert "can no longer be changed" in errors(response)["non_field_errors"][0]


def test_patrols_filter_by_status_ward_and_dates(client, pc, objects):
    client.force_login(pc)
    url = reverse("api:patrol-list")
    friday = next_friday()

    planned = rows(client.get(url, {"status": "planned"}))
    upcoming = rows(client.get(url, {"starts_after": friday.isoformat(), "ordering": "starts_at"}))
    other_ward = rows(client.get(url, {"ward": WardFactory().pk}))

    assert [row["uuid"] for row in planned] == [str(objects["planned"].uuid)]
    assert [row["uuid"] for row in upcoming] == [
        str(objects["planned"].uuid),
        str(objects["approved"].uuid),
    ]
    assert other_ward == []


def test_a_list_row_links_to_the_patrol_in_full(client, sergeant, objects, pc, local_pc):
    """The list carries the patrol's own fields and a link; the crew, hotspots,
    invitations and risk assessment are in the detail (nesting them cost the list most
    of its time at force scale)."""
    client.force_login(sergeant)
    listed = {row["uuid"]: row for row in rows(client.get(reverse("api:patrol-list")))}
    row = listed[str(objects["returned"].uuid)]

    assert set(row) == {
        "uuid", "url", "area", "ward", "starts_at", "ends_at", "status", "return_status",
        "created_at", "updated_at",
    }  # fmt: skip
    assert row["ward"] == {"id": objects["returned"].ward_id, "name": "Brixton North"}
    assert row["return_status"] == "submitted"
    assert listed[str(objects["planned"].uuid)]["return_status"] is None
    detail = client.get(row["url"])
    assert detail.status_code == 200
    assert {o["officer"]["uuid"] for o in detail.json()["officers"]} == {
        str(pc.uuid),
        str(local_pc.uuid),
    }


# --- Patrols: risk assessment, deployment, cancelling ---------------------------------------


def test_assess_approve_deploy_in_that_order(client, pc, sergeant, objects):
    patrol = PatrolFactory(
        ward=objects["hotspot"].ward, starts_at=night(next_friday() + dt.timedelta(days=14))
    )

    def step(user, name, body=None):
        client.force_login(user)
        return call(client, "POST", reverse(f"api:patrol-{name}", args=[patrol.uuid]), body)

    too_soon = step(sergeant, "deploy")
    assert too_soon.status_code == 400
    assert "risk assessment is approved" in errors(too_soon)["non_field_errors"][0]

    assessed = step(pc, "assess-risk", {"hazards": "Traffic.", "controls": "Pairs."})
    assert assessed.status_code == 200
    assert assessed.json()["risk_assessment"]["assessed_by"]["uuid"] == str(pc.uuid)
    assert assessed.json()["risk_assessment"]["approved_at"] is None

    assert step(pc, "approve-risk").status_code == 403
    approved = step(sergeant, "approve-risk")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"

    early = step(sergeant, "deploy")
    assert early.status_code == 400
    assert "can be marked deployed on its day" in errors(early)["non_field_errors"][0]
    Patrol.objects.filter(pk=patrol.pk).update(starts_at=night(timezone.localdate()))

    deployed_ = step(sergeant, "deploy")
    assert deployed_.status_code == 200
    assert deployed_.json()["status"] == "deployed"

    late = step(sergeant, "cancel", {"reason": "Too late."})
    assert late.status_code == 400
    assert "cannot be cancelled" in errors(late)["non_field_errors"][0]


def test_a_risk_assessment_needs_both_fields(client, pc, objects):
    client.force_login(pc)
    url = reverse("api:patrol-assess-risk", args=[objects["planned"].uuid])
    response = call(client, "POST", url, {"hazards": "Ice."})
    assert response.status_code == 400
    assert "controls" in errors(response)


def test_cancelling_needs_a_reason(client, sergeant, objects):
    client.force_login(sergeant)
    url = reverse("api:patrol-cancel", args=[objects["planned"].uuid])

    refused = call(client, "POST", url, {"reason": "  "})
    done = call(client, "POST", url, {"reason": "Severe weather warning."})

    assert refused.status_code == 400
    assert "reason" in errors(refused)
    assert done.status_code == 200
    assert done.json()["cancel_reason"] == "Severe weather warning."
    assert done.json()["status"] == "cancelled"


# --- The work return -----------------------------------------------------------------------


def test_a_pc_not_on_the_patrol_gets_403_for_its_return(client, area, objects):
    other_pc = OfficerFactory(role=Role.PC, areas=[area])
    client.force_login(other_pc)
    for method, name in [("GET", "returned"), ("POST", "deployed")]:
        url = reverse("api:patrol-work-return", args=[objects[name].uuid])
        assert call(client, method, url, {}).status_code == 403


def test_reading_the_return_shows_everything_and_is_audited(client, pc, objects):
    patrol = objects["returned"]
    client.force_login(pc)
    before = AuditEvent.objects.count()

    response = client.get(reverse("api:patrol-work-return", args=[patrol.uuid]))

    assert response.status_code == 200
    data = response.json()
    assert data["patrol"] == str(patrol.uuid)
    assert data["status"] == "submitted"
    assert data["women_seen"] == 2
    assert data["hours"] == [{"officer": {"uuid": str(pc.uuid), "name": str(pc)}, "hours": "8.00"}]
    assert data["encounters"][0]["uuid"] == str(objects["encounter"].uuid)
    assert data["arrests"][0]["caution"]["uuid"] == str(objects["caution"].uuid)
    assert data["intelligence"][0]["subject_description"] == "Grey van (synthetic)"
    assert data["referrals"][0]["service"] == ServiceType.DIVERSION_COURSE
    viewed = set(
        AuditEvent.objects.filter(pk__gt=0).order_by("pk")[before:].values_list("action", flat=True)
    )
    assert {
        "patrols.workreturn.viewed",
        "patrols.encounter.viewed",
        "referrals.person.viewed",
        "patrols.arrest.viewed",
        "patrols.conditionalcaution.viewed",
        "patrols.intelligencereport.viewed",
    } <= viewed


def test_a_deployed_patrol_has_no_return_yet(client, pc, objects):
    client.force_login(pc)
    response = client.get(reverse("api:patrol-work-return", args=[objects["deployed"].uuid]))
    assert response.status_code == 404


WRITTEN_BY_RETURN = (
    WorkReturn,
    OfficerHours,
    Person,
    Encounter,
    Arrest,
    ConditionalCaution,
    Referral,
    IntelligenceReport,
    HotspotVisit,
)


def busy_body(patrol, pc, local_pc, provider, agency, hotspot, known) -> dict:
    starts = patrol.starts_at
    at = lambda hours: (starts + dt.timedelta(hours=hours)).isoformat()  # noqa: E731
    return return_body(
        patrol,
        pc,
        weather=Weather.DRY,
        hotspots_visited=[str(hotspot.uuid)],
        women_seen=2,
        hours=[
            {"officer": str(pc.uuid), "hours": "8"},
            {"officer": str(local_pc.uuid), "hours": "7.5"},
        ],
        encounters=[
            {"person": str(known.uuid), "occurred_at": at(1), "hotspot": str(hotspot.uuid)},
            {
                "new_person": {"working_name": "Testname New", "description": "Synthetic."},
                "occurred_at": at(2),
                "new_to_area": True,
            },
        ],
        arrests=[
            {
                "arrested_at": at(3),
                "arresting_officer": str(local_pc.uuid),
                "offence": Offence.KERB_CRAWLING,
                "suspect_description": "Custody record 2 (synthetic)",
                "outcome": ArrestOutcome.CONDITIONAL_CAUTION,
                "caution": {
                    "given_on": starts.date().isoformat(),
                    "deadline": (starts.date() + dt.timedelta(days=60)).isoformat(),
                    "provider": str(provider.uuid),
                    "booking_name": "Test Booking (synthetic)",
                    "booking_contact": "07700 900002",
                },
            }
        ],
        referrals=[
            {
                "encounter": 1,
                "service": ServiceType.EXIT_SUPPORT,
                "agency": str(agency.uuid),
                "consent_method": ConsentMethod.VERBAL,
                "consent_given_at": at(2),
            }
        ],
        intelligence=[
            {
                "subject_description": "Man in a car (synthetic)",
                "details": "Synthetic.",
                "source_evaluation": "2",
                "intelligence_assessment": "C",
                "handling_code": HandlingCode.CONDITIONS,
                "handling_conditions": "Police only (synthetic).",
            }
        ],
        visits=[{"hotspot": str(hotspot.uuid), "arrived_at": at(1), "left_at": at(1.2)}],
    )


def test_filing_a_busy_return_writes_everything(client, pc, local_pc, objects, provider, agency_a):
    patrol = objects["deployed"]
    known = PersonFactory(area=patrol.area, created_by=pc)
    body = busy_body(patrol, pc, local_pc, provider, agency_a, objects["hotspot"], known)
    client.force_login(pc)
    before = counts(WRITTEN_BY_RETURN)

    response = call(client, "POST", reverse("api:patrol-work-return", args=[patrol.uuid]), body)

    assert response.status_code == 201, response.content
    assert [b - a for a, b in zip(before, counts(WRITTEN_BY_RETURN), strict=False)] == [
        1,
        2,
        1,
        2,
        1,
        1,
        2,
        1,
        1,
    ]
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.RETURNED
    data = response.json()
    assert data["filed_by"]["uuid"] == str(pc.uuid)
    assert [e["person"]["working_name"] for e in data["encounters"]] == [
        known.working_name,
        "Testname New",
    ]
    assert data["arrests"][0]["arresting_officer"]["uuid"] == str(local_pc.uuid)
    assert data["hotspots_visited"] == [
        {"uuid": str(objects["hotspot"].uuid), "name": objects["hotspot"].name}
    ]
    assert Referral.objects.filter(agency=agency_a, person__working_name="Testname New").exists()
    [visit] = data["visits"]
    assert visit["hotspot"]["uuid"] == str(objects["hotspot"].uuid)
    arrived, left = (dt.datetime.fromisoformat(visit[k]) for k in ("arrived_at", "left_at"))
    assert left - arrived == dt.timedelta(minutes=12)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda b: b.update(hours=[]), "hours", "empty"),
        (lambda b: b["referrals"][0].update(encounter=5), "non_field_errors", "Referral 1"),
        (lambda b: b["encounters"][0].update(person=None), "encounters.0.person", "known"),
        (lambda b: b["arrests"][0].update(caution=None), "non_field_errors", "caution"),
        (lambda b: b["arrests"][0].update(offence="speeding"), "arrests.0.offence", "valid choice"),
        (
            lambda b: b["intelligence"][0].update(handling_conditions=""),
            "non_field_errors",
            "code C",
        ),
        (lambda b: b.update(ended_at=b["started_at"]), "ended_at", "finish after it starts"),
        (
            lambda b: b.update(hours=[{"officer": b["hours"][0]["officer"], "hours": "17"}]),
            "hours.0.hours",
            "16",
        ),
        # Timed visits: the service's rules (patrols.services.visits), the visit named.
        (
            lambda b: b["visits"][0].update(left_at=b["visits"][0]["arrived_at"]),
            "visits",
            "Visit 1: the departure must be after the arrival",
        ),
        (lambda b: b["visits"][0].update(left_at=None), "visits", "Visit 1: give the departure"),
        (
            lambda b: b["visits"][0].update(arrived_at=b["started_at"][:11] + "10:00:00Z"),
            "visits",
            "Visit 1: the arrival must be within the shift",
        ),
        (lambda b: b["visits"].append(dict(b["visits"][0])), "visits", "Visit 2: it overlaps"),
        (lambda b: b["visits"][0].update(arrived_at="soon"), "visits.0.arrived_at", "format"),
    ],
)
def test_a_bad_return_is_400_and_writes_nothing(
    client, pc, local_pc, objects, provider, agency_a, change, field, words
):
    patrol = objects["deployed"]
    known = PersonFactory(area=patrol.area, created_by=pc)
    body = busy_body(patrol, pc, local_pc, provider, agency_a, objects["hotspot"], known)
    change(body)
    client.force_login(pc)
    before = counts(WRITTEN_BY_RETURN)

    response = call(client, "POST", reverse("api:patrol-work-return", args=[patrol.uuid]), body)

    assert response.status_code == 400, response.content
    assert words in messages_for(response, field), errors(response)
    assert counts(WRITTEN_BY_RETURN) == before
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.DEPLOYED


def test_a_return_cannot_be_filed_before_deployment_or_twice(client, sergeant, pc, objects):
    client.force_login(sergeant)
    for name, words in [("planned", "once the patrol has deployed"), ("returned", "already")]:
        patrol = objects[name]
        url = reverse("api:patrol-work-return", args=[patrol.uuid])
        response = call(client, "POST", url, return_body(patrol, pc))
        assert response.status_code == 400
        assert words in errors(response)["non_field_errors"][0]


def test_a_supervisor_amends_a_return_with_a_reason(client, sergeant, objects):
    patrol = objects["returned"]
    client.force_login(sergeant)
    url = reverse("api:patrol-amend-return", args=[patrol.uuid])

    no_reason = call(client, "POST", url, {"women_seen": 4})
    unchanged = call(client, "POST", url, {"reason": "Check.", "women_seen": 2})
    amended = call(client, "POST", url, {"reason": "Recount (synthetic).", "women_seen": 4})

    assert no_reason.status_code == 400
    assert "reason" in errors(no_reason)
    assert unchanged.status_code == 400
    assert "Nothing was changed" in errors(unchanged)["non_field_errors"][0]
    assert amended.status_code == 200, amended.content
    assert amended.json()["women_seen"] == 4
    assert amended.json()["amendments"][0]["changes"] == {"women_seen": ["2", "4"]}
    assert ReturnAmendment.objects.get().amended_by == sergeant


def test_an_amendment_keeps_the_shift_within_16_hours(client, sergeant, objects):
    patrol = objects["returned"]
    client.force_login(sergeant)
    late = (patrol.starts_at + dt.timedelta(hours=20)).isoformat()
    response = call(
        client, "POST", reverse("api:patrol-amend-return", args=[patrol.uuid]),
        {"reason": "Typo.", "ended_at": late},
    )  # fmt: skip
    assert response.status_code == 400
    assert "16 hours" in errors(response)["ended_at"][0]
    assert not ReturnAmendment.objects.exists()


# --- Records a return holds ----------------------------------------------------------------


def test_a_pc_reads_only_the_records_of_patrols_they_were_on(client, area, pc, objects):
    other_pc = OfficerFactory(role=Role.PC, areas=[area])
    client.force_login(other_pc)
    for kind in ["arrest", "caution", "intelligence"]:
        assert rows(client.get(reverse(f"api:{kind}-list"))) == [], kind
        detail = client.get(reverse(f"api:{kind}-detail", args=[objects[kind].uuid]))
        assert detail.status_code == 403, kind
    # Encounters are on the person's timeline for every officer of the area.
    assert len(rows(client.get(reverse("api:encounter-list")))) == 1


def test_reading_records_is_audited(client, pc, objects):
    client.force_login(pc)
    before = set(AuditEvent.objects.values_list("pk", flat=True))

    client.get(reverse("api:encounter-list"))
    client.get(reverse("api:arrest-detail", args=[objects["arrest"].uuid]))

    new = AuditEvent.objects.exclude(pk__in=before)
    assert sorted(new.values_list("action", "object_id")) == sorted(
        [
            ("patrols.encounter.viewed", str(objects["encounter"].uuid)),
            ("referrals.person.viewed", str(objects["encounter"].person.uuid)),
            ("patrols.arrest.viewed", str(objects["arrest"].uuid)),
            ("patrols.conditionalcaution.viewed", str(objects["caution"].uuid)),
        ]
    )
    assert set(new.values_list("actor", flat=True)) == {pc.pk}


def test_record_payloads(client, sergeant, objects, provider):
    client.force_login(sergeant)
    caution = client.get(reverse("api:caution-detail", args=[objects["caution"].uuid])).json()
    arrest = client.get(reverse("api:arrest-detail", args=[objects["arrest"].uuid])).json()
    intel = rows(client.get(reverse("api:intelligence-list")))[0]

    assert caution["provider"] == {"uuid": str(provider.uuid), "name": provider.name}
    assert caution["patrol"] == str(objects["returned"].uuid)
    assert caution["status"] == CautionStatus.ISSUED
    assert arrest["offence"] == Offence.KERB_CRAWLING
    assert arrest["custody_reference"] == "SYN/1"
    assert intel["handling_code"] == HandlingCode.LAWFUL_SHARING


def test_arrests_filter_by_date(client, sergeant, objects):
    client.force_login(sergeant)
    day = timezone.localtime(objects["arrest"].arrested_at).date()
    url = reverse("api:arrest-list")
    assert len(rows(client.get(url, {"arrested_after": day.isoformat()}))) == 1
    later = (day + dt.timedelta(days=1)).isoformat()
    assert rows(client.get(url, {"arrested_after": later})) == []


# --- Query budgets: as many queries for 50 rows as for 5 -------------------------------------


def many_returns(count, ward, pc, local_pc, provider):
    """`count` returned patrols, each with an encounter, an arrest, a caution, intelligence."""
    for n in range(count):
        starts = night(timezone.localdate() - dt.timedelta(days=20 + n))
        patrol = crewed(
            ward, pc, local_pc, starts_at=starts, ends_at=starts + dt.timedelta(hours=8),
            status=PatrolStatus.DEPLOYED,
        )  # fmt: skip
        patrol.hotspots.add(HotspotFactory(ward=ward))
        patrol.invitations.create(agency=provider, activity=EngagementActivity.OUTREACH)
        RiskAssessment.objects.create(
            patrol=patrol, hazards="h", controls="c", assessed_by=pc, assessed_at=timezone.now()
        )
        file_return(patrol, pc, provider=provider)


# Queries for each list (session, user, the page's count and rows, its prefetches, and
# one INSERT of the audit rows where the records name people); the same for 5 and 50.
BUDGETS = {
    "api:hotspot-list": 6,
    "api:patrol-list": 6,
    "api:encounter-list": 7,
    "api:arrest-list": 7,
    "api:caution-list": 7,
    "api:intelligence-list": 7,
}


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("name", list(BUDGETS))
def test_lists_run_constant_queries(
    client, pc, ward, local_pc, provider, count, name, django_assert_max_num_queries
):
    many_returns(count, ward, pc, local_pc, provider)
    client.force_login(pc)
    client.get(reverse(name))  # warm: the session's first touch

    with django_assert_max_num_queries(BUDGETS[name]):
        response = client.get(reverse(name))

    assert response.status_code == 200
    assert len(rows(response)) == count


@pytest.mark.parametrize("query", [{"ward": 2**63}, {"area": "-1"}, {"area": "x"}])
def test_an_id_beyond_any_key_is_400_not_500(client, pc, query):
    client.force_login(pc)
    response = client.get(reverse("api:patrol-list"), query)
    assert response.status_code == 400
    assert list(errors(response)) == list(query)


def test_a_ward_id_beyond_any_key_is_400_not_500(client, sergeant, objects, pc, local_pc):
    client.force_login(sergeant)
    body = patrol_body(objects["hotspot"].ward, pc, local_pc, ward=2**63)
    response = call(client, "POST", reverse("api:patrol-list"), body)
    assert response.status_code == 400
    assert "ward" in errors(response)
