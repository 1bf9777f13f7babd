"""Work return pages: filing (with "Add another" and drafts), the submitted return, amending.

The forms are submitted as a browser would: the rendered page is read back into form data
(`page_fields`), a few fields are typed over, and that is posted.
"""

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from partners.models import ServiceType
from patrols.models import (
    Arrest,
    ArrestOutcome,
    ConditionalCaution,
    Encounter,
    IntelligenceReport,
    Offence,
    OfficerHours,
    OfficerRole,
    PatrolOfficer,
    PatrolStatus,
    ReturnAmendment,
    ReturnDraft,
    Weather,
    WorkReturn,
)
from patrols.services import submit_return
from referrals.models import (
    AgeBand,
    ConsentMethod,
    Person,
    PossibleDuplicate,
    Referral,
    ReferralStatusChange,
)
from tests.factories import (
    AgencyFactory,
    HotspotFactory,
    OfficerFactory,
    PatrolFactory,
    PersonFactory,
    WardFactory,
)
from tests.patrols.visits import return_fields  # the same night, 20:00 GMT on 7 March 2025

pytestmark = pytest.mark.django_db

NIGHT = timezone.make_aware(dt.datetime(2025, 3, 7, 20, 0))
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
WRITTEN = (
    WorkReturn,
    OfficerHours,
    Person,
    Encounter,
    Arrest,
    ConditionalCaution,
    Referral,
    ReferralStatusChange,
    IntelligenceReport,
    ReturnDraft,
)


# --- Cast and helpers ------------------------------------------------------------------


@pytest.fixture
def ward(area):
    return WardFactory(area=area)


@pytest.fixture
def hotspot(ward):
    return HotspotFactory(ward=ward, name="Test Street North")


@pytest.fixture
def local_pc(area, ward):
    return OfficerFactory(role=Role.PC, areas=[area], profile__home_ward=ward)


@pytest.fixture
def patrol(ward, pc, local_pc, hotspot):
    patrol = crewed_patrol(ward, pc, local_pc)
    patrol.hotspots.set([hotspot])
    return patrol


@pytest.fixture
def provider():
    return AgencyFactory(name="Diversion provider (test)", services=[ServiceType.DIVERSION_COURSE])


def crewed_patrol(ward, pc, local_pc, status=PatrolStatus.DEPLOYED, **fields):
    patrol = PatrolFactory(
        ward=ward, starts_at=NIGHT, ends_at=NIGHT + 8 * HOUR, status=status, **fields
    )
    PatrolOfficer.objects.create(patrol=patrol, officer=pc, role=OfficerRole.EPHEDRA_PC)
    PatrolOfficer.objects.create(patrol=patrol, officer=local_pc, role=OfficerRole.LOCAL_PC)
    return patrol


def urls(patrol) -> dict[str, str]:
    return {
        name: reverse(f"patrols:{name}", args=[patrol.uuid])
        for name in ("work_return", "save_draft", "amend_return")
    }


class _FormReader(HTMLParser):
    """What a browser would submit from the form with this id (no button pressed)."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self.select = self.textarea = None
        self.first_option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = form_id_matches(attrs, self.form_id)
        elif self.inside:
            self._field(tag, attrs)

    def _field(self, tag, attrs):
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button"} or (
                kind in {"checkbox", "radio"} and "checked" not in attrs
            ):
                return
            default = "on" if kind in {"checkbox", "radio"} else ""
            self.data.setdefault(name, []).append(attrs.get("value") or default)
        elif tag == "select":
            self.select, self.first_option, self.chosen = name, None, False
        elif tag == "option" and self.select:
            self.first_option = self.first_option or [attrs.get("value", "")]
            if "selected" in attrs:
                self.data[self.select] = [attrs.get("value", "")]
                self.chosen = True
        elif tag == "textarea":
            self.textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            if not self.chosen:
                self.data[self.select] = self.first_option or [""]
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][0] += data.removeprefix("\n")


def form_id_matches(attrs: dict, form_id: str | None) -> bool:
    return form_id is None or attrs.get("id") == form_id


def page_fields(response, form_id: str | None = "work-return-form") -> dict[str, list[str]]:
    assert response.status_code == 200
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    return reader.data


def typed(**values) -> dict[str, list[str]]:
    """Form values typed over a page's: `encounters__0__time` is `encounters-0-time`."""
    return {
        name.replace("__", "-"): value if isinstance(value, list) else [str(value)]
        for name, value in values.items()
    }


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WRITTEN}


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def add_row(client, url, page, section) -> dict:
    response = client.post(url, page | {"add": [section]})
    assert b"There is a problem" not in response.content
    return page_fields(response)


def quiet_night_page(client, patrol) -> dict:
    page = page_fields(client.get(urls(patrol)["work_return"]))
    return page | typed(weather=Weather.HEAVY_RAIN, summary="Heavy rain all night; no one out.")


# --- Filing ----------------------------------------------------------------------------


def test_the_form_starts_from_the_patrol_as_planned(client, pc, patrol, hotspot, local_pc):
    client.force_login(pc)
    page = page_fields(client.get(urls(patrol)["work_return"]))

    assert page["date"] == ["2025-03-07"]
    assert (page["start_time"], page["end_time"]) == (["20:00"], ["04:00"])
    assert page["hotspots_visited"] == [str(hotspot.pk)]
    assert page["hours-TOTAL_FORMS"] == ["2"]
    assert sorted(page["hours-0-hours"] + page["hours-1-hours"]) == ["8.00", "8.00"]
    assert page["encounters-TOTAL_FORMS"] == ["1"]
    assert page["arrests-TOTAL_FORMS"] == ["0"]


def test_the_pc_on_the_patrol_files_a_full_return(client, pc, patrol, hotspot, agency_a, provider):
    client.force_login(pc)
    url = urls(patrol)["work_return"]
    page = page_fields(client.get(url))
    for section in ("arrests", "referrals", "intelligence"):
        page = add_row(client, url, page, section)
    page |= typed(
        weather=Weather.DRY,
        women_seen=3,
        kerb_crawlers_seen=1,
        summary="Two women engaged; one arrest.",
        encounters__0__new_working_name="Testname New",
        encounters__0__new_description="Synthetic description.",
        encounters__0__new_age_band="25_34",
        encounters__0__hotspot=hotspot.pk,
        encounters__0__time="21:10",
        encounters__0__new_to_area="on",
        arrests__0__time="01:30",
        arrests__0__offence=Offence.KERB_CRAWLING,
        arrests__0__suspect_description="Custody record 01 (synthetic)",
        arrests__0__outcome=ArrestOutcome.CONDITIONAL_CAUTION,
        arrests__0__caution_deadline="2025-05-01",
        arrests__0__caution_provider=provider.pk,
        arrests__0__booking_name="Synthetic Name",
        arrests__0__booking_contact="000 0000 0000",
        referrals__0__encounter=0,
        referrals__0__service=ServiceType.EXIT_SUPPORT,
        referrals__0__agency=agency_a.pk,
        referrals__0__consent_method=ConsentMethod.VERBAL,
        referrals__0__consent_time="21:15",
        intelligence__0__subject_description="Man in a grey van (synthetic)",
        intelligence__0__details="Seen dropping off two women.",
        intelligence__0__source_evaluation="2",
        intelligence__0__intelligence_assessment="C",
        intelligence__0__handling_code="C",
        intelligence__0__handling_conditions="Not outside the BCU.",
    )

    response = client.post(url, page)

    assert response.status_code == 302, page_errors(response)
    assert response.url == url  # the submitted return, with what it created, once
    assert created_lines(client.get(url)) == [
        "A conditional caution: Diversion course with Diversion provider (test) by 1 May 2025",
        "Testname New: referred to Agency A (test) for support to exit",
        "1 intelligence report recorded, graded as you gave them",
        "1 person seen and 1 arrest recorded",
    ]
    assert created_lines(client.get(url)) == []
    assert counts() == {
        "WorkReturn": 1,
        "OfficerHours": 2,
        "Person": 1,
        "Encounter": 1,
        "Arrest": 1,
        "ConditionalCaution": 1,
        "Referral": 2,
        "ReferralStatusChange": 2,
        "IntelligenceReport": 1,
        "ReturnDraft": 0,
    }
    work_return = WorkReturn.objects.get()
    assert (work_return.started_at, work_return.ended_at) == (NIGHT, NIGHT + 8 * HOUR)
    assert (work_return.weather, work_return.women_seen, work_return.filed_by) == (
        Weather.DRY,
        3,
        pc,
    )
    assert list(work_return.hotspots_visited.all()) == [hotspot]
    assert {h.hours for h in work_return.hours.all()} == {Decimal("8.00")}
    encounter = Encounter.objects.select_related("person").get()
    assert (encounter.person.working_name, encounter.person.area, encounter.hotspot) == (
        "Testname New",
        patrol.area,
        hotspot,
    )
    assert encounter.occurred_at == NIGHT + dt.timedelta(hours=1, minutes=10)
    assert encounter.new_to_area
    assert encounter.engaged
    arrest = Arrest.objects.get()
    assert arrest.arrested_at == NIGHT + dt.timedelta(hours=5, minutes=30)  # the next morning
    assert arrest.arresting_officer == pc
    caution = ConditionalCaution.objects.get()
    assert (caution.given_on, caution.provider) == (dt.date(2025, 3, 7), provider)
    diversion = Referral.objects.get(service=ServiceType.DIVERSION_COURSE)
    assert (diversion.caution, diversion.agency, diversion.person) == (caution, provider, None)
    support = Referral.objects.get(service=ServiceType.EXIT_SUPPORT)
    assert (support.person, support.encounter, support.agency) == (
        encounter.person,
        encounter,
        agency_a,
    )
    assert (support.consent_method, support.consent_recorded_by) == (ConsentMethod.VERBAL, pc)
    assert IntelligenceReport.objects.get().handling_conditions == "Not outside the BCU."
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.RETURNED


def test_a_quiet_night_is_a_return(client, pc, patrol):
    client.force_login(pc)

    response = client.post(urls(patrol)["work_return"], quiet_night_page(client, patrol))

    assert response.status_code == 302, page_errors(response)
    work_return = WorkReturn.objects.get()
    assert (work_return.weather, work_return.women_seen, work_return.kerb_crawlers_seen) == (
        Weather.HEAVY_RAIN,
        0,
        0,
    )
    assert work_return.hours.count() == 2
    assert not Encounter.objects.exists()
    assert not Referral.objects.exists()


def test_an_officer_who_did_not_work_is_left_blank(client, pc, patrol):
    client.force_login(pc)
    page = quiet_night_page(client, patrol) | typed(hours__1__hours="")

    response = client.post(urls(patrol)["work_return"], page)

    assert response.status_code == 302
    assert OfficerHours.objects.count() == 1


def test_someone_s_hours_are_needed(client, pc, patrol):
    client.force_login(pc)
    page = quiet_night_page(client, patrol) | typed(hours__0__hours="", hours__1__hours="")

    response = client.post(urls(patrol)["work_return"], page)

    content = response.content.decode()
    assert '<a href="#hours-section">Give the hours worked by at least one officer.</a>' in content
    assert content.count("Give the hours worked by at least one officer.") == 2
    assert sum(counts().values()) == 0


def test_a_supervisor_may_file_for_the_patrol(client, sergeant, patrol):
    client.force_login(sergeant)

    response = client.post(urls(patrol)["work_return"], quiet_night_page(client, patrol))

    assert response.status_code == 302
    assert WorkReturn.objects.get().filed_by == sergeant


def test_add_another_shows_one_more_row_and_saves_nothing(client, pc, patrol):
    client.force_login(pc)
    url = urls(patrol)["work_return"]
    page = page_fields(client.get(url)) | typed(encounters__0__new_working_name="Testname A")

    response = client.post(url, page | {"add": ["encounters"]})

    again = page_fields(response)
    assert again["encounters-TOTAL_FORMS"] == ["2"]
    assert again["encounters-0-new_working_name"] == ["Testname A"]
    assert again["encounters-1-engaged"] == ["on"]  # a new row has the defaults
    assert re.search(rb'name="encounters-1-person"[^>]*autofocus', response.content)
    assert b"govuk-error-message" not in response.content
    assert sum(counts().values()) == 0


def test_the_page_saves_drafts_through_htmx_without_inline_script(client, pc, patrol):
    client.force_login(pc)

    content = client.get(urls(patrol)["work_return"]).content.decode()

    assert f'hx-post="{urls(patrol)["save_draft"]}"' in content
    assert 'hx-trigger="change, keyup delay:2s" hx-sync="this:replace"' in content
    assert '<p id="draft-status" class="govuk-body-s app-draft-status" aria-live="polite">' in (
        content
    )
    assert '<script src="/static/js/return-draft.js"></script>' in content
    assert not re.search(r"<script(?![^>]*\bsrc=)", content)  # a strict CSP allows no inline
    assert not re.search(r"\son[a-z]+=", content)


def test_the_referral_choice_names_the_encounters(client, pc, patrol):
    client.force_login(pc)
    url = urls(patrol)["work_return"]
    page = page_fields(client.get(url)) | typed(encounters__0__new_working_name="Testname A")

    response = client.post(url, page | {"add": ["referrals"]})

    assert "Encounter 1: Testname A" in response.content.decode()


def page_errors(response) -> str:
    """The error summary, to explain a failed assertion."""
    content = response.content.decode()
    start = content.find("govuk-error-summary")
    return content[start : start + 2000] if start >= 0 else "(no error summary)"


@pytest.mark.parametrize(
    ("values", "field_id", "message"),
    [
        (
            {"referrals__0__consent_method": [], "referrals__0__consent_time": ""},
            "id_referrals-0-consent_method",
            "Record how she agreed to the referral.",
        ),
        (
            {"referrals__0__service": ServiceType.HOUSING},
            "id_referrals-0-agency",
            "Agency A (test) does not offer housing and homelessness: choose another agency.",
        ),
        (
            {"end_time": "13:00"},
            "id_end_time",
            "A patrol cannot last more than 16 hours.",
        ),
        (
            {"encounters__0__new_working_name": "", "encounters__0__new_description": ""},
            "id_encounters-0-person",
            "Choose someone already known or enter a new person.",
        ),
    ],
    ids=["referral-without-consent", "agency-not-offering", "over-16-hours", "nobody-chosen"],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_written(
    client, pc, patrol, agency_a, values, field_id, message
):
    client.force_login(pc)
    url = urls(patrol)["work_return"]
    page = add_row(client, url, quiet_night_page(client, patrol), "referrals")
    page |= typed(
        encounters__0__new_working_name="Testname Kept",
        encounters__0__time="22:00",
        referrals__0__encounter=0,
        referrals__0__service=ServiceType.EXIT_SUPPORT,
        referrals__0__agency=agency_a.pk,
        referrals__0__consent_method=ConsentMethod.WRITTEN,
        referrals__0__consent_time="22:05",
    )

    response = client.post(url, page | typed(**values))

    content = response.content.decode()
    assert response.status_code == 200
    row = {"id_referrals-0": "Referral 1: ", "id_encounters-0": "Encounter 1: "}
    named = row.get(field_id.rsplit("-", 1)[0], "")  # the summary names the row
    assert f'<a href="#{field_id}">{named}{message}</a>' in content  # in the error summary
    assert f'id="{field_id}-error"' in content  # and next to the field
    assert content.count(message) == 2
    assert "<title>Error: Work return" in content
    kept = page_fields(response)
    assert kept["summary"] == ["Heavy rain all night; no one out."]
    if "encounters__0__new_working_name" not in values:
        assert kept["encounters-0-new_working_name"] == ["Testname Kept"]
    assert sum(counts().values()) == 0
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.DEPLOYED


def test_a_service_is_taken_from_an_agency_that_offers_only_one(client, pc, patrol, agency_a):
    client.force_login(pc)
    url = urls(patrol)["work_return"]
    page = add_row(client, url, quiet_night_page(client, patrol), "referrals")
    single = f'data-single-service="{{&quot;{agency_a.pk}&quot;: &quot;exit_support&quot;}}"'
    assert single in client.get(url).content.decode()  # for the page's script
    page |= typed(
        encounters__0__new_working_name="Testname Single",
        encounters__0__time="22:00",
        referrals__0__encounter=0,
        referrals__0__agency=agency_a.pk,  # offers exit support only; no service chosen
        referrals__0__consent_method=ConsentMethod.VERBAL,
        referrals__0__consent_time="22:05",
    )

    response = client.post(url, page)

    assert response.status_code == 302, page_errors(response)
    assert Referral.objects.get().service == ServiceType.EXIT_SUPPORT


def test_an_agency_offering_several_services_needs_one_chosen(client, pc, patrol):
    agency = AgencyFactory(services=[ServiceType.EXIT_SUPPORT, ServiceType.HOUSING])
    client.force_login(pc)
    url = urls(patrol)["work_return"]
    page = add_row(client, url, quiet_night_page(client, patrol), "referrals")
    page |= typed(
        encounters__0__new_working_name="Testname Several",
        encounters__0__time="22:00",
        referrals__0__encounter=0,
        referrals__0__agency=agency.pk,
        referrals__0__consent_method=ConsentMethod.VERBAL,
        referrals__0__consent_time="22:05",
    )

    response = client.post(url, page)

    content = response.content.decode()
    summary = "Referral 1: Choose the service she is referred to."
    assert f'<a href="#id_referrals-0-service">{summary}</a>' in content
    assert 'id="id_referrals-0-service-error"' in content
    assert sum(counts().values()) == 0


def created_lines(response) -> list[str]:
    content = response.content.decode()
    start = content.find("data-return-created>")
    if start < 0:
        return []
    items = content[start : content.find("</ul>", start)]
    return [re.sub(r"\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", items)]


def test_a_referral_for_a_blank_encounter_row_is_refused(client, pc, patrol, agency_a):
    client.force_login(pc)
    url = urls(patrol)["work_return"]
    page = add_row(client, url, quiet_night_page(client, patrol), "referrals")
    page |= typed(
        referrals__0__encounter=0,
        referrals__0__service=ServiceType.EXIT_SUPPORT,
        referrals__0__agency=agency_a.pk,
        referrals__0__consent_method=ConsentMethod.VERBAL,
        referrals__0__consent_time="22:05",
    )

    response = client.post(url, page)

    assert "Encounter 1 is blank: choose another." in response.content.decode()
    assert sum(counts().values()) == 0


def test_a_conditional_caution_needs_its_details(client, pc, patrol):
    client.force_login(pc)
    url = urls(patrol)["work_return"]
    page = add_row(client, url, quiet_night_page(client, patrol), "arrests")
    page |= typed(
        arrests__0__time="23:00",
        arrests__0__offence=Offence.KERB_CRAWLING,
        arrests__0__suspect_description="Custody record 02 (synthetic)",
        arrests__0__outcome=ArrestOutcome.CONDITIONAL_CAUTION,
    )

    response = client.post(url, page)

    content = response.content.decode()
    for message in (
        "Enter the date the course must be completed by.",
        "Choose the course provider.",
        "Enter the name to book the course under.",
        "Enter a phone number or email to book the course.",
    ):
        assert message in content
    assert sum(counts().values()) == 0


# --- Who may file, and when ------------------------------------------------------------


def test_a_pc_not_on_the_patrol_gets_403(client, area, patrol):
    client.force_login(OfficerFactory(role=Role.PC, areas=[area]))
    pages = urls(patrol)

    assert client.get(pages["work_return"]).status_code == 403
    assert client.post(pages["work_return"], {"summary": "x"}).status_code == 403
    assert client.post(pages["save_draft"], {"summary": "x"}).status_code == 403
    assert client.get(pages["amend_return"]).status_code == 403
    assert sum(counts().values()) == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_partner_users_get_404_on_every_return_page(client, partner_a, patrol, method):
    client.force_login(partner_a)
    for url in urls(patrol).values():
        assert getattr(client, method)(url).status_code == 404


def test_a_patrol_in_another_area_is_404(client, sergeant, pc, other_area):
    elsewhere = crewed_patrol(WardFactory(area=other_area), pc, OfficerFactory())
    client.force_login(sergeant)

    pages = urls(elsewhere)
    assert client.get(pages["work_return"]).status_code == 404
    assert client.get(pages["amend_return"]).status_code == 404
    for url in pages.values():
        assert client.post(url).status_code == 404


def test_signed_out_users_are_sent_to_sign_in(client, patrol):
    response = client.get(urls(patrol)["work_return"])
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (PatrolStatus.PLANNED, "The work return can be filed once the patrol has deployed."),
        (PatrolStatus.APPROVED, "The work return can be filed once the patrol has deployed."),
        (PatrolStatus.CANCELLED, "This patrol was cancelled, so it has no work return."),
    ],
)
def test_a_patrol_not_deployed_has_no_return_form(client, pc, patrol, status, message):
    patrol.status = status
    patrol.cancel_reason = "Severe weather warning." if status == PatrolStatus.CANCELLED else ""
    patrol.save()
    client.force_login(pc)
    detail = reverse("patrols:detail", args=[patrol.uuid])

    response = client.get(urls(patrol)["work_return"])
    assert (response.status_code, response.url) == (302, detail)
    assert messages_of(response) == [message]

    response = client.post(urls(patrol)["work_return"], {"weather": "dry"})
    assert (response.status_code, response.url) == (302, detail)
    assert sum(counts().values()) == 0


# --- The submitted return --------------------------------------------------------------


def submitted(patrol, by, encounters: int = 1) -> WorkReturn:
    """A return filed through the service, with `encounters` people seen and one referral."""
    people = [PersonFactory(area=patrol.area, created_by=by) for _ in range(encounters)]
    provider = AgencyFactory(services=[ServiceType.DIVERSION_COURSE])
    return submit_return(
        patrol,
        by,
        return_fields=return_fields(
            weather=Weather.COLD,
            hotspots_visited=list(patrol.hotspots.all()),
            women_seen=encounters,
            kerb_crawlers_seen=1,
            summary="Cold night.",
        ),
        hours={by: Decimal("7.5")},
        encounters=[
            {
                "person": person,
                "hotspot": None,
                "location": f"Corner {n}",
                "occurred_at": NIGHT + HOUR,
                "engaged": True,
                "new_to_area": False,
                "notes": "",
            }
            for n, person in enumerate(people)
        ],
        arrests=[
            {
                "arrested_at": NIGHT + 2 * HOUR,
                "arresting_officer": by,
                "offence": Offence.KERB_CRAWLING,
                "offence_detail": "",
                "suspect_description": "Custody record 03 (synthetic)",
                "custody_reference": "",
                "outcome": ArrestOutcome.CONDITIONAL_CAUTION,
                "caution": {
                    "given_on": NIGHT.date(),
                    "deadline": NIGHT.date() + dt.timedelta(days=60),
                    "provider": provider,
                    "booking_name": "Synthetic Name",
                    "booking_contact": "000 0000 0000",
                },
            },
            {
                "arrested_at": NIGHT + 3 * HOUR,
                "arresting_officer": by,
                "offence": Offence.OTHER,
                "offence_detail": "Synthetic other offence",
                "suspect_description": "Custody record 04 (synthetic)",
                "custody_reference": "",
                "outcome": ArrestOutcome.PENDING,
            },
        ],
        referrals=[
            {
                "encounter": 0,
                "service": ServiceType.EXIT_SUPPORT,
                "agency": AgencyFactory(),
                "consent_method": ConsentMethod.VERBAL,
                "consent_given_at": NIGHT + HOUR,
            }
        ],
        intelligence=[
            {
                "subject_description": "Grey van (synthetic)",
                "details": "Seen twice.",
                "source_evaluation": "1",
                "intelligence_assessment": "A",
                "handling_code": "P",
                "handling_conditions": "",
            }
        ],
        # As many timed visits as people (at its hotspot, if it has one): the page's cost
        # must not grow with them either.
        visits=[
            {
                "hotspot": hotspot,
                "arrived_at": NIGHT + n * 20 * MINUTE,
                "left_at": NIGHT + (n * 20 + 12) * MINUTE,
            }
            for hotspot in patrol.hotspots.all()[:1]
            for n in range(encounters)
        ],
    )


def test_a_submitted_return_is_shown_read_only(client, pc, patrol):
    work_return = submitted(patrol, pc)
    client.force_login(pc)

    response = client.get(urls(patrol)["work_return"])

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="work-return-form"' not in content
    assert f'data-return-submitted="{patrol.uuid}"' in content  # clears the browser's copy
    person = Encounter.objects.get().person
    for text in (
        person.working_name,
        "Corner 0",
        "Cold",
        "7.50 h",
        "Test Street North",
        "Synthetic Name",
        "Synthetic other offence",
        "Support to exit",
        "Diversion course",
        "Grey van (synthetic)",
        "1AP",
    ):
        assert text in content, text
    assert urls(patrol)["amend_return"] not in content  # PCs do not amend
    assert work_return.filed_by == pc


def test_supervisors_see_the_amend_link_and_the_history(client, pc, sergeant, patrol):
    work_return = submitted(patrol, pc)
    ReturnAmendment.objects.create(
        work_return=work_return,
        amended_by=sergeant,
        reason="Checked the duty sheet.",
        changes={"women_seen": ["1", "2"]},
    )
    client.force_login(sergeant)

    content = client.get(urls(patrol)["work_return"]).content.decode()

    assert urls(patrol)["amend_return"] in content
    assert "Checked the duty sheet." in content
    assert '<th scope="row" class="govuk-table__header">Women seen</th>' in content


def test_a_second_submission_is_refused(client, pc, patrol):
    client.force_login(pc)
    page = quiet_night_page(client, patrol)
    client.post(urls(patrol)["work_return"], page)
    before = counts()

    response = client.post(urls(patrol)["work_return"], page)

    assert (response.status_code, response.url) == (302, urls(patrol)["work_return"])
    assert messages_of(response)[-1] == (
        "The work return for this patrol has already been submitted."
    )
    assert counts() == before


@pytest.mark.parametrize("encounters", [1, 10])
def test_the_submitted_return_costs_the_same_queries_however_long(
    client, pc, patrol, encounters, django_assert_num_queries
):
    submitted(patrol, pc, encounters=encounters)
    client.force_login(pc)
    # 1 session, 2 user, 3 savepoint (ATOMIC_REQUESTS), 4 patrol (in the user's areas),
    # 5 is the PC on the patrol, 6 the submitted return and its filer, 7 amendments with
    # their authors, 8 the patrol's area, 9 its ward, 10 hotspots visited, 11 hours with
    # officers, 12 encounters with people and hotspots, 13 arrests with officers, cautions
    # and providers, 14 referrals with agencies, people and cautions, 15 intelligence,
    # 16 the audit log's "viewed" rows (one INSERT), 17 release savepoint, 18 timed visits
    # with their hotspots.
    # ... and the header's count of unread notifications (every signed-in page).
    with django_assert_num_queries(19):
        response = client.get(urls(patrol)["work_return"])
    assert response.status_code == 200


# --- Drafts ----------------------------------------------------------------------------


def test_a_draft_is_saved_from_the_page(client, pc, patrol):
    client.force_login(pc)
    page = page_fields(client.get(urls(patrol)["work_return"]))

    response = client.post(urls(patrol)["save_draft"], page | typed(summary="So far"))

    assert (response.status_code, response.url) == (302, urls(patrol)["work_return"])
    assert messages_of(response)[0].startswith("Draft saved at ")
    draft = ReturnDraft.objects.get()
    assert draft.data["summary"] == ["So far"]
    assert "csrfmiddlewaretoken" not in draft.data
    assert draft.saved_by == pc


def test_an_htmx_draft_save_answers_with_the_status_line(client, pc, patrol):
    client.force_login(pc)

    response = client.post(
        urls(patrol)["save_draft"], {"summary": "typing"}, headers={"HX-Request": "true"}
    )

    saved_at = timezone.localtime(ReturnDraft.objects.get().saved_at)
    assert response.status_code == 200
    assert response.content.decode().strip() == f"Draft saved at {saved_at:%H:%M}"


def test_the_draft_url_takes_only_post(client, pc, patrol):
    client.force_login(pc)
    assert client.get(urls(patrol)["save_draft"]).status_code == 405


def test_the_form_comes_back_with_the_draft_and_no_errors(client, pc, patrol, local_pc):
    client.force_login(pc)
    page = page_fields(client.get(urls(patrol)["work_return"]))
    page |= typed(
        weather=Weather.SNOW,
        women_seen="",
        summary="Half written",
        encounters__0__new_working_name="Testname Draft",  # no time yet: not valid
        encounters__0__engaged=[],
        hours__1__hours="6.5",
    )
    client.post(urls(patrol)["save_draft"], page, headers={"HX-Request": "true"})

    response = client.get(urls(patrol)["work_return"])

    content = response.content.decode()
    restored = page_fields(response)
    assert restored["weather"] == ["snow"]
    assert restored["summary"] == ["Half written"]
    assert restored["encounters-0-new_working_name"] == ["Testname Draft"]
    assert "encounters-0-engaged" not in restored  # unticked stays unticked
    assert restored["hours-1-hours"] == ["6.5"]
    assert "govuk-error-message" not in content
    assert "There is a problem" not in content
    assert "Draft saved at" in content
    saved_at = ReturnDraft.objects.get().saved_at  # for the browser's own copy to compare with
    assert f'data-draft-saved-at="{int(saved_at.timestamp())}"' in content


def test_a_draft_that_makes_no_sense_still_opens(client, pc, patrol):
    ReturnDraft.objects.create(
        patrol=patrol,
        saved_by=pc,
        data={"date": ["nonsense"], "encounters-TOTAL_FORMS": ["many"], "hours-0-hours": "x"},
    )
    client.force_login(pc)

    response = client.get(urls(patrol)["work_return"])

    assert response.status_code == 200
    assert b"govuk-error-message" not in response.content


def test_no_draft_is_saved_once_the_return_is_submitted(client, pc, patrol):
    submitted(patrol, pc)
    client.force_login(pc)

    response = client.post(
        urls(patrol)["save_draft"], {"summary": "late"}, headers={"HX-Request": "true"}
    )

    assert "Not saved: The work return for this patrol has already been submitted." in (
        response.content.decode()
    )
    assert not ReturnDraft.objects.exists()


# --- Amending --------------------------------------------------------------------------


def test_a_sergeant_amends_a_submitted_return(client, pc, sergeant, patrol):
    work_return = submitted(patrol, pc)
    client.force_login(sergeant)
    page = page_fields(client.get(urls(patrol)["amend_return"]), form_id=None)
    assert page["weather"] == [Weather.COLD]
    assert page["women_seen"] == ["1"]

    response = client.post(
        urls(patrol)["amend_return"],
        page | typed(women_seen=2, end_time="03:30", reason="Checked against the duty sheet."),
    )

    assert (response.status_code, response.url) == (302, urls(patrol)["work_return"])
    amendment = ReturnAmendment.objects.get()
    assert (amendment.work_return, amendment.amended_by) == (work_return, sergeant)
    assert amendment.changes == {
        "ended_at": ["2025-03-08 04:00", "2025-03-08 03:30"],
        "women_seen": ["1", "2"],
    }
    work_return.refresh_from_db()
    assert work_return.women_seen == 2


def test_a_pc_cannot_amend(client, pc, patrol):
    submitted(patrol, pc)
    client.force_login(pc)

    assert client.get(urls(patrol)["amend_return"]).status_code == 403
    assert client.post(urls(patrol)["amend_return"], {"reason": "x"}).status_code == 403


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"women_seen": 5, "reason": ""}, "Give the reason for the amendment."),
        ({"reason": "Checked."}, "Nothing was changed, so there is no amendment to record."),
    ],
    ids=["no-reason", "no-change"],
)
def test_an_amendment_is_refused_with_the_reason_shown(
    client, pc, sergeant, patrol, changes, message
):
    submitted(patrol, pc)
    client.force_login(sergeant)
    page = page_fields(client.get(urls(patrol)["amend_return"]), form_id=None)

    response = client.post(urls(patrol)["amend_return"], page | typed(**changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not ReturnAmendment.objects.exists()


def test_there_is_nothing_to_amend_before_submission(client, sergeant, patrol):
    client.force_login(sergeant)

    response = client.get(urls(patrol)["amend_return"])

    assert (response.status_code, response.url) == (
        302,
        reverse("patrols:detail", args=[patrol.uuid]),
    )


# --- A new person who looks like someone known (issue 16, item 3) --------------------------
# The return warns before she is saved: the officer chooses her from the known people, or
# says she is someone new; nothing is written until then.


@pytest.fixture
def jade(area):
    return PersonFactory(
        area=area, working_name="Jade", description="Red coat", age_band=AgeBand.AGE_25_34
    )


def new_person(client, patrol, name: str, age_band=AgeBand.UNKNOWN, **extra):
    page = quiet_night_page(client, patrol) | typed(
        encounters__0__new_working_name=name,
        encounters__0__new_age_band=age_band,
        encounters__0__time="22:00",
        **extra,
    )
    return client.post(urls(patrol)["work_return"], page)


@pytest.mark.parametrize(
    ("name", "age_band"), [("jade ", AgeBand.UNKNOWN), ("Jadey", AgeBand.AGE_25_34)]
)
def test_a_new_person_like_someone_known_is_not_saved_unasked(
    client, pc, patrol, jade, name, age_band
):
    client.force_login(pc)

    response = new_person(client, patrol, name, age_band)

    content = response.content.decode()
    assert response.status_code == 200
    warning = "Already known in Lambeth: Jade – Red coat. Choose her in “Someone already known”"
    assert warning in content.replace("&#x27;", "'")
    assert 'id="id_encounters-0-new_working_name-error"' in content
    assert 'name="encounters-0-confirm_new"' in content  # now asked
    assert list(Person.objects.all()) == [jade]
    assert sum(counts().values()) == 1  # Jade herself: nothing written


def test_she_is_saved_once_the_officer_says_she_is_someone_new(client, pc, patrol, jade):
    client.force_login(pc)

    response = new_person(client, patrol, "Jade", encounters__0__confirm_new="on")

    assert response.status_code == 302, page_errors(response)
    new = Person.objects.exclude(pk=jade.pk).get()
    assert new.working_name == "Jade"
    # The sergeant still sees the pair among the possible duplicates.
    assert PossibleDuplicate.objects.filter(person=new, other=jade).exists()


def test_no_warning_for_someone_unlike_anyone_known(client, pc, patrol, jade):
    client.force_login(pc)

    plain = client.get(urls(patrol)["work_return"]).content.decode()
    response = new_person(client, patrol, "Mia", AgeBand.AGE_25_34)

    assert 'name="encounters-0-confirm_new"' not in plain  # asked only when she looks known
    assert response.status_code == 302, page_errors(response)


def test_someone_known_in_another_area_is_no_match(client, pc, patrol, other_area):
    PersonFactory(area=other_area, working_name="Jade")
    client.force_login(pc)

    response = new_person(client, patrol, "Jade")

    assert response.status_code == 302, page_errors(response)
    assert "Southwark" not in response.content.decode()
