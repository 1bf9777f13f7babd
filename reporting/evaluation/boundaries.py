"""How far a point is from an LSOA: from its boundary (0 inside it), not its centroid.

The boundaries are the ones the hotspot map draws (``static/geo/lsoa2021.geojson``, built
from the ONS shapefiles by ``scripts/lsoa_boundaries.py``, simplified to 4 m). Each
polygon is put once on a flat plane in metres (1° of latitude ~111.3 km, of longitude
that × cos(the area's mean latitude): a few metres out over a borough), with its bounding
box, so a hotspot is measured only against the LSOAs whose box comes within reach. An
LSOA whose boundary does not ship is measured from its centroid.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..ranking import METRES_PER_DEGREE_LATITUDE

BOUNDARIES = Path(__file__).resolve().parents[2] / "static" / "geo" / "lsoa2021.geojson"

Ring = tuple[tuple[float, float], ...]


@functools.cache
def _rings_by_code() -> dict[str, tuple[tuple[Ring, ...], ...]]:
    """LSOA code → its polygons, each (outer ring, holes…), as (longitude, latitude)."""
    try:
        collection = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    except OSError:
        return {}
    return {
        f["properties"]["lsoa21cd"]: tuple(
            tuple(tuple((float(x), float(y)) for x, y in ring) for ring in polygon)
            for polygon in f["geometry"]["coordinates"]
        )
        for f in collection["features"]
    }


@dataclass(frozen=True)
class _Shape:
    polygons: tuple[tuple[Ring, ...], ...]  # in metres on the plane
    box: tuple[float, float, float, float]  # min x, min y, max x, max y


class Plane:
    """The area's LSOA boundaries on a flat plane, measured from points in degrees."""

    def __init__(self, lsoas: Mapping[str, object]):
        latitudes = [s.latitude for s in lsoas.values()] or [51.5]
        self.x_scale = METRES_PER_DEGREE_LATITUDE * math.cos(
            math.radians(sum(latitudes) / len(latitudes))
        )
        rings = _rings_by_code()
        self.shapes: dict[str, _Shape] = {}
        for code, s in lsoas.items():
            polygons = rings.get(code) or ((((s.longitude, s.latitude),),),)
            flat = tuple(
                tuple(tuple(self.point(lat, lon) for lon, lat in ring) for ring in polygon)
                for polygon in polygons
            )
            xs = [x for polygon in flat for ring in polygon for x, _ in ring]
            ys = [y for polygon in flat for ring in polygon for _, y in ring]
            self.shapes[code] = _Shape(flat, (min(xs), min(ys), max(xs), max(ys)))

    def point(self, latitude: float, longitude: float) -> tuple[float, float]:
        return longitude * self.x_scale, latitude * METRES_PER_DEGREE_LATITUDE

    def within(self, latitude: float, longitude: float, reach: float) -> dict[str, float]:
        """LSOA code → metres from the point to its boundary (0 inside), for the LSOAs
        within ``reach`` metres."""
        px, py = self.point(latitude, longitude)
        out = {}
        for code, shape in self.shapes.items():
            x0, y0, x1, y1 = shape.box
            if math.hypot(max(x0 - px, 0, px - x1), max(y0 - py, 0, py - y1)) > reach:
                continue
            d = distance(px, py, shape.polygons)
            if d <= reach:
                out[code] = d
        return out


def _inside(px: float, py: float, ring: Ring) -> bool:
    """Ray casting: does the ring enclose the point?"""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > py) != (y2 > py) and px < x1 + (py - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _to_segment(px, py, x1, y1, x2, y2) -> float:
    dx, dy = x2 - x1, y2 - y1
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / length))
    return math.hypot(px - (x1 + t * dx), py - (y1 + t * dy))


def distance(px: float, py: float, polygons) -> float:
    """Metres from the point to the polygons (0 inside one; a hole is outside)."""
    best = math.inf
    for outer, *holes in polygons:
        if len(outer) > 2 and _inside(px, py, outer) and not any(_inside(px, py, h) for h in holes):
            return 0.0
        for ring in (outer, *holes):
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                best = min(best, _to_segment(px, py, x1, y1, x2, y2))
    return best
