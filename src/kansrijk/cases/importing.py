"""Import thuiszitter cases from a CSV file: every row checked, then all rows or none.

The format is written down in ``docs/formats/cases-import.md``: UTF-8 (with or without
BOM), comma or semicolon (the header line tells which), one row per case (dossier):
``dossier_id``, ``bsn`` or ``onderwijsnummer``, ``geboortedatum``, ``woongemeente`` (GM
code), ``brin6``, ``soort``, ``startdatum``, ``aanbod_datum``, ``einddatum``, ``uitkomst``;
optionally ``voornaam``, ``achternaam``, ``sector``.

The file is read once, as a stream, never whole, and no write lock is held while it is
read (decision 0028):

1. **Checking** (``_check_file``): every row on its own (the elfproef, codes, dates and
   their order), against the reference data (BRIN6, GM code), against the rest of the
   file (a dossier twice, one number with two birth dates; kept as 64-bit digests in
   flat arrays, 16 bytes a row) and against the register, batch by batch (a dossier of
   another young person, a young person with another birth date). Every problem names
   its row and column in Dutch and never repeats a BSN.
2. **Staging** (``_Writer``), each batch as soon as it is checked, while no problem has
   been found: new young people (``YoungPerson.set_identifier``: the number encrypted,
   its keyed hash) with their woongemeente, new cases and changed cases (statements
   built once per table: COPY on PostgreSQL, ``executemany`` on SQLite; decision 0016),
   and an audit row per created or changed case, into temporary tables beside the
   register (``import_staging``). A case whose values equal the register's is left
   alone: no write, no audit row. Young people are matched on the keyed hash (under
   every configured key), never on the ciphertext. Checking goes on to the end, so that
   every problem is counted; one problem anywhere and nothing reaches the register.
3. **The switch** (``_Switch``, decision 0034): the staged rows move into the register a
   batch at a time, each batch in a short transaction of its own (on SQLite the write
   lock is held for one batch, however large the file); the last batch marks the run
   done and records the import in the audit trail. A file that passed the check is
   written whole: should the switch be cut off half-way (the worker died, another writer
   created one of its young people in between), the file is checked and switched again,
   which finds the saved part unchanged. When another import wrote the same dossiers or
   young people before this one saved anything, nothing is written and the run says so
   in Dutch.

The running import writes its progress and a heartbeat into its ``ImportRun`` now and
then; a run whose heartbeat stops (its worker died) is marked failed by the worker's
sweep, or, when part of it is saved, taken up again (``import_recovery``). ``start_import`` is the web's way in (the file is kept, encrypted,
in the database, ``kansrijk.kept_files``, and handled by a background task on any
machine, ``tasks.run_case_import``);
the command line calls ``import_cases`` directly.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.debug import sensitive_variables

from kansrijk import kept_files
from kansrijk.audit import chain as audit_chain
from kansrijk.audit import services as audit
from kansrijk.audit.masking import mask
from kansrijk.imports import (
    KIB,
    UTF8_ONLY,
    CellError,
    Column,
    ImportProblem,
    ImportRejected,
    Limits,
    check_header,
    check_text,
    date_from_text,
    read_csv,
)
from kansrijk.imports.writing import let_others_write
from kansrijk.operations.metrics import count_import_rows
from kansrijk.organisations.models import Organisation, OrganisationKind, Region, RegionKind
from kansrijk.organisations.validators import (
    BRIN6_RE,
    GM_CODE_RE,
)
from kansrijk.reports.exporting import unguard_formula

from . import crypto
from .import_staging import AuditTable, Staging, Table, UpdateTable
from .indicators import changed_cases
from .models import (
    Case,
    CaseCategory,
    CaseOutcome,
    IdentifierKind,
    ImportRun,
    ImportStatus,
    Residence,
    YoungPerson,
)
from .queries import scope_of

__all__ = [
    "COLUMNS",
    "ImportProblem",
    "ImportRejected",
    "ImportResult",
    "import_cases",
    "run_stored_import",
    "start_import",
]

logger = logging.getLogger(__name__)

COLUMNS = (
    "dossier_id",
    "bsn",
    "onderwijsnummer",
    "geboortedatum",
    "woongemeente",
    "brin6",
    "soort",
    "startdatum",
    "aanbod_datum",
    "einddatum",
    "uitkomst",
    "voornaam",
    "achternaam",
    "sector",
)
# The header must have these (a cell may be empty where the rules allow it), and at
# least one of IDENTIFIER_COLUMNS.
REQUIRED_COLUMNS = (
    "dossier_id",
    "geboortedatum",
    "woongemeente",
    "brin6",
    "soort",
    "startdatum",
    "aanbod_datum",
    "einddatum",
    "uitkomst",
)
IDENTIFIER_COLUMNS = ("bsn", "onderwijsnummer")
OPTIONAL_COLUMNS = ("voornaam", "achternaam", "sector")
SECTORS = ("PO", "SBO", "SO/VSO", "VO", "MBO")

BATCH_SIZE = 5000
# Problems kept in memory and in ImportRun.problems; all of them are counted.
MAX_PROBLEMS = 100
MAX_FILE_BYTES = 200 * 1024 * 1024
IMPORT_DIR = "imports"
DOSSIER_ID_MAX = Case._meta.get_field("dossier_id").max_length
GIVEN_NAME_MAX = YoungPerson._meta.get_field("given_name").max_length
FAMILY_NAME_MAX = YoungPerson._meta.get_field("family_name").max_length
# How often progress is published while checking (seconds).
PROGRESS_INTERVAL = 1.0
MASKED = "••••••"

# The fields of a case that the file sets; equal values mean "unchanged".
CASE_FIELDS = (
    "category",
    "start_date",
    "end_date",
    "outcome",
    "school_id",
    "municipality_id",
    "sector",
    "offer_date",
)


# ------------------------------------------------------------------ reading the file


def estimate_rows(path: Path) -> int:
    """The number of data rows, counted as line ends (a quoted line end in a cell makes
    this an over-estimate; checking corrects it)."""
    lines = 0
    last = b"\n"
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    return max(lines - 1, 0)


# The shared reader's limits (kansrijk.imports, decision 0027), checked while reading:
# a case file may be large, but no cell of it is long and it has a dozen columns.
CASE_LIMITS = Limits(
    max_bytes=MAX_FILE_BYTES, max_rows=2_000_000, max_columns=100, max_cell_chars=1 * KIB
)


@dataclass
class _Records:
    """The file as a stream of records: the header, then (row number, cells); the
    SHA-256 of the file, complete once the rows are read."""

    columns: list[str]
    rows: Iterator[tuple[int, list[str]]]
    sha256: object


def _records(handle) -> _Records:
    """The file through the shared CSV reader (UTF-8 only, the delimiter from the
    header, limits and NUL checked while reading), hashed in the same pass."""
    sha256 = hashlib.sha256()
    table = read_csv(handle, limits=CASE_LIMITS, encodings=UTF8_ONLY, observe=sha256.update)
    rows = ((number, [cell.value for cell in cells]) for number, cells in table.rows)
    return _Records(columns=table.columns, rows=rows, sha256=sha256)


HEADER_RULES = [Column(name, required=True) for name in REQUIRED_COLUMNS]


def _check_header(columns: list[str]) -> dict[str, int]:
    problems = check_header(HEADER_RULES, columns)
    if not set(columns) & set(IDENTIFIER_COLUMNS):
        problems.append(
            ImportProblem(
                None,
                "bsn",
                _("het bestand heeft een kolom bsn of een kolom onderwijsnummer nodig."),
            )
        )
    if problems:
        raise ImportRejected(problems)
    return {column: position for position, column in enumerate(columns) if column in COLUMNS}


# ------------------------------------------------------------------ one row


@dataclass(slots=True)
class CaseRow:
    """One checked row. ``given_name``/``family_name`` are None when the file leaves
    them out (the register's names stay as they are)."""

    number: int
    dossier_id: str
    identifier_kind: str
    identifier: str
    birth_date: date
    municipality_id: int
    school_id: int | None
    sector: str
    category: str
    start_date: date
    offer_date: date | None
    end_date: date | None
    outcome: str
    given_name: str | None
    family_name: str | None


@dataclass
class _Reference:
    """What the rows are checked against: loaded once, the same size for every file."""

    municipalities: dict[str, tuple[int, str]]
    schools: dict[str, tuple[int, str]]
    allowed_region_ids: frozenset[int] | None  # None: every gemeente (command line)
    today: date
    rules: tuple[Column, ...] = ()

    def __post_init__(self):
        # A date may not lie after the day the import runs.
        self.rules = case_rules(self.today)

    @classmethod
    def load(cls, actor) -> _Reference:
        municipalities = {
            code: (pk, name)
            for pk, code, name in Region.objects.filter(kind=RegionKind.MUNICIPALITY).values_list(
                "pk", "code", "name"
            )
        }
        schools = {
            code: (pk, sector)
            for pk, code, sector in Organisation.objects.filter(
                kind=OrganisationKind.SCHOOL_LOCATION
            )
            .exclude(code="")
            .values_list("pk", "code", "sector")
        }
        allowed = None
        if actor is not None:
            scope = scope_of(actor)
            allowed = None if scope.is_superuser else scope.full_region_ids
        return cls(municipalities, schools, allowed, timezone.localdate())


@dataclass(frozen=True)
class _Layout:
    """Where each column of ``COLUMNS`` is in a row (-1: the file does not have it)."""

    index: dict[str, int]
    width: int

    @property
    def positions(self) -> tuple[int, ...]:
        return self._positions

    def __post_init__(self):
        object.__setattr__(
            self, "_positions", tuple(self.index.get(column, -1) for column in COLUMNS)
        )


def _quoted(value: str) -> str:
    """A value to repeat in a message: never a BSN (a value with 8 or more digits is not
    repeated), and never long."""
    if sum(character.isdigit() for character in value) >= 8:
        return _("deze waarde")
    shown = value if len(value) <= 30 else value[:29] + "…"
    return f"'{shown}'"


# The text part of the shared date parser: JJJJ-MM-DD or DD-MM-JJJJ (also D-M-JJJJ).
parse_date = date_from_text

NINE_ASCII_DIGITS_RE = re.compile(r"[0-9]{9}")
# 48 is ord("0"); the weights 9..2 and -1 add up to 43.
ELFPROEF_OFFSET = 48 * 43


def _elfproef_rest(number: str) -> int | None:
    """9·d1 + 8·d2 + … + 2·d8 − 1·d9 modulo 11 (``organisations.validators``' elfproef,
    written out for the import, which checks it for every row twice); None when the
    number is not nine ASCII digits. A BSN has rest 0, an onderwijsnummer rest 5."""
    if not NINE_ASCII_DIGITS_RE.fullmatch(number):
        return None
    b = number.encode("ascii")
    return (
        9 * b[0]
        + 8 * b[1]
        + 7 * b[2]
        + 6 * b[3]
        + 5 * b[4]
        + 4 * b[5]
        + 3 * b[6]
        + 2 * b[7]
        - b[8]
        - ELFPROEF_OFFSET
    ) % 11


CATEGORY_VALUES = frozenset(CaseCategory.values)
OUTCOME_VALUES = frozenset(CaseOutcome.values)


Report = Callable[[str | None, str], None]


# ------------------------------------------------------------------ what a cell may hold
# The parsers of the columns below; none repeats a BSN or a birth date in its message.


@sensitive_variables()
def _bsn(text: str) -> str:
    bsn = "".join(text.split()) if " " in text else text
    # Excel drops the leading zero of a BSN stored as a number.
    if len(bsn) == 8 and bsn.isascii() and bsn.isdigit():
        bsn = "0" + bsn
    if bsn != "000000000" and _elfproef_rest(bsn) == 0:
        return bsn
    raise CellError(_("dit is geen geldig BSN: 9 cijfers die voldoen aan de elfproef."))


@sensitive_variables()
def _education_number(text: str) -> str:
    number = "".join(text.split()) if " " in text else text
    if number.startswith("10") and _elfproef_rest(number) == 5:
        return number
    raise CellError(
        _("dit is geen geldig onderwijsnummer: 9 cijfers, begint met 10, elfproef met rest 5.")
    )


def _date(text: str) -> date:
    try:
        return date_from_text(text)
    except ValueError:
        # The value is not repeated: a birth date is personal data.
        raise CellError(_("dit is geen geldige datum; schrijf JJJJ-MM-DD of DD-MM-JJJJ.")) from None


def _gm_code(text: str) -> str:
    code = text.upper()
    if not GM_CODE_RE.fullmatch(code):
        raise CellError(
            _("%(value)s is geen gemeentecode: verwacht GM en 4 cijfers, zoals GM0375.")
            % {"value": _quoted(code)}
        )
    return code


def _brin6(text: str) -> str:
    code = text.upper()
    if not BRIN6_RE.fullmatch(code):
        raise CellError(
            _(
                "%(value)s is geen vestigingscode (BRIN6): verwacht 2 cijfers, 2 hoofdletters "
                "en 2 cijfers, zoals 07NU00."
            )
            % {"value": _quoted(code)}
        )
    return code


def _category(text: str) -> str:
    category = text.lower()
    if category in CATEGORY_VALUES:
        return category
    hint = (
        _(" Let op: 5a is een ander artikel dan 5 onder a.")
        if category.replace(" ", "") in ("5a", "vrijstelling5a", "vrijstelling_5a")
        else ""
    )
    raise CellError(
        _("%(value)s is geen bekende soort; kies absoluut, relatief of vrijstelling_5_onder_a.")
        % {"value": _quoted(category)}
        + hint
    )


def _outcome(text: str) -> str:
    outcome = text.lower()
    if outcome in OUTCOME_VALUES:
        return outcome
    raise CellError(
        _("%(value)s is geen bekende uitkomst; kies uit: %(choices)s.")
        % {"value": _quoted(outcome), "choices": ", ".join(CaseOutcome.values)}
    )


def _sector(text: str) -> str:
    sector = text.upper()
    if sector in SECTORS:
        return sector
    raise CellError(
        _("%(value)s is geen bekende sector; kies PO, SBO, SO/VSO, VO of MBO.")
        % {"value": _quoted(sector)}
    )


FILL_IN_A_DATE = gettext_lazy("vul een datum in (JJJJ-MM-DD).")
IN_THE_FUTURE = gettext_lazy("deze datum ligt in de toekomst.")


def _date_rule(name: str, today: date, *, filled: bool) -> Column:
    return Column(
        name,
        filled=filled,
        parse=_date,
        maximum=today,
        messages={"filled": FILL_IN_A_DATE, "maximum": IN_THE_FUTURE},
    )


def case_rules(today: date) -> tuple[Column, ...]:
    """What each cell may hold, in the order of ``COLUMNS`` (and of ``_Cells``). What
    concerns several cells (a BSN or an onderwijsnummer, dates in order, an outcome
    with an end date, a school unless absoluut) or the register (a known gemeente the
    user works for, a known school) is ``_parse_row``'s code."""
    return (
        Column(
            "dossier_id",
            filled=True,
            parse=unguard_formula,
            max_length=DOSSIER_ID_MAX,
            messages={"filled": gettext_lazy("vul het dossiernummer in.")},
        ),
        Column("bsn", parse=_bsn),
        Column("onderwijsnummer", parse=_education_number),
        _date_rule("geboortedatum", today, filled=True),
        Column(
            "woongemeente",
            filled=True,
            parse=_gm_code,
            messages={
                "filled": gettext_lazy(
                    "vul de gemeentecode van de woongemeente in (GM en 4 cijfers, zoals GM0375)."
                )
            },
        ),
        Column("brin6", parse=_brin6),
        Column(
            "soort",
            filled=True,
            parse=_category,
            messages={
                "filled": gettext_lazy(
                    "vul de soort in: absoluut, relatief of vrijstelling_5_onder_a."
                )
            },
        ),
        _date_rule("startdatum", today, filled=True),
        _date_rule("aanbod_datum", today, filled=False),
        _date_rule("einddatum", today, filled=False),
        Column("uitkomst", parse=_outcome),
        Column("voornaam", parse=unguard_formula, max_length=GIVEN_NAME_MAX),
        Column("achternaam", parse=unguard_formula, max_length=FAMILY_NAME_MAX),
        Column("sector", parse=_sector),
    )


# A row's problems in the order a reader meets them (the register's order since the
# first import: identity, dates, outcome, kind, gemeente, school, sector, names).
PROBLEM_ORDER = {
    column: position
    for position, column in enumerate(
        (
            None,
            "dossier_id",
            "bsn",
            "onderwijsnummer",
            "geboortedatum",
            "startdatum",
            "aanbod_datum",
            "einddatum",
            "uitkomst",
            "soort",
            "woongemeente",
            "brin6",
            "sector",
            "voornaam",
            "achternaam",
        )
    )
}


# ------------------------------------------------------------------ checking one row


@sensitive_variables()
def _parse_row(
    number: int,
    cells: list[str],
    layout: _Layout,
    reference: _Reference,
    problems: _Problems,
) -> CaseRow | None:
    """The row as a ``CaseRow``, or None after adding its problems to ``problems``:
    first every cell by its declared rule, then what concerns several cells or the
    register."""
    found: list[ImportProblem] = []

    def problem(column, message):
        found.append(ImportProblem(number, column, message))

    texts = _cells_in_layout(cells, layout, problem)
    values = _by_rules(reference.rules, texts, problem)
    kind, number_text = _identifier(texts, values, "bsn" in layout.index, problem)
    dossier_id = values.get("dossier_id") or ""
    if number_text and dossier_id and number_text in dossier_id:
        problem("dossier_id", str(DOSSIER_HOLDS_NUMBER))
    _dates_in_order(values, problem)
    _outcome_with_end(texts, values, problem)
    municipality_id = _municipality(values.get("woongemeente"), reference, problem)
    school_id, school_sector = _school(texts.brin6, values, reference, problem)
    if found:
        if len(found) > 1:
            found.sort(key=lambda p: PROBLEM_ORDER.get(p.column, 0))
        for each in found:
            problems.add(each)
        return None
    return CaseRow(
        number=number,
        dossier_id=dossier_id,
        identifier_kind=kind,
        identifier=number_text,
        birth_date=values["geboortedatum"],
        municipality_id=municipality_id,
        school_id=school_id,
        sector=values["sector"] or school_sector,
        category=values["soort"],
        start_date=values["startdatum"],
        offer_date=values["aanbod_datum"],
        end_date=values["einddatum"],
        outcome=values["uitkomst"] or "",
        given_name=values["voornaam"] or None,
        family_name=values["achternaam"] or None,
    )


DOSSIER_HOLDS_NUMBER = gettext_lazy(
    "het dossiernummer bevat het BSN of onderwijsnummer; gebruik het nummer van het dossier."
)


@sensitive_variables()
def _by_rules(rules: tuple[Column, ...], texts: _Cells, problem: Report) -> dict:
    """Each cell checked by its declared rule: the values of those that pass."""
    values = {}
    for rule, text in zip(rules, texts, strict=True):
        try:
            values[rule.name] = check_text(rule, text)
        except CellError as error:
            problem(rule.name, str(error))
    return values


class _Cells(NamedTuple):
    """A row's cells by column name, in the order of ``COLUMNS``."""

    dossier_id: str
    bsn: str
    onderwijsnummer: str
    geboortedatum: str
    woongemeente: str
    brin6: str
    soort: str
    startdatum: str
    aanbod_datum: str
    einddatum: str
    uitkomst: str
    voornaam: str
    achternaam: str
    sector: str


@sensitive_variables()
def _cells_in_layout(cells: list[str], layout: _Layout, problem: Report) -> _Cells:
    """The row's cells in the order of ``COLUMNS``, stripped; "" for a column the file
    does not have."""
    width = layout.width
    if len(cells) > width:
        if any(cell.strip() for cell in cells[width:]):
            problem(
                None,
                _(
                    "de rij heeft meer cellen dan de kopregel; staat er een scheidingsteken te "
                    "veel in?"
                ),
            )
        cells = cells[:width]
    elif len(cells) < width:
        cells = cells + [""] * (width - len(cells))
    cells.append("")  # the cell of every column the file does not have
    return _Cells(*(cells[position].strip() for position in layout.positions))


@sensitive_variables()
def _identifier(texts: _Cells, values: dict, has_bsn_column: bool, problem: Report):
    """(kind, number): a BSN or an onderwijsnummer, one of the two (each checked by its
    rule). Never repeated in a message."""
    if texts.bsn and texts.onderwijsnummer:
        problem("onderwijsnummer", _("vul een BSN of een onderwijsnummer in, niet allebei."))
    elif values.get("bsn"):
        return IdentifierKind.BSN, values["bsn"]
    elif values.get("onderwijsnummer"):
        return IdentifierKind.EDUCATION_NUMBER, values["onderwijsnummer"]
    elif not texts.bsn and not texts.onderwijsnummer:
        problem(
            "bsn" if has_bsn_column else "onderwijsnummer",
            _("vul een BSN of een onderwijsnummer in."),
        )
    return "", ""


@sensitive_variables()
def _dates_in_order(values: dict, problem: Report) -> None:
    birth, start = values.get("geboortedatum"), values.get("startdatum")
    offer, end = values.get("aanbod_datum"), values.get("einddatum")
    if birth and start and start <= birth:
        problem("startdatum", _("de startdatum ligt niet na de geboortedatum."))
    if start and offer and offer < start:
        problem("aanbod_datum", _("het passend aanbod start voor de startdatum."))
    if start and end and end < start:
        problem("einddatum", _("de einddatum ligt voor de startdatum."))


def _outcome_with_end(texts: _Cells, values: dict, problem: Report) -> None:
    has_end = bool(texts.einddatum)
    if values.get("uitkomst") and not has_end:
        problem(
            "uitkomst",
            _(
                "een uitkomst hoort bij een einddatum: vul de einddatum in of laat de uitkomst leeg."
            ),
        )
    elif not texts.uitkomst and has_end:
        problem("uitkomst", _("vul bij een einddatum de uitkomst in."))


def _municipality(code: str | None, reference: _Reference, problem: Report) -> int | None:
    """The woongemeente's region id: a known GM code of a gemeente the user works for."""
    if code is None:
        return None  # blank or malformed: its rule named it
    if code not in reference.municipalities:
        problem("woongemeente", _("%(value)s is geen bekende gemeente.") % {"value": _quoted(code)})
        return None
    municipality_id, name = reference.municipalities[code]
    allowed = reference.allowed_region_ids
    if allowed is not None and municipality_id not in allowed:
        problem(
            "woongemeente",
            _(
                "je werkt niet voor %(name)s (%(code)s): importeer alleen casussen van de "
                "gemeenten van je eigen leerplichtbureau."
            )
            % {"name": name, "code": code},
        )
    return municipality_id


def _school(text: str, values: dict, reference: _Reference, problem: Report):
    """(school id, its sector) of a known BRIN6; none only for absoluut verzuim."""
    code, category = values.get("brin6"), values.get("soort")
    if not text:
        if category and category != CaseCategory.ABSOLUTE:
            problem(
                "brin6",
                _("vul de vestigingscode (BRIN6) in; alleen absoluut verzuim kan zonder school."),
            )
    elif code is not None and code not in reference.schools:
        problem("brin6", _("%(value)s is geen bekende schoolvestiging.") % {"value": _quoted(code)})
    elif code is not None:
        return reference.schools[code]
    return None, ""


# ------------------------------------------------------------------ problems


class _Problems:
    """Every problem counted, the first ``MAX_PROBLEMS`` kept (in file order)."""

    def __init__(self):
        self.kept: list[ImportProblem] = []
        self.count = 0

    def add(self, problem: ImportProblem) -> None:
        self.count += 1
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append(problem)

    def __bool__(self) -> bool:
        return self.count > 0


class _CompactIndex:
    """64-bit keys with a 64-bit value each, in two flat arrays (open addressing, filled
    to at most three quarters): 22 to 43 bytes a key, where a dict of Python ints takes
    about 100. The keys are keyed BLAKE2b digests of a dossier id or a number (the key
    is random per import), so the arrays hold nothing that can be read back."""

    def __init__(self, capacity: int = 1 << 12, *, extra: bool = False):
        self._keys = _zeros(capacity)
        self._values = _zeros(capacity)
        # An optional second value per key (0: none), in one more flat array.
        self._extra = _zeros(capacity) if extra else None
        self._mask = capacity - 1
        self._size = 0

    def _slot(self, key: int) -> int:
        keys, mask = self._keys, self._mask
        slot = key & mask
        while True:
            found = keys[slot]
            if found == key or found == 0:
                return slot
            slot = (slot + 1) & mask

    def setdefault(self, key: int, value: int) -> int | None:
        """Store ``value`` under ``key`` unless the key is there; return the value that
        was there, or None."""
        key = key or 1  # 0 marks an empty slot
        slot = self._slot(key)
        if self._keys[slot] == key:
            return self._values[slot]
        self._keys[slot] = key
        self._values[slot] = value
        self._size += 1
        if self._size * 4 > (self._mask + 1) * 3:
            self._grow()
        return None

    def get(self, key: int) -> int | None:
        key = key or 1
        slot = self._slot(key)
        return self._values[slot] if self._keys[slot] == key else None

    def set(self, key: int, value: int) -> None:
        """Replace the value of a key that is there."""
        key = key or 1
        slot = self._slot(key)
        if self._keys[slot] != key:
            raise KeyError(key)
        self._values[slot] = value

    def get_extra(self, key: int) -> int:
        key = key or 1
        slot = self._slot(key)
        return self._extra[slot] if self._keys[slot] == key else 0

    def set_extra(self, key: int, value: int) -> None:
        """Set the second value of a key that is there."""
        key = key or 1
        slot = self._slot(key)
        if self._keys[slot] != key:
            raise KeyError(key)
        self._extra[slot] = value

    def __len__(self) -> int:
        return self._size

    def _grow(self) -> None:
        old_keys, old_values, old_extra = self._keys, self._values, self._extra
        capacity = (self._mask + 1) * 2
        self._keys = _zeros(capacity)
        self._values = _zeros(capacity)
        self._extra = _zeros(capacity) if old_extra is not None else None
        self._mask = capacity - 1
        for position, key in enumerate(old_keys):
            if key:
                slot = self._slot(key)
                self._keys[slot] = key
                self._values[slot] = old_values[position]
                if old_extra is not None:
                    self._extra[slot] = old_extra[position]


def _zeros(count: int) -> array:
    # By repetition: array("q", bytes(8 * count)) first builds a bytes object as big as
    # the array, which doubled the peak memory of every growth.
    return array("q", [0]) * count


def _digest64(secret: bytes, text: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(text.encode(), digest_size=8, key=secret).digest(), "little", signed=True
    )


# ------------------------------------------------------------------ result


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    people_created: int = 0
    people_updated: int = 0
    dry_run: bool = False
    sha256: str = ""
    organisations: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary_lines(self) -> list[str]:
        return [
            _(
                "%(rows)s rijen: %(created)s casussen nieuw, %(updated)s bijgewerkt, %(same)s ongewijzigd"
            )
            % {
                "rows": self.rows,
                "created": self.created,
                "updated": self.updated,
                "same": self.unchanged,
            },
            _("%(people)s nieuwe jongeren, %(changed)s jongeren met een gewijzigde naam")
            % {"people": self.people_created, "changed": self.people_updated},
        ]


Progress = Callable[[str, int, int], None]


def _no_progress(phase: str, done: int, total: int) -> None:
    pass


# ------------------------------------------------------------------ step 1: checking


def _select_in(model, columns: tuple[str, ...], column: str, values: list) -> list[tuple]:
    """``SELECT columns FROM model WHERE column IN values``, in raw SQL: the ORM spends
    more time compiling an IN list of a few thousand values than the database takes
    to answer it."""
    if not values:
        return []
    quote = connection.ops.quote_name
    selected = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    table = quote(model._meta.db_table)
    where = quote(model._meta.get_field(column).column)
    if connection.vendor == "postgresql":
        condition, params = f"{where} = ANY(%s)", [values]
    else:
        condition, params = f"{where} IN ({', '.join(['%s'] * len(values))})", values
    sql = f"SELECT {selected} FROM {table} WHERE {condition}"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _as_date(value) -> date | None:
    """A date as the database driver returns it (SQLite: text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


@dataclass
class _Checked:
    """What checking found, for the writing. Per data row, in file order: the case in
    the register (0: none; +id: equal to the row; -id: the row changes it) and the young
    person (0: not in the register; +id: known; -id: known, the row changes the
    name). ``people`` maps the digest of each number in the file to checking's own
    value; writing stores -pk there for each young person it creates."""

    rows: int = 0
    sha256: str = ""
    problems: _Problems = field(default_factory=_Problems)
    case_state: array = field(default_factory=lambda: array("q"))
    person_state: array = field(default_factory=lambda: array("q"))
    # Per number: birth date and first row; and (the extra value) the id of the young
    # person once this import has written them.
    people: _CompactIndex = field(default_factory=lambda: _CompactIndex(extra=True))
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(16))


CHECKED_CASE_COLUMNS = ("id", "dossier_id", "young_person_id", *CASE_FIELDS)


@sensitive_variables()
def _check_batch(
    batch: list[tuple[CaseRow, list[str]]],
    reference: _Reference,
    checked: _Checked,
    writing: bool = False,
) -> None:
    """Rows against the register: a dossier of another young person (or of a gemeente
    the user does not work for), a young person known with another birth date; and
    what each row would change. While ``writing``, the young people this import has
    already written (``checked.people``'s extra value) are new to the rows of this file,
    not known."""
    people, existing_cases = _register_of(batch)
    for row, hashes in batch:
        earlier = (
            checked.people.get_extra(_digest64(checked.secret, row.identifier)) if writing else 0
        )
        if earlier:
            # Written by an earlier batch of this file: the file itself has checked the
            # birth date, and its first row gave the name.
            person_id = earlier
            checked.person_state.append(0)
        else:
            person = next((people[h] for h in hashes if h in people), None)
            person_id = _against_person(row, person, checked)
        _against_case(row, existing_cases.get(row.dossier_id), person_id, reference, checked)


def _register_of(batch) -> tuple[dict, dict]:
    """The young people (by keyed hash) and the cases (by dossier id) of a batch."""
    people = {
        person_hash: (pk, _as_date(birth), given, family)
        for pk, person_hash, birth, given, family in _select_in(
            YoungPerson,
            ("id", "identifier_hash", "birth_date", "given_name", "family_name"),
            "identifier_hash",
            [h for _row, hashes in batch for h in hashes],
        )
    }
    existing_cases = {}
    for found in _select_in(
        Case, CHECKED_CASE_COLUMNS, "dossier_id", [row.dossier_id for row, _hashes in batch]
    ):
        values = dict(zip(CHECKED_CASE_COLUMNS, found, strict=True))
        for name in ("start_date", "end_date", "offer_date"):
            values[name] = _as_date(values[name])
        existing_cases[values["dossier_id"]] = values
    return people, existing_cases


def _against_person(row: CaseRow, person, checked: _Checked) -> int:
    """The person state of the row (0: new; +id: known; -id: known, renamed) appended;
    the id of the young person (0 when new) returned."""
    if person is None:
        checked.person_state.append(0)
        return 0
    person_id, birth, given, family = person
    if birth != row.birth_date:
        checked.problems.add(
            ImportProblem(
                row.number,
                "geboortedatum",
                _(
                    "deze jongere staat in het register met een andere geboortedatum; "
                    "controleer het nummer en de geboortedatum (een geboortedatum "
                    "verbeter je in het dossier)."
                ),
            )
        )
    renamed = (row.given_name is not None and row.given_name != given) or (
        row.family_name is not None and row.family_name != family
    )
    checked.person_state.append(-person_id if renamed else person_id)
    return person_id


def _against_case(row: CaseRow, existing, person_id: int, reference, checked: _Checked) -> None:
    """The case state of the row (0: new; +id: unchanged; -id: changed) appended, after
    the dossier's own checks: the same young person, a gemeente the user works for."""
    if existing is None:
        checked.case_state.append(0)
        return
    allowed = reference.allowed_region_ids
    if existing["young_person_id"] != person_id:
        checked.problems.add(
            ImportProblem(
                row.number,
                "dossier_id",
                _("dit dossiernummer hoort in het register bij een andere jongere."),
            )
        )
    elif allowed is not None and existing["municipality_id"] not in allowed:
        checked.problems.add(
            ImportProblem(
                row.number,
                "dossier_id",
                _("dit dossier staat in het register bij een gemeente waarvoor je niet werkt."),
            )
        )
    unchanged = all(existing[name] == getattr(row, name) for name in CASE_FIELDS)
    checked.case_state.append(existing["id"] if unchanged else -existing["id"])


@sensitive_variables()
def _check_file(
    path: Path,
    reference: _Reference,
    *,
    run: ImportRun,
    progress: Progress,
    total: int,
    writer: _Writer | None = None,
) -> _Checked:
    """Check every row: the problems, the file's SHA-256 and what each row would do.

    With a ``writer`` every batch that is checked is staged at once (``import_staging``),
    as long as no problem has been found; the first problem stops the staging, checking
    goes on to the end. So the file is read once, and on PostgreSQL the checking of one
    batch goes on while the database stages the previous one. No transaction is held:
    the progress (and the heartbeat) goes to the run's own row, a short write now and
    then."""
    checked = _Checked()
    if writer is not None:
        writer.checked = checked

    def hand_over(batch):
        _check_batch(batch, reference, checked, writing=writer is not None)
        if writer is not None and not checked.problems:
            _stage_batch(batch, checked, writer)

    problems = checked.problems
    dossiers = _CompactIndex()
    rows = 0
    batch: list[tuple[CaseRow, list[str]]] = []
    last_report = time.monotonic()
    with open(path, "rb") as handle:
        records = _records(handle)
        layout = _Layout(_check_header(records.columns), len(records.columns))
        for number, cells in records.rows:
            if not any(cell.strip() for cell in cells):
                continue
            rows += 1
            row = _parse_row(number, cells, layout, reference, problems)
            if row is not None:
                row = _unique_in_file(row, checked, dossiers)
            if row is not None:
                batch.append((row, crypto.identifier_hashes(row.identifier)))
                if len(batch) >= BATCH_SIZE:
                    hand_over(batch)
                    batch = []
            if rows % 500 == 0 and time.monotonic() - last_report >= PROGRESS_INTERVAL:
                last_report = time.monotonic()
                total = max(total, rows)
                heartbeat(run, checked_rows=rows, total_rows=total)
                progress("controleren", rows, total)
        if batch:
            hand_over(batch)
        checked.sha256 = records.sha256.hexdigest()
    if rows == 0 and not problems:
        problems.add(ImportProblem(None, None, _("Het bestand heeft geen rijen.")))
    checked.rows = rows
    run.checked_rows = run.total_rows = rows
    heartbeat(run, checked_rows=rows, total_rows=rows)
    progress("controleren", rows, rows)
    return checked


@sensitive_variables()
def _unique_in_file(row: CaseRow, checked: _Checked, dossiers: _CompactIndex) -> CaseRow | None:
    """The row, or None after its problem: a dossier twice in the file, or one number
    with two birth dates (kept as keyed 64-bit digests, never as the number)."""
    number, problems, secret = row.number, checked.problems, checked.secret
    first_row = dossiers.setdefault(_digest64(secret, row.dossier_id), number)
    if first_row is not None:
        problems.add(
            ImportProblem(
                number,
                "dossier_id",
                _("dit dossiernummer staat al in rij %(row)s.") % {"row": first_row},
            )
        )
        return None
    known = checked.people.setdefault(
        _digest64(secret, row.identifier), (row.birth_date.toordinal() << 32) | number
    )
    if known is not None and known >> 32 != row.birth_date.toordinal():
        problems.add(
            ImportProblem(
                number,
                "geboortedatum",
                _(
                    "hetzelfde BSN of onderwijsnummer staat in rij %(row)s met een andere "
                    "geboortedatum."
                )
                % {"row": known & 0xFFFFFFFF},
            )
        )
        return None
    return row


def _stage_batch(batch, checked: _Checked, writer: _Writer) -> None:
    """Stage the rows of a checked batch that change something; count the others."""
    states = zip(checked.case_state, checked.person_state, strict=True)
    items = []
    for (row, _hashes), (case_state, person_state) in zip(batch, states, strict=True):
        if case_state > 0 and person_state >= 0:
            writer.result.unchanged += 1
        else:
            items.append((row, case_state, person_state))
    # Staged at once, so the states of this batch are not kept: memory stays flat.
    del checked.case_state[:], checked.person_state[:]
    writer.rows += len(batch)
    if items:
        writer.write(items)


# ------------------------------------------------------------------ step 2: writing


def _row_values(row: CaseRow) -> dict:
    return {name: getattr(row, name) for name in CASE_FIELDS}


NINE_DIGITS = re.compile(r"\d{9}")


def _masked(text: str) -> str:
    """``audit.mask`` for a text, skipped when it cannot hold a nine-digit number."""
    return mask(text) if NINE_DIGITS.search(text) else text


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _snapshot_json(dossier_id: str, values: dict, case_manager_id=None) -> str:
    """The episode as the audit trail records it (``services.CASE_AUDIT_FIELDS``), as
    JSON: no person data, a BSN in a dossier number masked."""
    return json.dumps(
        {
            "dossier_id": _masked(dossier_id),
            "category": values["category"],
            "start_date": _iso(values["start_date"]),
            "end_date": _iso(values["end_date"]),
            "outcome": values["outcome"],
            "school": values["school_id"],
            "municipality": values["municipality_id"],
            "sector": values["sector"],
            "case_manager": case_manager_id,
            "offer_date": _iso(values["offer_date"]),
        }
    )


PERSON_COLUMNS = (
    "identifier_kind",
    "identifier_encrypted",
    "identifier_hash",
    "given_name",
    "family_name",
    "birth_date",
    "is_synthetic",
    "created_at",
    "updated_at",
)
RESIDENCE_COLUMNS = ("young_person_id", "municipality_id", "valid_from")
CASE_COLUMNS = (
    "dossier_id",
    "young_person_id",
    *CASE_FIELDS,
    "pact_deadline",
    "last_event_on",
    "last_movement_on",
    "is_synthetic",
    "import_run_id",
    "created_at",
    "updated_at",
)
# What the import knows of each audit row before it joins the hash chain in the switch
# (import_staging.AuditTable).
AUDIT_COLUMNS = audit_chain.CONTENT_FIELDS
EXISTING_CASE_COLUMNS = (
    "id",
    "dossier_id",
    "young_person_id",
    "case_manager_id",
    "last_event_on",
    *CASE_FIELDS,
)
RENAMED_PERSON_COLUMNS = ("given_name", "family_name", "updated_at")
UPDATED_CASE_COLUMNS = (
    *CASE_FIELDS,
    "pact_deadline",
    "last_event_on",
    "last_movement_on",
    "import_run_id",
    "updated_at",
)


def _staging_tables() -> dict[str, Table]:
    """The tables the import writes, in the order the switch moves them (young people
    before the cases that refer to them)."""
    return {
        "people": Table(YoungPerson, PERSON_COLUMNS, with_id=True, stage="people"),
        "residences": Table(Residence, RESIDENCE_COLUMNS, with_id=False, stage="residences"),
        "cases": Table(Case, CASE_COLUMNS, with_id=True, stage="cases"),
        "case_updates": UpdateTable(Case, UPDATED_CASE_COLUMNS, stage="case_updates"),
        "renames": UpdateTable(YoungPerson, RENAMED_PERSON_COLUMNS, stage="renames"),
        "audit": AuditTable(AUDIT_COLUMNS, stage="audit"),
    }


class _Writer:
    """Stages the rows that change something, batch by batch as they are checked,
    trusting what checking found (``_Checked``)."""

    def __init__(self, *, actor, run: ImportRun, result: ImportResult, staging: Staging):
        self.actor_id = actor.pk if actor is not None and actor.is_authenticated else None
        self.actor_display = str(actor) if self.actor_id else "systeem"
        self.scope = scope_of(actor) if self.actor_id else None
        self.run = run
        self.result = result
        self.checked: _Checked | None = None  # set by _check_file, whose rows it writes
        self.renamed: set[int] = set()
        # (woongemeente, school) of every case written, before and after: the computed
        # figures to refresh once the import has committed (``changed_cases``).
        self.touched: set[tuple[int | None, int | None]] = set()
        # Per staged batch: (cases created, cases updated, rows of the file) through it,
        # for the run's counts as the switch moves batch after batch.
        self.through: dict[int, tuple[int, int, int]] = {}
        self.rows = 0
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.today = timezone.localdate().isoformat()
        self.reason = f"import {run.pk}"
        self.staging = staging
        self.people = staging.tables["people"]
        self.residences = staging.tables["residences"]
        self.cases = staging.tables["cases"]
        self.case_updates = staging.tables["case_updates"]
        self.renames = staging.tables["renames"]
        self.audit = staging.tables["audit"]
        # The model's own methods, on one scratch instance each: the number encrypted
        # and hashed as YoungPerson.set_identifier does it, the pact deadline as
        # Case.set_derived_fields derives it.
        self._person = YoungPerson()
        self._case = Case()

    def _organisation_id(self, municipality_id: int) -> int | None:
        if self.scope is None:
            return None
        return self.scope.granting.get(("region", municipality_id))

    def _audit_row(
        self, action, target_type, target_id, target_display, organisation_id, before, after
    ):
        return (
            self.actor_id,
            self.actor_display,
            organisation_id,
            action,
            target_type,
            str(target_id),
            target_display[:255],
            before,
            after,
            self.reason,
        )

    def _file_values(self, row: CaseRow) -> tuple:
        """The file's values of a case (``CASE_FIELDS``, in order) and the pact deadline
        derived from them, as the staging tables take them."""
        return (
            row.category,
            row.start_date.isoformat(),
            _iso(row.end_date),
            row.outcome,
            row.school_id,
            row.municipality_id,
            row.sector,
            _iso(row.offer_date),
            self._pact_deadline(row.start_date),
        )

    def _pact_deadline(self, start_date: date) -> str:
        self._case.start_date = start_date
        self._case.set_derived_fields()
        return self._case.pact_deadline.isoformat()

    @sensitive_variables()
    def write(self, items: list[tuple[CaseRow, int, int]]) -> None:
        """``items``: (row, case state, person state) of the rows that change something.
        Staged: the young people first (the cases refer to them), then the cases, then
        an audit row for each of them, all in one batch of the switch."""
        batch = self.staging.next_batch()
        person_ids = self._people_of(items)
        audit_rows: list[tuple] = []
        self._rename(items, person_ids, audit_rows)
        created = [
            (row, person_id)
            for (row, case_state, _p), person_id in zip(items, person_ids, strict=True)
            if case_state == 0
        ]
        changed = [(row, -case_state) for row, case_state, _p in items if case_state < 0]
        if created:
            self._create_cases(created, audit_rows)
        if changed:
            self._update_cases(changed, audit_rows)
        self.staging.copy(self.audit, audit_rows)
        self.through[batch] = (self.result.created, self.result.updated, self.rows)

    @sensitive_variables()
    def _people_of(self, items) -> list[int]:
        """The young person's id of each item: known (from checking), created earlier in
        this import, or new: each new one staged once."""
        checked, people = self.checked, self.checked.people
        person_ids: list[int] = []
        pending: dict[int, CaseRow] = {}
        waiting: list[tuple[int, int]] = []  # (position, key) of rows with a new person
        for row, _case_state, person_state in items:
            if person_state:
                person_ids.append(abs(person_state))
                continue
            key = _digest64(checked.secret, row.identifier)
            value = people.get_extra(key)
            if value:
                person_ids.append(value)
            else:
                pending.setdefault(key, row)
                waiting.append((len(person_ids), key))
                person_ids.append(0)
        if pending:
            new_ids = self.staging.allocate_ids(self.people, len(pending))
            for pk, key in zip(new_ids, pending, strict=True):
                people.set_extra(key, pk)
            for position, key in waiting:
                person_ids[position] = people.get_extra(key)
            self._create_people(new_ids, list(pending.values()))
        return person_ids

    @sensitive_variables()
    def _create_people(self, new_ids: list[int], rows: list[CaseRow]) -> None:
        person_rows: list[tuple] = []
        residence_rows: list[tuple] = []
        scratch = self._person
        for pk, row in zip(new_ids, rows, strict=True):
            scratch.set_identifier(row.identifier_kind, row.identifier)
            birth = row.birth_date.isoformat()
            residence_rows.append((pk, row.municipality_id, birth))
            person_rows.append(
                (
                    pk,
                    row.identifier_kind,
                    scratch.identifier_encrypted,
                    scratch.identifier_hash,
                    row.given_name or "",
                    row.family_name or "",
                    birth,
                    False,
                    self.now,
                    self.now,
                )
            )
        self.staging.copy(self.people, person_rows)
        self.staging.copy(self.residences, residence_rows)
        self.result.people_created += len(rows)

    def _rename(self, items, person_ids: list[int], audit_rows: list[tuple]) -> None:
        """Known young people whose name in the file differs: renamed once per import."""
        renames = {}
        for (row, _case_state, person_state), person_id in zip(items, person_ids, strict=True):
            if person_state < 0 and person_id not in self.renamed:
                renames[person_id] = row
        if not renames:
            return
        stored = {
            pk: (given, family)
            for pk, given, family in _select_in(
                YoungPerson, ("id", "given_name", "family_name"), "id", list(renames)
            )
        }
        updates = []
        for pk, row in renames.items():
            given, family = stored[pk]
            wanted = (
                given if row.given_name is None else row.given_name,
                family if row.family_name is None else row.family_name,
            )
            if wanted == (given, family):
                continue
            updates.append((pk, *wanted, self.now))
            # Which fields changed, never their values (``services.update_young_person``).
            changed = [
                name
                for name, old, new in (
                    ("family_name", family, wanted[1]),
                    ("given_name", given, wanted[0]),
                )
                if old != new
            ]
            audit_rows.append(
                self._audit_row(
                    "cases.young_person.update",
                    "cases.youngperson",
                    pk,
                    f"jongere {pk}",
                    None,
                    None,
                    json.dumps({"fields": changed}),
                )
            )
        self.staging.copy(self.renames, updates)
        self.renamed.update(renames)
        self.result.people_updated += len(updates)

    def _create_cases(self, created, audit_rows: list[tuple]) -> None:
        case_ids = self.staging.allocate_ids(self.cases, len(created))
        case_rows: list[tuple] = []
        for pk, (row, person_id) in zip(case_ids, created, strict=True):
            start = row.start_date.isoformat()
            self.touched.add((row.municipality_id, row.school_id))
            organisation_id = self._organisation_id(row.municipality_id)
            self.result.organisations[organisation_id] += 1
            audit_rows.append(
                self._audit_row(
                    "cases.case.create",
                    "cases.case",
                    pk,
                    _masked(f"casus {row.dossier_id}"),
                    organisation_id,
                    None,
                    _snapshot_json(row.dossier_id, _row_values(row)),
                )
            )
            case_rows.append(
                (
                    pk,
                    row.dossier_id,
                    person_id,
                    *self._file_values(row),
                    start,  # last_event_on: the start is the latest moment so far
                    self.today,  # last_movement_on: registered now (cases.signals)
                    False,
                    self.run.pk,
                    self.now,
                    self.now,
                )
            )
        self.staging.copy(self.cases, case_rows)
        self.result.created += len(created)

    def _update_cases(self, changed, audit_rows: list[tuple]) -> None:
        """Changed cases, with the values before (for the audit row) read now."""
        old_cases = {}
        for found in _select_in(
            Case, EXISTING_CASE_COLUMNS, "id", [case_id for _row, case_id in changed]
        ):
            values = dict(zip(EXISTING_CASE_COLUMNS, found, strict=True))
            for name in ("start_date", "end_date", "offer_date", "last_event_on"):
                values[name] = _as_date(values[name])
            old_cases[values["id"]] = values
        updates = []
        for row, case_id in changed:
            old = old_cases[case_id]
            self.touched.add((old["municipality_id"], old["school_id"]))
            self.touched.add((row.municipality_id, row.school_id))
            updates.append(
                (
                    case_id,
                    *self._file_values(row),
                    _iso(old["last_event_on"] or row.start_date),
                    self.today,  # last_movement_on: a change is movement (cases.signals)
                    self.run.pk,
                    self.now,
                )
            )
            organisation_id = self._organisation_id(row.municipality_id)
            self.result.organisations[organisation_id] += 1
            audit_rows.append(
                self._audit_row(
                    "cases.case.update",
                    "cases.case",
                    case_id,
                    _masked(f"casus {row.dossier_id}"),
                    organisation_id,
                    _snapshot_json(row.dossier_id, old, old["case_manager_id"]),
                    _snapshot_json(row.dossier_id, _row_values(row), old["case_manager_id"]),
                )
            )
        self.staging.copy(self.case_updates, updates)
        self.result.updated += len(changed)


class _Rejected(Exception):
    """The file has problems; raised inside the import's transaction to roll back what
    was written before the first one."""

    def __init__(self, problems: _Problems, rows: int, sha256: str):
        super().__init__()
        self.problems, self.count = problems.kept, problems.count
        self.rows, self.sha256 = rows, sha256


def _problem_dicts(problems: list[ImportProblem]) -> list[dict]:
    return [{"row": p.row, "column": p.column, "message": p.message} for p in problems]


def problems_of(run: ImportRun) -> list[ImportProblem]:
    return [
        ImportProblem(item.get("row"), item.get("column"), item.get("message", ""))
        for item in run.problems
    ]


def _finish(run: ImportRun, status: str, **fields) -> None:
    for name, value in fields.items():
        setattr(run, name, value)
    run.status = status
    run.finished_at = timezone.now()
    run.save()


FAILED_MESSAGE = gettext_noop(
    "Er ging iets mis bij het importeren; er is niets opgeslagen. Probeer het opnieuw of "
    "neem contact op met de beheerder."
)
CONFLICT_MESSAGE = gettext_noop(
    "Terwijl dit bestand werd gecontroleerd, heeft een andere import (of een collega) "
    "dezelfde dossiers of jongeren opgeslagen; deze import heeft daarom niets opgeslagen. "
    "Start de import opnieuw: wat al in het register staat, wordt niet dubbel opgeslagen."
)
PARTLY_SAVED_MESSAGE = gettext_noop(
    "De import is onderbroken nadat een deel van het bestand was opgeslagen (%(saved)s "
    "casussen nieuw of bijgewerkt) en kon niet vanzelf worden afgemaakt. Upload hetzelfde "
    "bestand opnieuw: wat al in het register staat, wordt niet dubbel opgeslagen en de "
    "rest wordt aangevuld."
)
ACTIVE_STATUSES = (ImportStatus.QUEUED, ImportStatus.CHECKING)
# How often an import that was interrupted after part of the file was saved is taken up
# again (by itself after a conflict, by the sweep after its worker died) before it
# gives up and asks for the file again.
ROLL_FORWARD_ATTEMPTS = 3


class _RunEnded(Exception):
    """The run has ended with its own message while this import worked on it: the sweep
    (``import_recovery``) took it for dead or took it up again, or the switch met
    another import's rows. The import stops; the caller gets the run's message."""


class _RollForward(Exception):
    """Part of the file is in the register and the rest cannot follow as staged (another
    writer created one of its young people or dossiers between two batches): the file
    is checked and switched again, which finds the saved part unchanged."""


def heartbeat(run: ImportRun, **fields) -> None:
    """Tell the sweep that the import is alive (and how far it is): a short write of
    the run's own row. A run that is no longer active, or was taken up again by another
    attempt, was given up by this one."""
    now = timezone.now()
    if not ImportRun.objects.filter(
        pk=run.pk, status__in=ACTIVE_STATUSES, attempts=run.attempts
    ).update(heartbeat_at=now, **fields):
        raise _RunEnded
    run.heartbeat_at = now


def _fail(run: ImportRun, message: str) -> None:
    if run.written_rows:
        _interrupt(run)
        return
    _finish(
        run,
        ImportStatus.FAILED,
        problems=_problem_dicts([ImportProblem(None, None, _(message))]),
        problem_count=1,
    )


def partly_saved(run: ImportRun) -> str:
    """What a run of which part is saved says first: how much, and how to complete it."""
    return _(PARTLY_SAVED_MESSAGE) % {"saved": run.created_count + run.updated_count}


def _interrupt(run: ImportRun, problems: list[ImportProblem] = ()) -> None:
    """End a run of which part is saved: say so first, then why."""
    problems = [ImportProblem(None, None, partly_saved(run)), *problems]
    _finish(
        run,
        ImportStatus.INTERRUPTED,
        problems=_problem_dicts(problems[:MAX_PROBLEMS]),
        problem_count=len(problems),
    )


def import_cases(
    path: Path | str,
    *,
    actor,
    run: ImportRun,
    dry_run: bool = False,
    progress: Progress = _no_progress,
) -> ImportResult:
    """Check every row of the file at ``path`` and, when all are right, write them all
    (or, with ``dry_run``, nothing). ``run`` follows the import; ``actor`` is the user
    (None from the command line: every gemeente).

    Raises ``ImportRejected`` with the first problems (``run`` has the count) when the
    file is refused, when another import wrote the same dossiers meanwhile, or when the
    sweep gave the run up; nothing is written then. A run of which part was saved is
    taken up again until the file is in (``_RollForward``). Any other error marks the
    run as failed (or, when part is saved, leaves it to the sweep to take up again) and
    is raised again."""
    while True:
        try:
            return _import(Path(path), actor=actor, run=run, dry_run=dry_run, progress=progress)
        except ImportRejected:
            raise
        except _RollForward:
            if _take_up_again(run):
                continue
            raise ImportRejected(problems_of(run)) from None
        except _RunEnded:
            run.refresh_from_db()
            raise ImportRejected(problems_of(run)) from None
        except Exception as error:
            # Only the kind of error: a database message can quote a row of the file.
            logger.error("Case import %s failed: %s", run.pk, type(error).__name__)
            if not run.written_rows:
                _fail(run, FAILED_MESSAGE)
            # Part is saved: the sweep takes the run up again when it has gone silent.
            raise


def _take_up_again(run: ImportRun) -> bool:
    """Start the next attempt of a run of which part is saved; False (and the run
    ended) when the attempts are used up or another process took it over."""
    if run.attempts + 1 >= ROLL_FORWARD_ATTEMPTS:
        _interrupt(run)
        return False
    if not ImportRun.objects.filter(pk=run.pk, attempts=run.attempts).update(
        attempts=run.attempts + 1, status=ImportStatus.CHECKING, heartbeat_at=timezone.now()
    ):
        run.refresh_from_db()
        return False
    run.attempts += 1
    run.status = ImportStatus.CHECKING
    logger.warning("Case import %s: taken up again (attempt %s)", run.pk, run.attempts + 1)
    return True


@sensitive_variables()
def _import(
    path: Path, *, actor, run: ImportRun, dry_run: bool, progress: Progress
) -> ImportResult:
    reference = _Reference.load(actor)
    total = estimate_rows(path)
    run.total_rows, run.dry_run = total, dry_run
    heartbeat(run, status=ImportStatus.CHECKING, total_rows=total, dry_run=dry_run)
    run.status = ImportStatus.CHECKING
    result = ImportResult(dry_run=dry_run)
    staging = Staging(_staging_tables())
    try:
        writer = _check_and_stage(path, reference, actor, run, progress, total, staging, result)
        checked = writer.checked
        result.rows, result.sha256 = checked.rows, checked.sha256
        if dry_run:
            _finish(run, ImportStatus.DONE, **_counts(result))
        else:
            _Switch(run, actor=actor, staging=staging, writer=writer, progress=progress).move_all()
    except _Rejected as rejected:
        _reject(
            run,
            rejected.problems,
            rejected.count,
            total_rows=rejected.rows,
            checked_rows=rejected.rows,
            sha256=rejected.sha256,
        )
        raise ImportRejected(rejected.problems) from None
    except ImportRejected as rejected:
        _reject(run, rejected.problems, len(rejected.problems))
        raise
    finally:
        _drop_quietly(staging)
    return result


def _reject(run: ImportRun, problems: list[ImportProblem], count: int, **fields) -> None:
    """The file has problems. Taken up again after part was saved, the register may
    have changed since (a school closed): the part stays, and the run says so."""
    if run.written_rows:
        for name, value in fields.items():
            setattr(run, name, value)
        _interrupt(run, problems)
        return
    _finish(
        run,
        ImportStatus.REJECTED,
        problems=_problem_dicts(problems),
        problem_count=count,
        **fields,
    )


def _check_and_stage(path, reference, actor, run, progress, total, staging, result) -> _Writer:
    """The file checked and, while no problem is found, staged: no lock on the register.
    Raises ``_Rejected`` when a row has a problem; the writer knows what was checked."""
    writer = _Writer(actor=actor, run=run, result=result, staging=staging)
    try:
        checked = _check_file(
            path, reference, run=run, progress=progress, total=total, writer=writer
        )
    except BaseException:
        staging.finish(failed=True)
        raise
    staging.finish(failed=bool(checked.problems))
    if checked.problems:
        raise _Rejected(checked.problems, checked.rows, checked.sha256)
    return writer


def _counts(result: ImportResult) -> dict:
    return {
        "total_rows": result.rows,
        "checked_rows": result.rows,
        "written_rows": result.rows,
        "created_count": result.created,
        "updated_count": result.updated,
        "unchanged_count": result.unchanged,
        "sha256": result.sha256,
    }


class _Switch:
    """The staged rows into the register, batch by batch (decision 0034), each batch
    in a short transaction of its own: on SQLite the write lock is held for one batch
    at a time, however large the file, and other users write in between.

    The run goes first in every batch, and only while this attempt owns it: a run the
    sweep gave up on, or took up again, gets nothing more from this process. What a
    batch saved is on the run (its counts, ``written_rows``) in the same transaction.
    A file is never left half-written on purpose: should the process die between two
    batches, the sweep takes the run up again and the file is checked and switched
    anew, which finds the saved batches unchanged (``import_recovery``).

    The last batch marks the run done, records the import in the audit trail and
    schedules one refresh of the computed figures."""

    def __init__(self, run: ImportRun, *, actor, staging: Staging, writer: _Writer, progress):
        self.run, self.actor, self.staging, self.writer = run, actor, staging, writer
        self.result = writer.result
        self.progress = progress
        # Saved by earlier attempts of this run (taken up again): those rows are
        # "unchanged" to this attempt, but were created or updated by the import.
        saved = run.written_rows
        self.before = (run.created_count, run.updated_count, saved) if saved else (0, 0, 0)

    def move_all(self) -> None:
        batches = self.staging.batches or [None]
        rows_through_previous = 0
        for number, batch in enumerate(batches, start=1):
            last = number == len(batches)
            fields = self._fields(batch, last=last)
            try:
                with transaction.atomic():
                    self._claim(fields)
                    if batch is not None:
                        self.staging.switch(batch)
                    if last:
                        self._finish_import(fields)
            except IntegrityError:
                self._conflict()
            # The batch is committed: its rows count as written (decision 0043).
            rows_through = self.writer.through.get(batch, (0, 0, 0))[2]
            count_import_rows("cases", rows_through - rows_through_previous)
            rows_through_previous = rows_through
            for name, value in fields.items():
                setattr(self.run, name, value)
            rows = self.result.rows
            self.progress("opslaan", min(self.run.written_rows, rows), rows)
            if number < len(batches):
                let_others_write()

    def _fields(self, batch: int | None, *, last: bool) -> dict:
        """What the run says once ``batch`` is in: the counts through it, or, with the
        last, the import's whole result."""
        result, (created_before, updated_before, written_before) = self.result, self.before
        created, updated, items = self.writer.through.get(batch, (0, 0, 0))
        now = timezone.now()
        if not last:
            return {
                "status": ImportStatus.SAVING,
                "heartbeat_at": now,
                "created_count": created_before + created,
                "updated_count": updated_before + updated,
                "written_rows": written_before + items,
            }
        return {
            **_counts(result),
            "status": ImportStatus.DONE,
            "heartbeat_at": now,
            "finished_at": now,
            "created_count": created_before + result.created,
            "updated_count": updated_before + result.updated,
            "unchanged_count": max(0, result.unchanged - created_before - updated_before),
        }

    def _claim(self, fields: dict) -> None:
        if not ImportRun.objects.filter(
            pk=self.run.pk,
            status__in=(*ACTIVE_STATUSES, ImportStatus.SAVING),
            attempts=self.run.attempts,
        ).update(**fields):
            raise _RunEnded

    def _finish_import(self, fields: dict) -> None:
        result = self.result
        result.created, result.updated = fields["created_count"], fields["updated_count"]
        result.unchanged = fields["unchanged_count"]
        _record_import(self.run, self.actor, result)
        touched = set(self.writer.touched)
        if self.before[2]:
            # The batches saved by an earlier attempt are unchanged to this one: their
            # gemeenten and schools are read back from the cases the run wrote.
            touched |= set(
                Case.objects.filter(import_run=self.run)
                .values_list("municipality_id", "school_id")
                .distinct()
            )
        # One refresh of the computed figures for the whole file, after the commit.
        changed_cases(touched)

    def _conflict(self) -> None:
        """Another writer created one of the file's young people or dossiers since the
        file was checked. Nothing saved yet: the run fails and says why. Part saved:
        the file is checked again and the rest follows (``_RollForward``)."""
        logger.warning("Case import %s: the register changed while it was checked", self.run.pk)
        if not self.run.written_rows:
            _fail(self.run, CONFLICT_MESSAGE)
            raise _RunEnded from None
        raise _RollForward from None


def _record_import(run: ImportRun, actor, result: ImportResult) -> None:
    organisation_id = result.organisations.most_common(1)[0][0] if result.organisations else None
    audit.record(
        "cases.import",
        actor=actor,
        target=run,
        organisation=Organisation.objects.filter(pk=organisation_id).first()
        if organisation_id
        else None,
        after={
            "file": run.original_name,
            "sha256": result.sha256,
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "young_people_created": result.people_created,
            "young_people_updated": result.people_updated,
        },
    )


def _drop_quietly(staging: Staging) -> None:
    """The staging tables dropped; a connection that broke took them with it."""
    try:
        staging.drop()
    except DatabaseError:
        logger.warning("Case import: the staging tables were not dropped (connection lost)")


# ------------------------------------------------------------------ the web's way in


@transaction.atomic
def start_import(upload, *, actor, dry_run: bool = False) -> ImportRun:
    """Keep an uploaded file in the database (``kansrijk.kept_files``: encrypted under
    the register's key, under a random name), follow it with an ``ImportRun`` and hand it to the
    background task once the run is committed. The file holds BSNs: the task deletes it
    as soon as the import has ended, whatever the outcome, and the worker's sweep
    deletes it when the task died or never came (``import_recovery``)."""
    from .tasks import run_case_import

    run = ImportRun.objects.create(
        # A file name may carry a BSN ("leerling_123456782.csv"): masked like the audit.
        original_name=mask(os.path.basename(upload.name))[:255],
        # Always ".csv": the original name is not kept, not even in part.
        stored_file=kept_files.keep(IMPORT_DIR, "upload.csv", upload.chunks()),
        uploaded_by=actor,
        dry_run=dry_run,
        total_rows=0,
    )
    audit.record(
        "cases.import.upload",
        actor=actor,
        target=run,
        after={"file": run.original_name, "bytes": upload.size, "dry_run": dry_run},
    )
    transaction.on_commit(lambda: _enqueue(run_case_import, run))
    return run


def _enqueue(task, run: ImportRun) -> None:
    """Hand the run to the worker and remember its task, which the sweep marks failed
    with the run should the worker die."""
    result = task.enqueue(run.pk)
    ImportRun.objects.filter(pk=run.pk).update(task_id=str(result.id))


def delete_stored_file(run: ImportRun) -> None:
    if not run.stored_file:
        return
    kept_files.delete(run.stored_file)
    run.stored_file = ""
    ImportRun.objects.filter(pk=run.pk).update(stored_file="")


def run_stored_import(run_id: int) -> None:
    """The background task's work: import the stored file, then delete it."""
    run = ImportRun.objects.select_related("uploaded_by").get(pk=run_id)
    if run.is_finished:
        delete_stored_file(run)
        return
    try:
        if not run.stored_file:
            raise FileNotFoundError
        # The importer reads its file twice (the rows counted, then checked): a copy on
        # this machine's disk, deleted as soon as the import has ended.
        with kept_files.spooled(run.stored_file) as path:
            import_cases(path, actor=run.uploaded_by, run=run, dry_run=run.dry_run)
    except ImportRejected:
        pass  # the run says why
    except Exception as error:
        if not run.is_finished and not run.written_rows:
            logger.error("Case import %s failed: %s", run.pk, type(error).__name__)
            _fail(run, FAILED_MESSAGE)
    finally:
        # Part saved and the run not ended (the database went away between two
        # batches): the file stays for the sweep to take the run up again.
        if run.is_finished or not run.written_rows:
            delete_stored_file(run)
