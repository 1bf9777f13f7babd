"""What the Evidence page shows, ready for the template: words and formatted cells."""

from __future__ import annotations

from dataclasses import dataclass

from . import Evidence, event_chart, inference, rules, staggered, words
from .did import Effect
from .funnel import Stage

TAGS = {  # verdict → GOV.UK tag colour
    "Fell": "govuk-tag--green",
    "Rose": "govuk-tag--red",
    "No clear change": "govuk-tag--blue",
    "Not enough data": "govuk-tag--grey",
    "Can't tell": "govuk-tag--yellow",
    "Possible displacement": "govuk-tag--red",
    "No displacement": "govuk-tag--green",
    "Measured": "govuk-tag--turquoise",
}
POOLED_WHAT = "Relevant crime in the LSOAs near patrolled hotspots"
METHODS = {
    inference.BOOTSTRAP: (
        "wild cluster bootstrap by LSOA (999 draws, Webb weights, each LSOA's months "
        "taken together)"
    ),
    staggered.METHOD: (
        "each start month's LSOAs against LSOAs not patrolled by then (never, or not yet), "
        "month by month; wild cluster bootstrap by LSOA (999 draws, Webb weights), never "
        "narrower than a t critical value on the LSOAs near hotspots"
    ),
    inference.MODEL_T: (
        "too few LSOAs near the hotspots to resample: the comparison LSOAs' variation, "
        "each LSOA's months taken together, with a t critical value"
    ),
}


@dataclass(frozen=True)
class Answer:
    question: str
    verdict: str
    sentence: str

    @property
    def tag(self) -> str:
        return TAGS.get(self.verdict, "govuk-tag--grey")


def evidence_page(e: Evidence) -> dict:
    return {
        "evidence": e,
        "answers": answers(e),
        "pooled": words.effect_sentence(e.pooled, POOLED_WHAT),
        "pooled_facts": facts(e.pooled) + staggered_facts(e),
        "pretrend": words.pretrend_sentence(e.pooled),
        "detectable": words.detectable_sentence(e.pooled),
        "displacement": words.displacement_sentence(e.displacement),
        "event_chart": event_chart.chart(e.staggered),
        "hotspots": [hotspot_row(h) for h in e.hotspots],
        "thin_hotspots": [(h.name, h.effect.reason) for h in e.hotspots if not h.effect.conclusive],
        "dose": words.dose_sentence(e.dose_response),
        "dose_minutes": words.minutes_dose_sentence(e.dose_response),
        "visit_lengths": words.visit_length_sentence(e.visit_lengths),
        "completion": words.completion_sentence(e.diversion),
        "rearrests": [rearrest_row(r) for r in e.diversion.rearrest],
        "funnel_total": funnel_row("All services", e.funnel.total),
        "funnel_service": [funnel_row(r.label, r.stage) for r in e.funnel.by_service],
        "funnel_agency": [funnel_row(r.label, r.stage) for r in e.funnel.by_agency],
        "rules": rules,
        "patrol_rule": rules.patrol_rule(),
    }


def answers(e: Evidence) -> list[Answer]:
    d = e.diversion
    finished = d.completed + d.not_completed
    f = e.funnel
    support = (
        f"{f.total.made} referrals to support services were made; {f.total.engaged} reached "
        f"engagement and {f.total.closed_positive} closed with a positive outcome."
        if f.total.made
        else "No referrals to support services yet."
    )
    return [
        Answer(
            "Did crime fall where the patrols went?",
            words.verdict(e.pooled),
            words.effect_sentence(e.pooled, POOLED_WHAT, detail=False),
        ),
        Answer(
            "Did crime move to the streets around?",
            _displacement_verdict(e.displacement),
            words.displacement_sentence(e.displacement, detail=False),
        ),
        Answer(
            "Do the men cautioned complete the course?",
            "Not enough data" if finished < rules.MIN_MEN else "Measured",
            words.completion_sentence(d),
        ),
        Answer(
            "Are women reached and supported?",
            "Measured" if f.total.made else "Not enough data",
            support,
        ),
    ]


def _displacement_verdict(ring: Effect) -> str:
    verdict = words.verdict(ring)
    return {"Rose": "Possible displacement", "Fell": "No displacement"}.get(verdict, verdict)


def facts(effect: Effect) -> list[tuple[str, str]]:
    """The details of an estimate; one whose pre-trend check failed keeps them, marked."""
    if effect.estimate is None or not (effect.conclusive or effect.pretrend_differs):
        return []
    rows = [
        ("LSOAs near patrolled hotspots", str(effect.treated_places)),
        ("Comparison LSOAs (similar, unpatrolled)", str(effect.comparison_places)),
        ("Months before and after", f"{effect.months_before} and {effect.months_after}"),
        (
            "Relevant crimes near the hotspots, before and after",
            f"{effect.crimes_before:,} and {effect.crimes_after:,}",
        ),
        (
            "Relevant crimes in the comparison LSOAs, before and after",
            f"{effect.comparison_before:,} and {effect.comparison_after:,}",
        ),
        (
            "Rate ratio (95% confidence interval)"
            if effect.conclusive
            else "Rate ratio (95% confidence interval), not to be relied on: see the check",
            _ratio(effect),
        ),
    ]
    if effect.detectable is not None:
        rows.append(
            (
                "Smallest fall detectable 4 times in 5 (80% power)",
                f"{words.percent(effect.detectable)}%",
            )
        )
    if effect.dispersion is not None:
        spread = (
            "more than a Poisson model expects; the interval allows for it"
            if effect.dispersion > rules.OVERDISPERSED
            else "about what a Poisson model expects"
        )
        rows.append(("How much counts vary", f"{effect.dispersion:.1f} × ({spread})"))
    rows.append(("How the interval was made", METHODS.get(effect.method, effect.method)))
    return rows


def staggered_facts(e: Evidence) -> list[tuple[str, str]]:
    """When the headline comes from the group-time effects: what they were made of."""
    if e.pooled.method != staggered.METHOD or not facts(e.pooled):
        return []
    s = e.staggered
    return [
        ("Months in which patrols began", str(s.cohorts)),
        (
            "Comparison LSOAs, month by month",
            f"{s.comparison_places} never patrolled, and LSOAs near hotspots patrolled later "
            "until their patrols began",
        ),
    ]


def _ratio(effect: Effect) -> str:
    e = effect.estimate
    return f"{e.ratio:.2f} ({e.low:.2f} to {e.high:.2f})"


def hotspot_row(h) -> dict:
    return {
        "name": h.name,
        "first_visit": h.first_visit,
        "stopped": h.stopped,
        "places": h.places,
        "ring_places": h.ring_places,
        "change": words.cell(h.effect),
        "verdict": words.verdict(h.effect),
        "tag": TAGS[words.verdict(h.effect)],
        "estimated": h.effect.conclusive,
        "ring": words.cell(h.ring),
        "visits": f"{h.dose.visits_per_week:.1f}",
        "minutes": f"{h.dose.minutes_per_week:.0f}",
        "encounters": f"{h.dose.encounters_per_week:.1f}",
        "pooled": h.pooled,
    }


def rearrest_row(r) -> dict:
    return {
        "months": r.months,
        "completers": words.share(r.completers),
        "non_completers": words.share(r.non_completers),
        "sentence": words.rearrest_sentence(r),
        "conclusive": r.conclusive,
    }


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _of(n: int, whole: int) -> str:
    return f"{n} ({round(100 * n / whole)}%)" if whole else str(n)


def funnel_row(label: str, s: Stage) -> dict:
    return {
        "label": label,
        "made": s.made,
        "received": _of(s.received, s.made),
        "engaged": _of(s.engaged, s.made),
        "closed_positive": _of(s.closed_positive, s.made),
        "days_to_receive": _days(s.days_to_receive),
        "days_to_engage": _days(s.days_to_engage),
        "days_to_close": _days(s.days_to_close),
    }
