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


def test_the_floor_view_runs_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/-/floor/")
    assert response.status_code == 200
