"""Exposure read from the database: sustained patrolling, "as of" by what was known then,
comparison places judged by LSOA boundaries and kept away from every hotspot, and
diversion counted by man."""

import datetime as dt
from decimal import Decimal

import pytest

from patrols.models import CautionStatus
from reporting.evaluation import evaluate, queries, rules
from reporting.evaluation.places import catchment, layout, metres, near, plane
from reporting.models import ImportBatch
from reporting.ranking import METRES_PER_DEGREE_LATITUDE
from tests.factories import AgencyFactory, HotspotFactory, PatrolFactory, WardFactory

from .test_evaluation_data import (
    PATROLS_BEGIN,
    TODAY,
    at,
    caution,
    crimes,
    make_patrolled,
    planted_counts,
    submitted_return,
)
from .test_evaluation_data import lambeth as lambeth  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_a_single_early_visit_does_not_make_the_months_after_it_patrolled(area, lambeth, sergeant):
    hotspot = make_patrolled(area, lambeth, sergeant)
    early = at(dt.datetime(2024, 11, 20, 21))
    submitted_return(PatrolFactory(ward=hotspot.ward, planned_by=sergeant), [hotspot], early)
    counts, _ = planted_counts(lambeth, hotspot, drop=0.6, mean=14)
    crimes(area, counts, lambeth)
    (evidence,) = evaluate(area, TODAY).hotspots
    assert evidence.first_visit == PATROLS_BEGIN.date()  # not 20 November 2024
    assert evidence.dose.visits == 22  # the early visit is still a visit


def test_a_stopped_patrol_leaves_out_the_months_after_the_stop(area, lambeth, sergeant):
    hotspot = make_patrolled(area, lambeth, sergeant, weeks=30)  # last visit 20 March 2026
    counts, near_codes = planted_counts(lambeth, hotspot, drop=0.6, mean=14)
    crimes(area, counts, lambeth)
    evidence = evaluate(area, TODAY)
    (h,) = evidence.hotspots
    # Fortnightly on Fridays to 6 and 20 March 2026: the six weeks ending with the week
    # of 6 April hold both; those ending with the week of 13 April only one.
    assert h.stopped == dt.date(2026, 4, 13)
    effect = evidence.pooled
    assert (effect.months_before, effect.months_after) == (12, 6)  # October to March
    assert effect.crimes_after == sum(counts[c][n] for c in near_codes for n in range(13, 19))


def test_as_of_a_day_only_returns_submitted_by_then_count(area, sergeant):
    ward = WardFactory(area=area)
    hotspot = HotspotFactory(ward=ward)
    for week in (0, 1):
        starts = at(dt.datetime(2026, 6, 1, 21)) + dt.timedelta(weeks=week)
        late = submitted_return(PatrolFactory(ward=ward, planned_by=sergeant), [hotspot], starts)
    # The second patrol was on 8 June but its return was only submitted on 20 June.
    late.submitted_at = at(dt.datetime(2026, 6, 20, 9))
    late.save()
    assert [r["n"] for r in queries.visit_days(area, TODAY)] == [1]
    assert queries.visit_days(area, dt.date(2026, 6, 20))[1]["n"] == 1
    assert evaluate(area, TODAY).hotspots == ()  # one visit known by 15 June
    assert len(evaluate(area, dt.date(2026, 6, 20)).hotspots) == 1


def test_as_of_a_day_only_crime_files_imported_by_then_count(area, lambeth):
    crimes(area, {sorted(lambeth)[0]: [3] * 21}, lambeth)
    assert len(queries.crime_counts(area, rules.RELEVANT_CRIME_TYPES, TODAY)) == 21
    ImportBatch.objects.update(imported_at=at(dt.datetime(2026, 6, 16, 9)))  # the day after
    assert queries.crime_counts(area, rules.RELEVANT_CRIME_TYPES, TODAY) == []
    assert evaluate(area, TODAY).crime_months is None


def test_an_lsoa_whose_boundary_is_near_a_hotspot_is_never_a_comparison(lambeth):
    code = sorted(lambeth)[40]
    lat, lon = lambeth[code].latitude, lambeth[code].longitude
    boundary = plane(lambeth).within(lat, lon, rules.RING_OUTER_M)
    bordering = {
        c
        for c, d in boundary.items()
        if metres(lat, lon, lambeth[c].latitude, lambeth[c].longitude) > rules.RING_OUTER_M
    }
    assert bordering  # by its centroid, each of these would have been a comparison
    places = layout([(1, lat, lon)], lambeth)
    assert not bordering & places.candidates
    assert bordering <= places.rings[1]
    assert code in places.catchments[1]
    assert boundary[code] == 0  # it lies inside its own LSOA


def test_the_lsoa_a_hotspot_lies_in_is_in_its_catchment(lambeth):
    """A hotspot near the edge of a large LSOA, farther than CATCHMENT_M from its centroid
    and nearer another LSOA's centroid: by centroids alone, another LSOA would be its
    catchment."""
    flat = plane(lambeth)
    found = None
    for code in sorted(lambeth):
        s = lambeth[code]
        cx, cy = flat.point(s.latitude, s.longitude)
        for x, y in flat.shapes[code].polygons[0][0]:
            px, py = x + (cx - x) * 0.1, y + (cy - y) * 0.1
            lat, lon = py / METRES_PER_DEGREE_LATITUDE, px / flat.x_scale
            distances = {c: metres(lat, lon, t.latitude, t.longitude) for c, t in lambeth.items()}
            nearest = min(distances, key=distances.get)
            inside = flat.within(lat, lon, 0.0).get(code) == 0
            if inside and distances[code] > rules.CATCHMENT_M and nearest != code:
                found = code, lat, lon
                break
        if found:
            break
    assert found
    code, lat, lon = found
    assert code in catchment(lat, lon, lambeth)


def test_the_surroundings_of_unpatrolled_hotspots_are_never_comparisons(area, lambeth, sergeant):
    codes = sorted(lambeth)
    patrolled, other = lambeth[codes[40]], lambeth[codes[150]]
    assert metres(patrolled.latitude, patrolled.longitude, other.latitude, other.longitude) > 2000
    alone = layout([(1, patrolled.latitude, patrolled.longitude)], lambeth)
    around_other = near(other.latitude, other.longitude, lambeth)
    assert around_other <= alone.candidates
    both = layout(
        [(1, patrolled.latitude, patrolled.longitude)],
        lambeth,
        [(other.latitude, other.longitude)],
    )
    assert not around_other & both.candidates
    # From the database: a hotspot visited once is not patrolled, and its LSOAs are no
    # comparison either.
    hotspot = make_patrolled(area, lambeth, sergeant)
    once = HotspotFactory(
        ward=hotspot.ward,
        latitude=Decimal(f"{other.latitude:.6f}"),
        longitude=Decimal(f"{other.longitude:.6f}"),
        identified_on=dt.date(2025, 1, 1),
    )
    submitted_return(
        PatrolFactory(ward=hotspot.ward, planned_by=sergeant), [once], at(PATROLS_BEGIN)
    )
    counts, _ = planted_counts(lambeth, hotspot, drop=0.6, mean=14)
    crimes(area, counts, lambeth)
    evidence = evaluate(area, TODAY)
    assert [h.name for h in evidence.hotspots] == [hotspot.name]
    assert evidence.unpatrolled_hotspots == 1
    assert evidence.candidates == len(both.candidates)
    assert not set(evidence.pooled.comparisons) & around_other


def test_diversion_counts_a_man_once_by_his_first_caution(area, sergeant, pc):
    agency = AgencyFactory()
    patrol = PatrolFactory(ward=WardFactory(area=area), planned_by=sergeant)
    s = CautionStatus
    # Man A: breached his first course (400 days ago), completed a second (250 days ago).
    caution(patrol, pc, agency, 400, s.BREACHED, "REF-A", "Man A")
    caution(patrol, pc, agency, 250, s.COMPLETED, "REF-A", "Man A")
    # Man B, known by his description only, twice; man C once; two with nothing to
    # tell them apart count once each.
    caution(patrol, pc, agency, 400, s.COMPLETED, "", "Man B in a red car")
    caution(patrol, pc, agency, 300, s.COMPLETED, "", " man b in a RED car ")
    caution(patrol, pc, agency, 400, s.COMPLETED, "REF-C", "Man C")
    caution(patrol, pc, agency, 400, s.COMPLETED, "", "")
    caution(patrol, pc, agency, 400, s.COMPLETED, "", "")
    counts = queries.diversion_counts(area, TODAY, rules.FOLLOW_UP_DAYS)
    assert counts["given"] == 5  # A, B, C and the two unknown
    assert counts["completed"] == 4  # B, C and the two unknown: A's first was breached
    assert counts["not_completed"] == 1  # A
    # A's second caution is a re-arrest 150 days after his first: within 6 months.
    assert counts["not_completed_6_again"] == 1
    assert counts["completed_6_again"] == 1  # B, again 100 days later


def test_the_page_gives_the_minimum_detectable_effect_alongside_a_result(
    client, project_lead, area, sergeant
):
    import dataclasses

    from reporting.evaluation import Evidence, stored
    from reporting.evaluation.did import Effect, Interval
    from reporting.models import EvidenceRun

    from .test_evaluation_page import URL, thin_world, worked_out

    thin_world(area, sergeant, 3)
    run = worked_out(area)
    evidence = stored.from_data(Evidence, run.result)
    clear = Effect(
        "All patrolled hotspots",
        conclusive=True,
        estimate=Interval(0.6, 0.45, 0.8),
        treated_places=10,
        comparison_places=40,
        months_before=12,
        months_after=11,
        method="wild cluster bootstrap by LSOA",
        detectable=0.7,
    )
    evidence = dataclasses.replace(evidence, pooled=clear)
    EvidenceRun.objects.filter(pk=run.pk).update(result=stored.to_data(evidence))
    client.force_login(project_lead)
    html = client.get(URL).content.decode()
    assert "fell by about 40%" in html
    assert "the smallest fall the comparison would find 4 times in 5 is about 30%" in html
    assert "Smallest fall detectable 4 times in 5 (80% power)" in html


def test_the_page_says_when_a_hotspots_patrols_stopped(
    client, project_lead, area, lambeth, sergeant
):
    from .test_evaluation_page import URL, worked_out

    make_patrolled(area, lambeth, sergeant, weeks=30)
    worked_out(area)
    client.force_login(project_lead)
    html = client.get(URL).content.decode()
    assert "stopped 13 Apr 2026" in html
