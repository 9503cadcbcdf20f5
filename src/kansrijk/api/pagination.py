"""Paging of the API's lists.

* ``Pagination``: page numbers, for the lists that stay small (agendas, reference data).
* ``KeysetPagination``: an opaque cursor for the lists that grow without bound (cases,
  measurements, reported counts). A page starts after the last row of the page before,
  by a unique order, so a row added or removed meanwhile is never shown twice or skipped,
  and page 1000 costs what page 1 costs: no OFFSET (decision 0045).
"""

from __future__ import annotations

import datetime
import operator
from functools import reduce

from django.core import signing
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

CURSOR_SALT = "kansrijk.api.cursor"


class Pagination(PageNumberPagination):
    """50 items a page by default; a caller may ask for up to 200 with ``page_size``."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class KeysetPagination(BasePagination):
    """Pages by a cursor: the order's values of the row a page continues from.

    The view names its order in ``keyset``, ending in the primary key so that it is
    unique, e.g. ``("-start_date", "-pk")``. The cursor is signed, so a caller can only
    hand back one this API gave: nothing of it reaches the database unchecked.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.keyset = tuple(view.keyset)
        self.size = self._page_size(request)
        position, backwards = self._decode(request.query_params.get(self.cursor_query_param))
        order = [_flip(field) for field in self.keyset] if backwards else list(self.keyset)
        queryset = queryset.order_by(*order)
        if position is not None:
            queryset = queryset.filter(_after(order, position))
        rows = list(queryset[: self.size + 1])
        more = len(rows) > self.size
        rows = rows[: self.size]
        if backwards:
            rows.reverse()
        self.has_next = more if not backwards else bool(rows)
        self.has_previous = (position is not None) if not backwards else more
        self.rows = rows
        return rows

    def get_paginated_response(self, data):
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_next_link(self) -> str | None:
        if not (self.has_next and self.rows):
            return None
        return self._link(self.rows[-1], backwards=False)

    def get_previous_link(self) -> str | None:
        if not (self.has_previous and self.rows):
            return None
        return self._link(self.rows[0], backwards=True)

    def _link(self, row, *, backwards: bool) -> str:
        cursor = signing.dumps(
            {"k": [_plain(_value(row, field)) for field in self.keyset], "b": backwards},
            salt=CURSOR_SALT,
            compress=True,
        )
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)

    def _page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
            raise ValidationError(
                {self.page_size_query_param: [_("Geef een geheel getal van 1 of groter.")]}
            )
        return min(int(raw), self.max_page_size)

    def _decode(self, raw: str | None):
        if not raw:
            return None, False
        try:
            data = signing.loads(raw, salt=CURSOR_SALT)
            position, backwards = data["k"], bool(data["b"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            position = None
        if not isinstance(position, list) or len(position) != len(self.keyset):
            raise ValidationError(
                {self.cursor_query_param: [_("Deze cursor is ongeldig of verlopen.")]}
            )
        return position, backwards

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "Opaque cursor from `next` or `previous` of an earlier page; without it "
                    "the first page."
                ),
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {self.max_page_size} (default "
                f"{self.page_size}).",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "description": "The next page; null on the last."},
                "previous": {**link, "description": "The page before; null on the first."},
                "results": schema,
            },
        }


def _flip(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"


def _after(order: list[str], position: list) -> Q:
    """Rows after ``position`` in ``order``: equal on the first fields and past it on the
    next, for each field in turn (a keyset condition, served by the order's index)."""
    alternatives = []
    for index, field in enumerate(order):
        name = field.lstrip("-")
        equal = {f.lstrip("-"): position[i] for i, f in enumerate(order[:index])}
        past = {f"{name}__{'lt' if field.startswith('-') else 'gt'}": position[index]}
        alternatives.append(Q(**equal, **past))
    return reduce(operator.or_, alternatives)


def _value(row, field: str):
    value = row
    for part in field.lstrip("-").split("__"):
        value = getattr(value, part)
    return value


def _plain(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value
