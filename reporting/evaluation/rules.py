"""The thresholds below which the evaluation says "too little data" instead of a number.

They are deliberately explicit (and printed on the Evidence page and in
``docs/evaluation.md``): a result that fails any of them carries ``conclusive=False`` and the
reason in words, and no estimate is shown.
"""

from ..ranking import DEFAULT_RELEVANT, RADIUS_M

RELEVANT_CRIME_TYPES = DEFAULT_RELEVANT

# Places. A hotspot's catchment is the LSOAs whose centroid lies within CATCHMENT_M of it
# (the ranking's radius), or the nearest LSOA if none does; its ring, for the displacement
# check, is the LSOAs whose centroid lies between CATCHMENT_M and RING_OUTER_M.
CATCHMENT_M = RADIUS_M
RING_OUTER_M = 750
COMPARISONS_PER_PLACE = 5  # nearest unpatrolled neighbours on pre-period level and trend

# Hotspot effect: the least data a difference-in-differences estimate is made from.
MIN_MONTHS_BEFORE = 6  # months of crime data before patrols began
MIN_MONTHS_AFTER = 6  # ... and after the month they began
MIN_TREATED_PLACES = 1
MIN_COMPARISON_PLACES = 5
MIN_CRIMES_BEFORE = 30  # relevant crimes in the treated places before patrols began
MIN_CRIMES_AFTER = 30  # ... and after
# Cluster-robust standard errors need enough treated clusters to be trusted; with fewer,
# the Poisson errors are scaled for overdispersion instead.
MIN_CLUSTERS = 5
OVERDISPERSED = 1.5  # Pearson chi-squared / degrees of freedom above which we say so
Z95 = 1.959964

# Patrol dosage: a dose-response slope needs this many hotspots with an estimate.
MIN_HOTSPOTS_FOR_DOSE = 5

# Diversion: re-arrest is compared only for men followed up this long, and only when each
# group has at least MIN_MEN men with the full follow-up.
FOLLOW_UP_DAYS = {6: 183, 12: 365}
MIN_MEN = 5
