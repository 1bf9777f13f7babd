"""Every change to referrals and the people referred, with its rule (one home per rule).

- ``lifecycle``: the transition tables, ``ReferralRuleError``, locking, history rows;
- ``referrals``: making, sharing, working, noting and moving a referral;
- ``course``: the diversion course's steps and the daily check of missed deadlines;
- ``people``: possible duplicate records and a sergeant's decision;
- ``escalation``: the daily word about referrals past their agency's deadlines;
- ``caseload``: a partner user's visits, for "new since your last visit";
- ``safeguarding``: a woman's risk level, warning markers and onward routes.

Callers use this package (``services.change_status(...)``), never the modules.
"""

from ..selectors import NAME_PREFIX_LENGTH
from .caseload import SAME_VISIT, record_portal_visit
from .course import (
    COURSE_STEPS,
    FINISHED_COURSE,
    REFERRAL_EFFECT,
    flag_missed_deadlines,
    open_course_steps,
    record_course_step,
)
from .escalation import escalate_overdue
from .lifecycle import (
    AGENCY_MOVES,
    COURSE_MOVES,
    OPEN_STATUSES,
    POLICE_MOVES,
    TRANSITIONS,
    ReferralRuleError,
    allowed_moves,
)
from .people import decide_duplicate, flag_possible_duplicates
from .referrals import (
    REFERRAL_PERMS,
    add_note,
    change_status,
    make_referral,
    move_referral,
    revoke_from_agency,
    share_with_agency,
)
from .safeguarding import (
    SafeguardingRuleError,
    add_marker,
    add_route,
    end_marker,
    end_route,
    set_risk_level,
)

__all__ = [
    "AGENCY_MOVES",
    "COURSE_MOVES",
    "COURSE_STEPS",
    "FINISHED_COURSE",
    "NAME_PREFIX_LENGTH",
    "OPEN_STATUSES",
    "POLICE_MOVES",
    "REFERRAL_EFFECT",
    "REFERRAL_PERMS",
    "SAME_VISIT",
    "TRANSITIONS",
    "ReferralRuleError",
    "SafeguardingRuleError",
    "add_marker",
    "add_route",
    "end_marker",
    "end_route",
    "set_risk_level",
    "add_note",
    "allowed_moves",
    "change_status",
    "decide_duplicate",
    "escalate_overdue",
    "flag_missed_deadlines",
    "flag_possible_duplicates",
    "make_referral",
    "move_referral",
    "open_course_steps",
    "record_portal_visit",
    "record_course_step",
    "revoke_from_agency",
    "share_with_agency",
]
