"""The wall between police and partner data, tested the way an outsider would probe it.

Police-only records are seeded with unique canary strings. A partner user then crawls
every page they can reach (every link and every GET form, from the home page) and none
of the canaries may appear anywhere: not in pages, not in error pages, not in comments.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import ServiceType
from patrols.models import (
    Arrest,
    ConditionalCaution,
    EngagementActivity,
    IntelligenceReport,
    Offence,
    PartnerInvitation,
)
from patrols.services.concerns import grade_concern
from referrals import services
from tests.factories import (
    AgencyFactory,
    PartnerUserFactory,
    PatrolFactory,
    PersonFactory,
    WardFactory,
    consented_referral,
    sent_concern,
)

pytestmark = pytest.mark.django_db

CANARIES = {
    "intelligence": "CANARY-INTEL-7f3a",
    "intelligence subject": "CANARY-INTEL-SUBJECT-19c2",
    "arrest": "CANARY-ARREST-2b9d",
    "custody": "CANARY-CUSTODY-5e11",
    "police notes": "CANARY-POLICE-NOTES-8c40",
    "other agency": "CANARY-OTHER-AGENCY-33aa",
    "other person": "CANARY-OTHER-PERSON-61fd",
    "officer": "CANARY-OFFICER-0d7e",
    "grading": "CANARY-GRADING-4e2c",
    "grading conditions": "CANARY-CONDITIONS-a81b",
    "other agency's concern": "CANARY-OTHER-CONCERN-5d3f",
    "safeguarding reason": "CANARY-RISK-REASON-4a1b",
    "marker reason": "CANARY-MARKER-REASON-9e02",
    "nrm reference": "CANARY-NRM-REF-77c3",
    "route note": "CANARY-ROUTE-NOTE-0b5f",
}


class Links(HTMLParser):
    """Every href, and every GET form's action, on a page."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.urls.append(attrs["href"])
        if tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.urls.append(attrs.get("action") or "")


def crawl(client, start: str, limit: int = 400) -> dict[str, tuple[int, str]]:
    seen: dict[str, tuple[int, str]] = {}
    queue = [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        body = response.content.decode(errors="replace") if response.content else ""
        seen[url] = (response.status_code, body)
        if response.status_code in (301, 302):
            queue.append(response.url)
            continue
        parser = Links()
        parser.feed(body)
        for href in parser.urls:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc in ("", "testserver") and not parts.path.startswith("/static/"):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


@pytest.fixture
def world(area, pc, sergeant, agency_a, agency_b, partner_a):
    """Agency A's partner sees one referral and one invited patrol; everything else is
    police-only or another agency's business, and carries a canary."""
    ward = WardFactory(area=area)
    patrol = PatrolFactory(ward=ward, meeting_point="Rear of the police office")
    PartnerInvitation.objects.create(
        patrol=patrol, agency=agency_a, activity=EngagementActivity.SOUP_KITCHEN
    )
    person = PersonFactory(area=area, police_notes=CANARIES["police notes"])
    pc.last_name = "Constable"
    pc.save()
    sergeant.first_name = CANARIES["officer"]
    sergeant.save()
    consented_referral(agency=agency_a, by=pc, person=person, patrol=patrol)
    _safeguarding_with_canaries(person, pc)
    IntelligenceReport.objects.create(
        patrol=patrol,
        submitted_by=pc,
        submitted_at=timezone.now(),
        subject_description=CANARIES["intelligence subject"],
        details=CANARIES["intelligence"],
        source_evaluation="2",
        intelligence_assessment="C",
        handling_code="P",
    )
    arrest = Arrest.objects.create(
        patrol=patrol,
        arrested_at=timezone.now(),
        offence=Offence.KERB_CRAWLING,
        suspect_description=CANARIES["arrest"],
        custody_reference=CANARIES["custody"],
        arresting_officer=sergeant,
    )
    # A caution whose course is with agency B: A must learn nothing of it.
    course = AgencyFactory(name=CANARIES["other agency"], services=[ServiceType.DIVERSION_COURSE])
    caution = ConditionalCaution.objects.create(
        arrest=arrest,
        given_on=timezone.localdate(),
        provider=course,
        deadline=timezone.localdate() + timezone.timedelta(days=60),
        booking_name=CANARIES["other person"],
        booking_contact="07700 900003",
    )
    services.make_referral(
        person=None,
        agency=course,
        service=ServiceType.DIVERSION_COURSE,
        referred_by=sergeant,
        made_at=timezone.now(),
        caution=caution,
        patrol=patrol,
    )
    consented_referral(
        agency=agency_b,
        by=pc,
        person=PersonFactory(area=area, working_name=CANARIES["other person"] + "-B"),
    )
    # Agency A's concern, received and graded by the sergeant (a canary in his name and in
    # every field the police add); agency B's concern about the same area.
    mine = sent_concern(by=partner_a, area=area, person=person)
    grade_concern(
        mine,
        sergeant,
        {
            "subject_description": CANARIES["grading"],
            "details": CANARIES["grading"],
            "source_evaluation": "1",
            "intelligence_assessment": "A",
            "handling_code": "C",
            "handling_conditions": CANARIES["grading conditions"],
        },
    )
    theirs = sent_concern(
        by=PartnerUserFactory(agency=agency_b),
        area=area,
        subject_description=CANARIES["other agency's concern"],
        details=CANARIES["other agency's concern"],
    )
    return {"patrol": patrol, "person": person, "concern": mine, "theirs": theirs}


def _safeguarding_with_canaries(person, pc):
    """Her safeguarding record: a canary in every police-only field, and a police-only
    marker (trafficking) whose very name must not reach the agency."""
    review_on = timezone.localdate() + timezone.timedelta(days=30)
    services.set_risk_level(
        person, pc, level="high", review_on=review_on, reason=CANARIES["safeguarding reason"]
    )
    services.add_marker(person, pc, kind="violent_client", reason=CANARIES["marker reason"])
    services.add_marker(
        person, pc, kind="trafficking", reason=CANARIES["marker reason"],
        nrm_referred_on=timezone.localdate(), nrm_reference=CANARIES["nrm reference"],
    )  # fmt: skip
    services.add_route(person, pc, service="Housing office", note=CANARIES["route note"])


def test_no_canary_anywhere_a_partner_can_reach(client, partner_a, world):
    client.force_login(partner_a)
    pages = crawl(client, "/")
    assert len(pages) >= 3, f"the crawl reached too little to prove anything: {list(pages)}"
    assert any(status == 200 and "referral" in body.lower() for status, body in pages.values())
    for url, (_, body) in pages.items():
        for what, canary in CANARIES.items():
            assert canary not in body, f"{what} leaked on {url}"
        assert "rafficking" not in body, f"a police-only marker leaked on {url}"
    assert any("Violent client reported" in body for _, body in pages.values())  # shared


def test_the_caseload_search_and_export_reach_no_canary(client, partner_a, world):
    """The crawl reaches the export through its link; searching for each canary (police
    notes, another agency's person...) finds nothing, on the page or in the CSV."""
    client.force_login(partner_a)
    pages = crawl(client, "/")
    assert any(url.startswith("/partner/referrals.csv") for url in pages), list(pages)
    for canary in CANARIES.values():
        search = {"q": canary[:12]}  # "CANARY-POLIC", "CANARY-OTHER"...
        page = client.get(reverse("referrals:partner_home"), search)
        export = client.get(reverse("referrals:partner_export"), search)
        assert page.context["rows"] == [], canary
        assert len(export.content.decode().splitlines()) == 1, canary  # the header only
        for body in (page.content.decode(), export.content.decode()):
            assert not any(c in body for c in CANARIES.values()), canary


def test_guessed_police_urls_answer_404_without_canaries(client, partner_a, world):
    client.force_login(partner_a)
    patrol, person = world["patrol"], world["person"]
    for url in [
        f"/patrols/{patrol.uuid}/",
        f"/patrols/{patrol.uuid}/return/",
        f"/people/{person.uuid}/",
        "/referrals/",
        "/admin/",
        "/admin/patrols/intelligencereport/",
        "/hotspots/",
        "/intelligence/",
        "/intelligence/?show=to_grade",
        f"/intelligence/concerns/{world['concern'].uuid}/",
        f"/partner/concerns/{world['theirs'].uuid}/",
        "/admin/patrols/partnerconcern/",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        body = response.content.decode()
        assert not any(canary in body for canary in CANARIES.values()), url


def test_html_comments_carry_nothing(client, partner_a, world):
    client.force_login(partner_a)
    for url, (_, body) in crawl(client, "/").items():
        for comment in re.findall(r"<!--(.*?)-->", body, flags=re.S):
            assert not comment.strip() or "CANARY" not in comment, url


def test_the_crawl_reaches_the_concern_pages(client, partner_a, world):
    """The agency's concern, received and graded: the crawl finds its pages, and they
    say it was received and nothing the police added (the canaries above)."""
    client.force_login(partner_a)
    pages = crawl(client, "/")
    detail = reverse("patrols:partner_concern", args=[world["concern"].uuid])
    for url in (
        reverse("patrols:partner_concerns"),
        reverse("patrols:partner_concern_new"),
        detail,
    ):
        assert pages.get(url, (None,))[0] == 200, url
    assert "Received by police on" in pages[detail][1]


@pytest.mark.parametrize("kind", ["monthly_trend", "monthly_trend_partner"])
def test_a_monthly_report_web_page_is_not_found_for_a_partner(
    client, partner_a, project_lead, area, world, kind
):
    """Partners reach no report page, either edition; the partner-safe edition's page,
    as the lead sees it, carries nothing police-only either."""
    report = built_report(area, kind)
    client.force_login(partner_a)
    response = client.get(reverse("reporting:report", args=[report.uuid]))
    assert response.status_code == 404
    assert not any(canary in response.content.decode() for canary in CANARIES.values())
    client.force_login(project_lead)
    body = client.get(reverse("reporting:report", args=[report.uuid])).content.decode()
    assert "Does it work?" in body
    assert not any(canary in body for canary in CANARIES.values())


def built_report(area, kind):
    import datetime as dt

    from django.core.files.base import ContentFile

    from reporting.models import GeneratedReport, ReportStatus

    month = timezone.localdate().replace(day=1)
    report = GeneratedReport(
        kind=kind,
        area=area,
        period_start=month,
        period_end=month + dt.timedelta(days=27),
        status=ReportStatus.READY,
    )
    report.file.save("monthly.pdf", ContentFile(b"%PDF-1.4 wall test"), save=False)
    report.save()
    return report
