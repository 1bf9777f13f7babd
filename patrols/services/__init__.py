"""Patrol workflows: every change to a patrol and what it records lives here, so every way
in (pages, API, admin actions, tasks) obeys the same rules. Each refusal is a
`PatrolRuleError` with a message a person can act on (and the field it belongs to).

- ``lifecycle``: the transition table and the status changes (assess, approve, deploy,
  cancel, close), each taken under a lock on the patrol's row;
- ``planning``: planning and changing a patrol (crew, hotspots, invitations), copying a week;
- ``wellbeing``: hours worked and the warnings a planner sees;
- ``returns``: the work return, its draft and amendments;
- ``visits``: a return's timed visits to hotspots (arrival, departure) and their rules;
- ``hotspots``: adding, changing and retiring a hotspot;
"""

from .errors import PatrolRuleError
from .hotspots import duplicate_name_message, retire_hotspot, save_hotspot
from .lifecycle import (
    APPROVAL_WITHDRAWN,
    EDITABLE,
    TRANSITIONS,
    approve_risk_assessment,
    approver_refusal,
    can_move,
    cancel,
    close_patrol,
    deploy_refusal,
    edit_refusal,
    lock,
    mark_deployed,
    move,
    record_risk_assessment,
    withdraw_approval,
)
from .planning import (
    MAX_PATROL_HOURS,
    OBSERVER_ROLES,
    CrewProblem,
    PatrolUpdate,
    copy_week,
    crew_problems,
    double_booked,
    duplicate_week,
    hotspots_outside,
    plan_patrol,
    save_crew,
    time_problem,
    update_patrol,
)
from .returns import (
    AMENDABLE_FIELDS,
    MAX_RETURN_HOURS,
    amend_return,
    check_return_times,
    return_refusal,
    save_draft,
    shift_length,
    submit_return,
)
from .visits import VisitProblem, check_visits, visit_problems
from .wellbeing import (
    EXTENDED_SHIFTS_IN_SEVEN_DAYS,
    WellbeingWarning,
    hours_in_month,
    month_bounds,
    patrol_warnings,
    wellbeing_warnings,
)

__all__ = [
    "AMENDABLE_FIELDS",
    "APPROVAL_WITHDRAWN",
    "EDITABLE",
    "EXTENDED_SHIFTS_IN_SEVEN_DAYS",
    "MAX_PATROL_HOURS",
    "MAX_RETURN_HOURS",
    "OBSERVER_ROLES",
    "TRANSITIONS",
    "CrewProblem",
    "PatrolRuleError",
    "PatrolUpdate",
    "WellbeingWarning",
    "amend_return",
    "approve_risk_assessment",
    "approver_refusal",
    "can_move",
    "cancel",
    "VisitProblem",
    "check_return_times",
    "check_visits",
    "close_patrol",
    "copy_week",
    "crew_problems",
    "double_booked",
    "deploy_refusal",
    "duplicate_week",
    "edit_refusal",
    "hotspots_outside",
    "hours_in_month",
    "lock",
    "mark_deployed",
    "month_bounds",
    "move",
    "patrol_warnings",
    "plan_patrol",
    "record_risk_assessment",
    "retire_hotspot",
    "save_hotspot",
    "duplicate_name_message",
    "return_refusal",
    "save_crew",
    "save_draft",
    "shift_length",
    "submit_return",
    "time_problem",
    "update_patrol",
    "visit_problems",
    "wellbeing_warnings",
    "withdraw_approval",
]
