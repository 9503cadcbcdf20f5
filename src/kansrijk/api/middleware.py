"""What every answer under /api/ gets, whichever part of the stack gave it (decision 0045).

* ``API-Version``: the full version (``settings.API_VERSION``), also on errors.
* ``RateLimit-Limit``, ``RateLimit-Remaining``, ``RateLimit-Reset`` when the request was
  counted by ``throttles.ApiRateThrottle``.
* An error that is not yet ``application/problem+json`` becomes one: Django's 404 for a
  route that does not exist, its 500 after an unhandled error (logged by Django before it
  gets here), the input guard's refusal.
"""

from django.conf import settings

from . import problems

API_PREFIX = "/api/"


class ApiAnswerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX):
            return response
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            problems.CONTENT_TYPE
        ):
            replaced = problems.problem(request, response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    replaced[header] = response[header]
            response = replaced
        response["API-Version"] = settings.API_VERSION
        usage = getattr(request, "api_rate_usage", None)
        if usage is not None:
            response["RateLimit-Limit"] = str(usage.limit.attempts)
            response["RateLimit-Remaining"] = str(usage.remaining)
            response["RateLimit-Reset"] = str(usage.reset_seconds)
        return response
