"""Who may call the referrals API and what each list holds: one permission class and one
scope filter per resource, over the app's own RULES and querysets; and the documented
refusals."""

from drf_spectacular.utils import OpenApiResponse

from core.api import ERROR, ApiRulePermission, ScopeFilter

from ..permissions import RULES, people_for, referrals_for

UUID_PATTERN = "[0-9a-fA-F-]{32,36}"

# --- Permissions and scope ----------------------------------------------------------------

# Keys composed from RULES only: reading is for the police (their areas) and for partner
# users (what was shared with their agency); a status change is a withdrawal by the police
# or a move on by the agency, the services deciding which.
API_RULES = {
    **RULES,
    "api.read": RULES["referrals.view"] | RULES["referrals.portal"],
    "api.transition": RULES["referrals.withdraw"] | RULES["referrals.portal"],
}


class ReferralPermission(ApiRulePermission):
    rules = API_RULES
    partners_allowed = True
    action_rules = {
        "list": "api.read",
        "retrieve": "api.read",
        "create": "referrals.make",
        "transition": "api.transition",
        "notes": "api.read",
        "add_note": "referrals.portal",
        "history": "api.read",
        "move": "referrals.move",
        "course": "referrals.portal",
    }


class ReferralScope(ScopeFilter):
    def scope(self, user, queryset):
        # The scope's own conditions on the queryset, not ``pk IN (scope)``: that joined
        # the agency's thousands of referrals to themselves (partner list SQL at force
        # scale: the keys query 84 -> 36 ms, the rows 41 -> 16 ms).
        return referrals_for(user, queryset)


class PersonPermission(ApiRulePermission):
    rules = API_RULES
    partners_allowed = True
    action_rules = {"list": "referrals.view", "retrieve": "api.read"}


class PersonScope(ScopeFilter):
    """The police: the people of their areas. A partner: the people of the referrals
    shared with their agency, and nothing of them but the shareable fields."""

    def scope(self, user, queryset):
        if user.is_partner:
            shared = referrals_for(user).filter(person__isnull=False).values("person_id")
            return queryset.filter(pk__in=shared)
        return queryset.filter(pk__in=people_for(user).values("pk"))


# --- Documentation of the answers ----------------------------------------------------------

# The one error shape (core.api's "Error" component, added by its schema hook), with
# what each refusal means here.
REFUSALS = {
    403: OpenApiResponse(ERROR, description="Signed in, but your role may not do this."),
    404: OpenApiResponse(ERROR, description="No such record that you may see."),
}
INVALID = {400: OpenApiResponse(ERROR, description="Invalid input: messages by field name.")}
