"""Import an agenda spreadsheet (XLSX or CSV) back into the tree.

The file is the one ``exporting`` writes (``docs/formats/agenda-spreadsheet.md``): one
row per item, matched on its ``external_id``. Import happens in two steps:

1. **Check every row** and collect *all* problems, each naming its row and column in
   Dutch ("Rij 7, kolom 'status': 'klaar' is geen geldige status; ..."). One problem and
   nothing is written.
2. **Apply** in one transaction through the agenda services: an item that exists is
   updated in place, a new one is created, an item whose values are equal is left alone
   (no history row, no audit row: re-importing the same file changes nothing).

Items of the agenda that are not in the file are *not* deleted: they are reported as
"niet in het bestand". A spreadsheet is often a partial copy (a partner's own
activities, last month's export) and deleting what it lacks would silently throw away
history; removing an item is a deliberate act in the application.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kansrijk.imports import (
    Cell,
    CellError,
    Column,
    ImportProblem,
    ImportRejected,
    Limits,
    Progress,
    cell_text,
    check_header,
    check_row,
    data_rows,
    decimal_places,
    list_of,
    no_progress,
    open_table,
    parse_boolean,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_month,
    text_choice,
)
from kansrijk.imports.writing import write_in_batches
from kansrijk.organisations.models import Region
from kansrijk.reports.exporting import FORMULA_TRIGGERS, unguard_formula

from . import services
from .demo import AgendaFileError, organisation_by_reference
from .exporting import (
    COLUMNS,
    LIST_SEPARATOR,
    PERSON_SEPARATOR,
    ROLE_COLUMNS,
    TEXT_PARTY_PREFIX,
)
from .models import (
    Activity,
    ActivityKind,
    Agenda,
    Commitment,
    EvaluationMoment,
    FundingLine,
    FundingSource,
    Goal,
    Intervention,
    Spearhead,
    Theme,
    ThemeKind,
    WorkStatus,
)

MAX_ROWS = 20_000
MAX_FILE_BYTES = 5 * 1024 * 1024
# Physical rows (blank ones too) may exceed the data rows a little, not without end.
LIMITS = Limits(max_bytes=MAX_FILE_BYTES, max_rows=MAX_ROWS + 5_000)
REQUIRED_COLUMNS = ("type", "external_id")
HEADER_RULES = [Column(name, required=True) for name in REQUIRED_COLUMNS]
ID_RE = re.compile(r"^[^|\s][^|]*$")


# ------------------------------------------------------------------ the report


@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    not_in_file: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def summary_lines(self) -> list[str]:
        lines = []
        for kind in TYPES:
            created, updated, unchanged = (
                self.created[kind],
                self.updated[kind],
                self.unchanged[kind],
            )
            if created or updated or unchanged:
                lines.append(
                    _("%(label)s: %(created)s nieuw, %(updated)s bijgewerkt, %(same)s ongewijzigd")
                    % {
                        "label": TYPES[kind].plural,
                        "created": created,
                        "updated": updated,
                        "same": unchanged,
                    }
                )
        return lines


# ------------------------------------------------------------------ reading the file


@dataclass
class RawRow:
    number: int
    cells: dict[str, Cell]

    def has(self, column: str) -> bool:
        return column in self.cells

    def text(self, column: str) -> str:
        cell = self.cells.get(column)
        if cell is None or cell.value is None:
            return ""
        value = cell.value
        if isinstance(value, bool):
            return "ja" if value else "nee"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, datetime.datetime):
            return value.date().isoformat()
        return str(value)


@dataclass
class Table:
    columns: list[str]
    rows: list[RawRow]


def read_table(data, filename: str, *, progress: Progress = no_progress) -> Table:
    """The header and non-blank rows of an XLSX or CSV file (by its extension), read
    through the shared pipeline: its limits are checked while reading."""
    source = open_table(data, filename, limits=LIMITS, progress=progress, sheet="Agenda")
    columns = source.columns
    problems = check_header(HEADER_RULES, columns)
    if problems:
        raise ImportRejected(problems)
    rows = [
        RawRow(number=number, cells=cells)
        for number, cells in data_rows(source, COLUMN_SET, max_rows=MAX_ROWS)
    ]
    return Table(columns=[c for c in columns if c], rows=rows)


# ------------------------------------------------------------------ what a row may hold
# Each type declares its columns: free text (kept exactly as written, as long as the
# model's field allows) unless a rule in ``parsed`` says what else the cell holds.
# ``check_row`` applies the rules; what is left as code below is about several cells or
# the database (references, cycles, a funding line's sum, a region or an owner).


def _text_or_blank(value: Any) -> str:
    """A free-text cell exactly as written (the shared rules strip only to judge)."""
    return cell_text(value)


def _months(value: Any) -> list[datetime.date]:
    return sorted(set(list_of(parse_month, LIST_SEPARATOR)(value)))


def _id_list(value: Any) -> list[str]:
    return [part.strip() for part in cell_text(value).split(LIST_SEPARATOR) if part.strip()]


NOT_BETWEEN_0_AND_100 = gettext_lazy("%(value)s ligt niet tussen 0 en 100.")
NOT_NEGATIVE = gettext_lazy("een bedrag of aantal kan niet negatief zijn.")
SHARE = gettext_lazy("het aandeel ligt tussen 0 en 1 (0,5 is de helft).")
TEXT_TOO_LONG = gettext_lazy("de tekst is %(length)s tekens lang; hoogstens %(n)s mag.")
POSITION = Column(
    "position",
    parse=parse_integer,
    minimum=0,
    messages={"minimum": gettext_lazy("de volgorde kan niet negatief zijn.")},
)
MONTHS = Column("months", parse=_months)
PROGRESS = Column(
    "progress",
    parse=parse_integer,
    minimum=0,
    maximum=100,
    messages={"minimum": NOT_BETWEEN_0_AND_100, "maximum": NOT_BETWEEN_0_AND_100},
)
YEAR = gettext_lazy("%(value)s is geen jaartal.")


def _amount(name: str, places: int) -> Column:
    return Column(name, parse=decimal_places(places), minimum=0, messages={"minimum": NOT_NEGATIVE})


def _required_message(label: str):
    return lazy(
        lambda: _("vul dit in; het is verplicht voor een %(type)s.") % {"type": label}, str
    )()


@dataclass
class TypeSpec:
    model: type[models.Model]
    label: str
    plural: str
    # column -> model field
    fields: dict[str, str]
    required: tuple[str, ...]
    # the columns that are not free text, and the columns besides the fields
    parsed: tuple[Column, ...] = ()
    has_position: bool = True

    @cached_property
    def rules(self) -> list[Column]:
        """Every column this type reads, with its rule; required ones must be filled."""
        parsed = {rule.name: rule for rule in self.parsed}
        rules = [parsed.pop(column, None) or self._text_rule(column) for column in self.fields]
        rules += parsed.values()
        if self.has_position:
            rules.append(POSITION)
        filled = {"filled": _required_message(self.label)}
        return [
            replace(rule, filled=True, messages={**(rule.messages or {}), **filled})
            if rule.name in self.required
            else rule
            for rule in rules
        ]

    def _text_rule(self, column: str) -> Column:
        limit = getattr(self.model._meta.get_field(self.fields[column]), "max_length", None)
        return Column(
            column, parse=_text_or_blank, max_length=limit, messages={"max_length": TEXT_TOO_LONG}
        )


TYPES: dict[str, TypeSpec] = {
    "theme": TypeSpec(
        Theme,
        "thema",
        "Thema's",
        {c: c for c in ("kind", "number", "title", "background", "sources")},
        required=("title", "kind"),
        parsed=(Column("kind", parse=text_choice(ThemeKind, "soort")),),
    ),
    "spearhead": TypeSpec(
        Spearhead,
        "speerpunt",
        "Speerpunten",
        {c: c for c in ("number", "title", "description", "intended_result", "priority")},
        required=("title",),
        parsed=(Column("priority", parse=parse_integer),),
    ),
    "goal": TypeSpec(
        Goal,
        "doel",
        "Doelen",
        {c: c for c in ("number", "text", "indicator_text", "priority")},
        required=("text",),
    ),
    "activity": TypeSpec(
        Activity,
        "activiteit",
        "Activiteiten",
        {c: c for c in ("kind", "title", "description", "planned_text", "status", "progress")},
        required=("title", "kind"),
        parsed=(
            Column("kind", parse=text_choice(ActivityKind, "soort")),
            Column("status", parse=text_choice(WorkStatus, "status", show_words=True)),
            PROGRESS,
            MONTHS,
        ),
    ),
    "intervention": TypeSpec(
        Intervention,
        "interventie",
        "Interventies",
        {
            "title": "name",
            "parties_text": "parties_text",
            "planned_text": "planning_text",
            **{
                c: c
                for c in (
                    "goal_text",
                    "target_group",
                    "age_min",
                    "age_max",
                    "location_text",
                    "activities_text",
                    "monitoring_text",
                    "financing_text",
                    "online_information",
                    "contact",
                    "status",
                    "progress",
                )
            },
        },
        required=("title",),
        parsed=(
            Column("age_min", parse=decimal_places(2)),
            Column("age_max", parse=decimal_places(2)),
            Column("status", parse=text_choice(WorkStatus, "status", show_words=True)),
            PROGRESS,
            MONTHS,
        ),
    ),
    "funding": TypeSpec(
        FundingLine,
        "financieringsregel",
        "Financieringsregels",
        {
            c: c
            for c in (
                "year",
                "source",
                "unit_amount",
                "unit",
                "quantity",
                "share",
                "planned_amount",
                "realised_amount",
                "is_estimate",
                "notes",
            )
        },
        required=("year", "source"),
        parsed=(
            Column(
                "year",
                parse=parse_integer,
                minimum=1900,
                maximum=2100,
                messages={"minimum": YEAR, "maximum": YEAR},
            ),
            Column("source", parse=text_choice(FundingSource, "bron")),
            _amount("unit_amount", 2),
            _amount("quantity", 4),
            # 0 is refused too: at four decimals the smallest share is 0,0001.
            Column(
                "share",
                parse=decimal_places(4),
                minimum=Decimal("0.0001"),
                maximum=1,
                messages={"minimum": SHARE, "maximum": SHARE},
            ),
            _amount("planned_amount", 2),
            _amount("realised_amount", 2),
            Column("is_estimate", parse=parse_boolean),
        ),
        has_position=False,
    ),
    "evaluation": TypeSpec(
        EvaluationMoment,
        "evaluatiemoment",
        "Evaluatiemomenten",
        {"planned_text": "planned_text", "text": "description", "done_on": "done_on"},
        required=("text", "months"),
        parsed=(Column("done_on", parse=parse_date), MONTHS),
        has_position=False,
    ),
    "commitment": TypeSpec(
        Commitment,
        "afspraak",
        "Afspraken",
        {c: c for c in ("text", "times_per_year", "at_least")},
        required=("text",),
        parsed=(
            Column("times_per_year", parse=parse_integer),
            Column("at_least", parse=parse_boolean),
        ),
    ),
}

TYPE_WORDS = {key: key for key in TYPES} | {spec.label: key for key, spec in TYPES.items()}
TYPE_WORDS |= {"financiering": "funding", "evaluatie": "evaluation"}
NUMERIC_COLUMNS = {
    "position",
    "priority",
    "progress",
    "age_min",
    "age_max",
    "year",
    "unit_amount",
    "quantity",
    "share",
    "planned_amount",
    "realised_amount",
    "times_per_year",
}
COLUMN_SET = set(COLUMNS)
# Reference columns: which column points at which type.
REFERENCES = {
    "goal": {"spearhead_external_id": "spearhead", "themes": "theme"},
    "activity": {"goal_external_id": "goal", "parent_external_id": "activity"},
    "intervention": {"goals": "goal"},
    "funding": {"intervention_external_id": "intervention", "activity_external_id": "activity"},
    "evaluation": {"intervention_external_id": "intervention"},
}
LIST_REFERENCES = {"themes", "goals"}


# ------------------------------------------------------------------ checking every row


@dataclass
class ParsedRow:
    number: int
    kind: str
    external_id: str
    values: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, Any] = field(default_factory=dict)  # column -> id or list of ids
    months: list[datetime.date] | None = None
    locations: list[Region] | None = None
    owner: Any = ...  # ... = column absent
    payer: Any = ...  # ... = column absent
    roles: dict[str, list[services.Party]] = field(default_factory=dict)  # columns present
    position: int | None = None


def _existing_items(agenda: Agenda) -> dict[str, dict[str, models.Model]]:
    """Every item of the agenda by type and external id (one query per type)."""
    return {
        "theme": {i.external_id: i for i in agenda.themes.all()},
        "spearhead": {i.external_id: i for i in agenda.spearheads.all()},
        "goal": {i.external_id: i for i in agenda.goals.all()},
        "activity": {i.external_id: i for i in agenda.activities.all()},
        "intervention": {i.external_id: i for i in agenda.interventions.all()},
        "funding": {
            i.external_id: i
            for i in FundingLine.objects.filter(
                Q(intervention__agenda=agenda) | Q(activity__agenda=agenda)
            ).order_by("-pk")
        },
        "evaluation": {i.external_id: i for i in agenda.evaluation_moments.all()},
        "commitment": {i.external_id: i for i in agenda.commitments.all()},
    }


def check_rows(agenda: Agenda, table: Table) -> tuple[list[ParsedRow], list[ImportProblem]]:
    """Parse and check every row; return the parsed rows and *all* problems found."""
    problems: list[ImportProblem] = []
    existing = _existing_items(agenda)
    parsed: list[ParsedRow] = []
    first_seen: dict[tuple[str, str], int] = {}

    def problem(row: int | None, column: str | None, message: str) -> None:
        problems.append(ImportProblem(row, column, message))

    for raw in table.rows:
        row, refused_columns = _without_formulas(raw, problem)
        if refused_columns & {"type", "external_id"}:
            continue  # without its type and id a row cannot be checked further
        identity = _identify(row, first_seen, problem)
        if identity is None:
            continue
        kind, external_id = identity
        is_new = external_id not in existing[kind]
        item = ParsedRow(number=row.number, kind=kind, external_id=external_id)
        _parse_fields(row, TYPES[kind], item, problem)
        _check_required(row, TYPES[kind], refused_columns, is_new, problem)
        _parse_references(row, item)
        _check_months_locations_owner(row, item, problem)
        if kind == "funding":
            _check_funding(row, item, existing["funding"].get(external_id), is_new, problem)
        parsed.append(item)

    _check_references(parsed, existing, problem)
    _check_cycles(parsed, existing, problem)
    problems.sort(key=lambda p: (p.row or 0, COLUMNS.index(p.column) if p.column in COLUMNS else 0))
    return parsed, problems


def _without_formulas(raw: RawRow, problem) -> tuple[RawRow, set[str]]:
    """The row without formula cells, and the columns refused for holding one. Formulas
    never come in: not in XLSX (a real formula) and not in CSV (a text that a spreadsheet
    program would run, unless the exporter's quote guards it)."""
    clean: dict[str, Cell] = {}
    refused_columns: set[str] = set()
    for column, cell in raw.cells.items():
        if cell.is_formula:
            problem(raw.number, column, _("een formule wordt niet geïmporteerd."))
            refused_columns.add(column)
            continue
        value = cell.value
        if isinstance(value, str):
            if (
                cell.from_csv
                and value.startswith(FORMULA_TRIGGERS)
                and not (column in NUMERIC_COLUMNS and _looks_numeric(value))
            ):
                problem(
                    raw.number,
                    column,
                    _(
                        "'%(value)s' begint met '%(char)s' en zou in een rekenblad een "
                        "formule worden; zet er een ' voor als het tekst is."
                    )
                    % {"value": value[:40], "char": value[:1]},
                )
                refused_columns.add(column)
                continue
            value = unguard_formula(value)
        clean[column] = Cell(value)
    return RawRow(raw.number, clean), refused_columns


def _identify(row: RawRow, first_seen: dict, problem) -> tuple[str, str] | None:
    """The row's type and external id, or None (with a problem) when either is wrong."""
    type_word = row.text("type").strip().lower()
    kind = TYPE_WORDS.get(type_word)
    if kind is None:
        problem(
            row.number,
            "type",
            _("'%(value)s' is geen bekend type; kies uit %(options)s.")
            % {"value": row.text("type")[:80], "options": ", ".join(TYPES)},
        )
        return None
    external_id = row.text("external_id").strip()
    if not external_id:
        problem(row.number, "external_id", _("vul een extern id in."))
        return None
    if not ID_RE.match(external_id) or len(external_id) > 80:
        problem(
            row.number,
            "external_id",
            _("'%(value)s' is geen geldig id (hoogstens 80 tekens, zonder '|').")
            % {"value": external_id[:90]},
        )
        return None
    key = (kind, external_id)
    if key in first_seen:
        problem(
            row.number,
            "external_id",
            _("%(type)s '%(id)s' staat ook in rij %(row)s.")
            % {"type": TYPES[kind].label, "id": external_id, "row": first_seen[key]},
        )
        return None
    first_seen[key] = row.number
    return kind, external_id


def _parse_fields(row: RawRow, spec: TypeSpec, item: ParsedRow, problem) -> None:
    """The type's declared rules over the row's cells; the values keyed by model field."""
    values, problems = check_row(spec.rules, row.number, row.cells)
    for found in problems:
        problem(found.row, found.column, found.message)
    if "position" in values:
        item.position = values.pop("position")
    if "months" in values:
        item.months = values.pop("months") or []
    text_columns = {rule.name for rule in spec.rules if rule.parse is _text_or_blank}
    for column, value in values.items():
        if value is None and column in text_columns:
            value = ""
        item.values[spec.fields[column]] = value


def _check_required(row: RawRow, spec: TypeSpec, refused: set[str], is_new: bool, problem):
    """A new item needs its required columns in the file (filled: the rules say so)."""
    for column in spec.required:
        if is_new and column not in refused and not row.has(column):
            problem(
                row.number,
                column,
                _("deze kolom ontbreekt, maar is nodig voor een nieuw(e) %(type)s.")
                % {"type": spec.label},
            )


def _parse_references(row: RawRow, item: ParsedRow) -> None:
    for column in REFERENCES.get(item.kind, {}):
        if not row.has(column):
            continue
        if column in LIST_REFERENCES:
            item.refs[column] = _id_list(row.cells[column].value)
        else:
            item.refs[column] = row.text(column).strip()


def _check_months_locations_owner(row: RawRow, item: ParsedRow, problem) -> None:
    kind = item.kind
    if kind == "evaluation" and item.months and len(item.months) != 1:
        problem(row.number, "months", _("een evaluatiemoment heeft precies één maand."))
    if kind == "intervention" and row.has("locations"):
        codes = _id_list(row.cells["locations"].value)
        regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in regions]
        if unknown:
            problem(
                row.number,
                "locations",
                _("onbekende regiocode(s): %(codes)s.") % {"codes": ", ".join(unknown)[:200]},
            )
        else:
            item.locations = [regions[code] for code in codes]
    if kind == "commitment" and row.has("owner"):
        item.owner = _owner(row, problem)
    if kind == "funding" and row.has("payer"):
        item.payer = _owner(row, problem, column="payer")
    if kind in ("activity", "intervention"):
        _check_roles(row, item, problem)


def _owner(row: RawRow, problem, column: str = "owner"):
    reference = row.text(column).strip()
    if not reference:
        return None
    try:
        return organisation_by_reference(reference)
    except AgendaFileError:
        problem(
            row.number,
            column,
            _(
                "organisatie '%(value)s' is niet (eenduidig) gevonden; gebruik de "
                "code of de exacte naam."
            )
            % {"value": reference[:80]},
        )
        return ...


def _check_roles(row: RawRow, item: ParsedRow, problem) -> None:
    """The voortrekker, partners and financiers columns a row has, each read into parties;
    a problem names the row, the column and the party."""
    for column in ROLE_COLUMNS:
        if not row.has(column):
            continue
        parties, seen = [], set()
        for reference in _id_list(row.cells[column].value):
            party = _party(reference, row.number, column, problem)
            if party is None:
                continue
            if party.key in seen:
                problem(
                    row.number,
                    column,
                    _("'%(value)s' staat twee keer in deze kolom.") % {"value": reference[:80]},
                )
            seen.add(party.key)
            parties.append(party)
        if column == "voortrekker" and len(parties) > 1:
            problem(
                row.number,
                column,
                _("een onderdeel heeft één voortrekker; zet de anderen in de kolom 'partners'."),
            )
        item.roles[column] = parties
    lead = {party.key for party in item.roles.get("voortrekker", [])}
    if lead & {party.key for party in item.roles.get("partners", [])}:
        problem(
            row.number,
            "partners",
            _("de voortrekker staat ook bij de partners; noem hen één keer, als voortrekker."),
        )


def _party(reference: str, row_number: int, column: str, problem) -> services.Party | None:
    """A party from its cell text: 'tekst: ...', 'username @ organisation' or an
    organisation's code or exact name."""
    from kansrijk.organisations.models import Membership, User

    if reference.lower().startswith(TEXT_PARTY_PREFIX):
        name = reference[len(TEXT_PARTY_PREFIX) :].strip()
        if not name or len(name) > 200:
            problem(
                row_number,
                column,
                _("na 'tekst:' staat de naam van de partij, hoogstens 200 tekens."),
            )
            return None
        return services.Party(party_name=name)
    username, separator, organisation_text = reference.partition(PERSON_SEPARATOR)
    if not separator:
        username, organisation_text = "", reference
    try:
        organisation = organisation_by_reference(organisation_text.strip())
    except AgendaFileError:
        problem(
            row_number,
            column,
            _(
                "organisatie '%(value)s' is niet (eenduidig) gevonden; gebruik de code of de "
                "exacte naam, of 'tekst: %(value)s' voor een partij die niet in het register "
                "staat."
            )
            % {"value": organisation_text.strip()[:80]},
        )
        return None
    if not username:
        return services.Party(organisation=organisation)
    person = User.objects.filter(username=username.strip()).first()
    works_there = (
        person is not None
        and Membership.objects.filter(
            user=person, organisation=organisation, is_active=True
        ).exists()
    )
    if not works_there:
        problem(
            row_number,
            column,
            _("'%(user)s' is geen gebruiker die voor %(organisation)s werkt.")
            % {"user": username.strip()[:80], "organisation": organisation.name},
        )
        return None
    return services.Party(organisation=organisation, person=person)


def _looks_numeric(value: str) -> bool:
    try:
        parse_decimal(value, 6)
    except CellError:
        return False
    return True


def _check_funding(row: RawRow, item: ParsedRow, line, is_new: bool, problem) -> None:
    values = item.values
    unit_amount = values.get("unit_amount", None if is_new else line.unit_amount)
    for column in ("quantity", "share"):
        if column in values and values[column] is None:
            values[column] = Decimal(1)
    if unit_amount is not None:
        quantity = values.get("quantity", Decimal(1) if is_new else line.quantity)
        share = values.get("share", Decimal(1) if is_new else line.share)
        computed = (unit_amount * quantity * share).quantize(Decimal("0.01"))
        planned = values.pop("planned_amount", None)
        if planned is not None and planned != computed:
            problem(
                row.number,
                "planned_amount",
                _(
                    "%(planned)s wijkt af van unit_amount × quantity × share = %(computed)s; "
                    "laat planned_amount leeg of pas de eenheid aan."
                )
                % {"planned": planned, "computed": computed},
            )
    elif "planned_amount" in values and values["planned_amount"] is None:
        problem(
            row.number,
            "planned_amount",
            _("vul planned_amount in, of unit_amount met unit, quantity en share."),
        )
    elif is_new and "planned_amount" not in values:
        problem(
            row.number,
            "planned_amount",
            _("deze kolom ontbreekt, maar is nodig voor een nieuwe financieringsregel."),
        )
    _check_funding_owner(row, item, is_new, problem)


def _check_funding_owner(row: RawRow, item: ParsedRow, is_new: bool, problem) -> None:
    """A funding line belongs to an intervention or to an activity: exactly one."""
    owners = [
        column
        for column in ("intervention_external_id", "activity_external_id")
        if item.refs.get(column)
    ]
    if len(owners) > 1:
        problem(
            row.number,
            "activity_external_id",
            _(
                "een financieringsregel hoort bij een interventie óf een activiteit, "
                "niet bij beide."
            ),
        )
    elif not owners and (
        is_new or any(c in item.refs for c in ("intervention_external_id", "activity_external_id"))
    ):
        problem(
            row.number,
            "intervention_external_id",
            _("vul intervention_external_id of activity_external_id in."),
        )


def _check_references(parsed: list[ParsedRow], existing, problem) -> None:
    in_file: dict[str, set[str]] = defaultdict(set)
    for item in parsed:
        in_file[item.kind].add(item.external_id)
    for item in parsed:
        for column, target in REFERENCES.get(item.kind, {}).items():
            if column not in item.refs:
                continue
            wanted = item.refs[column]
            ids = wanted if isinstance(wanted, list) else ([wanted] if wanted else [])
            unknown = [i for i in ids if i not in in_file[target] and i not in existing[target]]
            if unknown:
                problem(
                    item.number,
                    column,
                    _("%(type)s '%(ids)s' staat niet in het bestand en niet in de agenda.")
                    % {"type": TYPES[target].label, "ids": "', '".join(unknown)},
                )


def _check_cycles(parsed: list[ParsedRow], existing, problem) -> None:
    parent_of = {
        external_id: activity.parent.external_id if activity.parent_id else ""
        for external_id, activity in _activities_with_parents(existing).items()
    }
    for item in parsed:
        if item.kind == "activity" and "parent_external_id" in item.refs:
            parent_of[item.external_id] = item.refs["parent_external_id"]
    for item in parsed:
        if item.kind != "activity" or not item.refs.get("parent_external_id"):
            continue
        seen = {item.external_id}
        current = parent_of.get(item.external_id, "")
        while current:
            if current in seen:
                problem(
                    item.number,
                    "parent_external_id",
                    _(
                        "'%(id)s' maakt een kring: een activiteit kan niet (via andere) onder "
                        "zichzelf vallen."
                    )
                    % {"id": item.refs["parent_external_id"]},
                )
                break
            seen.add(current)
            current = parent_of.get(current, "")


def _activities_with_parents(existing) -> dict[str, Activity]:
    activities = existing["activity"]
    by_pk = {a.pk: a for a in activities.values()}
    for activity in activities.values():
        # Fill the parent from what is already loaded, without a query per activity.
        if activity.parent_id and activity.parent_id in by_pk:
            activity.parent = by_pk[activity.parent_id]
    return activities


# ------------------------------------------------------------------ applying


MODEL_KEY = {spec.model: key for key, spec in TYPES.items()}


def _differs(instance: models.Model, values: dict[str, Any]) -> bool:
    for name, value in values.items():
        model_field = instance._meta.get_field(name)
        if _unsaved(value):
            return True  # an item the file adds (only a dry run gets this far without it)
        if model_field.is_relation:
            current = getattr(instance, model_field.attname)
            if current != (value.pk if value is not None else None):
                return True
        elif getattr(instance, name) != value:
            return True
    return False


def _parents_first(rows: list[ParsedRow]) -> list[ParsedRow]:
    by_id = {row.external_id: row for row in rows}
    ordered: list[ParsedRow] = []
    placed: set[str] = set()

    def place(row: ParsedRow) -> None:
        if row.external_id in placed:
            return
        placed.add(row.external_id)
        parent = by_id.get(row.refs.get("parent_external_id") or "")
        if parent is not None:
            place(parent)
        ordered.append(row)

    for row in rows:
        place(row)
    return ordered


def _unsaved(value: Any) -> bool:
    return isinstance(value, models.Model) and value.pk is None


def _in_order(parsed: list[ParsedRow]) -> list[tuple[str, int, ParsedRow]]:
    """(type, ordinal within its type, row), in the order they are written: by type
    down the tree, parent activities before their children, so that every row refers
    only to items stored before it."""
    by_kind: dict[str, list[ParsedRow]] = defaultdict(list)
    for row in parsed:
        by_kind[row.kind].append(row)
    by_kind["activity"] = _parents_first(by_kind["activity"])
    return [(kind, ordinal, row) for kind in TYPES for ordinal, row in enumerate(by_kind[kind])]


def apply_rows(
    agenda: Agenda,
    parsed: list[ParsedRow],
    *,
    actor,
    dry_run: bool = False,
    progress: Progress = no_progress,
) -> ImportReport:
    """Write the checked rows in order, in short batches (decision 0030). An item is
    found by its external id, so a run again after an interruption finds the rows
    already written unchanged, and its references (a parent activity, a goal) resolve
    to the items the first run stored.

    With ``dry_run`` nothing is written and no transaction is opened: every row is
    compared with what is stored and validated as the save would, and the report counts
    the same as a write would."""
    report = ImportReport(dry_run=dry_run)
    items = _existing_items(agenda)

    def resolve(kind: str, external_id: str):
        return items[kind].get(external_id) if external_id else None

    def apply(step: tuple[str, int, ParsedRow]) -> None:
        kind, ordinal, row = step
        instance = items[kind].get(row.external_id)
        is_new = instance is None
        if is_new:
            instance = TYPES[kind].model(external_id=row.external_id)
            if kind != "funding":
                instance.agenda = agenda
        values = _row_values(row, ordinal, is_new, resolve)
        changed = is_new or _differs(instance, values)
        if changed:
            _save(instance, row, values, actor=actor, dry_run=dry_run)
        items[kind][row.external_id] = instance
        links_changed = _apply_links(instance, row, resolve, actor=actor, dry_run=dry_run)
        if is_new:
            report.created[kind] += 1
        elif changed or links_changed:
            report.updated[kind] += 1
        else:
            report.unchanged[kind] += 1

    steps = _in_order(parsed)
    if dry_run:
        for step in steps:
            apply(step)
    else:
        write_in_batches(steps, apply, progress=progress, importer="agenda")
    report.not_in_file = _not_in_file(parsed, items)
    return report


def _save(instance, row: ParsedRow, values: dict[str, Any], *, actor, dry_run: bool) -> None:
    """Save a row through the service; in a dry run, set and validate it as the service
    would, leaving out the references to items the file adds (not stored, so not
    comparable: they are checked by ``check_rows``)."""
    try:
        if not dry_run:
            services.save_item(instance, actor=actor, **values)
            return
        for name, value in values.items():
            setattr(instance, name, value)
        if isinstance(instance, FundingLine) and instance.unit_amount is not None:
            instance.planned_amount = instance.computed_amount()
        instance.full_clean(exclude=[name for name, value in values.items() if _unsaved(value)])
    except ValidationError as error:
        raise ImportRejected(_validation_problems(row, error)) from None


def _row_values(row: ParsedRow, ordinal: int, is_new: bool, resolve) -> dict[str, Any]:
    """The model fields a row sets, its references resolved to instances."""
    kind, refs = row.kind, row.refs
    values = dict(row.values)
    if TYPES[kind].has_position:
        if row.position is not None:
            values["position"] = row.position
        elif is_new:
            values["position"] = ordinal
    if kind == "goal" and "spearhead_external_id" in refs:
        values["spearhead"] = resolve("spearhead", refs["spearhead_external_id"])
    if kind == "activity":
        if "goal_external_id" in refs:
            values["goal"] = resolve("goal", refs["goal_external_id"])
        if "parent_external_id" in refs:
            values["parent"] = resolve("activity", refs["parent_external_id"])
    if kind in ("funding", "evaluation") and refs.get("intervention_external_id"):
        values["intervention"] = resolve("intervention", refs["intervention_external_id"])
        if kind == "funding":
            values["activity"] = None
    elif kind == "evaluation" and "intervention_external_id" in refs:
        values["intervention"] = None
    if kind == "funding" and refs.get("activity_external_id"):
        values["activity"] = resolve("activity", refs["activity_external_id"])
        values["intervention"] = None
    if kind == "evaluation" and row.months:
        values["month"] = row.months[0]
    if kind == "commitment" and row.owner is not ...:
        values["owner"] = row.owner
    if kind == "funding" and row.payer is not ...:
        values["payer"] = row.payer
    if kind == "funding" and values.get("unit_amount") is None and is_new:
        values.pop("unit_amount", None)
    return values


def _apply_links(instance, row: ParsedRow, resolve, *, actor, dry_run: bool = False) -> bool:
    """Set the many-to-many links and planned months a row names; True if any changed.
    A dry run only compares (an item the file adds has none yet: it counts as new)."""
    if dry_run and instance.pk is None:
        return True

    def link(name: str, objects) -> bool:
        if not dry_run:
            return services.set_item_links(instance, name, objects, actor=actor)
        if any(_unsaved(obj) for obj in objects):
            return True
        current = sorted(getattr(instance, name).values_list("pk", flat=True))
        return current != sorted(obj.pk for obj in objects)

    kind, changed = row.kind, False
    if kind == "goal" and "themes" in row.refs:
        changed |= link("themes", [resolve("theme", i) for i in row.refs["themes"]])
    if kind == "intervention":
        if "goals" in row.refs:
            changed |= link("goals", [resolve("goal", i) for i in row.refs["goals"]])
        if row.locations is not None:
            changed |= link("locations", row.locations)
    if kind in ("activity", "intervention") and row.months is not None:
        current = set(instance.planned_months.values_list("month", flat=True))
        if current != set(row.months):
            if not dry_run:
                services.set_planned_months(instance, row.months, actor=actor)
            changed = True
    if kind in ("activity", "intervention") and row.roles:
        changed |= _apply_roles(instance, row, actor=actor, dry_run=dry_run)
    return changed


def _apply_roles(instance, row: ParsedRow, *, actor, dry_run: bool) -> bool:
    """The roles the file names, the others as they are; through ``services.set_roles``."""
    current = services.current_roles(instance)
    wanted = {column: row.roles.get(column, current[role]) for column, role in ROLE_COLUMNS.items()}
    if dry_run:
        return any(
            {party.key for party in wanted[column]} != {party.key for party in current[role]}
            for column, role in ROLE_COLUMNS.items()
        )
    try:
        return services.set_roles(
            instance,
            voortrekker=wanted["voortrekker"],
            partners=wanted["partners"],
            financiers=wanted["financiers"],
            actor=actor,
        )
    except ValidationError as error:
        # Found only with what is stored beside the file's columns: name the first of them.
        column = next(iter(row.roles))
        raise ImportRejected(
            [ImportProblem(row.number, column, message) for message in error.messages]
        ) from None


def _not_in_file(parsed: list[ParsedRow], items) -> list[str]:
    """Items of the types in the file that the file does not name (they stay)."""
    present = {(row.kind, row.external_id) for row in parsed}
    kinds_in_file = {row.kind for row in parsed}
    return [
        f"{TYPES[kind].label} '{external_id}': {str(instance)[:80]}"
        for kind in TYPES
        if kind in kinds_in_file
        for external_id, instance in sorted(items[kind].items())
        if (kind, external_id) not in present
    ]


def _validation_problems(row: ParsedRow, error: ValidationError) -> list[ImportProblem]:
    columns = {model_field: column for column, model_field in TYPES[row.kind].fields.items()}
    problems = []
    for name, messages in getattr(error, "message_dict", {"": error.messages}).items():
        for message in messages:
            problems.append(ImportProblem(row.number, columns.get(name, name or None), message))
    return problems


def import_table(
    agenda: Agenda,
    table: Table,
    *,
    actor,
    dry_run: bool = False,
    progress: Progress = no_progress,
) -> ImportReport:
    """Check every row, then (if all are good) write them in short batches. Raises
    ``ImportRejected`` with every problem when a row is bad; nothing is written then."""
    parsed, problems = check_rows(agenda, table)
    if problems:
        raise ImportRejected(problems)
    report = apply_rows(agenda, parsed, actor=actor, dry_run=dry_run, progress=progress)
    report.warnings = [
        _("Kolom '%(column)s' is onbekend en is overgeslagen.") % {"column": column}
        for column in table.columns
        if column not in COLUMN_SET
    ]
    return report


def import_file(
    agenda: Agenda,
    data,
    filename: str,
    *,
    actor,
    dry_run: bool = False,
    progress: Progress = no_progress,
) -> ImportReport:
    """``data`` is bytes or a seekable binary file."""
    table = read_table(data, filename, progress=progress)
    return import_table(agenda, table, actor=actor, dry_run=dry_run, progress=progress)
