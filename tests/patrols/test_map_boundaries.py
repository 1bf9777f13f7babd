"""The LSOA boundaries the hotspot map draws (static/geo/lsoa2021.geojson, built by
scripts/lsoa_boundaries.py): every LSOA that the crime import knows is there, under its own
code, and the centroid of what is drawn is where the published centroid is, which it would
not be if the conversion from British National Grid were wrong by more than a few metres."""

import csv
import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOUNDARIES = ROOT / "static" / "geo" / "lsoa2021.geojson"
CENTROIDS = ROOT / "accounts" / "data" / "lsoa2021-lambeth-southwark-centroids.csv"


METRES_PER_DEGREE = 111_320  # of latitude; of longitude, times cos(latitude)


def centroid(polygons) -> tuple[float, float]:
    """The area-weighted centroid (lon, lat) of a MultiPolygon's rings (holes subtract)."""
    total = cx = cy = 0.0
    for polygon in polygons:
        for ring in polygon:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
                cross = x1 * y2 - x2 * y1
                total += cross
                cx += (x1 + x2) * cross
                cy += (y1 + y2) * cross
    return cx / (3 * total), cy / (3 * total)


def distance_m(a, b) -> float:
    (lon1, lat1), (lon2, lat2) = a, b
    dx = (lon1 - lon2) * METRES_PER_DEGREE * math.cos(math.radians(lat1))
    return math.hypot(dx, (lat1 - lat2) * METRES_PER_DEGREE)


def read():
    features = {
        f["properties"]["lsoa21cd"]: f for f in json.loads(BOUNDARIES.read_text())["features"]
    }
    with CENTROIDS.open() as rows:
        return features, list(csv.DictReader(rows))


def test_every_lsoa_is_drawn_where_its_published_centroid_says():
    features, centroids = read()
    assert {row["lsoa21cd"] for row in centroids} == set(features)
    for row in centroids:
        feature = features[row["lsoa21cd"]]
        assert feature["properties"]["lsoa21nm"] == row["lsoa21nm"]
        published = (float(row["centroid_lon"]), float(row["centroid_lat"]))
        drawn = centroid(feature["geometry"]["coordinates"])
        # The simplification (4 m) and rounding move a centroid by a metre or two.
        assert distance_m(drawn, published) < 15, row["lsoa21nm"]
