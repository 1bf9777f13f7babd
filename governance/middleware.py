from . import audit


class AuditContextMiddleware:
    """Makes the signed-in user and the client's address available to ``audit.record``,
    and, after the view (and its transaction) has ended, writes what must last whatever
    the request's outcome: refusals (403, 404) and ``audit.record_lasting`` rows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        setattr(request, audit.AFTER_REQUEST, [])
        token = audit.set_request(request)
        try:
            response = self.get_response(request)
            audit.refused(request, response)
            return response
        finally:
            audit.write_after_request(request)
            audit.reset_request(token)
