"""Session rules (idle and absolute timeouts, sign out everywhere) and the second factor.

Placeholders while issue 7's authentication work is built: they pass every request on.
"""


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


class RequireSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
