"""What no input may carry, defined once: for the query string and form values (the
middleware below), JSON bodies of the API (``kansrijk.api.parsers``) and integers that
reach a database look-up.

PostgreSQL cannot store NUL; XML (DOCX, XLSX, the sociale kaart's exports) cannot hold the
other C0 control characters, lone surrogates or U+FFFE/U+FFFF; no person types them. A value
that carries one is refused at the door with a Dutch answer (400), so no form, filter or
service has to remember it (docs/decisions/0026).
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.http.response import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

# Tab, line feed and carriage return are ordinary text; every other C0 control character,
# the UTF-16 surrogates (a JSON body can name one alone) and the two non-characters XML
# refuses are not.
FORBIDDEN_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# The largest integer any database Kansrijk runs on can compare with (SQLite's and
# PostgreSQL's bigint): a larger one can name no row, and SQLite raises OverflowError on it.
LARGEST_ID = 2**63 - 1

FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def has_forbidden_character(text: str) -> bool:
    return FORBIDDEN_CHARACTER.search(text) is not None


def id_from(raw: str | None) -> int | None:
    """The row id a query parameter names (ASCII digits up to LARGEST_ID), or None: a
    "²", a "-1" or a hundred digits names no row."""
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        return None
    value = int(raw)
    return value if value <= LARGEST_ID else None


def refused_field(data) -> str | None:
    """The name of the first field of a QueryDict whose name or a value holds a forbidden
    character, or None."""
    for name, values in data.lists():
        if has_forbidden_character(name) or any(has_forbidden_character(v) for v in values):
            return FORBIDDEN_CHARACTER.sub("", name)
    return None


def refusal_message(field: str) -> str:
    return _(
        "Het veld ‘%(field)s’ bevat een teken dat hier niet kan staan (een stuurteken "
        "zoals NUL). Haal het weg en probeer het opnieuw."
    ) % {"field": field[:60]}


class RefuseForbiddenCharactersMiddleware:
    """A query parameter or form value with a forbidden character gets a 400 with a Dutch
    message before any view runs; a URL integer beyond any id gets the 404 of an unknown
    object. Placed after the authentication middleware, so the 400 page has its user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = refused_field(request.GET)
        if field is not None:
            return self.refuse(request, field)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Django's <int:…> converter takes any number of digits.
        values = [*view_args, *view_kwargs.values()]
        if any(isinstance(value, int) and value > LARGEST_ID for value in values):
            raise Http404
        # A view exempt from the CSRF check reads its own body (an upload streamed to
        # disk sets its upload handlers first; the API parses JSON): reading the form here
        # would take that from it, as it would from the CSRF check.
        if request.content_type in FORM_CONTENT_TYPES and not getattr(
            view_func, "csrf_exempt", False
        ):
            field = refused_field(request.POST)
            if field is not None:
                return self.refuse(request, field)
        return None

    @staticmethod
    def refuse(request: HttpRequest, field: str) -> HttpResponse:
        message = refusal_message(field)
        if request.path.startswith("/api/"):
            # As the API's own validation errors: a problem naming the parameter.
            from kansrijk.api.problems import invalid_params, problem

            return problem(request, 400, message, invalid_params({field: [message]}))
        return render(request, "400.html", {"message": message}, status=400)
