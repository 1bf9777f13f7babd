"""The LSOA geography shipped with Ephedra (accounts/data/): which 2021 LSOAs belong to which
local authority. Areas own it, so the pages that set up an area can say whether a borough's
geography ships; the crime importer and the evaluation (reporting/) read the same file."""

import csv
import functools
from collections import Counter
from pathlib import Path

LSOA_CSV = Path(__file__).resolve().parent / "data" / "lsoa2021-lambeth-southwark-centroids.csv"


@functools.cache
def lsoa_authorities() -> dict[str, tuple[str, str]]:
    """2021 LSOA code → (local authority code, name), for the boroughs that ship."""
    with open(LSOA_CSV, newline="", encoding="utf-8") as stream:
        return {row["lsoa21cd"]: (row["lad22cd"], row["lad22nm"]) for row in csv.DictReader(stream)}


def lsoa_count(authority_code: str) -> int:
    """How many LSOAs of the local authority ship with Ephedra (0: none)."""
    counts = Counter(code for code, _ in lsoa_authorities().values())
    return counts[authority_code]
