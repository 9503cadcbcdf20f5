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

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kansrijk.agenda.importing import LIMITS as READ_LIMITS
from kansrijk.agenda.importing import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    CellError,
    ImportProblem,
    ImportRejected,
    _blank,
    _boolean,
    _decimal,
)
from kansrijk.imports import Column, Progress, check_header, data_rows, no_progress, open_table
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
LIMITS = {"periode": 40, "uitsplitsing": 40, "categorie": 80, "bron": 255}
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
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, str) and value.startswith("'") and value[1:2] in ("=", "+", "-", "@", "'"):
        return value[1:]  # the export's guard against formulas
    return str(value).strip()


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for parse in (
        datetime.date.fromisoformat,
        lambda t: datetime.datetime.strptime(t, "%d-%m-%Y").date(),
    ):
        try:
            return parse(text)
        except ValueError:
            continue
    raise CellError(_("'%(value)s' is geen datum; schrijf JJJJ-MM-DD.") % {"value": text})


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


def _check(rows, *, actor) -> tuple[list[dict[str, Any]], list[ImportProblem]]:
    codes = {_text(values.get("indicator")) for _n, values in rows}
    indicators = {
        i.code: i
        for i in (
            Indicator.objects.visible_to(actor) if actor is not None else Indicator.objects.all()
        ).filter(code__in=codes)
    }
    regions = {
        r.code: r for r in Region.objects.filter(code__in={_text(v.get("regio")) for _n, v in rows})
    }
    organisations = {
        o.code: o
        for o in Organisation.objects.filter(
            code__in={_text(v.get("organisatie")) for _n, v in rows} - {""}
        )
    }
    problems: list[ImportProblem] = []
    checked: list[dict[str, Any]] = []
    seen: dict[tuple, int] = {}
    for number, values in rows:
        before = len(problems)

        def problem(column, message, number=number):
            problems.append(ImportProblem(number, column, message))

        for column in values.get("_formulas", []):
            problem(column, _("een formule wordt niet ingelezen; vul de waarde zelf in."))
        code = _text(values.get("indicator"))
        indicator = indicators.get(code)
        if not code:
            problem("indicator", _("vul de code van de indicator in."))
        elif indicator is None:
            problem("indicator", _("'%(code)s' is geen bekende indicator.") % {"code": code})
        elif indicator.source_kind == SourceKind.COMPUTED:
            problem("indicator", COMPUTED_IS_NOT_ENTERED % {"code": code})
        label = _text(values.get("periode"))
        if not label:
            problem("periode", _("vul de periode in (bijvoorbeeld 2023-2024)."))
        for column, limit in LIMITS.items():
            if len(_text(values.get(column))) > limit:
                problem(column, _("hoogstens %(n)s tekens.") % {"n": limit})
        dates = {}
        for column in ("periode_start", "periode_eind"):
            if _blank(values.get(column)):
                problem(column, _("vul een datum in (JJJJ-MM-DD)."))
                continue
            try:
                dates[column] = _date(values.get(column))
            except CellError as error:
                problem(column, str(error))
        if len(dates) == 2 and dates["periode_eind"] < dates["periode_start"]:
            problem("periode_eind", _("het einde van de periode ligt voor het begin."))
        region_code, org_code = _text(values.get("regio")), _text(values.get("organisatie"))
        region = organisation = None
        if region_code and org_code:
            problem("organisatie", _("vul regio of organisatie in, niet allebei."))
        elif region_code:
            region = regions.get(region_code)
            if region is None:
                problem("regio", _("'%(code)s' is geen bekende regiocode.") % {"code": region_code})
        elif org_code:
            organisation = organisations.get(org_code)
            if organisation is None:
                problem(
                    "organisatie",
                    _("'%(code)s' is geen bekende organisatiecode.") % {"code": org_code},
                )
        else:
            problem("regio", _("vul een regiocode of een organisatiecode in."))
        breakdown_key, breakdown_value = (
            _text(values.get("uitsplitsing")),
            _text(values.get("categorie")),
        )
        if bool(breakdown_key) != bool(breakdown_value):
            problem(
                "categorie" if breakdown_key else "uitsplitsing",
                _("vul uitsplitsing en categorie allebei in, of geen van beide."),
            )
        numbers = {}
        for column in ("waarde", "teller", "noemer"):
            try:
                numbers[column] = _decimal(values.get(column), 4)
            except CellError as error:
                problem(column, str(error))
                numbers[column] = None
        value, numerator, denominator = numbers["waarde"], numbers["teller"], numbers["noemer"]
        if indicator is not None and indicator.is_rate:
            if numerator is None and "teller" not in [p.column for p in problems[before:]]:
                problem("teller", _("deze indicator is een verhoudingsgetal: vul de teller in."))
            if denominator is None and "noemer" not in [p.column for p in problems[before:]]:
                problem("noemer", _("deze indicator is een verhoudingsgetal: vul de noemer in."))
            value = None  # derived from numerator and denominator
        elif (
            indicator is not None
            and value is None
            and "waarde" not in [p.column for p in problems[before:]]
        ) and (numerator is None or denominator is None):
            problem("waarde", _("vul een waarde in."))
        if denominator is not None and denominator <= 0:
            problem("noemer", _("de noemer moet groter zijn dan 0."))
        if numerator is not None and numerator < 0:
            problem("teller", _("de teller kan niet negatief zijn."))
        if (
            numerator is not None
            and denominator is not None
            and denominator > 0
            and numerator > denominator
        ):
            problem(
                "teller",
                _("de teller (%(n)s) is groter dan de noemer (%(d)s).")
                % {"n": _text(values.get("teller")), "d": _text(values.get("noemer"))},
            )
        try:
            is_final = _boolean(values.get("definitief"))
        except CellError as error:
            problem("definitief", str(error))
            is_final = False
        scope = region or organisation
        if (
            indicator is not None
            and scope is not None
            and not _may_submit(actor, indicator, region, organisation)
        ):
            problem(
                "organisatie" if organisation else "regio",
                _("je mag voor %(scope)s geen cijfers aanleveren.")
                % {"scope": organisation or region},
            )
        if len(problems) > before:
            continue
        key = (
            indicator.pk,
            dates["periode_start"],
            dates["periode_eind"],
            region_code,
            org_code,
            breakdown_key,
            breakdown_value,
        )
        if key in seen:
            problem(
                None,
                _(
                    "dezelfde indicator, periode, regio of organisatie en categorie staat al in rij %(row)s."
                )
                % {"row": seen[key]},
            )
            continue
        seen[key] = number
        checked.append(
            {
                "_row": number,
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
                "story": _text(values.get("verhaal")),
                "source": _text(values.get("bron")),
            }
        )
    return checked, problems


def _story_warnings(checked: list[dict[str, Any]]) -> list[str]:
    """A warning per row whose story, for a figure of a public indicator, names a small
    number (``disclosure.small_number_warning``). The row number travels with the row."""
    warnings = []
    for fields in checked:
        number = fields.pop("_row")
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
    data: bytes, filename: str, *, actor, approve: bool = False, dry_run: bool = False
) -> ImportReport:
    """Check every row of the file and, when all are right, store them all.

    Raises ``ImportRejected`` with every problem; nothing is written then."""
    checked, problems = _check(_read(data, filename), actor=actor)
    if problems:
        raise ImportRejected(problems)
    report = ImportReport(dry_run=dry_run, warnings=_story_warnings(checked))
    with transaction.atomic():
        for fields in checked:
            indicator = fields["indicator"]
            may_approve = approve and (
                actor is None or actor.has_perm("indicators.approve_measurement", indicator)
            )
            existing = Measurement.objects.filter(
                indicator=indicator,
                period_start=fields["period_start"],
                period_end=fields["period_end"],
                region=fields["region"],
                organisation=fields["organisation"],
                breakdown_key=fields["breakdown_key"],
                breakdown_value=fields["breakdown_value"],
            ).first()
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
            if not dry_run:
                services.submit_measurement(actor=actor, approve=may_approve, **fields)
        report.approved = approve
        if dry_run:
            transaction.set_rollback(True)
    return report
