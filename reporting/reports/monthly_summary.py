"""The monthly report's first page: the four outcomes the operation means to change, each
with this month, its trend and a sentence, and the Evidence page's current answer.

Every figure of the partner-safe edition is a cell its tables already publish (the same
``disclosure`` row), and its trend is said in words only when this month and the three
before are all published; otherwise it says the trend is not shown. The Evidence answer
is read from the stored figures (``selectors.latest_evidence``, read once by the report),
never worked out here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from patrols.models import Offence

from .. import metrics
from ..coverage import NOT_PUBLISHED
from ..evaluation import words
from ..evaluation.report import NONE_YET, POOLED_WHAT, computed_words

if TYPE_CHECKING:
    from .monthly_content import MonthlyReport

BEFORE = 3  # the trend: this month against the average of the three before
SAME = 0.1  # within 10% of that average reads as "about the same"
NOT_SHOWN_TREND = "trend not shown (small numbers)"
OFFENCES = "kerb crawling, soliciting and exploitation offences"


def trend_words(values: list) -> str:
    """This month (the last value) against the average of the ``BEFORE`` months before."""
    now, before = values[-1], values[-1 - BEFORE : -1]
    if now is None or len(before) < BEFORE or any(v is None for v in before):
        return "no trend: months missing"
    average = sum(before) / BEFORE
    if not average:
        return "none in the three months before" if now else "none this month or the three before"
    change = now / average - 1
    if abs(change) <= SAME:
        return "about the same as the three months before"
    direction = "up" if change > 0 else "down"
    return f"{direction} {round(abs(change) * 100)}% on the average of the three months before"


class Summary:
    def __init__(self, report: MonthlyReport):
        self.r = report

    def context(self) -> dict:
        return {"outcomes": self.outcomes(), "evidence": self.evidence()}

    def figure(self, label: str, name: str, measure: str) -> dict:
        """This month's published cell and its trend, as the edition may give them."""
        row = self.r.protected(name, measure)
        last = len(self.r.w.months) - 1
        if self.r.partner and any(i in row.hidden for i in range(last - BEFORE, last + 1)):
            trend = NOT_SHOWN_TREND
        else:
            trend = trend_words(self.r.series(name, measure))
        return {"label": label, "value": row.cells[-2], "trend": trend}

    def outcomes(self) -> list[dict]:
        return [self.referrals(), self.arrests(), self.street(), self.crime()]

    def referrals(self) -> dict:
        made = self.figure("Referrals made", "referrals", "made")
        return {
            "title": "Referrals to support services",
            "figures": [made],
            "sentence": (
                f"{made['value']} referrals to support services were made this month; "
                f"{made['trend']}."
            ),
        }

    def arrests(self) -> dict:
        arrests = self.figure("Arrests on patrol", "arrests", "arrests")
        sentence = f"{arrests['value']} arrests on patrol this month; {arrests['trend']}."
        if not self.r.partner:  # by offence: police only
            month = self.r.data["arrests_by_offence"]
            other = sum(r["month"] for r in month if r["key"] == Offence.OTHER)
            total = sum(r["month"] for r in month)
            sentence += f" {total - other:,} of them for {OFFENCES}."
        return {
            "title": "Arrests of men soliciting or exploiting",
            "figures": [arrests],
            "sentence": sentence,
        }

    def street(self) -> dict:
        women = self.figure("Women seen in street sex work", "returns", "women")
        met = self.figure("People met (encounters)", "encounters", "met")
        return {
            "title": "Street sex work: sightings and encounters",
            "figures": [women, met],
            "sentence": (
                f"Patrols saw {women['value']} women in street sex work this month "
                f"({women['trend']}) and met {met['value']} people ({met['trend']})."
            ),
        }

    def crime(self) -> dict:
        values = self.r.crime_series(list(metrics.RELEVANT_CRIME_TYPES))
        coverage = self.r.data["crime_coverage"]
        now = values[-1]
        if now is None:
            gap = coverage.gap(self.r.w.first)
            value = NOT_PUBLISHED if gap == NOT_PUBLISHED else "no data imported"
            through = coverage.through
            sentence = (
                f"This month's crime figures are {value}; {coverage.words()}."
                if through
                else "No crime data has been imported yet."
            )
            trend = "no trend: months missing"
        else:
            value = self.r.fmt.count(now)
            shown = values[-1 - BEFORE :]
            small = any(v is not None and self.r.fmt.suppressed(v) for v in shown)
            trend = NOT_SHOWN_TREND if small else trend_words(values)
            sentence = f"{value} crimes of the related types were recorded this month; {trend}."
        return {
            "title": "Street crime such as loitering and kerb crawling",
            "figures": [{"label": "Recorded crime, related types", "value": value, "trend": trend}],
            "sentence": sentence
            + " police.uk does not list soliciting or kerb crawling on their own: they fall "
            "within the related types.",
        }

    def evidence(self) -> dict:
        run, evidence = self.r.evidence
        if evidence is None:
            return {"answer": "Not worked out yet", "sentence": NONE_YET}
        pooled = evidence.pooled
        return {
            "answer": words.verdict(pooled),
            "interval": words.cell(pooled),
            "sentence": words.effect_sentence(pooled, POOLED_WHAT, detail=not self.r.partner),
            "as_of": f"{evidence.as_of:%d %B %Y}",
            "computed": computed_words(run.finished_at, evidence, self.r.w.last),
        }
