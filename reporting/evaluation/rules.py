"""The thresholds below which the evaluation says "too little data" instead of a number.

They are deliberately explicit (and printed on the Evidence page and in
``docs/evaluation.md``): a result that fails any of them carries ``conclusive=False`` and the
reason in words, and no estimate is shown.
"""

from django.conf import settings

from ..ranking import DEFAULT_RELEVANT, RADIUS_M

RELEVANT_CRIME_TYPES = DEFAULT_RELEVANT

# Places. A hotspot's catchment is the LSOA it lies in and those whose centroid lies within
# CATCHMENT_M of it (the ranking's radius); its ring, for the displacement check, is the
# other LSOAs whose boundary comes within RING_OUTER_M of it. No LSOA whose boundary comes
# within RING_OUTER_M of any hotspot of the area (patrolled or not) is a comparison place.
CATCHMENT_M = RADIUS_M
RING_OUTER_M = 750

# Exposure (``exposure``): a hotspot is patrolled in a week when the submitted returns
# list it at least PATROL_MIN_VISITS times in the PATROL_WINDOW_WEEKS weeks ending with
# it: a fortnightly patrol that misses one visit stays patrolled; a single visit, or
# visits a month or more apart, is not sustained patrolling. Settings
# EVIDENCE_PATROL_MIN_VISITS and EVIDENCE_PATROL_WINDOW_WEEKS override them.
PATROL_MIN_VISITS = 2
PATROL_WINDOW_WEEKS = 6


def patrol_rule() -> tuple[int, int]:
    """(least visits, in how many weeks) for a hotspot to count as patrolled."""
    visits = getattr(settings, "EVIDENCE_PATROL_MIN_VISITS", None) or PATROL_MIN_VISITS
    weeks = getattr(settings, "EVIDENCE_PATROL_WINDOW_WEEKS", None) or PATROL_WINDOW_WEEKS
    return max(1, int(visits)), max(1, int(weeks))


COMPARISONS_PER_PLACE = 5  # nearest unpatrolled neighbours on pre-period level and trend

# Hotspot effect: the least data a difference-in-differences estimate is made from.
MIN_MONTHS_BEFORE = 6  # months of crime data before patrols began
MIN_MONTHS_AFTER = 6  # ... and after the month they began
MIN_TREATED_PLACES = 1
MIN_COMPARISON_PLACES = 5
MIN_CRIMES_BEFORE = 30  # relevant crimes in the treated places before patrols began
MIN_CRIMES_AFTER = 30  # ... and after
MIN_COMPARISON_CRIMES = 30  # ... and in the comparison places, before and after each
# The minimum detectable effect: the smallest fall found 4 times in 5 (80% power) by a
# two-sided test at 5%: (Z95 + Z80) standard errors of the log rate ratio.
Z80 = 0.841621
# Intervals (``inference``): a wild cluster bootstrap by place needs this many treated
# places; with fewer, the variance of a treated place's change is taken from the
# comparison places' and the critical value from a t distribution.
MIN_CLUSTERS = 5
BOOTSTRAP_DRAWS = 999
BOOTSTRAP_SEED = 20240501  # fixed: the same data always give the same interval
BOOTSTRAP_REACH = 64.0  # standard errors: an interval wider than this is cut there
# Pre-trend check (``pretrend``): comparison places are chosen on the earlier part of the
# months before patrols and the check tests the later part (at least PRETREND_MONTHS).
PRETREND_MONTHS = 3
# ... and it also fails when that earlier trend, continued, would account for at least
# this share of a clear effect (a trend the held-out months are too few to prove).
PRETREND_SHARE = 0.5
# ... and a clear effect must stay this many standard errors from "no change" against the
# places' own trends before continued (one-sided 5%: a drift alone passes 1 time in 20).
Z_ONE_SIDED = 1.644854
# Staggered starts (``staggered``): event-time effects from EVENT_LEADS months before the
# month patrols began to EVENT_LAGS after; the overall effect's base is the mean of up to
# EVENT_LEADS months before.
EVENT_LEADS = 6
EVENT_LAGS = 12
OVERDISPERSED = 1.5  # Pearson chi-squared / degrees of freedom above which we say so
Z95 = 1.959964

# Patrol dosage: a dose-response slope needs this many hotspots with an estimate.
MIN_HOTSPOTS_FOR_DOSE = 5

# Diversion: re-arrest is compared only for men followed up this long, and only when each
# group has at least MIN_MEN men with the full follow-up.
FOLLOW_UP_DAYS = {6: 183, 12: 365}
MIN_MEN = 5
