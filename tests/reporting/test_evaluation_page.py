"""The Evidence page (project lead only; the roles' statuses are in the permission
matrix): it only reads the figures a job worked out (reporting/evidence_jobs.py), asks
for them when there are none, polls while they are worked out, and offers to try again
after a failure. And the monthly report's appendix."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners.models import ServiceType
from patrols.models import ReturnStatus, Weather, WorkReturn
from reporting import evidence_jobs
from reporting.evaluation import Evidence, stored
from reporting.evaluation.report import appendix
from reporting.models import (
    CrimeFileKind,
    CrimeRecord,
    EvidenceRun,
    EvidenceStatus,
    ImportBatch,
    ImportStatus,
)
from reporting.reports.monthly_format import Format
from reporting.selectors import latest_evidence
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
STATUS_URL = reverse("reporting:evidence_status")
SMALL_NUMBER = re.compile(r"(?<![\d.,])[1-4](?![\d.,%])")


def worked_out(area) -> EvidenceRun:
    """The job, run here and now (as the worker would): the area's figures, ready."""
    run = evidence_jobs.request_evidence(area, send=False)
    evidence_jobs.run(run.pk)
    run.refresh_from_db()
    assert run.status == EvidenceStatus.READY, run.error
    return run


def failed_run(area, reason="The figures could not be worked out (ValueError).") -> EvidenceRun:
    run = EvidenceRun.objects.create(area=area, as_of=timezone.localdate())
    evidence_jobs.mark_failed(run.pk, reason)
    return run


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
    worked_out(area)
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


def test_a_failed_pre_trend_check_reads_cant_tell_with_the_reason_never_fell(
    client, project_lead, area, sergeant
):
    import dataclasses

    from reporting.evaluation.did import Effect, Interval

    thin_world(area, sergeant, 3)
    run = worked_out(area)
    evidence = stored.from_data(Evidence, run.result)
    failed = Effect(  # a clear fall whose months before already fell relative to the others
        "All patrolled hotspots",
        conclusive=False,
        reason="Can't tell: before patrols began, crime here was already changing.",
        estimate=Interval(0.6, 0.5, 0.72),
        treated_places=10,
        comparison_places=40,
        months_before=12,
        months_after=11,
        method="wild cluster bootstrap by LSOA",
        pretrend=Interval(0.8, 0.7, 0.91),
        pretrend_share=1.0,
    )
    evidence = dataclasses.replace(evidence, pooled=failed)
    EvidenceRun.objects.filter(pk=run.pk).update(result=stored.to_data(evidence))
    client.force_login(project_lead)
    html = client.get(URL).content.decode()
    assert 'govuk-tag--yellow">Can&#x27;t tell</strong>' in html
    assert "The check of the months before patrols failed" in html
    assert "not to be relied on" in html
    for words in (">Fell<", "fell by about"):
        assert words not in html


def test_ready_figures_say_when_and_from_what_data_they_were_worked_out(
    client, project_lead, area, sergeant
):
    thin_world(area, sergeant, 3)
    run = worked_out(area)
    client.force_login(project_lead)
    html = client.get(URL).content.decode()
    worked = timezone.localtime(stored.from_data(Evidence, run.result).computed_at)
    assert f"Worked out at {worked:%H:%M} on {worked.day} {worked:%B %Y}" in html
    assert "(crime data up to March 2026)" in html
    assert "being worked out" not in html
    assert "hx-get" not in html  # nothing to wait for: no polling
    assert EvidenceRun.objects.count() == 1  # reading asks for nothing


def test_with_no_figures_the_page_asks_for_them_and_says_they_are_being_worked_out(
    client, project_lead, area, sergeant, django_capture_on_commit_callbacks, monkeypatch
):
    thin_world(area, sergeant, 3)
    sent = []
    monkeypatch.setattr(evidence_jobs, "enqueue", sent.append)
    client.force_login(project_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(URL)
    html = response.content.decode()
    run = EvidenceRun.objects.get()
    assert (run.area, run.status) == (area, EvidenceStatus.PENDING)
    assert sent == [run.pk]  # sent to the workers after commit, never worked out here
    assert "The figures are being worked out" in html
    assert 'role="status"' in html
    assert 'aria-live="polite"' in html
    assert f'hx-get="{STATUS_URL}?area={area.pk}&amp;shown=&amp;poll=1"' in html
    assert 'hx-trigger="load delay:1s"' in html
    assert "The short answer" not in html
    client.get(URL)
    assert EvidenceRun.objects.count() == 1  # asking again is the same request


def test_the_page_never_works_the_figures_out_itself(client, project_lead, area, sergeant):
    thin_world(area, sergeant, 3)
    client.force_login(project_lead)
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "reporting_crimerecord" not in sql
    assert "patrols_workreturn" not in sql


def test_newer_figures_being_worked_out_are_announced_above_the_current_ones(
    client, project_lead, area, sergeant
):
    thin_world(area, sergeant, 3)
    ready = worked_out(area)
    evidence_jobs.request_evidence(area, send=False)
    client.force_login(project_lead)
    html = client.get(URL).content.decode()
    assert "The figures are being worked out again with the latest data" in html
    assert "The short answer" in html  # the current figures stay
    assert f"shown={ready.pk}&amp;poll=1" in html


def test_a_failure_shows_its_reason_and_a_button_to_try_again(client, project_lead, area):
    failed_run(area)
    client.force_login(project_lead)
    html = client.get(URL).content.decode()
    assert "The figures could not be worked out: The figures could not be worked out" in html
    assert 'method="post"' in html
    assert "csrfmiddlewaretoken" in html
    assert f'name="area" value="{area.pk}"' in html
    assert "Try again" in html
    assert "hx-get" not in html
    assert EvidenceRun.objects.count() == 1  # a failure is shown, not asked again by itself


def test_a_failure_after_figures_keeps_the_figures(client, project_lead, area, sergeant):
    thin_world(area, sergeant, 3)
    worked_out(area)
    failed_run(area, "Working it out took longer than 600 seconds and was stopped.")
    client.force_login(project_lead)
    html = client.get(URL).content.decode()
    assert "Working the figures out again failed: Working it out took longer" in html
    assert "The short answer" in html


def test_trying_again_asks_for_a_run_and_shows_the_page(
    client, project_lead, area, django_capture_on_commit_callbacks, monkeypatch
):
    failed_run(area)
    monkeypatch.setattr(evidence_jobs, "enqueue", lambda pk: True)
    client.force_login(project_lead)
    response = client.post(URL, {"area": area.pk})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?area={area.pk}"
    assert EvidenceRun.objects.filter(area=area, status=EvidenceStatus.PENDING).count() == 1
    client.post(URL, {"area": area.pk})
    assert EvidenceRun.objects.filter(status=EvidenceStatus.PENDING).count() == 1


def test_trying_again_for_another_area_is_not_found(client, project_lead, other_area):
    client.force_login(project_lead)
    assert client.post(URL, {"area": other_area.pk}).status_code == 404
    assert client.post(URL, {"area": "nonsense"}).status_code == 404
    assert not EvidenceRun.objects.exists()


def test_another_area_is_not_found(client, project_lead, other_area):
    client.force_login(project_lead)
    assert client.get(URL, {"area": other_area.pk}).status_code == 404
    assert client.get(URL, {"area": "nonsense"}).status_code == 404
    assert client.get(STATUS_URL, {"area": other_area.pk}).status_code == 404


def test_another_areas_figures_are_never_shown(client, project_lead, area, other_area, sergeant):
    thin_world(other_area, sergeant, 3)
    worked_out(other_area)
    client.force_login(project_lead)
    html = client.get(URL).content.decode()
    assert "The figures are being worked out" in html
    assert "Synthetic place" not in html
    html = client.get(STATUS_URL, {"area": area.pk}).content.decode()
    assert "Synthetic place" not in html


def test_a_lead_of_two_areas_chooses_one(client, project_lead, area, other_area, sergeant):
    project_lead.areas.add(other_area)
    client.force_login(project_lead)
    response = client.get(URL, {"area": other_area.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="choose-area"' in html
    assert f'<option value="{other_area.pk}" selected>' in html
    assert EvidenceRun.objects.get().area == other_area


def test_the_lead_finds_it_in_the_menu(client, project_lead, sergeant):
    client.force_login(project_lead)
    assert f'href="{URL}"' in client.get(reverse("home")).content.decode()
    client.force_login(sergeant)
    assert f'href="{URL}"' not in client.get(reverse("home")).content.decode()


def test_queries_do_not_grow_with_the_data(
    client, project_lead, area, sergeant, django_assert_max_num_queries
):
    client.force_login(project_lead)
    counts = []
    for n, force in ((5, "Synthetic force A"), (45, "Synthetic force B")):  # 5, then 50
        thin_world(area, sergeant, n, force=force)
        worked_out(area)
        # session, user, second factor (3), areas (1), newest figures (1), newest run
        # after them (1); allowance for navigation and audit (4).
        with django_assert_max_num_queries(10) as queries:
            html = client.get(URL).content.decode()
        assert f"Synthetic place {n - 1}" in html
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


# --- The fragment the page polls ---------------------------------------------------------


def test_while_being_worked_out_the_fragment_asks_again_later_and_later(client, project_lead, area):
    evidence_jobs.request_evidence(area, send=False)
    client.force_login(project_lead)
    delays = []
    for poll in ("1", "2", "3", "4", "40", "nonsense"):
        html = client.get(STATUS_URL, {"area": area.pk, "shown": "", "poll": poll}).content
        delays.append(re.search(rb"load delay:(\d+)s", html).group(1).decode())
        assert b"The figures are being worked out" in html
    assert delays == ["2", "4", "8", "15", "15", "1"]


def test_when_ready_the_fragment_brings_the_figures_in_and_announces_them(
    client, project_lead, area, sergeant
):
    thin_world(area, sergeant, 3)
    worked_out(area)
    client.force_login(project_lead)
    html = client.get(
        STATUS_URL, {"area": area.pk, "shown": "", "poll": "3"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert '<div id="evidence-figures" hx-swap-oob="true">' in html
    assert "The short answer" in html
    assert "Synthetic place 0" in html
    assert '<div id="evidence-announcer" hx-swap-oob="innerHTML">The figures are ready.' in html
    assert "hx-get" not in html  # polling stops


def test_newer_figures_are_offered_not_swapped_under_the_reader(
    client, project_lead, area, sergeant
):
    thin_world(area, sergeant, 3)
    ready = worked_out(area)
    client.force_login(project_lead)
    older = ready.pk - 1  # the run whose figures the page shows: since replaced
    html = client.get(STATUS_URL, {"area": area.pk, "shown": older}).content.decode()
    assert "Newer figures are ready" in html
    assert f'href="{URL}?area={area.pk}"' in html
    assert "The short answer" not in html


def test_a_failure_reaches_the_fragment_with_the_button(client, project_lead, area):
    failed_run(area)
    client.force_login(project_lead)
    html = client.get(STATUS_URL, {"area": area.pk}, headers={"HX-Request": "true"}).content
    assert b"Try again" in html
    assert b"csrfmiddlewaretoken" in html
    assert b"The figures could not be worked out." in html  # announced


def test_the_fragment_queries_do_not_grow_with_the_data(
    client, project_lead, area, sergeant, django_assert_max_num_queries
):
    client.force_login(project_lead)
    counts = []
    for n, force in ((5, "Synthetic force A"), (45, "Synthetic force B")):
        thin_world(area, sergeant, n, force=force)
        worked_out(area)
        evidence_jobs.request_evidence(area, send=False)
        with django_assert_max_num_queries(10) as queries:
            client.get(STATUS_URL, {"area": area.pk, "shown": ""})
        counts.append(len(queries.captured_queries))
        EvidenceRun.objects.filter(status=EvidenceStatus.PENDING).delete()
    assert counts[0] == counts[1]


# --- The monthly report's appendix -------------------------------------------------------------


def stored_figures(area):
    """The area's figures worked out and stored, as the nightly job does; read back."""
    worked_out(area)
    return latest_evidence(area)


def test_appendix_police_edition_names_hotspots(area, sergeant):
    thin_world(area, sergeant, 3)
    section = appendix(stored_figures(area), timezone.localdate(), Format(partner=False))
    assert section["title"] == "Appendix: does it work?"
    text = str(section)
    assert "Synthetic place 0" in text
    assert "not enough data yet" in text
    assert "not a randomised comparison" in text


def test_appendix_partner_edition_gives_nothing_small_or_specific_away(area, sergeant):
    thin_world(area, sergeant, 3)
    section = appendix(stored_figures(area), timezone.localdate(), Format(partner=True))
    text = " ".join(section["intro"]) + " " + str(section["tables"])
    assert "Synthetic place" not in text
    assert "re-arrest" not in text.lower()
    assert "<5" in text  # three referrals
    tokens = [t.strip("(),.;:'\"[]{}") for t in text.split()]
    assert not [t for t in tokens if t in {"1", "2", "3", "4"}]
