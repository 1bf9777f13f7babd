"""REST API for referrals and people: the portal's and the police pages' capabilities, under
the same rules, through the same functions.

The wall, as in the UI:
- Every queryset is scoped in SQL by `referrals_for` / `people_for` (ScopeFilter); a record
  outside the scope answers 404, for reading and for every action.
- Partner users get their own serializers, built from the portal's field lists: a
  referral's shared fields (referrals.selectors.REFERRAL_FIELDS, loaded with `.only()`,
  so a police-only field would cost a query the budget tests catch), a person's
  Person.SHAREABLE_FIELDS, the history and notes since the referral reached their agency
  with police users shown as "Police" (queries.agency_history / agency_notes).
- Acting needs what the UI needs: a partner works a referral only with django-guardian's
  change permission (404 without it), police withdraw, supervisors move; the lifecycle and
  every other rule is referrals.services (TRANSITIONS, change_status, record_course_step
  ...), and the input is checked by the very forms the pages use, whose errors come back
  under the field names.

Modules: ``access`` (permissions, scope, documented refusals), ``serializers`` (answers),
``inputs`` (what a write takes), ``views`` (the viewsets).
"""

from .access import ERROR, ApiRulePermission
from .serializers import AgencyBriefSerializer, PersonBriefSerializer

__all__ = [
    "ERROR",
    "AgencyBriefSerializer",
    "ApiRulePermission",
    "PersonBriefSerializer",
    "register",
]


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    from .views import PersonViewSet, ReferralViewSet

    router.register("referrals", ReferralViewSet, basename="referral")
    router.register("people", PersonViewSet, basename="person")
