"""Declared column rules: each importer says which columns it reads and what a cell may
hold; ``check_header`` and ``check_row`` apply the rules and name row and column in
every problem."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from kansrijk.organisations import validators

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
    # An importer's own wording for a broken rule, by rule: "filled", "max_length",
    # "minimum", "maximum". Formatted with value, length, n, minimum and maximum.
    messages: Mapping[str, Any] | None = None

    def message(self, rule: str, default: Any, **values: Any) -> str:
        text = (self.messages or {}).get(rule, default)
        return str(text) % values if values else str(text)


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
            raise CellError(rule.message("filled", _("deze cel is leeg, maar moet gevuld zijn.")))
        return None
    return _checked(rule, raw, cell_text(raw).strip())


def check_text(rule: Column, text: str) -> Any:
    """``check_value`` for a cell that is already stripped text (the case register's
    CSV, checked at thousands of rows a second): blank is "", NUL was refused while
    reading."""
    if not text:
        if rule.filled:
            raise CellError(rule.message("filled", _("deze cel is leeg, maar moet gevuld zijn.")))
        return None
    if rule.max_length is not None or rule.choices is not None:
        return _checked(rule, text, text)
    # The common case written out: this runs for every cell of every row.
    value = rule.parse(text) if rule.parse else text
    if rule.minimum is not None or rule.maximum is not None:
        _check_range(rule, value, text)
    return value


def _checked(rule: Column, raw: Any, text: str) -> Any:
    if rule.max_length is not None and len(text) > rule.max_length:
        raise CellError(
            rule.message(
                "max_length", _("hoogstens %(n)s tekens."), n=rule.max_length, length=len(text)
            )
        )
    value = rule.parse(raw) if rule.parse else text
    if rule.choices is not None:
        value = _choice(rule, value)
    if rule.minimum is not None or rule.maximum is not None:
        _check_range(rule, value, text)
    return value


def _check_range(rule: Column, value: Any, text: str) -> None:
    if rule.minimum is not None and value < rule.minimum:
        raise CellError(
            rule.message(
                "minimum", _("%(value)s is kleiner dan %(minimum)s."), **_bounds(rule, text)
            )
        )
    if rule.maximum is not None and value > rule.maximum:
        raise CellError(
            rule.message(
                "maximum", _("%(value)s is groter dan %(maximum)s."), **_bounds(rule, text)
            )
        )


def _bounds(rule: Column, text: str) -> dict[str, Any]:
    return {"value": text[:80], "minimum": rule.minimum, "maximum": rule.maximum}


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
# Every importer takes its parsers from here, so "a date", "a number" or "a BRIN" means
# the same in every file.

# No figure in an agenda, a measurement or a count reaches a million billion; a bigger
# one would only overflow a quantize or a database column.
MAX_DIGITS = 15
ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_decimal(value: Any, places: int | None = None) -> Decimal:
    """A number in Dutch (1.234,50) or plain (1234.50) notation, rounded to ``places``."""
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
                _("'%(value)s' is geen getal.") % {"value": cell_text(value)[:40]}
            ) from None
    if not number.is_finite() or number.adjusted() < -30:
        raise CellError(_("'%(value)s' is geen getal.") % {"value": cell_text(value)[:40]})
    if number.adjusted() >= MAX_DIGITS:
        raise CellError(
            _("%(value)s is te groot; een getal heeft hoogstens %(n)s cijfers voor de komma.")
            % {"value": cell_text(value)[:40], "n": MAX_DIGITS}
        )
    return number if places is None else number.quantize(Decimal(1).scaleb(-places))


def decimal_places(places: int) -> Callable[[Any], Decimal]:
    """A parser of numbers rounded to ``places`` decimals (a money column: 2)."""
    return functools.partial(parse_decimal, places=places)


def parse_integer(value: Any) -> int:
    number = parse_decimal(value, 6)
    if number != number.to_integral_value():
        raise CellError(_("'%(value)s' is geen geheel getal.") % {"value": cell_text(value)[:40]})
    return int(number)


def date_from_text(text: str) -> datetime.date:
    """JJJJ-MM-DD or DD-MM-JJJJ (also D-M-JJJJ, as Dutch Excel writes it); ValueError
    otherwise."""
    if ISO_DATE_RE.fullmatch(text):
        return datetime.date.fromisoformat(text)
    parts = text.split("-")
    if len(parts) != 3 or not all(part.isascii() and part.isdigit() for part in parts):
        raise ValueError(text)
    first, month, last = parts
    if len(first) == 4 and len(month) <= 2 and len(last) <= 2:
        year, day = first, last
    elif len(last) == 4 and len(first) <= 2 and len(month) <= 2:
        year, day = last, first
    else:
        raise ValueError(text)
    return datetime.date(int(year), int(month), int(day))


def parse_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value).strip()
    try:
        return date_from_text(text)
    except ValueError:
        raise CellError(
            _("'%(value)s' is geen datum; schrijf JJJJ-MM-DD.") % {"value": text[:80]}
        ) from None


def parse_month(value: Any) -> datetime.date:
    """JJJJ-MM (or a date) as the first of its month."""
    if isinstance(value, datetime.date):
        return datetime.date(value.year, value.month, 1)
    text = cell_text(value).strip()
    match = MONTH_RE.match(text)
    if not match:
        raise CellError(
            _("'%(value)s' is geen maand; schrijf JJJJ-MM, bijvoorbeeld 2022-03.")
            % {"value": text[:80]}
        )
    return datetime.date(int(match[1]), int(match[2]), 1)


def list_of(parse: Callable[[Any], Any], separator: str = "|") -> Callable[[Any], list]:
    """A parser of a cell that lists values, each read by ``parse``."""

    def parse_list(value: Any) -> list:
        if isinstance(value, datetime.date):
            return [parse(value)]
        parts = (part.strip() for part in cell_text(value).split(separator))
        return [parse(part) for part in parts if part]

    return parse_list


def parse_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).strip().lower()
    if text in ("nee", "n", "false", "onwaar", "0", "no"):
        return False
    if text in ("ja", "j", "true", "waar", "1", "yes"):
        return True
    raise CellError(_("'%(value)s' is geen ja of nee.") % {"value": cell_text(value)[:80]})


def text_choice(
    choices: type[models.TextChoices], what: str, *, show_words: bool = False
) -> Callable[[Any], str]:
    """A parser that accepts a code (``running``) or its Dutch word (``lopend``); the
    message lists the codes, or the words when ``show_words``."""

    def parse(value: Any) -> str:
        text = cell_text(value).strip().lower()
        with translation.override("nl"):
            known = {str(label).lower(): code for code, label in choices.choices}
            words = [str(label) for _code, label in choices.choices]
        known.update({code: code for code in choices.values})
        if text in known:
            return known[text]
        options = words if show_words else list(choices.values)
        raise CellError(
            _("'%(value)s' is geen geldige %(what)s; kies uit %(options)s.")
            % {"value": cell_text(value)[:80], "what": what, "options": ", ".join(options)}
        )

    return parse


def validated(
    validator: Callable[[str], None], normalise: Callable[[str], str] = str.upper
) -> Callable[[Any], str]:
    """A parser of a code that one of ``organisations.validators`` checks (BRIN, GM
    code, postcode, BSN): the normalised text, or the validator's own Dutch message."""

    def parse(value: Any) -> str:
        try:
            text = normalise(cell_text(value).strip())
            validator(text)
        except ValidationError as error:
            raise CellError(error.messages[0]) from None
        return text

    return parse


def _identity(text: str) -> str:
    return text


parse_brin6 = validated(validators.validate_brin6)
parse_gm_code = validated(validators.validate_gm_code)
parse_bsn = validated(validators.validate_bsn, _identity)
# A postcode is stored as "1941 AB", however it was typed.
parse_postcode = validated(_identity, validators.normalise_postcode)


def from_validation(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A parser made of a function that refuses with Django's ValidationError (a form's
    own parser, such as a period or an age): its first message becomes the cell's."""

    def parse_cell(value: Any) -> Any:
        try:
            return parse(value)
        except ValidationError as error:
            raise CellError(error.messages[0]) from None

    return parse_cell
