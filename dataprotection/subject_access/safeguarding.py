"""A woman's safeguarding record in her subject access export: every risk level, marker
and onward route of her linked records, ended ones too, in three queries. Its reasons,
the NRM referral and the notes are hers to see unless the section is withheld (s.45(4):
an indicator of trafficking may be withheld to avoid prejudicing an investigation)."""

from __future__ import annotations

from referrals.models import OnwardRoute, Person, RiskLevelChange, WarningMarker

from . import common


def gather(people: list[Person], names: common.Names) -> tuple[dict, list]:
    """The section's data and the rows it discloses (for the audit trail)."""
    risks = list(
        RiskLevelChange.objects.filter(person__in=people)
        .select_related("person", "set_by")
        .order_by("set_at", "pk")
    )
    markers = list(
        WarningMarker.objects.filter(person__in=people)
        .select_related("person", "added_by", "ended_by")
        .order_by("added_at", "pk")
    )
    routes = list(
        OnwardRoute.objects.filter(person__in=people)
        .select_related("person", "referral", "added_by", "ended_by")
        .order_by("added_at", "pk")
    )
    data = {
        "risk_levels": [_risk(r, names) for r in risks],
        "warning_markers": [_marker(m, names) for m in markers],
        "onward_routes": [_route(r, names) for r in routes],
    }
    return data, [*risks, *markers, *routes]


def _risk(r: RiskLevelChange, names: common.Names) -> dict:
    return {
        "record": str(r.uuid),
        "person": str(r.person.uuid),
        "level": r.get_level_display(),
        "review_on": r.review_on,
        "reason": r.reason,
        "set_by": names(r.set_by),
        "set_at": r.set_at,
    }


def _ending(row, names: common.Names) -> dict:
    return {"ended_at": row.ended_at, "ended_by": names(row.ended_by), "end_reason": row.end_reason}


def _marker(m: WarningMarker, names: common.Names) -> dict:
    return {
        "record": str(m.uuid),
        "person": str(m.person.uuid),
        "kind": m.get_kind_display(),
        "reason": m.reason,
        "nrm_referred_on": m.nrm_referred_on,
        "nrm_reference": m.nrm_reference,
        "added_by": names(m.added_by),
        "added_at": m.added_at,
        **_ending(m, names),
    }


def _route(r: OnwardRoute, names: common.Names) -> dict:
    return {
        "record": str(r.uuid),
        "person": str(r.person.uuid),
        "referral": str(r.referral.uuid) if r.referral_id else None,
        "service": r.service,
        "note": r.note,
        "added_by": names(r.added_by),
        "added_at": r.added_at,
        **_ending(r, names),
    }
