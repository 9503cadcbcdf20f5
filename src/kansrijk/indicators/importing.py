"""Import measurements from a CSV or XLSX file: all rows or none.

Columns (the export writes the same ones, see ``exporting.COLUMNS``): ``indicator``
(code), ``periode`` (label), ``periode_start``, ``periode_eind``, ``regio`` (code) or
``organisatie`` (code), ``uitsplitsing``, ``categorie``, ``waarde`` or ``teller`` and
``noemer``, ``definitief`` (ja/nee), ``verhaal``, ``bron``. Other columns are ignored.

1. **Check every row** and collect every problem, each naming its row and column in
   Dutch. One problem and nothing is written.
2. **Apply** in one transaction through ``services.submit_measurement``. A cell whose
   figure is equal to the stored one is left alone (no history, no audit, and it keeps
   its approval): importing the same file twice changes nothing.

Figures are stored as "ingediend"; only someone who may approve figures of the
indicator (or the command line) can import them as approved.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kansrijk.agenda.importing import LIMITS as READ_LIMITS
from kansrijk.agenda.importing import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    ImportProblem,
    ImportRejected,
)
from kansrijk.imports import (
    Column,
    Progress,
    cell_text,
    check_header,
    check_row,
    data_rows,
    decimal_places,
    no_progress,
    open_table,
    parse_boolean,
    parse_date,
)
from kansrijk.imports.writing import refused, write_in_batches
from kansrijk.organisations.models import Membership, Organisation, Region, Role

from . import services
from .disclosure import small_number_warning
from .models import ApprovalStatus, Indicator, Measurement, SourceKind

__all__ = ["MAX_FILE_BYTES", "ImportProblem", "ImportRejected", "ImportReport", "import_file"]

COLUMNS = (
    "indicator",
    "periode",
    "periode_start",
    "periode_eind",
    "regio",
    "organisatie",
    "uitsplitsing",
    "categorie",
    "waarde",
    "teller",
    "noemer",
    "definitief",
    "verhaal",
    "bron",
)
# A computed figure comes from the register or the sociale kaart, never from a file.
COMPUTED_IS_NOT_ENTERED = _lazy(
    "'%(code)s' wordt berekend door Kansrijk zelf; die cijfers lever je niet aan."
)
REQUIRED_COLUMNS = ("indicator", "periode", "periode_start", "periode_eind")
HEADER_RULES = [Column(name, required=True) for name in REQUIRED_COLUMNS]
FILL_IN_A_DATE = _lazy("vul een datum in (JJJJ-MM-DD).")
# What each cell may hold; what needs several cells (a period's end after its start, a
# rate's numerator and denominator) or the database (a known indicator, region or
# organisation, the actor's right to submit) is checked in ``_RowCheck``.
ROW_RULES = [
    Column(
        "indicator",
        filled=True,
        parse=lambda value: _text(value),
        messages={"filled": _lazy("vul de code van de indicator in.")},
    ),
    Column(
        "periode",
        filled=True,
        max_length=40,
        messages={"filled": _lazy("vul de periode in (bijvoorbeeld 2023/2024).")},
    ),
    Column("periode_start", filled=True, parse=parse_date, messages={"filled": FILL_IN_A_DATE}),
    Column("periode_eind", filled=True, parse=parse_date, messages={"filled": FILL_IN_A_DATE}),
    Column("uitsplitsing", max_length=40),
    Column("categorie", max_length=80),
    Column("waarde", parse=decimal_places(4)),
    Column(
        "teller",
        parse=decimal_places(4),
        minimum=0,
        messages={"minimum": _lazy("de teller kan niet negatief zijn.")},
    ),
    # Four decimals: the smallest denominator above 0 is 0,0001.
    Column(
        "noemer",
        parse=decimal_places(4),
        minimum=Decimal("0.0001"),
        messages={"minimum": _lazy("de noemer moet groter zijn dan 0.")},
    ),
    Column("definitief", parse=parse_boolean),
    Column("bron", max_length=255),
]
COMPARED = ("period_label", "value", "numerator", "denominator", "is_final", "story", "source")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    approved: bool = False
    indicators: Counter = field(default_factory=Counter)
    # Saved, but worth a second look: a story for a public figure that names a small number.
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary_lines(self) -> list[str]:
        return [
            _("%(created)s nieuw, %(updated)s bijgewerkt, %(same)s ongewijzigd")
            % {"created": self.created, "updated": self.updated, "same": self.unchanged}
        ]


@dataclass
class Row:
    number: int
    fields: dict[str, Any]


def _read(data, filename: str, progress: Progress = no_progress) -> list[tuple[int, dict]]:
    source = open_table(data, filename, limits=READ_LIMITS, progress=progress)
    columns = source.columns
    problems = check_header(HEADER_RULES, columns)
    if "waarde" not in columns and not {"teller", "noemer"} <= set(columns):
        problems.append(
            ImportProblem(
                None, "waarde", _("geef een kolom waarde, of de kolommen teller en noemer.")
            )
        )
    if "regio" not in columns and "organisatie" not in columns:
        problems.append(
            ImportProblem(None, "regio", _("geef een kolom regio of een kolom organisatie."))
        )
    if problems:
        raise ImportRejected(problems)
    rows = []
    for number, cells in data_rows(source, COLUMNS, max_rows=MAX_ROWS):
        values: dict[str, Any] = {column: cell.value for column, cell in cells.items()}
        formulas = [column for column, cell in cells.items() if cell.is_formula]
        if formulas:
            values["_formulas"] = formulas
        rows.append((number, values))
    if not rows:
        raise ImportRejected([ImportProblem(None, None, _("Het bestand heeft geen rijen."))])
    return rows


def _text(value: Any) -> str:
    if isinstance(value, str) and value.startswith("'") and value[1:2] in ("=", "+", "-", "@", "'"):
        return value[1:]  # the export's guard against formulas
    return cell_text(value).strip()


def _may_submit(actor, indicator, region, organisation) -> bool:
    if actor is None:
        return True  # the command line
    if actor.has_perm("indicators.approve_measurement", indicator):
        return True
    if organisation is not None:
        return actor.has_perm("indicators.submit_measurement", organisation)
    # A region figure: a beleidsmedewerker or beheerder of that gemeente's organisation.
    return Membership.objects.filter(
        user=actor,
        is_active=True,
        role__in=[Role.POLICY_OFFICER, Role.ADMIN],
        organisation__municipality=region,
    ).exists()


@dataclass
class _Lookups:
    """What the rows refer to, fetched once for the whole file."""

    indicators: dict[str, Indicator]
    regions: dict[str, Region]
    organisations: dict[str, Organisation]


def _lookups(rows, actor) -> _Lookups:
    codes = {_text(values.get("indicator")) for _n, values in rows}
    visible = Indicator.objects.visible_to(actor) if actor is not None else Indicator.objects.all()
    region_codes = {_text(v.get("regio")) for _n, v in rows}
    organisation_codes = {_text(v.get("organisatie")) for _n, v in rows} - {""}
    return _Lookups(
        indicators={i.code: i for i in visible.filter(code__in=codes)},
        regions={r.code: r for r in Region.objects.filter(code__in=region_codes)},
        organisations={o.code: o for o in Organisation.objects.filter(code__in=organisation_codes)},
    )


def _check(rows, *, actor) -> tuple[list[dict[str, Any]], list[ImportProblem]]:
    lookups = _lookups(rows, actor)
    problems: list[ImportProblem] = []
    checked: list[dict[str, Any]] = []
    seen: dict[tuple, int] = {}
    for number, values in rows:
        row = _RowCheck(number, values, lookups)
        fields = row.check(actor)
        problems.extend(row.problems)
        if fields is None:
            continue
        key = (
            fields["indicator"].pk,
            fields["period_start"],
            fields["period_end"],
            row.text("regio"),
            row.text("organisatie"),
            fields["breakdown_key"],
            fields["breakdown_value"],
        )
        if key in seen:
            problems.append(
                ImportProblem(
                    number,
                    None,
                    _(
                        "dezelfde indicator, periode, regio of organisatie en categorie staat al in rij %(row)s."
                    )
                    % {"row": seen[key]},
                )
            )
            continue
        seen[key] = number
        checked.append(fields)
    return checked, problems


class _RowCheck:
    """One row checked column by column; ``check`` gives its fields, or None when it
    has problems (all of them in ``problems``)."""

    def __init__(self, number: int, values: dict[str, Any], lookups: _Lookups):
        self.number, self.values, self.lookups = number, values, lookups
        self.formulas = formulas = values.get("_formulas", [])
        self.problems: list[ImportProblem] = []
        for column in formulas:
            self.problem(column, _("een formule wordt niet ingelezen; vul de waarde zelf in."))
        cells = {c: v for c, v in values.items() if c in COLUMNS and c not in formulas}
        self.parsed, problems = check_row(ROW_RULES, number, cells)
        self.problems.extend(problems)

    def problem(self, column: str | None, message: str) -> None:
        self.problems.append(ImportProblem(self.number, column, message))

    def text(self, column: str) -> str:
        return _text(self.values.get(column))

    def named(self, column: str) -> bool:
        return any(p.column == column for p in self.problems)

    def check(self, actor) -> dict[str, Any] | None:
        indicator = self.indicator()
        label, dates = self.period()
        region, organisation = self.scope()
        breakdown_key, breakdown_value = self.breakdown()
        value, numerator, denominator = self.numbers(indicator)
        is_final = self.is_final()
        scope = region or organisation
        if scope is not None and indicator is not None:
            self.may_submit(actor, indicator, region, organisation)
        # In the file's column order, as a reader goes along the row (formulas first).
        self.problems.sort(key=self._reading_order)
        if self.problems:
            return None
        return {
            "_row": self.number,
            "indicator": indicator,
            "period_start": dates["periode_start"],
            "period_end": dates["periode_eind"],
            "region": region,
            "organisation": organisation,
            "breakdown_key": breakdown_key,
            "breakdown_value": breakdown_value,
            "period_label": label,
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "is_final": is_final,
            "story": self.text("verhaal"),
            "source": self.text("bron"),
        }

    def _reading_order(self, problem: ImportProblem) -> int:
        if problem.column in self.formulas:
            return -1
        return COLUMNS.index(problem.column) if problem.column in COLUMNS else len(COLUMNS)

    def may_submit(self, actor, indicator, region, organisation) -> None:
        if not _may_submit(actor, indicator, region, organisation):
            self.problem(
                "organisatie" if organisation else "regio",
                _("je mag voor %(scope)s geen cijfers aanleveren.")
                % {"scope": organisation or region},
            )

    def indicator(self) -> Indicator | None:
        code = self.text("indicator")
        indicator = self.lookups.indicators.get(code)
        if not code or self.named("indicator"):
            pass  # named by the rules
        elif indicator is None:
            self.problem("indicator", _("'%(code)s' is geen bekende indicator.") % {"code": code})
        elif indicator.source_kind == SourceKind.COMPUTED:
            self.problem("indicator", COMPUTED_IS_NOT_ENTERED % {"code": code})
        return indicator

    def period(self) -> tuple[str, dict[str, datetime.date]]:
        label = self.text("periode")
        dates = {
            column: self.parsed[column]
            for column in ("periode_start", "periode_eind")
            if self.parsed.get(column) is not None
        }
        if len(dates) == 2 and dates["periode_eind"] < dates["periode_start"]:
            self.problem("periode_eind", _("het einde van de periode ligt voor het begin."))
        return label, dates

    def scope(self) -> tuple[Region | None, Organisation | None]:
        region_code, org_code = self.text("regio"), self.text("organisatie")
        region = organisation = None
        if region_code and org_code:
            self.problem("organisatie", _("vul regio of organisatie in, niet allebei."))
        elif region_code:
            region = self.lookups.regions.get(region_code)
            if region is None:
                self.problem(
                    "regio", _("'%(code)s' is geen bekende regiocode.") % {"code": region_code}
                )
        elif org_code:
            organisation = self.lookups.organisations.get(org_code)
            if organisation is None:
                self.problem(
                    "organisatie",
                    _("'%(code)s' is geen bekende organisatiecode.") % {"code": org_code},
                )
        else:
            self.problem("regio", _("vul een regiocode of een organisatiecode in."))
        return region, organisation

    def breakdown(self) -> tuple[str, str]:
        key, value = self.text("uitsplitsing"), self.text("categorie")
        if bool(key) != bool(value):
            self.problem(
                "categorie" if key else "uitsplitsing",
                _("vul uitsplitsing en categorie allebei in, of geen van beide."),
            )
        return key, value

    def numbers(self, indicator) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
        numbers = {column: self.parsed.get(column) for column in ("waarde", "teller", "noemer")}
        value, numerator, denominator = numbers["waarde"], numbers["teller"], numbers["noemer"]
        if indicator is not None and indicator.is_rate:
            if numerator is None and not self.named("teller"):
                self.problem(
                    "teller", _("deze indicator is een verhoudingsgetal: vul de teller in.")
                )
            if denominator is None and not self.named("noemer"):
                self.problem(
                    "noemer", _("deze indicator is een verhoudingsgetal: vul de noemer in.")
                )
            value = None  # derived from numerator and denominator
        elif (indicator is not None and value is None and not self.named("waarde")) and (
            numerator is None or denominator is None
        ):
            self.problem("waarde", _("vul een waarde in."))
        self.fraction(numerator, denominator)
        return value, numerator, denominator

    def fraction(self, numerator, denominator) -> None:
        if numerator is not None and denominator is not None and 0 < denominator < numerator:
            self.problem(
                "teller",
                _("de teller (%(n)s) is groter dan de noemer (%(d)s).")
                % {"n": self.text("teller"), "d": self.text("noemer")},
            )

    def is_final(self) -> bool:
        return bool(self.parsed.get("definitief"))


def _story_warnings(checked: list[dict[str, Any]]) -> list[str]:
    """A warning per row whose story, for a figure of a public indicator, names a small
    number (``disclosure.small_number_warning``). The row number travels with the row."""
    warnings = []
    for fields in checked:
        number = fields["_row"]
        indicator = fields["indicator"]
        if not indicator.is_public:
            continue
        warning = small_number_warning(fields["story"], indicator.suppression_threshold)
        if warning:
            warnings.append(str(ImportProblem(number, "verhaal", warning)))
    return warnings


def _same(existing: Measurement, fields: dict[str, Any]) -> bool:
    for name in COMPARED:
        old, new = getattr(existing, name), fields[name]
        if isinstance(old, Decimal) or isinstance(new, Decimal):
            if (old is None) != (new is None) or (old is not None and Decimal(old) != Decimal(new)):
                return False
        elif old != new:
            return False
    return True


def import_file(
    data,
    filename: str,
    *,
    actor,
    approve: bool = False,
    dry_run: bool = False,
    progress: Progress = no_progress,
) -> ImportReport:
    """Check every row of the file and, when all are right, store them all, in short
    batches (decision 0030).

    Raises ``ImportRejected`` with every problem; nothing is written then. The rows
    that change are counted before anything is written, so a dry run writes nothing and
    opens no transaction; a run again after an interruption finds the rows already
    written unchanged (an approved measurement too)."""
    checked, problems = _check(_read(data, filename, progress), actor=actor)
    if problems:
        raise ImportRejected(problems)
    report = ImportReport(dry_run=dry_run, warnings=_story_warnings(checked))
    stored = _stored_measurements(checked)
    to_write = []
    for fields in checked:
        number = fields.pop("_row")
        indicator = fields["indicator"]
        may_approve = approve and (
            actor is None or actor.has_perm("indicators.approve_measurement", indicator)
        )
        existing = stored.get(_measurement_key(fields))
        if (
            existing is not None
            and _same(existing, fields)
            and (not may_approve or existing.approval == ApprovalStatus.APPROVED)
        ):
            report.unchanged += 1
            continue
        if existing is None:
            report.created += 1
        else:
            report.updated += 1
        report.indicators[indicator.code] += 1
        to_write.append((number, fields, may_approve))
    report.approved = approve
    if not dry_run:
        write_in_batches(
            to_write, lambda row: _submit(row, actor), progress=progress, importer="measurements"
        )
    return report


def _submit(row: tuple[int, dict[str, Any], bool], actor) -> None:
    number, fields, may_approve = row
    try:
        services.submit_measurement(actor=actor, approve=may_approve, **fields)
    except ValidationError as error:
        raise refused(number, error) from None


def _measurement_key(fields) -> tuple:
    return (
        fields["indicator"].pk,
        fields["period_start"],
        fields["period_end"],
        fields["region"] and fields["region"].pk,
        fields["organisation"] and fields["organisation"].pk,
        fields["breakdown_key"],
        fields["breakdown_value"],
    )


def _stored_measurements(checked: list[dict[str, Any]]) -> dict[tuple, Measurement]:
    """The measurements the file's rows would replace, read in one query (the file
    names each at most once, ``_check``)."""
    if not checked:
        return {}
    stored = Measurement.objects.filter(
        indicator__in={fields["indicator"].pk for fields in checked},
        period_start__in={fields["period_start"] for fields in checked},
    )
    return {
        (
            m.indicator_id,
            m.period_start,
            m.period_end,
            m.region_id,
            m.organisation_id,
            m.breakdown_key,
            m.breakdown_value,
        ): m
        for m in stored
    }
