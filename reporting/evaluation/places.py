"""Where the evaluation looks: the area's LSOAs (from the centroids file) and, for each
hotspot, the LSOAs it covers (its catchment) and those around it (its ring), judged by
the LSOA's boundary (``boundaries``): an LSOA that borders a hotspot is never a
comparison place, however far its centroid.

Distances are on a flat approximation of the Earth (accurate to a few metres over a
borough): 1° of latitude is ~111.3 km, 1° of longitude ~111.3 km × cos(latitude).
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from accounts.geography import LSOA_CSV

from ..ranking import METRES_PER_DEGREE_LATITUDE
from .boundaries import Plane
from .rules import CATCHMENT_M, RING_OUTER_M


@dataclass(frozen=True)
class Lsoa:
    code: str
    name: str
    authority_code: str
    authority_name: str
    latitude: float
    longitude: float


@functools.cache
def all_lsoas() -> tuple[Lsoa, ...]:
    with open(LSOA_CSV, newline="", encoding="utf-8") as stream:
        return tuple(
            Lsoa(
                row["lsoa21cd"],
                row["lsoa21nm"],
                row["lad22cd"],
                row["lad22nm"],
                float(row["centroid_lat"]),
                float(row["centroid_lon"]),
            )
            for row in csv.DictReader(stream)
        )


def area_lsoas(area) -> dict[str, Lsoa]:
    """The area's LSOAs, by its ONS code (or, failing that, its name)."""
    name = area.name.strip().lower()
    return {
        lsoa.code: lsoa
        for lsoa in all_lsoas()
        if lsoa.authority_code == area.code or lsoa.authority_name.lower() == name
    }


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat2 - lat1) * METRES_PER_DEGREE_LATITUDE
    dx = (lon2 - lon1) * METRES_PER_DEGREE_LATITUDE * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)


@functools.cache
def _plane(codes: tuple[str, ...]) -> Plane:
    lsoas = {lsoa.code: lsoa for lsoa in all_lsoas() if lsoa.code in set(codes)}
    return Plane(lsoas)


def plane(lsoas: Mapping[str, Lsoa]) -> Plane:
    """The LSOAs' boundaries, put on the plane once per set of LSOAs (``boundaries``)."""
    return _plane(tuple(sorted(lsoas)))


def catchment(latitude: float, longitude: float, lsoas: Mapping[str, Lsoa]) -> set[str]:
    """The LSOA the hotspot lies in and those whose centroid is within CATCHMENT_M; the
    nearest LSOA if none is."""
    inside = {c for c, d in plane(lsoas).within(latitude, longitude, 0.0).items() if d == 0}
    distances = {c: metres(latitude, longitude, s.latitude, s.longitude) for c, s in lsoas.items()}
    inside |= {code for code, d in distances.items() if d <= CATCHMENT_M}
    if inside or not distances:
        return inside
    return {min(distances, key=lambda code: (distances[code], code))}


def near(latitude: float, longitude: float, lsoas: Mapping[str, Lsoa]) -> set[str]:
    """LSOAs whose boundary comes within RING_OUTER_M (the catchment included)."""
    return set(plane(lsoas).within(latitude, longitude, RING_OUTER_M))


def ring(latitude: float, longitude: float, lsoas: Mapping[str, Lsoa]) -> set[str]:
    """LSOAs whose boundary comes within RING_OUTER_M, outside the catchment."""
    return near(latitude, longitude, lsoas) - catchment(latitude, longitude, lsoas)


@dataclass(frozen=True)
class Layout:
    """Each patrolled hotspot's catchment and ring, and the places left to compare with."""

    catchments: dict[int, frozenset[str]]
    rings: dict[int, frozenset[str]]
    candidates: frozenset[str]  # no hotspot (patrolled or not) within RING_OUTER_M


def layout(
    points: Iterable[tuple[int, float, float]],
    lsoas: Mapping[str, Lsoa],
    others: Iterable[tuple[float, float]] = (),
) -> Layout:
    """``points``: (key, latitude, longitude) of the patrolled hotspots; ``others``:
    (latitude, longitude) of the area's other hotspots, whose surroundings are no
    comparison either (patrolled a little, or about to be, or crime moved there)."""
    points = list(points)
    catchments = {key: frozenset(catchment(lat, lon, lsoas)) for key, lat, lon in points}
    covered = frozenset().union(*catchments.values())
    rings = {key: frozenset(ring(lat, lon, lsoas) - covered) for key, lat, lon in points}
    excluded = set(covered).union(*rings.values())
    for lat, lon in others:
        excluded |= near(lat, lon, lsoas) | catchment(lat, lon, lsoas)
    return Layout(catchments, rings, frozenset(lsoas) - excluded)
