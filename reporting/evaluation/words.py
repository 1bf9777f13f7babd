"""The evaluation's results in plain English, for the Evidence page and the monthly report.

A rate ratio of 0.73 reads as "fell by about 27%"; its interval as "a fall of 12% to 40%".
Nothing is said in numbers about a result that is not conclusive: only why. A result
whose pre-trend check failed is "Can't tell", never "Fell" or "Rose".
"""

from __future__ import annotations

from .did import Effect, Interval
from .diversion import Diversion, Proportion, Rearrest
from .dosage import KOPER_MINUTES, DoseResponse, VisitLengths
from .pretrend import measured, opening

MINUS = "\u2212"
CANT_TELL = "Can't tell"


def percent(ratio: float) -> int:
    return round(abs(ratio - 1) * 100)


def _change(ratio: float) -> str:
    """'a fall of 27%', 'a rise of 5%' or 'no change'."""
    if percent(ratio) == 0:
        return "no change"
    return f"a {'fall' if ratio < 1 else 'rise'} of {percent(ratio)}%"


def _range(interval: Interval) -> str:
    """The interval in words, from the lower to the higher crime."""
    low, high = interval.low, interval.high
    if high < 1:
        return f"a fall of {percent(high)}% to {percent(low)}%"
    if low > 1:
        return f"a rise of {percent(low)}% to {percent(high)}%"
    return f"anything from {_change(low)} to {_change(high)}"


def signed(ratio: float) -> str:
    """-27% / +5% (with a real minus sign), for tables."""
    n = percent(ratio)
    if n == 0:
        return "0%"
    return f"{MINUS if ratio < 1 else '+'}{n}%"


def cell(effect: Effect) -> str:
    """A table cell: '−27% (−40% to −12%)', 'Not enough data' or "Can't tell"."""
    if effect.pretrend_differs:
        return f"{CANT_TELL} (trends differed before)"
    if not effect.conclusive or effect.estimate is None:
        return "Not enough data"
    e = effect.estimate
    return f"{signed(e.ratio)} ({signed(e.low)} to {signed(e.high)})"


def verdict(effect: Effect) -> str:
    if effect.pretrend_differs:
        return CANT_TELL
    if not effect.conclusive or effect.estimate is None:
        return "Not enough data"
    if not effect.estimate.clear:
        return "No clear change"
    return "Fell" if effect.estimate.high < 1 else "Rose"


def effect_sentence(effect: Effect, what: str, *, detail: bool = True) -> str:
    """``what`` is the subject, e.g. "Relevant crime near patrolled hotspots"."""
    if effect.pretrend_differs:
        return f"{what}: {opening(effect.pretrend)}"
    if not effect.conclusive or effect.estimate is None:
        reason = f" {effect.reason}" if detail and effect.reason else ""
        return f"{what}: there is not enough data yet to say whether it changed.{reason}"
    e = effect.estimate
    if e.clear:
        direction = "fell" if e.high < 1 else "rose"
        return (
            f"{what} {direction} by about {percent(e.ratio)}% compared with similar places "
            f"without patrols (95% confidence interval: {_range(e)})."
        )
    return (
        f"{what}: no clear change compared with similar places without patrols. The best "
        f"estimate is {_change(e.ratio)}, but the data fit {_range(e)} (95% confidence "
        "interval), so a real change either way cannot be ruled out."
    )


def detectable_sentence(effect: Effect) -> str:
    """The minimum detectable effect in words (empty when there is none to give)."""
    if effect.detectable is None or percent(effect.detectable) == 0:
        return ""
    fall = percent(effect.detectable)
    if effect.estimate is not None:
        return (
            f"With these data, the smallest fall the comparison would find 4 times in 5 is "
            f"about {fall}% (the minimum detectable effect, at 80% power): a smaller real "
            "change could be missed."
        )
    return (
        f"With the data so far, only a fall of about {fall}% or more would be found 4 times "
        "in 5 (the minimum detectable effect, at 80% power; a best case, counting only the "
        "chance variation of the crime counts)."
    )


def displacement_sentence(ring: Effect, *, detail: bool = True) -> str:
    if ring.pretrend_differs:
        return f"The streets around the hotspots: {opening(ring.pretrend)}"
    if not ring.conclusive or ring.estimate is None:
        reason = f" {ring.reason}" if detail and ring.reason else ""
        return f"Not enough data to check the streets around the hotspots for displacement.{reason}"
    e = ring.estimate
    if e.low > 1:
        return (
            f"Crime rose by about {percent(e.ratio)}% in the streets around the hotspots "
            f"(95% confidence interval: {_range(e)}): a sign that some crime may have moved "
            "there (displacement)."
        )
    if e.high < 1:
        return (
            f"Crime also fell in the streets around the hotspots, by about {percent(e.ratio)}% "
            f"({_range(e)}): no sign of displacement; the benefit may have spread."
        )
    return (
        "No clear change in the streets around the hotspots "
        f"({_range(e)}): no sign that crime moved there, though a small shift cannot be "
        "ruled out."
    )


def pretrend_sentence(effect: Effect) -> str:
    """The pre-trend check in words (empty when it was not made)."""
    if effect.pretrend is None:
        return ""
    found = measured(
        effect.pretrend, effect.months_before, effect.pretrend_share, effect.trend_adjusted
    )
    if effect.pretrend_differs:
        return f"The check of the months before patrols failed. {found} So: can't tell."
    return (
        "Before patrols began, crime near the hotspots and in the comparison places moved "
        f"in parallel, as the method assumes. {found}"
    )


def dose_sentence(result: DoseResponse) -> str:
    if not result.conclusive or result.per_visit is None:
        return (
            "Not enough data to relate how often hotspots were patrolled to how their "
            f"crime changed. {result.reason}"
        )
    e = result.per_visit
    if e.clear:
        direction = "lower" if e.high < 1 else "higher"
        return (
            f"Hotspots patrolled more often saw crime change more: each extra visit a week "
            f"went with crime about {percent(e.ratio)}% {direction} than expected "
            f"(95% confidence interval: {_range(e)}). This compares hotspots with each "
            "other; it is an association, not proof that more visits cause less crime."
        )
    return (
        "No clear relation between how often a hotspot was patrolled and how its crime "
        f"changed (each extra visit a week: {_range(e)}, 95% confidence interval)."
    )


def minutes_dose_sentence(result: DoseResponse) -> str:
    """The dose-response on time: hours of patrol a week (recorded visit minutes where
    returns have them, else each return's length shared among its hotspots)."""
    e = result.per_hour
    if e is None:
        return (
            "Not enough data to relate how long hotspots were patrolled to how their crime "
            f"changed. {result.minutes_reason}"
        )
    if e.clear:
        direction = "lower" if e.high < 1 else "higher"
        return (
            f"Each extra hour of patrol a week at a hotspot went with crime about "
            f"{percent(e.ratio)}% {direction} than expected (95% confidence interval: "
            f"{_range(e)}); an association between hotspots, as above."
        )
    return (
        "No clear relation between how long a hotspot was patrolled and how its crime "
        f"changed (each extra hour a week: {_range(e)}, 95% confidence interval)."
    )


def visit_length_sentence(v: VisitLengths) -> str:
    """Minutes per timed visit against Koper's band, and how many visits had times."""
    low, high = (f"{m:.0f}" for m in KOPER_MINUTES)
    if not v.timed:
        return (
            f"None of the {v.visits} visits evaluated had arrival and departure times "
            f"recorded, so minutes per visit cannot be set against the {low}–{high} minute "
            "band research recommends."
        )
    return (
        f"{v.timed} of {v.visits} visits had arrival and departure times recorded. Their "
        f"median stay was {v.median:.0f} minutes; {v.within} ({_pct(v.within, v.timed)}%) "
        f"lasted {low} to {high} minutes, the band research recommends (Koper), "
        f"{v.under} were shorter and {v.over} longer."
    )


def _pct(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def share(p: Proportion) -> str:
    """'7 of 10 (70%; 95% CI 40% to 89%)'."""
    if not p.total:
        return "none yet"
    return (
        f"{p.count} of {p.total} ({round(100 * p.count / p.total)}%; "
        f"95% CI {round(100 * p.low)}% to {round(100 * p.high)}%)"
    )


def completion_sentence(d: Diversion) -> str:
    if not d.given:
        return "No conditional cautions with the diversion course have been given yet."
    finished = d.completed + d.not_completed
    if not finished:
        return f"{d.given} men were given the course; none has a recorded outcome yet."
    p = d.completion
    still = f" {d.open} more have not finished yet." if d.open else ""
    return (
        f"Of {finished} men whose course has an outcome, {p.count} completed it "
        f"({round(100 * p.count / p.total)}%; 95% confidence interval "
        f"{round(100 * p.low)}% to {round(100 * p.high)}%).{still}"
    )


def rearrest_sentence(r: Rearrest) -> str:
    if not r.conclusive or r.difference is None:
        return f"Re-arrest within {r.months} months: {r.reason}"
    diff = r.difference
    points = round(abs(diff.value) * 100)
    low, high = round(diff.low * 100), round(diff.high * 100)
    who = "less" if diff.value < 0 else "more"
    clear = (
        "a clear difference"
        if diff.clear
        else "not a clear difference: the interval includes no difference"
    )
    return (
        f"Re-arrest within {r.months} months: completers {share(r.completers)}, "
        f"non-completers {share(r.non_completers)}. Completers were re-arrested "
        f"{points} percentage points {who} often (95% CI {low} to {high} points), "
        f"{clear}."
    )
