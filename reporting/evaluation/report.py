"""The monthly report's appendix: the Evidence page in brief, read from its stored figures.

The report never fits the models itself: it reads the area's newest stored run (the job in
``reporting.evidence_jobs`` works them out each night), says when that run was worked out
and with data up to which day, and says so in words when there is none yet or when it was
worked out before the report month's data was all in.

The police edition names hotspots and gives the re-arrest comparison; the partner-safe
edition keeps to what it already allows: area-wide results in words (published police.uk
crime, no place finer than the area), course completion and the support pathway as
counts through the edition's own formatter (counts under 5 shown as "<5"), and no arrest
detail. Its text carries no small number of its own: months, places and men are not
counted in it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from . import Evidence, words
from .page import funnel_row

TITLE = "Appendix: does it work?"
METHOD = (
    "Worked out by Ephedra's Evidence page each night, not by this report: relevant crime "
    "near patrolled hotspots against similar unpatrolled LSOAs of the area (a difference in "
    "differences), with 95% confidence intervals. Where the data is too thin to estimate, it "
    "says so and gives no number; where crime was already changing differently before "
    "patrols, it says it can't tell. The method, its assumptions "
    "and limits are in docs/evaluation.md; the Evidence page has the detail."
)
POOLED_WHAT = "Relevant crime near patrolled hotspots"


NONE_YET = (
    "The Evidence page has not yet worked out its figures for this area, so this report "
    "gives no answer: they are worked out each night, and the next report will carry them."
)


def computed_words(finished_at: dt.datetime, e: Evidence, month_end: dt.date) -> str:
    """When the stored figures were worked out, and whether they cover the report month."""
    # Days with a leading zero: no bare 1 to 4 that could be read as a small count.
    when = f"{timezone.localtime(finished_at):%d %B %Y at %H:%M}"
    said = f"These figures were worked out on {when}, with the data up to {e.as_of:%d %B %Y}."
    if e.as_of < month_end:
        said += (
            f" That is before the end of {month_end:%B %Y}: they do not include all of the "
            "report month's data. The Evidence page works them out again each night."
        )
    return said


def appendix(stored: tuple | None, month_end: dt.date, fmt) -> dict:
    """A section of the monthly report (``title``, ``intro`` paragraphs, ``tables``).
    ``stored``: the area's newest stored (run, figures) (``selectors.latest_evidence``),
    or None; ``month_end``: the report month's last day."""
    run, e = stored or (None, None)
    if e is None:
        return {"title": TITLE, "intro": [NONE_YET, METHOD], "tables": []}
    computed = computed_words(run.finished_at, e, month_end)
    if fmt.partner:
        return _partner(e, fmt, computed)
    intro = [
        computed,
        words.effect_sentence(e.pooled, POOLED_WHAT),
        words.pretrend_sentence(e.pooled),
        words.displacement_sentence(e.displacement),
        words.dose_sentence(e.dose_response),
        words.completion_sentence(e.diversion),
        *(words.rearrest_sentence(r) for r in e.diversion.rearrest),
        e.diversion.caveat,
        METHOD,
    ]
    tables = [_hotspots(e)] if e.hotspots else []
    tables.append(_funnel(e, fmt))
    return {"title": TITLE, "intro": [p for p in intro if p], "tables": tables}


def _partner(e, fmt, computed: str) -> dict:
    d = e.diversion
    finished = d.completed + d.not_completed
    if any(fmt.suppressed(n) for n in (d.completed, d.not_completed)):
        course = "Diversion course: completion is not shown while a group has fewer than 5 men."
    elif finished:
        course = (
            f"Diversion course: {d.completed:,} of the {finished:,} men whose course has an "
            "outcome completed it."
        )
    else:
        course = "Diversion course: no outcomes recorded yet."
    intro = [
        computed,
        words.effect_sentence(e.pooled, POOLED_WHAT, detail=False),
        words.displacement_sentence(e.displacement, detail=False),
        course,
        METHOD,
    ]
    return {"title": TITLE, "intro": intro, "tables": [_funnel(e, fmt)]}


def _row(label: str, cells: list[str]) -> dict:
    return {"label": label, "cells": cells}


def _hotspots(e) -> dict:
    return {
        "title": "Each patrolled hotspot (police only): change in relevant crime, 95% CI",
        "columns": ["First patrolled", "Near it", "Streets around", "Visits a week"],
        "rows": [
            _row(
                h.name,
                [
                    f"{h.first_visit:%d %b %Y}",
                    words.cell(h.effect),
                    words.cell(h.ring),
                    f"{h.dose.visits_per_week:.1f}",
                ],
            )
            for h in e.hotspots
        ],
        "note": (
            "Not enough data: too few months or crimes to estimate. Can't tell: crime there "
            "was already changing differently before patrols (see the Evidence page)."
        ),
    }


def _funnel(e, fmt) -> dict:
    s = e.funnel.total
    if fmt.partner:
        return {
            "title": "Support pathway: referrals to support services so far",
            "columns": ["Referrals"],
            "rows": [
                _row("Made", [fmt.count(s.made)]),
                _row("Acknowledged by the agency", [fmt.count(s.received)]),
                _row("Engaged", [fmt.count(s.engaged)]),
                _row("Closed with a positive outcome", [fmt.count(s.closed_positive)]),
            ],
            "note": "",
        }
    rows = [funnel_row(r.label, r.stage) for r in e.funnel.by_service]
    rows.append(funnel_row("All services", s))
    keys = ("made", "received", "engaged", "closed_positive")
    keys += ("days_to_receive", "days_to_engage", "days_to_close")
    return {
        "title": "Support pathway by service, so far (median days per step)",
        "columns": ["Made", "Acknowledged", "Engaged", "Closed well"]
        + ["Days to acknowledge", "Days to engage", "Days to close well"],
        "rows": [_row(r["label"], [str(r[k]) for k in keys]) for r in rows],
        "note": (
            f"Encounters on patrol: {e.funnel.encounters}, of which {e.funnel.encounters_referred} "
            "led to a referral."
        ),
    }
