"""Import participation counts and needs from a CSV or XLSX file: all rows or none.

1. **Check every row** and collect every problem, each naming its row and column in Dutch
   ("Rij 3, kolom 'school': ..."). One problem and nothing is written.
2. **Apply** in one transaction through ``services``. A row equal to what is stored
   changes nothing (no audit row), so importing the same file twice creates no
   duplicates and no history.

Participation (``PARTICIPATION_COLUMNS``): ``aanbod`` (the id of the entry, as in the
HSDS export), ``periode`` (2023/2024 or 2023), ``school`` (BRIN6) or ``gebied`` (code of
a wijk or gemeente), ``deelnemers`` (a count), optional ``illustratief`` (ja/nee) and
``bron``. Only entries the importer may maintain.

Needs (``NEED_COLUMNS``): ``gemeente`` (GM code), optional ``wijk`` (code) or ``school``
(BRIN6), ``thema`` (code or name), ``leeftijd_vanaf``, ``leeftijd_tot_en_met``,
``omschrijving``, optional ``periode``, ``illustratief``, ``bron``. A need is the same need
when gemeente, wijk, school, thema, ages and periode are the same; only gemeenten the
importer records needs for.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kansrijk import limits
from kansrijk.agenda.importing import LIMITS as READ_LIMITS
from kansrijk.agenda.importing import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    ImportProblem,
    ImportRejected,
)
from kansrijk.imports import (
    CellError,
    Column,
    Progress,
    check_header,
    check_row,
    data_rows,
    from_validation,
    no_progress,
    open_table,
    parse_boolean,
)
from kansrijk.imports import cell_text as _text
from kansrijk.imports.writing import refused, write_in_batches
from kansrijk.organisations.models import Organisation, Region, RegionKind
from kansrijk.organisations.validators import BRIN6_RE

from . import services, taxonomy
from .forms import parse_period
from .models import Need, Service
from .queries import approver_municipality_ids
from .validators import parse_age

__all__ = [
    "MAX_FILE_BYTES",
    "NEED_COLUMNS",
    "PARTICIPATION_COLUMNS",
    "ImportProblem",
    "ImportRejected",
    "ImportReport",
    "import_needs",
    "import_participation",
]

PARTICIPATION_COLUMNS = (
    "aanbod",
    "periode",
    "school",
    "gebied",
    "deelnemers",
    "illustratief",
    "bron",
)
NEED_COLUMNS = (
    "gemeente",
    "wijk",
    "school",
    "thema",
    "leeftijd_vanaf",
    "leeftijd_tot_en_met",
    "groep_vanaf",
    "groep_tot_en_met",
    "omschrijving",
    "periode",
    "illustratief",
    "bron",
)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary_lines(self) -> list[str]:
        if self.dry_run:
            return [_("%(rows)s rijen gecontroleerd") % {"rows": self.created}]
        return [
            _("%(created)s nieuw, %(updated)s bijgewerkt, %(same)s ongewijzigd")
            % {"created": self.created, "updated": self.updated, "same": self.unchanged}
        ]


def read_rows(
    data, filename: str, columns, required, progress: Progress = no_progress
) -> list[tuple[int, dict[str, Any]]]:
    """The rows of a CSV or XLSX file as {column: value}, numbered as a spreadsheet numbers
    them (the header is row 1). Unknown columns are ignored; empty rows skipped."""
    source = open_table(data, filename, limits=READ_LIMITS, progress=progress)
    problems = check_header([Column(name, required=True) for name in required], source.columns)
    if problems:
        raise ImportRejected(problems)
    rows = []
    for number, cells in data_rows(source, columns, max_rows=MAX_ROWS):
        values: dict[str, Any] = {column: cell.value for column, cell in cells.items()}
        formula = next((column for column, cell in cells.items() if cell.is_formula), None)
        if formula:
            values["__formula__"] = formula
        rows.append((number, values))
    return rows


def _service_id(value) -> uuid.UUID:
    text = _text(value).strip()
    try:
        return uuid.UUID(text)
    except ValueError:
        raise CellError(
            _("'%(value)s' is geen id van een aanbod.") % {"value": text[:80]}
        ) from None


def _count(value) -> int:
    text = _text(value).strip()
    if not text.isdigit():
        raise CellError(
            _("'%(value)s' is geen aantal: gebruik een heel getal van 0 of meer.")
            % {"value": text[:80]}
        )
    return int(text)


def _school_code(value) -> str:
    code = _text(value).strip().upper()
    if not BRIN6_RE.fullmatch(code):
        raise CellError(
            _("'%(value)s' is geen vestigingscode (BRIN6), zoals 08WT00.") % {"value": code[:80]}
        )
    return code


NOT_A_GROUP = gettext_lazy("'%(value)s' is geen groep: gebruik 1 tot en met 8.")


def _group(value) -> int:
    text = _text(value).strip()
    if not text.isdigit():
        raise CellError(NOT_A_GROUP % {"value": text[:80]})
    return int(text)


def _group_rule(name: str) -> Column:
    return Column(
        name,
        parse=_group,
        minimum=1,
        maximum=8,
        messages={"minimum": NOT_A_GROUP, "maximum": NOT_A_GROUP},
    )


# What each cell may hold; what needs the database (a service, school, region or theme
# that exists, the actor's rights) or several cells (a school or an area, age ranges in
# order) is checked by the row functions below.
PARTICIPATION_RULES = [
    Column(
        "aanbod",
        filled=True,
        parse=_service_id,
        messages={"filled": gettext_lazy("vul het id van het aanbod in.")},
    ),
    Column(
        "periode",
        filled=True,
        parse=from_validation(lambda value: parse_period(_text(value))),
        messages={
            "filled": gettext_lazy(
                "vul de periode in: een schooljaar (2023/2024) of een jaar (2023)."
            )
        },
    ),
    Column("school", parse=_school_code),
    Column("gebied"),
    Column(
        "deelnemers",
        filled=True,
        parse=_count,
        messages={"filled": gettext_lazy("vul het aantal deelnemers in (0 of meer).")},
    ),
    Column("illustratief", parse=parse_boolean),
    Column("bron", max_length=255),
]
NEED_RULES = [
    Column("leeftijd_vanaf", parse=from_validation(parse_age)),
    Column("leeftijd_tot_en_met", parse=from_validation(parse_age)),
    _group_rule("groep_vanaf"),
    _group_rule("groep_tot_en_met"),
    Column(
        "omschrijving",
        filled=True,
        max_length=limits.TEXT,
        messages={"filled": gettext_lazy("beschrijf wat er nodig is.")},
    ),
    Column("periode", max_length=40),
    Column("illustratief", parse=parse_boolean),
    Column("bron", max_length=255),
]


class _Row:
    """One row being checked: its values, the values its declared rules parsed, and the
    problems found in it."""

    def __init__(self, number: int, values: dict, problems: list[ImportProblem], rules):
        self.number, self.values, self.problems = number, values, problems
        formula = values.get("__formula__")
        if formula:
            self.problem(formula, _("een formule wordt niet ingelezen; typ de waarde."))
        cells = {c: v for c, v in values.items() if c != "__formula__" and c != formula}
        self.parsed, found = check_row(rules, number, cells)
        problems.extend(found)

    def text(self, column: str) -> str:
        return _text(self.values.get(column)).strip()

    def problem(self, column: str | None, message: str) -> None:
        self.problems.append(ImportProblem(self.number, column, message))

    def has_problems(self) -> bool:
        return any(p.row == self.number for p in self.problems)


def _regions_by_code(codes) -> dict[str, Region]:
    return {r.code: r for r in Region.objects.filter(code__in=set(codes))}


def _schools_by_code(codes) -> dict[str, Organisation]:
    return {
        s.code: s
        for s in Organisation.objects.schools()
        .filter(code__in={c.upper() for c in codes})
        .select_related("municipality")
    }


# ------------------------------------------------------------------ participation


def import_participation(
    data, filename: str, *, actor, dry_run: bool = False, progress: Progress = no_progress
) -> ImportReport:
    required = ("aanbod", "periode", "deelnemers")
    rows = read_rows(data, filename, PARTICIPATION_COLUMNS, required, progress)
    problems: list[ImportProblem] = []
    lookups = _participation_lookups(rows, actor)
    checked, seen = [], {}
    for number, values in rows:
        row = _Row(number, values, problems, PARTICIPATION_RULES)
        fields = _participation_row(row, lookups)
        if fields is None:
            continue
        key = (
            fields["service"].pk,
            fields["period_start"],
            fields["period_end"],
            row.text("school").upper(),
            row.text("gebied"),
        )
        if key in seen:
            row.problem(
                None, _("deze rij staat er al eerder in (rij %(row)s).") % {"row": seen[key]}
            )
        seen[key] = number
        checked.append((number, fields))
    if problems:
        raise ImportRejected(problems)
    return _apply(
        checked,
        dry_run,
        lambda fields, _stored: services.save_participation(actor=actor, **fields),
        _stored_participation,
        progress,
    )


def _participation_lookups(rows, actor) -> dict[str, dict]:
    editable = Service.objects.editable_by(actor) if actor is not None else Service.objects.all()
    ids = set()
    for _number, values in rows:
        with contextlib.suppress(ValueError):
            ids.add(uuid.UUID(_text(values.get("aanbod")).strip()))
    return {
        "services": {s.uuid: s for s in editable.filter(uuid__in=ids)},
        "schools": _schools_by_code(
            _text(v.get("school")).strip() for _n, v in rows if v.get("school")
        ),
        "regions": _regions_by_code(
            _text(v.get("gebied")).strip() for _n, v in rows if v.get("gebied")
        ),
    }


def _participation_row(row: _Row, lookups: dict) -> dict | None:
    service_id = row.parsed.get("aanbod")
    service = lookups["services"].get(service_id)
    if service_id is not None and service is None:
        row.problem("aanbod", _("dit aanbod bestaat niet, of je mag het niet bijwerken."))
    period = row.parsed.get("periode")
    school, region = _participation_place(row, lookups)
    participants = row.parsed.get("deelnemers")
    illustrative = row.parsed.get("illustratief") or False
    if not (service and period and (school or region) and participants is not None):
        return None
    return {
        "service": service,
        "period_start": period[0],
        "period_end": period[1],
        "period_label": period[2],
        "school": school,
        "region": region,
        "participants": participants,
        "is_illustrative": illustrative,
        "source": row.parsed.get("bron") or "",
    }


def _participation_place(row: _Row, lookups: dict) -> tuple:
    """(school, region): a row names exactly one."""
    school_text, region_code = row.text("school"), row.text("gebied")
    if bool(school_text) == bool(region_code):
        row.problem("school", _("vul een school óf een gebied in."))
        return None, None
    if school_text:
        school_code = row.parsed.get("school")  # None: its rule named it
        if school_code is not None and school_code not in lookups["schools"]:
            row.problem(
                "school",
                _("er is geen school %(value)s in de referentiedata.") % {"value": school_code},
            )
        return lookups["schools"].get(school_code), None
    region = lookups["regions"].get(region_code)
    if region is None:
        row.problem(
            "gebied",
            _("'%(value)s' is geen bekende gemeente- of wijkcode.") % {"value": region_code[:80]},
        )
    elif region.kind not in (RegionKind.MUNICIPALITY, RegionKind.DISTRICT):
        row.problem("gebied", _("%(name)s is geen gemeente of wijk.") % {"name": region.name})
        region = None
    return None, region


def _stored_participation(fields: dict):
    from .models import Participation

    return Participation.objects.filter(
        service=fields["service"],
        period_start=fields["period_start"],
        period_end=fields["period_end"],
        school=fields["school"],
        region=fields["region"],
    ).first()


def _apply(
    checked: list[tuple[int, dict]], dry_run: bool, save, find, progress: Progress
) -> ImportReport:
    """Save every checked (row number, fields), in short batches (decision 0030):
    ``find(fields)`` is the stored row it replaces (or None), read once and handed to
    ``save(fields, stored)``. The same row saved again changes nothing, so a run again
    after an interruption completes the file without duplicates. A dry run only counts
    the checked rows: it writes nothing and opens no transaction."""
    report = ImportReport(dry_run=dry_run)
    if dry_run:
        report.created = len(checked)
        return report

    def write(row: tuple[int, dict]) -> None:
        number, fields = row
        stored = find(fields)
        try:
            _saved, changed = save(fields, stored)
        except ValidationError as error:
            raise refused(number, error) from None
        if not changed:
            report.unchanged += 1
        elif stored is not None:
            report.updated += 1
        else:
            report.created += 1

    write_in_batches(checked, write, progress=progress, importer="socialmap")
    return report


# ------------------------------------------------------------------ needs


def import_needs(
    data, filename: str, *, actor, dry_run: bool = False, progress: Progress = no_progress
) -> ImportReport:
    rows = read_rows(data, filename, NEED_COLUMNS, ("thema", "omschrijving"), progress)
    problems: list[ImportProblem] = []
    lookups = _need_lookups(rows, actor)
    checked, seen = [], {}
    for number, values in rows:
        row = _Row(number, values, problems, NEED_RULES)
        fields = _need_row(row, lookups)
        if fields is None:
            continue
        key = (
            fields["municipality"].pk,
            getattr(fields["district"], "pk", None),
            getattr(fields["school"], "pk", None),
            fields["theme"].pk,
            fields["minimum_age"],
            fields["maximum_age"],
            fields["minimum_group"],
            fields["maximum_group"],
            row.text("periode"),
        )
        if key in seen:
            row.problem(
                None, _("deze rij staat er al eerder in (rij %(row)s).") % {"row": seen[key]}
            )
        seen[key] = number
        checked.append((number, fields))
    if problems:
        raise ImportRejected(problems)
    return _apply(
        checked,
        dry_run,
        lambda fields, stored: services.save_need(stored, actor=actor, **fields),
        _existing_need,
        progress,
    )


def _existing_need(fields: dict):
    return Need.objects.filter(
        municipality=fields["municipality"],
        district=fields["district"],
        school=fields["school"],
        theme=fields["theme"],
        minimum_age=fields["minimum_age"],
        maximum_age=fields["maximum_age"],
        minimum_group=fields["minimum_group"],
        maximum_group=fields["maximum_group"],
        period_label=fields["period_label"],
    ).first()


def _need_lookups(rows, actor) -> dict[str, Any]:
    themes = {term.code: term for term in taxonomy.themes()}
    codes = [_text(v.get(c)).strip() for _n, v in rows for c in ("gemeente", "wijk") if v.get(c)]
    return {
        "allowed": (
            None if actor is None or actor.is_superuser else approver_municipality_ids(actor)
        ),
        "themes": themes,
        "themes_by_name": {term.name.lower(): term for term in themes.values()},
        "regions": _regions_by_code(codes),
        "schools": _schools_by_code(
            _text(v.get("school")).strip() for _n, v in rows if v.get("school")
        ),
    }


def _need_row(row: _Row, lookups: dict) -> dict | None:
    municipality, district, school = _need_place(row, lookups)
    theme_text = row.text("thema")
    themes = lookups["themes"]
    theme = themes.get(theme_text) or lookups["themes_by_name"].get(theme_text.lower())
    if theme is None:
        row.problem(
            "thema",
            _("'%(value)s' is geen bekend thema; kies uit %(codes)s.")
            % {"value": theme_text[:80], "codes": ", ".join(themes)},
        )
    low, high, group_low, group_high = _need_ranges(row)
    has_ranges = (low is not None and high is not None) or (
        group_low is not None and group_high is not None
    )
    description = row.parsed.get("omschrijving")
    illustrative = row.parsed.get("illustratief") or False
    if not (municipality and theme and has_ranges and description):
        return None
    return {
        "municipality": municipality,
        "district": district,
        "school": school,
        "theme": theme,
        "minimum_age": low,
        "maximum_age": high,
        "minimum_group": group_low,
        "maximum_group": group_high,
        "description": description,
        "period_label": row.parsed.get("periode") or "",
        "is_illustrative": illustrative,
        "source": row.parsed.get("bron") or "",
    }


def _need_ranges(row: _Row) -> tuple:
    low, high, group_low, group_high = (
        row.parsed.get(column)
        for column in ("leeftijd_vanaf", "leeftijd_tot_en_met", "groep_vanaf", "groep_tot_en_met")
    )
    if low is not None and high is not None and high < low:
        row.problem("leeftijd_tot_en_met", _("deze leeftijd ligt onder 'leeftijd_vanaf'."))
    if group_low is not None and group_high is not None and group_high < group_low:
        row.problem("groep_tot_en_met", _("deze groep ligt onder 'groep_vanaf'."))
    has_ages = low is not None and high is not None
    has_groups = group_low is not None and group_high is not None
    if not has_ages and not has_groups and not row.has_problems():
        row.problem(
            "leeftijd_vanaf",
            _("vul leeftijd_vanaf en leeftijd_tot_en_met in, of groep_vanaf en groep_tot_en_met."),
        )
    return low, high, group_low, group_high


def _need_place(row: _Row, lookups: dict) -> tuple:
    """(municipality, district, school): the most precise place named, each checked
    against the others; the municipality follows from a district or a school."""
    regions = lookups["regions"]
    municipality = district = None
    if code := row.text("gemeente"):
        municipality = regions.get(code)
        if municipality is None or municipality.kind != RegionKind.MUNICIPALITY:
            row.problem(
                "gemeente",
                _("'%(value)s' is geen bekende gemeentecode, zoals GM0556.") % {"value": code[:80]},
            )
            municipality = None
    if code := row.text("wijk"):
        district, municipality = _need_district(row, regions.get(code), municipality)
    school, municipality = _need_school(row, lookups["schools"], municipality)
    if municipality is None and not any(row.text(c) for c in ("gemeente", "wijk", "school")):
        row.problem("gemeente", _("vul een gemeente, wijk of school in."))
    allowed = lookups["allowed"]
    if municipality is not None and allowed is not None and municipality.pk not in allowed:
        row.problem(
            "gemeente",
            _("je mag geen behoeften vastleggen voor %(name)s.") % {"name": municipality.name},
        )
    return municipality, district, school


def _need_district(row: _Row, district, municipality) -> tuple:
    if district is None or district.kind != RegionKind.DISTRICT:
        row.problem(
            "wijk", _("'%(value)s' is geen bekende wijkcode.") % {"value": row.text("wijk")[:80]}
        )
        return None, municipality
    try:
        parent = services.municipality_of(district)
    except ValidationError as error:
        row.problem("wijk", error.messages[0])
        parent = None
    if parent and municipality and parent.pk != municipality.pk:
        row.problem(
            "wijk",
            _("deze wijk ligt niet in gemeente %(name)s.") % {"name": municipality.name},
        )
    return district, municipality or parent


def _need_school(row: _Row, schools: dict, municipality) -> tuple:
    code = row.text("school").upper()
    if not code:
        return None, municipality
    school = schools.get(code)
    if school is None:
        row.problem(
            "school",
            _("er is geen school %(value)s in de referentiedata.") % {"value": code[:80]},
        )
    elif municipality and school.municipality_id != municipality.pk:
        row.problem(
            "school",
            _("deze school ligt niet in gemeente %(name)s.") % {"name": municipality.name},
        )
    else:
        municipality = municipality or school.municipality
    return school, municipality
