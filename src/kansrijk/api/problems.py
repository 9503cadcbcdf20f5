"""Errors of the API as problem details, ``application/problem+json`` (RFC 9457; API
Design Rules /core/problem-details, decision 0045).

Every error has ``type``, ``title``, ``status``, ``detail`` and ``instance``; a
validation error adds ``invalid-params``, one entry per field and reason, in Dutch.
DRF's errors come through ``exception_handler``; errors Django answers itself under /api/
(an unknown route, a server error, the input guard's refusal) through ``problem``, called
by ``middleware.ApiAnswerMiddleware``.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

CONTENT_TYPE = "application/problem+json"

# No problem types of our own: the status says what went wrong (RFC 9457, section 4.2.1).
GENERIC_TYPE = "about:blank"


def titles() -> dict[int, str]:
    # A function, so the titles are translated in the request's language.
    return {
        400: _("Ongeldige aanvraag"),
        401: _("Niet ingelogd"),
        403: _("Geen toegang"),
        404: _("Niet gevonden"),
        405: _("Methode niet toegestaan"),
        406: _("Niet aanvaardbaar"),
        409: _("Conflict"),
        413: _("Aanvraag te groot"),
        415: _("Mediatype niet ondersteund"),
        429: _("Te veel aanvragen"),
        500: _("Interne serverfout"),
        503: _("Dienst niet beschikbaar"),
    }


def _default_detail(status: int) -> str:
    return {
        404: _("Dit adres bestaat niet in de API, of wat er staat mag je niet zien."),
        500: _("Er ging iets mis aan onze kant. Probeer het later opnieuw."),
    }.get(status, "")


def problem_data(
    request, status: int, detail: str = "", invalid_params: list | None = None
) -> dict:
    data = {
        "type": GENERIC_TYPE,
        "title": titles().get(status, _("Fout")),
        "status": status,
        "detail": detail or _default_detail(status) or titles().get(status, ""),
        # The address without its query: a query may hold what a caller typed.
        "instance": request.path,
    }
    if invalid_params is not None:
        data["invalid-params"] = invalid_params
    return data


def problem(request, status: int, detail: str = "", invalid_params=None) -> HttpResponse:
    """A problem answer outside DRF (Django's 404 and 500 under /api/)."""
    data = problem_data(request, status, detail, invalid_params)
    return HttpResponse(json.dumps(data), status=status, content_type=CONTENT_TYPE)


def invalid_params(detail, name: str = "") -> list[dict]:
    """DRF's nested errors as a flat list: ``{"name": "events[0].date", "reason": …}``."""
    if isinstance(detail, dict):
        return [
            entry
            for key, value in detail.items()
            for entry in invalid_params(value, f"{name}.{key}" if name else str(key))
        ]
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [_param(name or "non_field_errors", item) for item in detail]
        return [
            entry
            for index, item in enumerate(detail)
            for entry in invalid_params(item, f"{name}[{index}]")
        ]
    return [_param(name or "non_field_errors", detail)]


def _param(name: str, reason) -> dict:
    return {"name": name, "code": getattr(reason, "code", "invalid"), "reason": str(reason)}


def exception_handler(exc, context):
    """DRF's exception handler, answering problem details."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a server error: Django logs it, the middleware answers problem+json
    request = context["request"]
    set_rollback()  # as DRF's own handler: an ATOMIC_REQUESTS transaction is undone
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        data = problem_data(
            request,
            exc.status_code,
            _("De gegevens zijn niet geldig; zie invalid-params."),
            invalid_params(exc.detail),
        )
    elif isinstance(exc, exceptions.Throttled):
        usage = getattr(request._request, "api_rate_usage", None)
        refusal = usage.refusal if usage is not None else None
        data = problem_data(request, exc.status_code, refusal.message if refusal else "")
    else:
        data = problem_data(request, exc.status_code, str(exc.detail))
    return Response(data, status=exc.status_code, headers=headers, content_type=CONTENT_TYPE)
