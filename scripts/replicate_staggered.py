"""Replicate the group-time effects' coverage on simulated staggered worlds
(docs/evaluation.md, "Replication study"):

    .venv/bin/python scripts/replicate_staggered.py [worlds] [first seed]

Each world (``tests/reporting/worlds.staggered_world``): patrols beginning at months 10,
14 and 18 of 30, 2 to 5 LSOAs per start month (a single LSOA at the last start in some),
30 never-patrolled LSOAs, overdispersed and serially correlated counts, and an effect
that grows by 3% a month to −36%. Prints how often the overall 95% interval and each
event-time interval cover the planted truth, and how often the same worlds without any
effect read as a clear change (the false-positive rate). No database.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ephedra.settings")


def growing(g: int, e: int) -> float:
    return math.exp(-0.03 * min(e, 12))


def main(worlds: int, first: int) -> None:
    import django

    django.setup()
    from reporting.evaluation import staggered
    from tests.reporting.test_evaluation_staggered import overall_truth
    from tests.reporting.worlds import staggered_world

    overall, events, total, false = 0, 0, 0, 0
    for seed in range(first, first + worlds):
        k = 2 + seed % 4
        cohorts = {10: k, 14: k, 18: max(1, k - 1)}
        w = staggered_world(seed, cohorts=cohorts, effect=growing, n_months=30)
        result = staggered.estimate(w.panel, w.starts, w.candidates)
        null = staggered_world(seed, cohorts=cohorts, effect=lambda g, e: 1.0, n_months=30)
        false += staggered.estimate(null.panel, null.starts, null.candidates).overall.clear
        overall += result.overall.covers(overall_truth(w, growing))
        for p in result.events:
            if p.estimate is not None:
                truth = growing(0, p.event) if p.event >= 0 else 1.0
                events += p.estimate.covers(truth)
                total += 1
    print(f"Overall: covered in {overall} of {worlds} worlds ({100 * overall / worlds:.1f}%)")
    print(f"No effect: a clear change in {false} of {worlds} worlds")
    print(f"Event time: {events} of {total} estimates covered ({100 * events / total:.1f}%)")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*(args + [200, 1000][len(args) :]))
