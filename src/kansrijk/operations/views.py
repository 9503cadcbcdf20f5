"""Answers for machines: a load balancer's liveness and readiness probes, and
Prometheus's scrape. No login, no audit record, no throttle; never cached."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from kansrijk.throttling.services import client_ip

from . import checks
from .metrics import registry


@never_cache
@require_safe
def live(request):
    """The process answers: nothing else is asked, not even the database."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def ready(request):
    status, answer = checks.readiness()
    return JsonResponse(answer, status=status)


def may_scrape(request) -> bool:
    """With the configured bearer token, or from a configured address or network."""
    token = settings.KANSRIJK["METRICS"]["TOKEN"]
    header = request.headers.get("Authorization", "")
    offered = header.removeprefix("Bearer ") if header.startswith("Bearer ") else ""
    if token and offered and hmac.compare_digest(offered.encode(), token.encode()):
        return True
    networks = settings.KANSRIJK["METRICS"]["ADDRESSES"]
    address = client_ip(request)
    if networks and address:
        ip = ipaddress.ip_address(address)
        return any(ip in ipaddress.ip_network(network, strict=False) for network in networks)
    return False


@never_cache
@require_safe
def metrics(request):
    # Closed by default, and closed looks like absent: a 404, as for any unknown page.
    if not may_scrape(request):
        raise Http404
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
