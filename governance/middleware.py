from . import audit


class AuditContextMiddleware:
    """Makes the signed-in user and the client's address available to ``audit.record``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.set_request(request)
        try:
            return self.get_response(request)
        finally:
            audit.reset_request(token)
