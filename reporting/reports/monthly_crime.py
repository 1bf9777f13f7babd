"""The monthly report's recorded crime (police.uk): a series per month where a month
without data is a gap (None), never a zero, its cells as the edition shows them, and the
table by type. Which months have data is ``reporting.coverage``'s to say."""

from __future__ import annotations

from .. import metrics
from ..coverage import NOT_IMPORTED, NOT_PUBLISHED
from .monthly_format import NOT_PUBLISHED_CELL, NOT_SHOWN, Row, Table


class CrimeFigures:
    """Part of ``MonthlyReport``: reads its ``data``, window ``w`` and format ``fmt``."""

    def crime_series(self, types) -> list[int | None]:
        """Recorded crime of ``types`` per month; None for a month without data (a gap,
        never a zero): ``reporting.coverage`` says which months have data."""
        by_type, _ = self.data["crimes"]
        coverage = self.data["crime_coverage"]
        return [
            None if coverage.gap(m) else sum(by_type.get(t, {}).get(m, 0) for t in types)
            for m in self.w.months
        ]

    def crime_cells(self, types) -> list[str]:
        """The months' cells of recorded crime of ``types``: a gap is said, never a 0."""
        coverage = self.data["crime_coverage"]
        return [
            NOT_PUBLISHED_CELL
            if v is None and coverage.gap(m) == NOT_PUBLISHED
            else NOT_SHOWN
            if v is None
            else self.fmt.count(v)
            for v, m in zip(self.crime_series(types), self.w.months, strict=True)
        ]

    def crime_table(self) -> Table:
        by_type, sources = self.data["crimes"]
        coverage = self.data["crime_coverage"]
        months = self.w.months
        relevant = list(metrics.RELEVANT_CRIME_TYPES)
        other = [t for t in sorted(by_type) if t not in relevant]

        def row(label, types):
            known = [v for v in self.crime_series(types) if v is not None]
            # Published police.uk figures: no person behind a total to protect.
            return Row(label, [*self.crime_cells(types), self.fmt.total(known, about_people=False)])

        rows = [row(t, [t]) for t in relevant]
        rows += [row("All relevant types", relevant), row("All other types", other)]
        rows.append(row("All recorded crime", relevant + other))
        unpublished = [f"{m:%b %Y}" for m in months if coverage.gap(m) == NOT_PUBLISHED]
        missing = [f"{m:%b %Y}" for m in months if coverage.gap(m) == NOT_IMPORTED]
        local = [f"{m:%b %Y}" for m in months if sources.get(m) == "weekly"]
        notes = [
            f"Imported police.uk street-level data for the area, {coverage.words()}. "
            "police.uk publishes categories, not offences: soliciting, loitering and kerb "
            "crawling are not shown separately and, where recorded, fall within broader "
            "categories such as Other crime, Public order and Anti-social behaviour. The "
            "operation's own kerb-crawling arrests are counted under arrests."
        ]
        if local:
            notes.append(f"From local weekly extracts (no police.uk file yet): {', '.join(local)}.")
        if unpublished:
            notes.append(
                f"{NOT_PUBLISHED_CELL.capitalize()} ({NOT_PUBLISHED}): {', '.join(unpublished)}; "
                "these months are gaps, not zeros, and the 12-month total leaves them out."
            )
        if missing:
            notes.append(f"No crime data imported for: {', '.join(missing)}.")
        return Table(
            "Recorded crime by type",
            [*(f"{m:%b %Y}" for m in months), "12 months"],
            rows,
            " ".join(notes),
        )
