"""The Evidence page (project lead only; the roles' statuses are in the permission
matrix) and the monthly report's appendix."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from partners.models import ServiceType
from patrols.models import ReturnStatus, Weather, WorkReturn
from reporting.evaluation.report import appendix
from reporting.models import CrimeFileKind, CrimeRecord, ImportBatch, ImportStatus
from reporting.reports.monthly_format import Format
from tests.factories import (
    AgencyFactory,
    HotspotFactory,
    PatrolFactory,
    PersonFactory,
    ReferralFactory,
    WardFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("reporting:evidence")
SMALL_NUMBER = re.compile(r"(?<![\d.,])[1-4](?![\d.,%])")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def thin_world(area, sergeant, n: int, force: str = "Synthetic test force") -> None:
    """``n`` hotspots patrolled last month, ``n`` referrals and ``n`` crimes a month for
    three months: far too little to estimate anything."""
    ward = WardFactory(area=area)
    agency = AgencyFactory()
    batch = ImportBatch.objects.create(
        filename="synthetic.csv",
        sha256="1" * 64,
        kind=CrimeFileKind.STREET,
        force=force,
        month=dt.date(2026, 1, 1),
        status=ImportStatus.IMPORTED,
    )
    last_month = timezone.now() - dt.timedelta(days=30)
    for k in range(n):
        hotspot = HotspotFactory(ward=ward, name=f"Synthetic place {k}")
        patrol = PatrolFactory(ward=ward, planned_by=sergeant, starts_at=last_month)
        work_return = WorkReturn.objects.create(
            patrol=patrol,
            started_at=last_month,
            ended_at=last_month + dt.timedelta(hours=8),
            weather=Weather.DRY,
            status=ReturnStatus.SUBMITTED,
            filed_by=sergeant,
            submitted_at=last_month + dt.timedelta(hours=9),
        )
        work_return.hotspots_visited.add(hotspot)
        ReferralFactory(
            person=PersonFactory(area=area),
            agency=agency,
            service=ServiceType.HOUSING,
            referred_by=sergeant,
        )
    CrimeRecord.objects.bulk_create(
        CrimeRecord(
            batch=batch,
            area=area,
            month=dt.date(2026, m, 1),
            reported_by="Synthetic test force",
            falls_within="Synthetic test force",
            latitude=Decimal("51.460000"),
            longitude=Decimal("-0.115000"),
            lsoa_code="E01003013",
            lsoa_name="Lambeth 036A",
            crime_type="Public order",
        )
        for m in (1, 2, 3)
        for _ in range(n)
    )


def test_thin_data_reads_not_enough_data_and_prints_no_estimate(
    client, project_lead, area, sergeant
):
    thin_world(area, sergeant, 3)
    client.force_login(project_lead)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Evidence: does the operation work?" in html
    assert "Not enough data" in html
    assert "there is not enough data yet to say whether it changed" in html
    assert "months of crime data after patrols began (at least 6 needed)" in html
    for words in ("fell by about", "rose by about", "Rate ratio", "confidence interval: a"):
        assert words not in html
    assert "Synthetic place 0" in html  # listed, without an estimate of its own


def test_another_area_is_not_found(client, project_lead, other_area):
    client.force_login(project_lead)
    assert client.get(URL, {"area": other_area.pk}).status_code == 404
    assert client.get(URL, {"area": "nonsense"}).status_code == 404


def test_a_lead_of_two_areas_chooses_one(client, project_lead, area, other_area, sergeant):
    project_lead.areas.add(other_area)
    client.force_login(project_lead)
    response = client.get(URL, {"area": other_area.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="choose-area"' in html
    assert f'<option value="{other_area.pk}" selected>' in html


def test_the_lead_finds_it_in_the_menu(client, project_lead, sergeant):
    client.force_login(project_lead)
    assert f'href="{URL}"' in client.get(reverse("home")).content.decode()
    client.force_login(sergeant)
    assert f'href="{URL}"' not in client.get(reverse("home")).content.decode()


def test_queries_do_not_grow_with_the_data(
    client, project_lead, area, sergeant, django_assert_max_num_queries, settings
):
    # Every request works it out afresh here: the budget is for that, the worst case.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client.force_login(project_lead)
    counts = []
    for n, force in ((5, "Synthetic force A"), (45, "Synthetic force B")):  # 5, then 50
        thin_world(area, sergeant, n, force=force)
        # session, user, second factor (3), areas (1), latest import (1); the evaluation:
        # crime counts, patrolled hotspots, encounters, unpatrolled hotspots, diversion,
        # encounter funnel, referral steps (7); allowance for navigation and audit (4).
        with django_assert_max_num_queries(16) as queries:
            assert client.get(URL).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_the_result_is_kept_for_the_day(
    client, project_lead, area, sergeant, django_assert_max_num_queries
):
    thin_world(area, sergeant, 3)
    client.force_login(project_lead)
    client.get(URL)
    with django_assert_max_num_queries(8) as queries:  # no evaluation queries this time
        client.get(URL)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "reporting_crimerecord" not in sql


# --- The monthly report's appendix -------------------------------------------------------------


def test_appendix_police_edition_names_hotspots(area, sergeant):
    thin_world(area, sergeant, 3)
    section = appendix(area, timezone.localdate(), Format(partner=False))
    assert section["title"] == "Appendix: does it work?"
    text = str(section)
    assert "Synthetic place 0" in text
    assert "not enough data yet" in text
    assert "not a randomised comparison" in text


def test_appendix_partner_edition_gives_nothing_small_or_specific_away(area, sergeant):
    thin_world(area, sergeant, 3)
    section = appendix(area, timezone.localdate(), Format(partner=True))
    text = " ".join(section["intro"]) + " " + str(section["tables"])
    assert "Synthetic place" not in text
    assert "re-arrest" not in text.lower()
    assert "<5" in text  # three referrals
    tokens = [t.strip("(),.;:'\"[]{}") for t in text.split()]
    assert not [t for t in tokens if t in {"1", "2", "3", "4"}]
