"""REST API for this app (issue 6): serializers, permission class, scope filter, viewsets."""


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
