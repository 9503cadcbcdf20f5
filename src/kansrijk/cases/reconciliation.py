"""Afstemming: the thuiszitters the schools report, against the register.

Seed 002 (Midden-Kennemerland, goal 9): "Het aantal thuiszitters is afgestemd en komt
overeen met het aantal van de woongemeenten." Schools (or their SWV, or leerplicht for
them) report a number per school and peildatum, optionally split by woongemeente
(``ReportedCount``, through ``services.report_count``): by a CSV or XLSX file
(``peildatum,brin6,aantal[,woongemeente]``, ``import_counts``), a form, the API or
``kansrijk reconcile_counts``. ``compare`` sets those numbers beside the register for one
peildatum and one definition (the rules of the quarterly count, ``reporting.counted_q``):

* **per school**: everything the school reported (all its rows summed) against the
  register's episodes of that school counted on P;
* **per woongemeente**: the reported rows that name a woongemeente, summed per
  woongemeente, against the register's counted episodes with that woongemeente at the
  schools that reported for P; the rows without a woongemeente are shown as one line
  "niet toegewezen".

Every difference is listed, including schools with episodes in the register but no
report, and reports for schools without a counted episode. All counting is grouped SQL;
Python only joins the few grouped rows. The written format is
``docs/formats/reconciliation.md``.

Who sees what (``ReconciliationScope``): the schools a user may report for
(``rules.can_report_for_school``: the school contact its schools, the SWV coordinator
the SWV's member schools, leerplicht the schools located in its gemeenten) and, per
woongemeente, leerplicht its own gemeenten (from every reporting school) and the school
contact and SWV coordinator the woongemeenten of their own schools' pupils. The figures
are not suppressed: each of them is a number the user reports or a count of episodes they
hold. Roles that may only see aggregates have no access (``rules.can_reconcile_counts``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kansrijk.agenda.importing import LIMITS as READ_LIMITS
from kansrijk.agenda.importing import MAX_FILE_BYTES as MAX_FILE_BYTES  # the upload form's
from kansrijk.agenda.importing import MAX_ROWS
from kansrijk.audit.masking import mask
from kansrijk.imports import (
    Column,
    ImportProblem,
    ImportRejected,
    Progress,
    cell_text,
    check_row,
    data_rows,
    no_progress,
    open_table,
    parse_brin6,
    parse_date,
    parse_gm_code,
    parse_integer,
)
from kansrijk.imports.writing import refused, write_in_batches
from kansrijk.organisations.models import Organisation, Region, RegionKind
from kansrijk.reports.exporting import CsvExporter

from . import services
from .models import Case, CountDefinition, ReportedCount
from .queries import scope_of
from .reporting import (
    DEFINITIONS,
    Cutoffs,
    counted_q,
    fold_into_successors,
    municipality_on_day,
    with_home_on,
)

__all__ = [
    "COLUMNS",
    "ImportProblem",
    "ImportRejected",
    "Reconciliation",
    "ReconciliationScope",
    "compare",
    "import_counts",
]

COLUMNS = ("peildatum", "brin6", "aantal", "woongemeente")
REQUIRED_COLUMNS = ("peildatum", "brin6", "aantal")

MATCH = "overeen"
DIFFERENCE = "verschil"
NO_REPORT = "geen_opgave"
NOT_IN_REGISTER = "niet_in_register"
STATUS_LABELS = {
    MATCH: gettext_lazy("komt overeen"),
    DIFFERENCE: gettext_lazy("verschil"),
    NO_REPORT: gettext_lazy("geen opgave"),
    NOT_IN_REGISTER: gettext_lazy("niet in het register"),
}
STATUS_ORDER = {NO_REPORT: 0, NOT_IN_REGISTER: 1, DIFFERENCE: 2, MATCH: 3}
UNASSIGNED_CODE = "niet_toegewezen"

DIFFERENCE_COLUMNS = [
    "peildatum",
    "definitie",
    "niveau",
    "code",
    "naam",
    "opgegeven",
    "register",
    "verschil",
    "status",
]


# ------------------------------------------------------------------ who sees what


@dataclass(frozen=True)
class ReconciliationScope:
    """The schools a user reports for and the woongemeenten they compare."""

    everything: bool = False
    school_ids: frozenset[int] = frozenset()
    partnership_ids: frozenset[int] = frozenset()
    region_ids: frozenset[int] = frozenset()

    @classmethod
    def of(cls, user) -> ReconciliationScope:
        """``None`` is the command line: the whole register."""
        if user is None:
            return cls(everything=True)
        scope = scope_of(user)
        if scope.is_superuser:
            return cls(everything=True)
        return cls(
            school_ids=scope.school_ids,
            partnership_ids=scope.partnership_ids,
            region_ids=scope.full_region_ids,
        )

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.school_ids or self.partnership_ids or self.region_ids)

    def _own(self, path: str) -> Q:
        pk = f"{path}_id" if path else "pk"
        prefix = f"{path}__" if path else ""
        q = Q(pk__in=[])
        if self.school_ids:
            q |= Q(**{f"{pk}__in": self.school_ids})
        if self.partnership_ids:
            q |= Q(**{f"{prefix}partnership_id__in": self.partnership_ids})
        return q

    def schools_q(self, path: str = "school") -> Q:
        """The schools the user may report for (``rules.can_report_for_school``), as a
        condition on ``path`` (``""`` for a query on the schools themselves)."""
        if self.everything:
            return Q()
        q = self._own(path)
        if self.region_ids:
            prefix = f"{path}__" if path else ""
            q |= Q(**{f"{prefix}municipality_id__in": self.region_ids})
        return q

    def municipality_lines_q(self) -> Q:
        """Reported rows and episodes (both have ``school`` and ``municipality``) that
        count in the user's per-woongemeente comparison: of the own schools' pupils, or
        living in a gemeente of the user's leerplicht office."""
        if self.everything:
            return Q()
        q = self._own("school")
        if self.region_ids:
            q |= Q(municipality_id__in=self.region_ids)
        return q

    def may_report_for(self, school: Organisation) -> bool:
        return (
            self.everything
            or school.pk in self.school_ids
            or school.partnership_id in self.partnership_ids
            or school.municipality_id in self.region_ids
        )


# ------------------------------------------------------------------ the comparison


@dataclass
class Line:
    """One school or woongemeente: what was reported beside what the register counts."""

    level: str  # "school" or "woongemeente"
    unit_id: int | None
    code: str
    name: str
    reported: int | None  # None: no report at all
    register: int

    @property
    def difference(self) -> int:
        """Reported minus register (no report counts as 0)."""
        return (self.reported or 0) - self.register

    @property
    def status(self) -> str:
        if self.reported is None:
            return NO_REPORT
        if self.reported == self.register:
            return MATCH
        if self.register == 0:
            return NOT_IN_REGISTER
        return DIFFERENCE

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def differs(self) -> bool:
        return self.status != MATCH


def _sorted(lines: list[Line]) -> list[Line]:
    return sorted(
        lines, key=lambda line: (STATUS_ORDER[line.status], -abs(line.difference), line.name)
    )


@dataclass
class Reconciliation:
    peildatum: datetime.date
    definition: str
    schools: list[Line] = field(default_factory=list)
    municipalities: list[Line] = field(default_factory=list)
    unassigned: int | None = None  # reported without a woongemeente

    @property
    def definition_text(self) -> str:
        return str(DEFINITIONS[self.definition])

    @property
    def school_differences(self) -> list[Line]:
        return [line for line in self.schools if line.differs]

    @property
    def municipality_differences(self) -> list[Line]:
        return [line for line in self.municipalities if line.differs]

    @property
    def matching_schools(self) -> int:
        return sum(1 for line in self.schools if not line.differs)

    @property
    def matching_municipalities(self) -> int:
        return sum(1 for line in self.municipalities if not line.differs)

    @property
    def reported_total(self) -> int:
        return sum(line.reported or 0 for line in self.schools)

    @property
    def register_total(self) -> int:
        return sum(line.register for line in self.schools)

    @property
    def has_differences(self) -> bool:
        return bool(self.school_differences or self.municipality_differences)

    @property
    def is_empty(self) -> bool:
        return not self.schools and not self.municipalities and self.unassigned is None

    def difference_rows(self) -> list[dict[str, Any]]:
        """The differences as rows of the CSV (``DIFFERENCE_COLUMNS``)."""
        rows = []
        for line in [*self.school_differences, *self.municipality_differences]:
            rows.append(
                {
                    "peildatum": self.peildatum,
                    "definitie": self.definition,
                    "niveau": line.level,
                    "code": line.code,
                    "naam": line.name,
                    "opgegeven": line.reported,
                    "register": line.register,
                    "verschil": line.difference,
                    "status": line.status,
                }
            )
        if self.unassigned:
            rows.append(
                {
                    "peildatum": self.peildatum,
                    "definitie": self.definition,
                    "niveau": "woongemeente",
                    "code": UNASSIGNED_CODE,
                    "naam": _("opgegeven zonder woongemeente"),
                    "opgegeven": self.unassigned,
                    "register": None,
                    "verschil": None,
                    "status": UNASSIGNED_CODE,
                }
            )
        return rows


def _grouped(queryset, key: str, aggregate) -> dict:
    return dict(queryset.values(key).annotate(n=aggregate).order_by().values_list(key, "n"))


def compare(
    *, peildatum: datetime.date, definition: str = CountDefinition.OCW, user=None
) -> Reconciliation:
    """The reported counts against the register for ``peildatum``, within what ``user``
    may see (``None``: the whole register, as the command line sees it)."""
    if definition not in CountDefinition.values:
        raise ValueError(f"unknown definition {definition!r}")
    scope = ReconciliationScope.of(user)
    result = Reconciliation(peildatum=peildatum, definition=definition)
    if scope.is_empty:
        return result
    counted = Case.objects.filter(counted_q(Cutoffs.on(peildatum), definition))
    reported = ReportedCount.objects.filter(reference_date=peildatum)

    # Per school: all rows of the school summed, against its counted episodes.
    reported_by_school = _grouped(reported.filter(scope.schools_q()), "school_id", Sum("count"))
    register_by_school = _grouped(
        counted.filter(scope.schools_q(), school__isnull=False), "school_id", Count("pk")
    )
    school_ids = set(reported_by_school) | set(register_by_school)
    names = {
        pk: (code, name)
        for pk, code, name in Organisation.objects.filter(pk__in=school_ids).values_list(
            "pk", "code", "name"
        )
    }
    result.schools = _sorted(
        [
            Line(
                "school",
                pk,
                *names.get(pk, ("", "")),
                reported=reported_by_school.get(pk),
                register=register_by_school.get(pk, 0),
            )
            for pk in school_ids
        ]
    )

    # Per woongemeente: the rows that name one, against the counted episodes of that
    # woongemeente at the schools that reported for P.
    lines_q = scope.municipality_lines_q()
    reported_by_municipality = _grouped(
        reported.filter(lines_q, municipality__isnull=False), "municipality_id", Sum("count")
    )
    reporting_school = Exists(
        ReportedCount.objects.filter(reference_date=peildatum, school_id=OuterRef("school_id"))
    )
    # The woongemeente on the peildatum (residence history), as the quarterly report counts.
    at_home = with_home_on(counted.filter(lines_q).filter(reporting_school), peildatum).annotate(
        home=municipality_on_day()
    )
    register_by_municipality = {
        pk: counts["n"]
        for pk, counts in fold_into_successors(
            {pk: {"n": n} for pk, n in _grouped(at_home, "home", Count("pk")).items()}, peildatum
        ).items()
    }
    region_ids = set(reported_by_municipality) | set(register_by_municipality)
    region_names = {
        pk: (code, name)
        for pk, code, name in Region.objects.filter(pk__in=region_ids).values_list(
            "pk", "code", "name"
        )
    }
    result.municipalities = _sorted(
        [
            Line(
                "woongemeente",
                pk,
                *region_names.get(pk, ("", "")),
                reported=reported_by_municipality.get(pk),
                register=register_by_municipality.get(pk, 0),
            )
            for pk in region_ids
        ]
    )
    result.unassigned = reported.filter(scope.schools_q(), municipality__isnull=True).aggregate(
        n=Sum("count")
    )["n"]
    return result


def reported_peildata(user=None, limit: int = 40) -> list[datetime.date]:
    """The peildata for which the user's schools reported, latest first."""
    scope = ReconciliationScope.of(user)
    if scope.is_empty:
        return []
    return list(
        ReportedCount.objects.filter(scope.schools_q())
        .order_by("-reference_date")
        .values_list("reference_date", flat=True)
        .distinct()[:limit]
    )


def export_differences(reconciliation: Reconciliation) -> bytes:
    return CsvExporter(reconciliation.difference_rows(), DIFFERENCE_COLUMNS).render()


def differences_filename(reconciliation: Reconciliation) -> str:
    return f"afstemming-{reconciliation.peildatum:%Y-%m-%d}-{reconciliation.definition}.csv"


# ------------------------------------------------------------------ reporting counts


@dataclass
class CountImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    dry_run: bool = False
    peildata: set = field(default_factory=set)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.withdrawn)

    def summary_lines(self) -> list[str]:
        lines = [
            _("%(created)s nieuw, %(updated)s gewijzigd, %(same)s ongewijzigd")
            % {"created": self.created, "updated": self.updated, "same": self.unchanged}
        ]
        if self.withdrawn:
            lines.append(
                _("%(n)s eerder opgegeven aantal(len) vervallen (niet meer in het bestand)")
                % {"n": self.withdrawn}
            )
        return lines


@dataclass(frozen=True)
class CheckedCount:
    row: int
    reference_date: datetime.date
    school: Organisation
    municipality: Region | None
    count: int


def _read(data, filename: str, progress: Progress = no_progress) -> list[tuple[int, dict]]:
    if not filename.lower().endswith((".csv", ".xlsx")):
        raise ImportRejected([ImportProblem(None, None, _("Kies een .csv- of .xlsx-bestand."))])
    source = open_table(data, filename, limits=READ_LIMITS, progress=progress)
    columns = source.columns
    problems = [
        ImportProblem(None, column, _("deze kolom ontbreekt in het bestand."))
        for column in REQUIRED_COLUMNS
        if column not in columns
    ]
    seen: set[str] = set()
    for column in columns:
        if column in COLUMNS and column in seen:
            problems.append(ImportProblem(1, column, _("deze kolom staat er twee keer in.")))
        seen.add(column)
    if problems:
        raise ImportRejected(problems)
    rows = []
    for number, cells in data_rows(source, COLUMNS, max_rows=MAX_ROWS):
        values: dict[str, Any] = {column: cell.value for column, cell in cells.items()}
        values["_formulas"] = [column for column, cell in cells.items() if cell.is_formula]
        rows.append((number, values))
    if not rows:
        raise ImportRejected([ImportProblem(None, None, _("Het bestand heeft geen rijen."))])
    return rows


# More thuiszitters than this at one school on one day is a typing error, and a number
# this size still fits every database's integer.
MAX_COUNT = 100_000

# What each cell may hold; what needs the database (a known school, the actor's scope)
# or several cells (one count per date, school and municipality) is checked in
# ``_CountRow``.
COUNT_RULES = [
    Column(
        "peildatum",
        filled=True,
        parse=parse_date,
        messages={"filled": gettext_lazy("vul de peildatum in (JJJJ-MM-DD).")},
    ),
    Column(
        "brin6",
        filled=True,
        parse=parse_brin6,
        messages={"filled": gettext_lazy("vul de BRIN6 van de schoolvestiging in.")},
    ),
    Column(
        "aantal",
        filled=True,
        parse=parse_integer,
        minimum=0,
        maximum=MAX_COUNT,
        messages={
            "filled": gettext_lazy("vul het aantal thuiszitters in (0 of meer)."),
            "minimum": gettext_lazy("het aantal kan niet negatief zijn."),
            "maximum": gettext_lazy("%(value)s is meer dan %(maximum)s; dat kan niet kloppen."),
        },
    ),
    Column("woongemeente", parse=parse_gm_code),
]


def check_counts(
    rows: Iterable[tuple[int, dict[str, Any]]], *, actor
) -> tuple[list[CheckedCount], list[ImportProblem]]:
    """Every row checked; every problem named by row and column. The messages pass
    through the audit mask, so a BSN typed into a wrong column is not repeated."""
    rows = list(rows)
    lookups = _count_lookups(rows, actor)
    problems: list[ImportProblem] = []
    checked: list[CheckedCount] = []
    seen: dict[tuple, int] = {}
    for number, values in rows:
        row = _CountRow(number, values, lookups)
        count = row.check()
        problems.extend(row.problems)
        if count is None:
            continue
        key = (count.reference_date, count.school.pk, getattr(count.municipality, "pk", None))
        if key in seen:
            message = _(
                "dezelfde peildatum, school en woongemeente staan al in rij %(row)s; "
                "geef elk aantal één keer op."
            ) % {"row": seen[key]}
            problems.append(ImportProblem(number, None, mask(message)))
            continue
        seen[key] = number
        checked.append(count)
    return checked, problems


def _count_lookups(rows, actor) -> dict[str, Any]:
    brins = {cell_text(values.get("brin6")).strip().upper() for _n, values in rows}
    gm_codes = {cell_text(values.get("woongemeente")).strip().upper() for _n, values in rows}
    return {
        "scope": ReconciliationScope.of(actor),
        "today": timezone.localdate(),
        "schools": {
            school.code: school
            for school in Organisation.objects.schools().filter(code__in=brins - {""})
        },
        "municipalities": {
            region.code: region
            for region in Region.objects.filter(
                kind=RegionKind.MUNICIPALITY, code__in=gm_codes - {""}
            )
        },
    }


class _CountRow:
    """One row of a counts file; ``check`` gives its CheckedCount or None (problems)."""

    def __init__(self, number: int, values: dict[str, Any], lookups: dict[str, Any]):
        self.number, self.lookups = number, lookups
        self.formulas = formulas = values.get("_formulas", [])
        self.problems: list[ImportProblem] = []
        for column in formulas:
            self.problem(column, _("een formule wordt niet ingelezen; vul de waarde zelf in."))
        cells = {c: v for c, v in values.items() if c in COLUMNS and c not in formulas}
        self.values, problems = check_row(COUNT_RULES, number, cells)
        self.problems.extend(ImportProblem(p.row, p.column, mask(p.message)) for p in problems)

    def problem(self, column: str | None, message: str) -> None:
        self.problems.append(ImportProblem(self.number, column, mask(message)))

    def check(self) -> CheckedCount | None:
        reference_date = self.values.get("peildatum")
        if reference_date is not None and reference_date > self.lookups["today"]:
            self.problem("peildatum", _("de peildatum ligt in de toekomst."))
        school = self.school()
        municipality = self.municipality()
        # In the file's column order, as a reader goes along the row (formulas first).
        self.problems.sort(key=self._reading_order)
        if self.problems:
            return None
        return CheckedCount(
            self.number, reference_date, school, municipality, self.values["aantal"]
        )

    def _reading_order(self, problem: ImportProblem) -> int:
        if problem.column in self.formulas:
            return -1
        return COLUMNS.index(problem.column)

    def school(self) -> Organisation | None:
        brin = self.values.get("brin6")
        if brin is None:
            return None
        school = self.lookups["schools"].get(brin)
        if school is None:
            self.problem("brin6", _("'%(code)s' is geen bekende schoolvestiging.") % {"code": brin})
        elif not self.lookups["scope"].may_report_for(school):
            self.problem(
                "brin6", _("je mag voor %(school)s geen aantallen opgeven.") % {"school": school}
            )
        return school

    def municipality(self) -> Region | None:
        gm_code = self.values.get("woongemeente")
        if gm_code is None:
            return None
        municipality = self.lookups["municipalities"].get(gm_code)
        if municipality is None:
            self.problem(
                "woongemeente", _("'%(code)s' is geen bekende gemeentecode.") % {"code": gm_code}
            )
        return municipality


def save_counts(
    checked: list[CheckedCount],
    *,
    actor,
    source: str,
    replace: bool = True,
    dry_run: bool = False,
    progress: Progress = no_progress,
) -> CountImportReport:
    """Store checked counts through ``services.report_count``, in short batches
    (decision 0030).

    With ``replace`` (a file), the rows of a school and peildatum in the file are the
    school's whole report for that peildatum: an earlier part that the file no longer
    holds (a total replaced by a split per woongemeente, or the other way round) is
    withdrawn, before the file's own counts are written. Reporting the same numbers
    again changes nothing, and a part once withdrawn is not found again, so a run again
    after an interruption completes the file without duplicates. The report is counted
    from what is stored before anything is written: a dry run writes nothing and opens
    no transaction."""
    withdrawals = _parts_no_longer_reported(checked) if replace else []
    stored = _stored_counts(checked)
    report = CountImportReport(dry_run=dry_run, withdrawn=len(withdrawals))
    for item in checked:
        report.peildata.add(item.reference_date)
        before = stored.get(_count_key(item))
        if before == item.count:
            report.unchanged += 1
        elif before is None:
            report.created += 1
        else:
            report.updated += 1
    if dry_run:
        return report

    def write(step) -> None:
        if isinstance(step, ReportedCount):
            services.withdraw_reported_count(step, actor=actor)
            return
        try:
            services.report_count(
                actor=actor,
                reference_date=step.reference_date,
                school=step.school,
                municipality=step.municipality,
                count=step.count,
                source=source,
            )
        except ValidationError as error:
            raise refused(step.row, error) from None

    write_in_batches([*withdrawals, *checked], write, progress=progress, importer="reported_counts")
    return report


def _count_key(item: CheckedCount) -> tuple:
    return (
        item.reference_date,
        item.school.pk,
        item.municipality.pk if item.municipality else None,
    )


def _schools_and_peildata(checked: list[CheckedCount]) -> Q:
    condition = Q(pk__in=[])
    for reference_date, school_id in {(i.reference_date, i.school.pk) for i in checked}:
        condition |= Q(reference_date=reference_date, school_id=school_id)
    return condition


def _parts_no_longer_reported(checked: list[CheckedCount]) -> list[ReportedCount]:
    """The stored parts of a school's report for a peildatum in the file that the file
    no longer holds."""
    in_file: dict[tuple, set] = {}
    for item in checked:
        in_file.setdefault((item.reference_date, item.school.pk), set()).add(_count_key(item)[2])
    return [
        existing
        for existing in ReportedCount.objects.filter(_schools_and_peildata(checked)).select_related(
            "school", "municipality"
        )
        if existing.municipality_id not in in_file[(existing.reference_date, existing.school_id)]
    ]


def _stored_counts(checked: list[CheckedCount]) -> dict[tuple, int]:
    if not checked:
        return {}
    return {
        (row.reference_date, row.school_id, row.municipality_id): row.count
        for row in ReportedCount.objects.filter(_schools_and_peildata(checked))
    }


def import_counts(
    data,
    filename: str,
    *,
    actor,
    dry_run: bool = False,
    source: str = "bestand",
    progress: Progress = no_progress,
) -> CountImportReport:
    """Check every row of a counts file and, when all are right, store them all.

    Raises ``ImportRejected`` with every problem; nothing is written then."""
    checked, problems = check_counts(_read(data, filename, progress), actor=actor)
    if problems:
        raise ImportRejected(problems)
    return save_counts(checked, actor=actor, source=source, dry_run=dry_run, progress=progress)
