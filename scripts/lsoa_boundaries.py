"""Build the LSOA boundary file the hotspot map draws (no third-party map tiles needed).

    .venv/bin/python scripts/lsoa_boundaries.py ../shared/data/geo/lsoa2021-*.shp

reads the ONS / London Datastore LSOA 2021 shapefiles (British National Grid polygons, with
their .dbf attributes), simplifies each ring (Douglas-Peucker, 4 m: finer than the map is
ever drawn), converts it to WGS84 longitude/latitude (Ordnance Survey's inverse Transverse
Mercator, then the 7-parameter Helmert shift: about 5 m absolute, as the centroid file beside
it was made) and writes ``static/geo/lsoa2021.geojson``. It is run by hand when a borough's
boundaries are added; the output is committed (Open Government Licence: accounts/data/README.md).

Standard library only: the .shp and .dbf layouts are fixed (ESRI shapefile technical
description, polygon records only) and the conversion is the OS guide's formulas.
"""

from __future__ import annotations

import json
import math
import struct
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "static" / "geo" / "lsoa2021.geojson"
TOLERANCE_M = 4.0
KEEP = ("lsoa21cd", "lsoa21nm", "lad22nm")

# --- Reading the shapefile ----------------------------------------------------------------


def dbf_records(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    count, header_length, record_length = struct.unpack("<IHH", data[4:12])
    fields = []
    for offset in range(32, header_length - 1, 32):
        name = data[offset : offset + 11].split(b"\0")[0].decode("ascii")
        fields.append((name, data[offset + 16]))
    records = []
    for n in range(count):
        start = header_length + n * record_length + 1  # the deletion flag first
        record = {}
        for name, length in fields:
            record[name] = data[start : start + length].decode("utf-8").strip()
            start += length
        records.append(record)
    return records


def shp_polygons(path: Path) -> list[list[list[tuple[float, float]]]]:
    """Each record's rings, as (easting, northing) points."""
    data = path.read_bytes()
    if struct.unpack("<i", data[32:36])[0] != 5:
        raise SystemExit(f"{path}: not a polygon shapefile")
    polygons, offset = [], 100
    while offset < len(data):
        length = struct.unpack(">i", data[offset + 4 : offset + 8])[0] * 2
        body = data[offset + 8 : offset + 8 + length]
        offset += 8 + length
        if struct.unpack("<i", body[:4])[0] == 0:
            polygons.append([])  # a null shape
            continue
        parts_count, points_count = struct.unpack("<ii", body[36:44])
        parts = list(struct.unpack(f"<{parts_count}i", body[44 : 44 + 4 * parts_count]))
        start = 44 + 4 * parts_count
        points = [
            struct.unpack("<dd", body[start + 16 * i : start + 16 * i + 16])
            for i in range(points_count)
        ]
        bounds = [*parts, points_count]
        polygons.append([points[bounds[i] : bounds[i + 1]] for i in range(parts_count)])
    return polygons


# --- Simplifying -----------------------------------------------------------------------------


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iteratively; the ring stays closed."""
    if len(points) < 5:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        worst, index = -1.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            if norm == 0:
                distance = math.hypot(px - x1, py - y1)
            else:
                distance = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
            if distance > worst:
                worst, index = distance, i
        if index is not None and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    kept = [p for p, k in zip(points, keep, strict=True) if k]
    return kept if len(kept) >= 4 else points


# --- British National Grid to WGS84 (Ordnance Survey, "A guide to coordinate systems") ------

AIRY = (6377563.396, 6356256.909)
GRS80 = (6378137.000, 6356752.3141)
F0, LAT0, LON0, E0, N0 = 0.9996012717, math.radians(49), math.radians(-2), 400000, -100000
# OSGB36 -> WGS84: translations (m), scale (ppm), rotations (arc seconds).
HELMERT = (446.448, -125.157, 542.060, -20.4894, 0.1502, 0.2470, 0.8421)


def _meridional_arc(lat: float, a: float, b: float) -> float:
    n = (a - b) / (a + b)
    d, s = lat - LAT0, lat + LAT0
    return (
        b
        * F0
        * (
            (1 + n + 5 / 4 * n**2 + 5 / 4 * n**3) * d
            - (3 * n + 3 * n**2 + 21 / 8 * n**3) * math.sin(d) * math.cos(s)
            + (15 / 8 * n**2 + 15 / 8 * n**3) * math.sin(2 * d) * math.cos(2 * s)
            - 35 / 24 * n**3 * math.sin(3 * d) * math.cos(3 * s)
        )
    )


def bng_to_osgb36(easting: float, northing: float) -> tuple[float, float]:
    a, b = AIRY
    e2 = 1 - b**2 / a**2
    lat = LAT0 + (northing - N0) / (a * F0)
    while abs(northing - N0 - _meridional_arc(lat, a, b)) >= 1e-5:
        lat += (northing - N0 - _meridional_arc(lat, a, b)) / (a * F0)
    sin, cos, tan = math.sin(lat), math.cos(lat), math.tan(lat)
    nu = a * F0 / math.sqrt(1 - e2 * sin**2)
    rho = a * F0 * (1 - e2) / (1 - e2 * sin**2) ** 1.5
    eta2 = nu / rho - 1
    vii = tan / (2 * rho * nu)
    viii = tan / (24 * rho * nu**3) * (5 + 3 * tan**2 + eta2 - 9 * tan**2 * eta2)
    ix = tan / (720 * rho * nu**5) * (61 + 90 * tan**2 + 45 * tan**4)
    x = 1 / (cos * nu)
    xi = 1 / (cos * 6 * nu**3) * (nu / rho + 2 * tan**2)
    xii = 1 / (cos * 120 * nu**5) * (5 + 28 * tan**2 + 24 * tan**4)
    xiia = 1 / (cos * 5040 * nu**7) * (61 + 662 * tan**2 + 1320 * tan**4 + 720 * tan**6)
    de = easting - E0
    lat = lat - vii * de**2 + viii * de**4 - ix * de**6
    lon = LON0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return lat, lon


def _to_cartesian(lat, lon, ellipsoid):
    a, b = ellipsoid
    e2 = 1 - b**2 / a**2
    nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    return (
        nu * math.cos(lat) * math.cos(lon),
        nu * math.cos(lat) * math.sin(lon),
        (1 - e2) * nu * math.sin(lat),
    )


def _from_cartesian(x, y, z, ellipsoid):
    a, b = ellipsoid
    e2 = 1 - b**2 / a**2
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - e2))
    for _ in range(10):
        nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
        lat = math.atan2(z + e2 * nu * math.sin(lat), p)
    return lat, math.atan2(y, x)


def bng_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """(longitude, latitude) in degrees."""
    lat, lon = bng_to_osgb36(easting, northing)
    x, y, z = _to_cartesian(lat, lon, AIRY)
    tx, ty, tz, s, rx, ry, rz = HELMERT
    s = s * 1e-6
    rx, ry, rz = (math.radians(r / 3600) for r in (rx, ry, rz))
    x2 = tx + (1 + s) * x - rz * y + ry * z
    y2 = ty + rz * x + (1 + s) * y - rx * z
    z2 = tz - ry * x + rx * y + (1 + s) * z
    lat, lon = _from_cartesian(x2, y2, z2, GRS80)
    return math.degrees(lon), math.degrees(lat)


# --- Writing ----------------------------------------------------------------------------------


def _signed_area(ring) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)) / 2


def feature(record: dict, rings) -> dict:
    """A shapefile's outer rings run clockwise, its holes anticlockwise: each hole belongs
    to the outer ring before it."""
    polygons: list[list] = []
    for ring in rings:
        converted = [[round(v, 5) for v in bng_to_wgs84(*p)] for p in simplify(ring, TOLERANCE_M)]
        if _signed_area(ring) < 0 or not polygons:
            polygons.append([converted])
        else:
            polygons[-1].append(converted)
    return {
        "type": "Feature",
        "properties": {key: record[key] for key in KEEP},
        "geometry": {"type": "MultiPolygon", "coordinates": polygons},
    }


def main(paths: list[str]) -> None:
    features = []
    for name in sorted(paths):
        shp = Path(name)
        records = dbf_records(shp.with_suffix(".dbf"))
        polygons = shp_polygons(shp)
        features += [feature(r, rings) for r, rings in zip(records, polygons, strict=True)]
    features.sort(key=lambda f: f["properties"]["lsoa21cd"])
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    collection = {"type": "FeatureCollection", "features": features}
    OUTPUT.write_text(json.dumps(collection, separators=(",", ":")) + "\n")
    print(f"{OUTPUT}: {len(features)} LSOAs, {OUTPUT.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(sys.argv[1:])
