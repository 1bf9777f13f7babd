"""The support pathway: from an encounter on patrol to a referral, to the woman engaging
with the service, to the referral closed with a positive outcome; by service and by
agency, with the median time each step takes."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass

from partners.models import ServiceType
from referrals.models import ClosedOutcome, ReferralStatus

from ..metrics import RECEIVED_OR_LATER

POSITIVE_OUTCOMES = frozenset(
    {ClosedOutcome.SUPPORT_COMPLETED, ClosedOutcome.ONGOING_ELSEWHERE, ClosedOutcome.EXITED}
)
SERVICE_LABELS = dict(ServiceType.choices)
DAY = 86400


@dataclass(frozen=True)
class Stage:
    made: int = 0
    received: int = 0
    engaged: int = 0
    closed_positive: int = 0
    days_to_receive: float | None = None  # medians, in days
    days_to_engage: float | None = None  # from acknowledgement
    days_to_close: float | None = None  # from engagement, positive closures only


@dataclass(frozen=True)
class FunnelRow:
    label: str
    stage: Stage


@dataclass(frozen=True)
class Funnel:
    encounters: int
    spoken_with: int
    encounters_referred: int
    total: Stage
    by_service: tuple[FunnelRow, ...]
    by_agency: tuple[FunnelRow, ...]


def funnel(encounters: dict[str, int], rows: list[tuple]) -> Funnel:
    by_service, by_agency = defaultdict(list), defaultdict(list)
    for row in rows:
        by_service[SERVICE_LABELS.get(row[0], row[0])].append(row)
        by_agency[row[1]].append(row)
    return Funnel(
        encounters=encounters["encounters"],
        spoken_with=encounters["spoken_with"],
        encounters_referred=encounters["referred"],
        total=stage(rows),
        by_service=_rows(by_service),
        by_agency=_rows(by_agency),
    )


def _rows(groups: dict[str, list[tuple]]) -> tuple[FunnelRow, ...]:
    rows = [FunnelRow(label, stage(members)) for label, members in groups.items()]
    return tuple(sorted(rows, key=lambda r: (-r.stage.made, r.label)))


def stage(rows: list[tuple]) -> Stage:
    received, engaged, positive = [], [], []
    to_receive, to_engage, to_close = [], [], []
    for _, _, status, outcome, made_at, received_at, engaged_at, closed_at in rows:
        was_engaged = engaged_at is not None or status == ReferralStatus.ENGAGED
        closed_well = status == ReferralStatus.CLOSED and outcome in POSITIVE_OUTCOMES
        received.append(received_at is not None or status in RECEIVED_OR_LATER)
        engaged.append(was_engaged)
        positive.append(closed_well)
        if received_at:
            to_receive.append((received_at - made_at).total_seconds() / DAY)
        if received_at and engaged_at:
            to_engage.append((engaged_at - received_at).total_seconds() / DAY)
        if closed_well and engaged_at and closed_at:
            to_close.append((closed_at - engaged_at).total_seconds() / DAY)
    return Stage(
        made=len(rows),
        received=sum(received),
        engaged=sum(engaged),
        closed_positive=sum(positive),
        days_to_receive=_median(to_receive),
        days_to_engage=_median(to_engage),
        days_to_close=_median(to_close),
    )


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None
