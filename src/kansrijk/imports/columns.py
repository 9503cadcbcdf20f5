"""Declared column rules: each importer says which columns it reads and what a cell may
hold; ``check_header`` and ``check_row`` apply the rules and name row and column in
every problem."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from .problems import ImportProblem, rejected
from .readers import Cell, Table


class CellError(Exception):
    """A parser's refusal of one cell; its message is shown with row and column."""


@dataclass(frozen=True)
class Column:
    name: str
    # The column must be in the header.
    required: bool = False
    # Every (non-blank) row must fill it.
    filled: bool = False
    # Text -> value; raises CellError. None keeps the text as it is.
    parse: Callable[[Any], Any] | None = None
    max_length: int | None = None
    minimum: Any = None
    maximum: Any = None
    # The allowed values (after parsing); a mapping translates words to values.
    choices: Sequence[Any] | Mapping[str, Any] | None = None


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value)


def check_header(rules: Sequence[Column], columns: Sequence[str]) -> list[ImportProblem]:
    problems = []
    seen: set[str] = set()
    for column in columns:
        if column and column in seen:
            problems.append(ImportProblem(1, column, _("deze kolom staat er twee keer in.")))
        seen.add(column)
    for rule in rules:
        if rule.required and rule.name not in seen:
            problems.append(
                ImportProblem(None, rule.name, _("deze kolom ontbreekt in het bestand."))
            )
    return problems


def data_rows(
    table: Table, wanted: Collection[str], *, max_rows: int
) -> Iterator[tuple[int, dict[str, Cell]]]:
    """The table's non-blank rows as ``(number, {column: cell})`` for the wanted
    columns; refused when there are more than ``max_rows`` of them."""
    columns = table.columns
    count = 0
    for number, record in table.rows:
        cells = {
            column: cell
            for column, cell in zip(columns, record, strict=False)
            if column and column in wanted
        }
        if all(blank(cell.value) for cell in cells.values()):
            continue
        count += 1
        if count > max_rows:
            raise rejected(_("Het bestand heeft meer dan %(n)s rijen.") % {"n": max_rows})
        yield number, cells


def check_row(
    rules: Sequence[Column], number: int, cells: Mapping[str, Any]
) -> tuple[dict[str, Any], list[ImportProblem]]:
    """The parsed values of one row (only the columns it has) and its problems."""
    values: dict[str, Any] = {}
    problems = []
    for rule in rules:
        if rule.name not in cells:
            continue
        raw = cells[rule.name]
        raw = raw.value if isinstance(raw, Cell) else raw
        try:
            values[rule.name] = check_value(rule, raw)
        except CellError as error:
            problems.append(ImportProblem(number, rule.name, str(error)))
    return values, problems


def check_value(rule: Column, raw: Any) -> Any:
    if isinstance(raw, str) and "\x00" in raw:
        raise CellError(_("deze cel bevat een NUL-teken; dat kan niet."))
    if blank(raw):
        if rule.filled:
            raise CellError(_("deze cel is leeg, maar moet gevuld zijn."))
        return None
    text = cell_text(raw).strip()
    if rule.max_length is not None and len(text) > rule.max_length:
        raise CellError(_("langer dan %(n)s tekens.") % {"n": rule.max_length})
    value = rule.parse(raw) if rule.parse else text
    if rule.choices is not None:
        value = _choice(rule, value)
    if rule.minimum is not None and value < rule.minimum:
        raise CellError(
            _("%(value)s is kleiner dan %(minimum)s.") % {"value": text, "minimum": rule.minimum}
        )
    if rule.maximum is not None and value > rule.maximum:
        raise CellError(
            _("%(value)s is groter dan %(maximum)s.") % {"value": text, "maximum": rule.maximum}
        )
    return value


def _choice(rule: Column, value: Any) -> Any:
    choices = rule.choices
    key = value.lower() if isinstance(value, str) else value
    if isinstance(choices, Mapping):
        if key in choices:
            return choices[key]
        options = list(choices)
    else:
        if value in choices or key in choices:
            return value if value in choices else key
        options = list(choices)
    raise CellError(
        _("'%(value)s' is geen geldige waarde; kies uit %(options)s.")
        % {"value": cell_text(value)[:80], "options": ", ".join(str(o) for o in options)}
    )


# ------------------------------------------------------------------ common parsers


def parse_decimal(value: Any, places: int | None = None) -> Decimal:
    """A number in Dutch (1.234,50) or plain (1234.50) notation."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        text = str(value).replace("€", "").replace("\u00a0", "").replace(" ", "").strip()
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(
                _("'%(value)s' is geen getal.") % {"value": cell_text(value)[:80]}
            ) from None
    if not number.is_finite() or abs(number.adjusted()) > 30:
        raise CellError(_("'%(value)s' is geen getal.") % {"value": cell_text(value)[:80]})
    return number if places is None else number.quantize(Decimal(1).scaleb(-places))


def parse_integer(value: Any) -> int:
    number = parse_decimal(value)
    if number != number.to_integral_value():
        raise CellError(_("'%(value)s' is geen geheel getal.") % {"value": cell_text(value)[:80]})
    return int(number)


def parse_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value).strip()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CellError(
            _("'%(value)s' is geen datum; schrijf JJJJ-MM-DD.") % {"value": text[:80]}
        ) from None


def parse_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).strip().lower()
    if text in ("nee", "n", "false", "onwaar", "0", "no"):
        return False
    if text in ("ja", "j", "true", "waar", "1", "yes"):
        return True
    raise CellError(_("'%(value)s' is geen ja of nee.") % {"value": cell_text(value)[:80]})
