"""REST API for patrols (issue 6): hotspots, patrols with their crew, invitations, risk
assessment and work return, and the records a return holds — encounters, arrests,
conditional cautions and intelligence. Police only: partner users get 404 everywhere.

- ``access``: one permission class and one scope filter per resource, over the app's own
  RULES and querysets (patrols.permissions, Patrol.objects.visible_to);
- ``serializers``: what each resource reads as; ``inputs``: what a write takes, checked by
  the pages' own forms and by patrols.services, whose rules are never restated here;
- ``base``: what the viewsets share; ``views``: hotspots and patrols; ``records``: what a
  patrol recorded about people.
"""


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    from .records import ArrestViewSet, CautionViewSet, EncounterViewSet, IntelligenceViewSet
    from .views import HotspotViewSet, PatrolViewSet

    router.register("hotspots", HotspotViewSet, basename="hotspot")
    router.register("patrols", PatrolViewSet, basename="patrol")
    router.register("encounters", EncounterViewSet, basename="encounter")
    router.register("arrests", ArrestViewSet, basename="arrest")
    router.register("cautions", CautionViewSet, basename="caution")
    router.register("intelligence", IntelligenceViewSet, basename="intelligence")
