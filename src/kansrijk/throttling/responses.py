from django.shortcuts import render

from .services import Refusal


def refused(request, refusal: Refusal):
    """HTTP 429 with the reason and when to try again, in words and in Retry-After."""
    response = render(request, "throttling/refused.html", {"refusal": refusal}, status=429)
    response["Retry-After"] = str(int(refusal.retry_after.total_seconds()) + 1)
    return response


class ThrottleResponseMiddleware:
    """Answers a login refused by ``ThrottleBackend`` (on our login page, the admin's, or
    anywhere else that authenticates with a request) with the refusal page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        refusal = getattr(request, "throttle_refusal", None)
        if refusal is not None:
            return refused(request, refusal)
        return response
