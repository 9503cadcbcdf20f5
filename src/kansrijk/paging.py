"""Keyset ("seek") paging for the lists that grow without bound (decision 0044).

An offset page (``LIMIT 50 OFFSET 180000``) makes the database walk past every row
before the page, so page 3,600 of the audit trail took seconds and got slower as the
trail grew. A keyset page starts where the previous one ended instead: ``WHERE (at, id)
< (last at, last id) ORDER BY at DESC, id DESC LIMIT 51``, which an index on
``(at, id)`` answers by reading 51 rows, however deep the page.

The list must be ordered by a key that is unique as a whole (a timestamp and the
primary key as tie-breaker), and none of its fields may be null. The position travels
in the address as an opaque cursor, signed with ``django.core.signing``: a cursor that
was changed, cut short or made for another list gives the first page and a short
notice, never an error. Old ``?pagina=`` links still work: a small page number is
served once by offset (cheap near the start), a large one gives the first page.

There is no ``COUNT(*)`` over the whole list on every page: the count stops at
``COUNT_LIMIT`` and the page says "meer dan 1.000" beyond it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

# The address parameter that carries the cursor; `pagina` is the old offset parameter.
CURSOR_PARAMETER = "positie"
OLD_PAGE_PARAMETER = "pagina"
# Old page numbers up to this are still served by offset: reading 20 pages' worth of
# rows is cheap, and these are the links people bookmarked or mailed.
OLD_PAGES_SERVED = 20
# Counting stops here; above it a list says "meer dan" instead of its total.
COUNT_LIMIT = 1000

FORWARD, BACKWARD = "v", "t"


class BadCursor(ValueError):
    """A cursor that was not made by this list, or whose values do not fit its key."""


@dataclass
class KeysetPage:
    """One page of a keyset-paged list, shaped for ``includes/keyset_pagination.html``."""

    object_list: list
    per_page: int
    has_next: bool = False
    has_previous: bool = False
    next_cursor: str | None = None
    previous_cursor: str | None = None
    # The size of the whole list up to COUNT_LIMIT; `count_is_exact` false beyond it.
    count: int = 0
    count_is_exact: bool = True
    notices: list[str] = field(default_factory=list)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _key_fields(ordering: tuple[str, ...]) -> list[tuple[str, bool]]:
    """``("-at", "-id")`` → ``[("at", True), ("id", True)]`` (name, descending)."""
    return [(name.lstrip("-"), name.startswith("-")) for name in ordering]


def _value_of(obj, name: str):
    return obj.pk if name == "pk" else getattr(obj, name)


def _to_json(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _from_json(queryset: QuerySet, name: str, value):
    opts = queryset.model._meta
    model_field = opts.pk if name == "pk" else opts.get_field(name)
    try:
        parsed = model_field.to_python(value)
    except (ValidationError, TypeError, ValueError) as error:
        raise BadCursor(str(error)) from error
    if parsed is None:
        raise BadCursor("empty key value")
    return parsed


def _salt(queryset: QuerySet, ordering: tuple[str, ...], name: str) -> str:
    # A cursor of one list is refused by another (and by the same list in another order).
    return f"kansrijk.paging:{queryset.model._meta.label_lower}:{name}:{','.join(ordering)}"


def make_cursor(direction: str, values: list, salt: str) -> str:
    return signing.dumps({"d": direction, "k": [_to_json(v) for v in values]}, salt=salt)


def read_cursor(cursor: str, queryset: QuerySet, ordering: tuple[str, ...], salt: str):
    """(direction, key values) of a signed cursor; `BadCursor` for anything else."""
    try:
        payload = signing.loads(cursor, salt=salt)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadCursor("bad signature") from error
    if not isinstance(payload, dict) or payload.get("d") not in (FORWARD, BACKWARD):
        raise BadCursor("bad payload")
    values = payload.get("k")
    if not isinstance(values, list) or len(values) != len(ordering):
        raise BadCursor("bad key")
    names = [name for name, _descending in _key_fields(ordering)]
    return payload["d"], [_from_json(queryset, n, v) for n, v in zip(names, values, strict=True)]


def after(ordering: tuple[str, ...], values: list, *, backward: bool = False) -> Q:
    """The rows after ``values`` in ``ordering`` (before them when ``backward``).

    Written as ``a <= x AND (a < x OR (a = x AND b < y))``: the first, redundant term
    lets the database start its index scan at the cursor instead of filtering its way
    there from the top of the index, which would cost as much as an offset.
    """
    fields = _key_fields(ordering)
    seek = Q()
    for index in range(len(fields) - 1, -1, -1):
        name, descending = fields[index]
        lookup = "lt" if descending != backward else "gt"
        step = Q(**{f"{name}__{lookup}": values[index]})
        if index < len(fields) - 1:
            step |= Q(**{name: values[index]}) & seek
        seek = step
    first_name, first_descending = fields[0]
    bound = "lte" if first_descending != backward else "gte"
    return Q(**{f"{first_name}__{bound}": values[0]}) & seek


def _reverse(ordering: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name[1:] if name.startswith("-") else f"-{name}" for name in ordering)


def _old_page_number(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 0
    return number if number >= 1 else 0


def keyset_page(
    request,
    queryset: QuerySet,
    ordering: tuple[str, ...],
    *,
    per_page: int = 50,
    name: str = "",
    count: bool = True,
) -> KeysetPage:
    """The page of ``queryset`` that the request's cursor points at.

    ``ordering`` must end with the primary key (``("-created_at", "-pk")``) so that the
    key is unique. ``name`` tells lists of the same model apart in their cursors. Costs
    one query for the page and, with ``count``, one bounded count.
    """
    if not ordering or ordering[-1].lstrip("-") not in ("pk", "id"):
        raise ValueError("A keyset ordering must end with the primary key.")
    salt = _salt(queryset, ordering, name)
    names = [field_name for field_name, _descending in _key_fields(ordering)]
    page = KeysetPage(object_list=[], per_page=per_page)

    direction, values, offset = FORWARD, None, 0
    cursor = request.GET.get(CURSOR_PARAMETER)
    if cursor:
        try:
            direction, values = read_cursor(cursor, queryset, ordering, salt)
        except BadCursor:
            page.notices.append(
                _(
                    "Deze link naar een pagina van de lijst klopt niet (meer). Je ziet de eerste pagina."
                )
            )
    else:
        number = _old_page_number(request.GET.get(OLD_PAGE_PARAMETER))
        if number and number <= OLD_PAGES_SERVED:
            offset = (number - 1) * per_page
        elif number is not None and number != 1:
            page.notices.append(
                _("Deze lijst bladert niet meer met paginanummers. Je ziet de eerste pagina.")
            )

    if values is not None and direction == BACKWARD:
        rows = list(
            queryset.filter(after(ordering, values, backward=True)).order_by(*_reverse(ordering))[
                : per_page + 1
            ]
        )
        page.has_previous = len(rows) > per_page
        rows = rows[:per_page]
        rows.reverse()
        page.has_next = True
        if len(rows) < per_page:
            # Fewer rows before this one than a page: start again at the top, so that
            # the first page is always a full one.
            values, direction = None, FORWARD
    if values is None or direction == FORWARD:
        ordered = queryset.order_by(*ordering)
        if values is not None:
            ordered = ordered.filter(after(ordering, values))
        rows = list(ordered[offset : offset + per_page + 1])
        page.has_next = len(rows) > per_page
        rows = rows[:per_page]
        page.has_previous = values is not None or offset > 0
        if offset and not rows:
            # An old page number past the end: the first page rather than nothing.
            rows = list(ordered[: per_page + 1])
            page.has_next, page.has_previous = len(rows) > per_page, False
            rows = rows[:per_page]

    page.object_list = rows
    if rows:
        if page.has_next:
            page.next_cursor = make_cursor(FORWARD, [_value_of(rows[-1], n) for n in names], salt)
        if page.has_previous:
            page.previous_cursor = make_cursor(
                BACKWARD, [_value_of(rows[0], n) for n in names], salt
            )
    else:
        page.has_next = page.has_previous = False

    if count:
        # Bounded: SELECT COUNT(*) FROM (… LIMIT 1001), never the whole table.
        counted = queryset.order_by()[: COUNT_LIMIT + 1].count()
        page.count, page.count_is_exact = min(counted, COUNT_LIMIT), counted <= COUNT_LIMIT
    for notice in page.notices:
        messages.info(request, notice, fail_silently=True)
    return page
