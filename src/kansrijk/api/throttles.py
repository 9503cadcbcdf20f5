"""Rate limits of the API on the project's own counters (decision 0024), so every web
process counts the same requests without a cache service (decision 0045).

A caller with an API key is counted per key (``api_per_token``), a logged-in user per
account, both on the same limit; a caller without either per address
(``api_per_address``). The counter's state goes on the request, for the RateLimit-*
headers that ``middleware.ApiAnswerMiddleware`` adds to every answer.
"""

from __future__ import annotations

import math

from rest_framework.throttling import BaseThrottle

from kansrijk.throttling import services as throttle

from .models import ApiToken


class ApiRateThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        name, key = self.limit_and_key(request)
        usage = throttle.consume(name, key)
        # On the Django request: the middleware sees that one, not DRF's wrapper.
        request._request.api_rate_usage = usage
        self.refusal = usage.refusal
        return usage.refusal is None

    @staticmethod
    def limit_and_key(request) -> tuple[str, str]:
        if isinstance(request.auth, ApiToken):
            return throttle.API_PER_TOKEN, f"token:{request.auth.pk}"
        if request.user is not None and request.user.is_authenticated:
            return throttle.API_PER_TOKEN, f"user:{request.user.pk}"
        return throttle.API_PER_ADDRESS, throttle.client_address(request)

    def wait(self) -> float | None:
        if self.refusal is None:
            return None
        return math.ceil(self.refusal.retry_after.total_seconds())
