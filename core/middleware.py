"""Middleware shared by every page and the API."""

from django.utils.cache import patch_cache_control


class PrivateResponsesMiddleware:
    """What a signed-in user (or a request with API credentials) is shown is never kept
    by a browser's cache, a proxy or the back button's store: ``Cache-Control: private,
    no-store`` on every such response that does not say otherwise itself.

    Static files keep their long cache: WhiteNoise answers them before this middleware
    runs. Pages for visitors (the sign-in page) show no personal data and are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response and _has_credentials(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _has_credentials(request) -> bool:
    # DRF sets request.user from the token on the underlying request too; the header is
    # checked as well so that a refused token's answer is not stored either.
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META
