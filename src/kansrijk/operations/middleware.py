"""One middleware, first in the chain: gives the request its id, and when the answer is
ready counts it for Prometheus and writes one access line (decision 0043)."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.urls import Resolver404, resolve

from . import logs
from .metrics import KNOWN_METHODS, count_request

access_log = logging.getLogger("kansrijk.access")

# Probes arrive every few seconds from every load balancer: their lines would drown the
# rest, so they are written at DEBUG.
QUIET_ROUTES = frozenset({"operations:live", "operations:ready"})


def route_name(request) -> str:
    """The name of the URL pattern that answered (``cases:detail``), never the path: a
    path holds ids, and a query string may hold a BSN. A pattern without a name gives its
    route with placeholders; a request no pattern matches gives ``unmatched``."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        # A middleware answered before the URL was resolved (a redirect, a refusal).
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return "static"
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return "unmatched"
    return match.view_name or match.route or "unmatched"


class RequestObservationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = logs.request_id_from(request.headers.get("X-Request-ID"))
        request.request_id = request_id
        token = logs.request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            response["X-Request-ID"] = request_id
            route = route_name(request)
            method = request.method if request.method in KNOWN_METHODS else "other"
            count_request(route, method, response.status_code, seconds)
            access_log.log(
                logging.DEBUG if route in QUIET_ROUTES else logging.INFO,
                "%s %s %s %.0fms",
                method,
                route,
                response.status_code,
                seconds * 1000,
                extra={
                    "method": method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            return response
        finally:
            logs.request_id_var.reset(token)
