"""Who may do what through the patrols API: the pages' RULES (patrols.permissions), mapped
per viewset action, and each resource's queryset scoped in SQL by the app's selectors.

Partner users get 404 on every endpoint (``partners_allowed = False``); a record outside
the user's areas is not in the scoped queryset, so it answers 404; a police role without
the right gets 403. The records a work return holds (arrests, cautions, intelligence) are
read, as on the return's page, only by an officer who was on the patrol or a supervisor
(``permissions.can_file_return``): others of the area get 403 for one, and lists leave
them out.
"""

from django.db.models import Q

from core.api import RulePermission, ScopeFilter

from .. import selectors
from ..models import Patrol
from ..permissions import RULES, can_file_return, can_read_intelligence, return_patrols_for

# --- Hotspots ------------------------------------------------------------------------------


class HotspotPermission(RulePermission):
    rules = RULES
    action_rules = {
        "list": "patrols.view",
        "retrieve": "patrols.view",
        "create": "patrols.manage_hotspots",
        "update": "patrols.manage_hotspots",
        "partial_update": "patrols.manage_hotspots",
        "retire": "patrols.manage_hotspots",
    }


class HotspotScope(ScopeFilter):
    def scope(self, user, queryset):
        return selectors.hotspots_for(user, queryset)


# --- Patrols -------------------------------------------------------------------------------


class PatrolPermission(RulePermission):
    rules = RULES
    action_rules = {
        "list": "patrols.view",
        "retrieve": "patrols.view",
        "create": "patrols.plan",
        "update": "patrols.plan",
        "partial_update": "patrols.plan",
        "cancel": "patrols.plan",
        "assess_risk": "patrols.assess_risk",
        "approve_risk": "patrols.approve_risk",
        "deploy": "patrols.deploy",
        "close": "patrols.close",
        "work_return": "patrols.file_return",
        "submit_return": "patrols.file_return",
        "amend_return": "patrols.amend_return",
    }
    # Reading or filing a return: only an officer on the patrol, or a supervisor (403).
    filer_actions = frozenset({"work_return", "submit_return"})

    def has_object_permission(self, request, view, obj) -> bool:
        if view.action in self.filer_actions:
            return can_file_return(request.user, obj)
        return True


class PatrolScope(ScopeFilter):
    def scope(self, user, queryset):
        return selectors.patrols_for(user, queryset)


# --- What a patrol recorded ----------------------------------------------------------------


class EncounterPermission(RulePermission):
    """Encounters are read by every police officer of the area, as on a person's timeline."""

    rules = RULES
    action_rules = {"list": "patrols.view", "retrieve": "patrols.view"}


class EncounterScope(ScopeFilter):
    def scope(self, user, queryset):
        return selectors.encounters_for(user, queryset)


class ReturnRecordPermission(RulePermission):
    """Arrests, cautions and intelligence: shown on the submitted return only, to those who
    may file it. ``patrol_path`` leads from the record to its patrol."""

    rules = RULES
    action_rules = {"list": "patrols.file_return", "retrieve": "patrols.file_return"}
    patrol_path = "patrol"

    def has_object_permission(self, request, view, obj) -> bool:
        patrol = obj
        for name in self.patrol_path.split("."):
            patrol = getattr(patrol, name)
        return patrol is not None and can_file_return(request.user, patrol)


class CautionPermission(ReturnRecordPermission):
    patrol_path = "arrest.patrol"


class ReturnRecordScope(ScopeFilter):
    """A single record: the user's areas (404 outside); a list: only the records of the
    patrols whose return the user may read, so nothing is filtered out in Python."""

    patrol_lookup = "patrol"

    def filter_queryset(self, request, queryset, view):
        self.listing = getattr(view, "action", None) == "list"
        return super().filter_queryset(request, queryset, view)

    def scope(self, user, queryset):
        patrols = return_patrols_for(user) if self.listing else Patrol.objects.visible_to(user)
        return queryset.filter(**{f"{self.patrol_lookup}__in": patrols})


class CautionScope(ReturnRecordScope):
    patrol_lookup = "arrest__patrol"


class IntelligencePermission(ReturnRecordPermission):
    """Intelligence from a patrol's return, or graded from a partner's concern (no patrol):
    ``permissions.can_read_intelligence``."""

    def has_object_permission(self, request, view, obj) -> bool:
        return can_read_intelligence(request.user, obj)


class IntelligenceScope(ReturnRecordScope):
    """A list: ``selectors.intelligence_for``; a single report: the user's areas, through
    its patrol or the concern it was graded from (404 outside)."""

    def scope(self, user, queryset):
        if self.listing:
            return selectors.intelligence_for(user, queryset)
        return queryset.filter(
            Q(patrol__in=Patrol.objects.visible_to(user))
            | Q(partner_concern__area__in=user.areas.all())
        )
