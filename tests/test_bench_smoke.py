"""The `make bench` harness on a tiny dataset, without the load test, so it cannot rot.

The real run (`make bench`) is not a test: it takes minutes and writes BENCHMARKS.md.
"""

import pytest
from django.db import connection

from bench import report
from bench.dataset import Scale

pytestmark = pytest.mark.django_db


def test_every_measurement_runs_and_is_reported():
    results = report.run(
        Scale.tiny(), load=False, users=0, seconds=0, import_rows=500, progress=print
    )

    assert results.counts["patrols"] == Scale.tiny().patrols
    assert results.counts["crime records"] > 0
    for page in results.pages:
        assert page.status == 200, f"{page.name} answered {page.status}"
        assert page.queries is not None, page.name
        assert page.queries < 40, page.name
    on_postgresql = connection.vendor == "postgresql"
    assert [(i.rows, i.force_months) for i in results.imports] == [(500, 1), (500, 130)]
    for i in results.imports:
        assert i.import_s > 0
        assert (i.copy_s > 0) == (i.table_s > 0) == on_postgresql
    assert results.pdf.pages_bytes > 1000
    assert results.pdf.render_s > 0
    assert results.ranking.hotspots == Scale.tiny().hotspots_per_area
    text = report.markdown(results)
    for heading in ("Pages and API", "Crime import", "Monthly trend PDF", "Hotspot ranking"):
        assert heading in text
    assert f"{results.counts['patrols']:,} patrols" in text
    # With a load run, the 50-user run is reported beside the target's.
    from dataclasses import replace

    from bench.measure import LoadResult

    def loads(p95: float) -> list:
        return [LoadResult(t.name, 10, 0, p95 / 2, p95) for t in results.pages]

    loaded = report.markdown(replace(results, load=loads(100.0), load_more=loads(400.0)))
    assert f"under {report.MORE_USERS} users" in loaded
    assert "| 400 ms | 1.0x |" in loaded
    assert "under 50 users" not in report.markdown(replace(results, load=loads(100.0)))


def test_the_floor_view_runs_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/-/floor/")
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_national_scale_runs_and_writes_only_its_own_section(tmp_path):
    """Two forces (the Met and one other) over two months, through the national generator
    (in the server on PostgreSQL, by the ORM on SQLite) and the section writer. Committed
    for real: on PostgreSQL a second connection streams the rows the first one wrote."""
    from bench import report_national
    from bench.national import MET, National
    from reporting.models import CrimeOutcome, CrimeRecord, ImportBatch

    tiny = National.tiny()
    results = report_national.run(
        tiny, load=False, users=0, seconds=0, import_rows=200, progress=print
    )

    assert results.counts["street batches"] == tiny.forces * tiny.months
    made = CrimeRecord.objects.exclude(reported_by__startswith="Bench")
    assert made.count() == results.counts["crime records"] > 0.9 * tiny.rows_per_month * 2
    assert set(made.values_list("reported_by", flat=True)) == {MET, "Greater Manchester Police"}
    # The Met's rows belong to the operational areas, so one area's ranking reads them.
    assert not made.filter(reported_by=MET, area__isnull=True).exists()
    assert not made.exclude(reported_by=MET).filter(area__isnull=False).exists()
    assert results.ranking.hotspots == tiny.operational.hotspots_per_area
    outcomes = CrimeOutcome.objects.filter(batch__kind="outcomes")
    assert outcomes.count() == results.counts["crime outcomes"] > 0
    assert not outcomes.exclude(crime_id__in=made.values("crime_id")).exists()
    assert ImportBatch.objects.filter(kind="outcomes").count() == tiny.forces * tiny.months
    if connection.vendor == "postgresql":  # sizes and the plan, plain table or partitioned
        assert results.crime_bytes > 0
        assert results.outcome_bytes > 0
        assert results.plan.rows_read > 0

    # With a load run, both user counts are reported (the 50 users' run once crashed here).
    from dataclasses import replace

    from bench.measure import LoadResult

    def loads(p95: float) -> list:
        return [LoadResult(t.name, 10, 0, p95 / 2, p95) for t in results.pages]

    loaded = report_national.markdown(replace(results, load=loads(90.0), load_more=loads(300.0)))
    assert f"under {report.MORE_USERS} users" in loaded
    assert "| 300 ms | 1.0x |" in loaded
    assert "its p95 was 90 ms" in loaded  # the headroom line reads the target's run

    path = tmp_path / "BENCHMARKS.md"
    report.write(str(path), "force", "## Force scale\n\nforce figures\n")
    report.write(str(path), "national", report_national.markdown(results))
    text = path.read_text()
    assert "force figures" in text  # the other scale's section is kept
    for heading in ("National scale", "N1. Tables", "N2. Hotspot ranking", "Headroom"):
        assert heading in text
    assert "Reduced run" in text  # a tiny run says it is not the 25 million rows
    report.write(str(path), "force", "## Force scale\n\nnew force figures\n")
    text = path.read_text()
    assert "new force figures" in text
    assert text.count("force figures") == 1
    assert "Headroom" in text  # and the national one survives a force run


def test_notes_after_the_sections_survive_a_run(tmp_path):
    """What follows the last section (notes measured by hand) is kept by every write."""
    from bench import report

    path = tmp_path / "BENCHMARKS.md"
    report.write(str(path), "force", "## Force scale\n\nforce figures\n")
    path.write_text(path.read_text() + "\n## Measured by hand\n\nbefore and after\n")
    report.write(str(path), "national", "## National scale\n\nnational figures\n")
    report.write(str(path), "force", "## Force scale\n\nnew force figures\n")
    text = path.read_text()
    assert text.count("before and after") == 1
    assert text.index("national figures") < text.index("## Measured by hand")
    assert "new force figures" in text
