#!/usr/bin/env python
"""The Evidence page's replication study (docs/evaluation.md, issue 18): how often the 95%
interval covers a planted effect, and what the page would say, over simulated worlds with
the truth known (``tests/reporting/worlds.py``: places of very different sizes, seasonality,
a city-wide fall, serial correlation, overdispersion).

    .venv/bin/python scripts/replicate_evaluation.py               # 200 worlds a row
    .venv/bin/python scripts/replicate_evaluation.py --worlds 20   # a quick look
    .venv/bin/python scripts/replicate_evaluation.py --write       # into docs/evaluation.md

The seeds differ from the tests' (which check fixed seeds), so the table is an independent
measurement. No database: the estimator runs on the worlds' panels directly.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "evaluation.md"
START, END = "<!-- replication:start -->", "<!-- replication:end -->"
SEED_BASE = 50_000  # far from the tests' seeds
VERDICTS = ("Fell", "Rose", "No clear change", "Can't tell", "Not enough data")


@dataclass(frozen=True)
class Scenario:
    label: str
    planted: float  # the true rate ratio (1.0: no effect)
    world: dict  # keyword arguments of worlds.world
    varying: str = ""  # a world argument that cycles with the seed, e.g. "treated"
    values: tuple = ()


SCENARIOS = [
    Scenario("1–2 treated LSOAs (a single hotspot)", 0.8, {"mean": 15}, "treated", (1, 2)),
    Scenario("3–8 treated LSOAs", 0.8, {}, "treated", (3, 4, 5, 6, 7, 8)),
    Scenario("8–12 treated LSOAs", 0.8, {}, "treated", (8, 9, 10, 11, 12)),
    Scenario(
        "3–8 treated, starts staggered over 5 months",
        0.8,
        {"stagger": 4, "n_months": 30},
        "treated",
        (3, 4, 5, 6, 7, 8),
    ),
    Scenario("10 treated LSOAs, 12 months before", 0.8, {"treated": 10}),
    Scenario("3–8 treated LSOAs", 1.0, {}, "treated", (3, 4, 5, 6, 7, 8)),
    Scenario("8–12 treated LSOAs", 1.0, {}, "treated", (8, 9, 10, 11, 12)),
    Scenario(
        "10 treated drifting down 4% a month, 24 months before",
        1.0,
        {"treated": 10, "drift": -0.04, "n_months": 36, "start": 24},
    ),
    Scenario(
        "10 treated drifting down 4% a month, 12 months before",
        1.0,
        {"treated": 10, "drift": -0.04},
    ),
]


@dataclass(frozen=True)
class Row:
    scenario: Scenario
    worlds: int
    estimated: int
    covered: int
    said: Counter

    @property
    def coverage(self) -> float | None:
        return self.covered / self.estimated if self.estimated else None

    def cells(self) -> list[str]:
        s = self.scenario
        change = round((s.planted - 1) * 100)
        planted = "none" if change == 0 else f"{'−' if change < 0 else '+'}{abs(change)}%"
        if s.world.get("drift"):
            covered = "— (a drift is not an effect)"
        elif self.estimated:
            covered = f"{self.covered} of {self.estimated} ({100 * self.coverage:.1f}%)"
        else:
            covered = "—"
        said = ", ".join(f"{word} {self.said[word]}" for word in VERDICTS if self.said[word])
        return [f"{self.worlds}, {s.label}", planted, covered, said]


def run(scenario: Scenario, worlds: int, offset: int = 0) -> Row:
    from reporting.evaluation import staggered
    from reporting.evaluation.did import estimate
    from reporting.evaluation.words import verdict
    from tests.reporting.worlds import world

    estimated = covered = 0
    said: Counter = Counter()
    for n in range(worlds):
        kwargs = dict(scenario.world)
        if scenario.varying:
            kwargs[scenario.varying] = scenario.values[n % len(scenario.values)]
        w = world(SEED_BASE + offset + n, effect=scenario.planted, **kwargs)
        effect = estimate(w.panel, w.starts, w.candidates, "Treated")
        if len(set(w.starts.values())) > 1:  # as the page: the staggered estimate's number
            effect = staggered.headline(effect, staggered.estimate(w.panel, w.starts, w.candidates))
        said[verdict(effect)] += 1
        if effect.estimate is not None:  # the interval, whatever the page then says
            estimated += 1
            covered += effect.estimate.covers(scenario.planted)
    return Row(scenario, worlds, estimated, covered, said)


def binomial_band(worlds: int, p: float = 0.95) -> tuple[int, int]:
    """The counts within two binomial standard errors of ``p`` for ``worlds`` worlds."""
    sd = math.sqrt(worlds * p * (1 - p))
    return math.floor(worlds * p - 2 * sd), min(worlds, math.ceil(worlds * p + 2 * sd))


def table(rows: list[Row]) -> str:
    lines = [
        "| Worlds | Planted | Covered by the 95% interval | Said |",
        "| --- | --- | --- | --- |",
        *("| " + " | ".join(row.cells()) + " |" for row in rows),
    ]
    return "\n".join(lines)


def write(doc: Path, text: str) -> None:
    """Replace what lies between the markers in ``doc`` with ``text``."""
    content = doc.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(content):
        raise SystemExit(f"{doc} has no {START} … {END} markers")
    doc.write_text(pattern.sub(lambda _: f"{START}\n{text}\n{END}", content))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worlds", type=int, default=200, help="worlds per row (200)")
    parser.add_argument("--write", action="store_true", help=f"write the table into {DOC}")
    args = parser.parse_args(argv)
    if args.worlds < 1:
        parser.error("--worlds must be at least 1")
    sys.path.insert(0, str(ROOT))
    rows = []
    for i, scenario in enumerate(SCENARIOS):
        rows.append(run(scenario, args.worlds, offset=i * 10_000))
        print(f"{i + 1}/{len(SCENARIOS)} {scenario.label}", file=sys.stderr)
    low, high = binomial_band(args.worlds)
    text = (
        table(rows)
        + f"\n\nWith {args.worlds} worlds a row, a coverage within two binomial standard errors"
        f" of 95% is {low}–{high} covered (of those estimated)."
    )
    if args.write:
        write(DOC, text)
    print(text)
    return 0


if __name__ == "__main__":
    import os

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ephedra.settings")
    import django

    django.setup()
    raise SystemExit(main())
