"""The quarterly thuiszitters count: per school, SWV, gemeente or RMC region on a peildatum.

The rules, exactly as ``docs/formats/thuiszitters-report.md`` writes them (P = peildatum):

* open on P: start ≤ P and (no end date or end > P);
* definition ``ocw``: open, and absoluut verzuim, or relatief verzuim with P − start > 28
  days; ``ocw_5a`` also counts the open vrijstellingen 5 onder a (under ``ocw`` that
  column is shown for information and is not part of ``thuiszitters``);
* duration band: P − start ≤ 28 days; more than 28 days up to 3 calendar months; more
  (start + 3 calendar months < P);
* pact breach: counted, start + 3 calendar months < P, and no offer started on or
  before P;
* new: start in (P − 3 months, P]; ended: end in (P − 3 months, P] — of the categories
  the definition covers;
* gemeente = the woongemeente on P: the young person's residence valid on P
  (``Residence``), or, for a young person without residence history, the case's
  woongemeente (``Case.municipality``); a residence in a gemeente that had merged by P
  counts in its successor; school = the case's school (absoluut without school: its own
  row); SWV = the school's SWV; RMC = the RMC region of that gemeente on P (dated
  memberships).

Every count is one conditional aggregate of one grouped query (``unit_counts``); pupils
per unit come from the reference data (``Organisation.pupil_count``), summed in SQL.
Whoever may only see aggregates gets the table through the one suppression function of
the monitor (``suppress_lines``), with secondary suppression over the categories, the
bands and the column totals.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, F, FilteredRelation, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from kansrijk.indicators.suppression import (
    NO_FIGURE,
    format_decimal,
    legend,
    legend_text,
    marker_for,
    suppress_lines,
)
from kansrijk.organisations.models import Organisation, Region, RegionKind, RegionMembership
from kansrijk.organisations.queries import successors_on
from kansrijk.reports.progress import Steps, steps

from . import dates
from .models import Case, CaseCategory, CountDefinition
from .queries import scope_of

LEVELS = {
    "school": _("school"),
    "swv": _("samenwerkingsverband"),
    "gemeente": _("gemeente (woongemeente)"),
    "rmc": _("RMC-regio"),
}
DEFINITIONS = {
    CountDefinition.OCW: _(
        "Definitie ocw (OCW, sinds 2016): een thuiszitter is een leerplichtige jongere die op "
        "de peildatum niet staat ingeschreven (absoluut verzuim), of die ingeschreven is en "
        "langer dan 4 weken (28 dagen) zonder geldige reden niet naar school gaat (relatief "
        "verzuim). De kolom 'Vrijstelling 5 onder a' telt de open vrijstellingen 5 onder a ter "
        "informatie; ze zijn geen thuiszitter in deze definitie."
    ),
    CountDefinition.OCW_5A: _(
        "Definitie ocw_5a: de thuiszitters volgens OCW (absoluut verzuim, en relatief verzuim "
        "langer dan 4 weken), en daarnaast de jongeren met een open vrijstelling op grond van "
        "artikel 5 onder a van de Leerplichtwet."
    ),
}

CATEGORY_COLUMNS = ["absoluut", "relatief", "vrijstelling_5_onder_a"]
BAND_COLUMNS = ["tot_4_weken", "4_weken_tot_3_maanden", "langer_dan_3_maanden"]
FLOW_COLUMNS = ["pact_overschreden", "nieuw", "beeindigd"]
COUNT_COLUMNS = ["thuiszitters", *CATEGORY_COLUMNS, *BAND_COLUMNS, *FLOW_COLUMNS]
CSV_COLUMNS = [
    "peildatum",
    "niveau",
    "code",
    "naam",
    "definitie",
    *COUNT_COLUMNS,
    "leerlingen",
    "per_1000_leerlingen",
    "definitie_omschrijving",
    "verklaring_tekens",
]
COLUMN_LABELS = {
    "thuiszitters": _("Thuiszitters"),
    "absoluut": _("Absoluut verzuim"),
    "relatief": _("Relatief verzuim > 4 weken"),
    "vrijstelling_5_onder_a": _("Vrijstelling 5 onder a"),
    "tot_4_weken": _("Tot 4 weken"),
    "4_weken_tot_3_maanden": _("4 weken tot 3 maanden"),
    "langer_dan_3_maanden": _("Langer dan 3 maanden"),
    "pact_overschreden": _("Langer dan 3 maanden zonder aanbod"),
    "nieuw": _("Nieuw in het kwartaal"),
    "beeindigd": _("Beëindigd in het kwartaal"),
    "leerlingen": _("Leerlingen"),
    "per_1000_leerlingen": _("Per 1.000 leerlingen"),
}
TOTAL_CODE = "totaal"
NO_UNIT_NAMES = {
    "school": _("zonder school (absoluut verzuim)"),
    "swv": _("zonder samenwerkingsverband"),
    "gemeente": _("zonder woongemeente"),
    "rmc": _("zonder RMC-regio"),
}


@dataclass(frozen=True)
class Cutoffs:
    """The dates the rules compare a case with, for one peildatum."""

    peildatum: datetime.date
    four_weeks: datetime.date  # start < this: P − start > 28 days
    three_months: datetime.date  # start < this: start + 3 calendar months < P
    quarter_start: datetime.date  # the quarter is (this, P]

    @classmethod
    def on(cls, peildatum: datetime.date) -> Cutoffs:
        return cls(
            peildatum=peildatum,
            four_weeks=peildatum - dates.FOUR_WEEKS,
            three_months=dates.earliest_start_reaching(peildatum, 3),
            quarter_start=dates.quarter_start(peildatum),
        )


def covered_categories(definition: str) -> list[str]:
    categories = [CaseCategory.ABSOLUTE, CaseCategory.RELATIVE]
    if definition == CountDefinition.OCW_5A:
        categories.append(CaseCategory.EXEMPTION_5_UNDER_A)
    return categories


def counted_q(cut: Cutoffs, definition: str, prefix: str = "") -> Q:
    """The condition "counted as thuiszitter on P" for the definition."""

    def f(name):
        return f"{prefix}{name}"

    is_open = Q(**{f("start_date__lte"): cut.peildatum}) & (
        Q(**{f("end_date__isnull"): True}) | Q(**{f("end_date__gt"): cut.peildatum})
    )
    kinds = Q(**{f("category"): CaseCategory.ABSOLUTE}) | Q(
        **{f("category"): CaseCategory.RELATIVE, f("start_date__lt"): cut.four_weeks}
    )
    if definition == CountDefinition.OCW_5A:
        kinds |= Q(**{f("category"): CaseCategory.EXEMPTION_5_UNDER_A})
    return is_open & kinds


def count_annotations(cut: Cutoffs, definition: str) -> dict:
    counted = counted_q(cut, definition)
    is_open = Q(start_date__lte=cut.peildatum) & (
        Q(end_date__isnull=True) | Q(end_date__gt=cut.peildatum)
    )
    no_offer = Q(offer_date__isnull=True) | Q(offer_date__gt=cut.peildatum)
    exemption_column = (
        counted & Q(category=CaseCategory.EXEMPTION_5_UNDER_A)
        if definition == CountDefinition.OCW_5A
        else is_open & Q(category=CaseCategory.EXEMPTION_5_UNDER_A)
    )
    covered = Q(category__in=covered_categories(definition))
    return {
        "thuiszitters": Count("pk", filter=counted),
        "absoluut": Count("pk", filter=counted & Q(category=CaseCategory.ABSOLUTE)),
        "relatief": Count("pk", filter=counted & Q(category=CaseCategory.RELATIVE)),
        "vrijstelling_5_onder_a": Count("pk", filter=exemption_column),
        "tot_4_weken": Count("pk", filter=counted & Q(start_date__gte=cut.four_weeks)),
        "4_weken_tot_3_maanden": Count(
            "pk",
            filter=counted & Q(start_date__lt=cut.four_weeks, start_date__gte=cut.three_months),
        ),
        "langer_dan_3_maanden": Count("pk", filter=counted & Q(start_date__lt=cut.three_months)),
        "pact_overschreden": Count(
            "pk", filter=counted & Q(start_date__lt=cut.three_months) & no_offer
        ),
        "nieuw": Count(
            "pk",
            filter=covered & Q(start_date__gt=cut.quarter_start, start_date__lte=cut.peildatum),
        ),
        "beeindigd": Count(
            "pk",
            filter=covered & Q(end_date__gt=cut.quarter_start, end_date__lte=cut.peildatum),
        ),
    }


def relevant_cases(cases, cut: Cutoffs):
    """The rows any column can count: started by P and not ended before the quarter."""
    return cases.filter(start_date__lte=cut.peildatum).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=cut.quarter_start)
    )


HOME_ON_DAY = "home_on_day"


def with_home_on(cases, day):
    """``cases`` with the young person's residence valid on ``day`` joined in (a LEFT
    JOIN: a young person without residence history keeps the case's woongemeente).
    ``day`` is a date or an expression on the case (``F("pact_deadline")``). Residences
    of one young person do not overlap (``services.record_move`` ends the current one),
    so the join adds no rows."""
    residences = "young_person__residences"
    return cases.annotate(
        **{
            HOME_ON_DAY: FilteredRelation(
                residences,
                condition=Q(**{f"{residences}__valid_from__lte": day})
                & (
                    Q(**{f"{residences}__valid_to__isnull": True})
                    | Q(**{f"{residences}__valid_to__gt": day})
                ),
            )
        }
    )


def municipality_on_day():
    """The woongemeente on the day of ``with_home_on``: the residence's gemeente, or else
    the case's own (``Case.municipality``, the woongemeente when it was opened)."""
    return Coalesce(F(f"{HOME_ON_DAY}__municipality_id"), F("municipality_id"))


def fold_into_successors(per_municipality: dict, day: datetime.date) -> dict:
    """Per-gemeente counts with the gemeenten that had merged by ``day`` added to their
    successor on that day (a residence recorded in Leerdam counts in Vijfheerenlanden on a
    peildatum after 1 January 2019). Adds up at most a few hundred aggregate rows."""
    successor = successors_on(day)
    folded: dict = {}
    for municipality_id, counts in per_municipality.items():
        target = successor.get(municipality_id, municipality_id)
        if target not in folded:
            folded[target] = dict(counts)
        else:
            for column, value in counts.items():
                folded[target][column] += value
    return folded


def unit_expression(level: str, peildatum: datetime.date):
    if level == "school":
        return F("school_id")
    if level == "swv":
        return F("school__partnership_id")
    if level == "gemeente":
        return municipality_on_day()
    raise ValueError(f"unknown level {level!r}")  # the RMC level: see unit_counts


def rmc_regions_of_municipalities(peildatum: datetime.date) -> dict[int, int]:
    """{gemeente id: its RMC region on P} by the memberships valid on P; of two, the one
    with the lowest id."""
    found: dict[int, int] = {}
    for child_id, parent_id in (
        RegionMembership.objects.valid_on(peildatum)
        .filter(parent__kind=RegionKind.RMC_REGION)
        .order_by("child_id", "parent_id")
        .values_list("child_id", "parent_id")
    ):
        found.setdefault(child_id, parent_id)
    return found


def unit_counts(
    cases, *, peildatum: datetime.date, level: str, definition: str, rmc_of: dict | None = None
) -> dict:
    """{unit id (or None): {column: count}} in one grouped query.

    The gemeente level groups by the woongemeente on P (``with_home_on``) and then adds a
    gemeente that had merged by P to its successor. The RMC level adds up the rows of the
    gemeente level (at most a few hundred counts, never the cases): every case has one
    woongemeente on P, so the sums are exact. Grouping the cases by a subquery for their
    RMC region made PostgreSQL run it once per case (0.6–1.5 s a peildatum at national
    scale, bench/RESULTS.md). ``rmc_of``: the gemeenten's RMC regions on P, when the
    caller has read them already."""
    if level == "rmc":
        rmc_of = rmc_regions_of_municipalities(peildatum) if rmc_of is None else rmc_of
        totals: dict = {}
        for municipality_id, counts in unit_counts(
            cases, peildatum=peildatum, level="gemeente", definition=definition
        ).items():
            total = totals.setdefault(rmc_of.get(municipality_id), dict.fromkeys(counts, 0))
            for column, value in counts.items():
                total[column] += value
        return totals
    cut = Cutoffs.on(peildatum)
    relevant = relevant_cases(cases, cut)
    if level == "gemeente":
        relevant = with_home_on(relevant, peildatum)
    grouped = (
        relevant.annotate(unit=unit_expression(level, peildatum))
        .values("unit")
        .annotate(**count_annotations(cut, definition))
        .order_by()
    )
    found = {row.pop("unit"): row for row in grouped}
    return fold_into_successors(found, peildatum) if level == "gemeente" else found


def pupils_per_unit(
    level: str, peildatum: datetime.date, unit_ids=None, *, rmc_of: dict | None = None
) -> dict:
    """Pupils of the unit from the reference data (DUO, pupil_count per school location):
    a school its own, an SWV its member schools, a gemeente the schools located in it,
    an RMC region the schools of its gemeenten on P. ``unit_ids=None``: every unit."""
    if level == "rmc":
        # The gemeenten's pupils added up per RMC region on P, as the counts are.
        rmc_of = rmc_regions_of_municipalities(peildatum) if rmc_of is None else rmc_of
        wanted = None if unit_ids is None else set(unit_ids)
        totals: dict[int, int] = {}
        for municipality_id, pupils in pupils_per_unit("gemeente", peildatum).items():
            region_id = rmc_of.get(municipality_id)
            if region_id is not None and (wanted is None or region_id in wanted):
                totals[region_id] = totals.get(region_id, 0) + pupils
        return totals
    schools = Organisation.objects.schools().filter(pupil_count__isnull=False)
    ids = None if unit_ids is None else [pk for pk in unit_ids if pk is not None]
    if level == "school":
        if ids is not None:
            schools = schools.filter(pk__in=ids)
        return dict(schools.values_list("pk", "pupil_count"))
    if level == "swv":
        key = "partnership_id"
        rows = schools.exclude(partnership_id=None)
    else:
        key = "municipality_id"
        rows = schools.exclude(municipality_id=None)
    if ids is not None:
        rows = rows.filter(**{f"{key}__in": ids})
    return {
        row[key]: row["pupils"]
        for row in rows.values(key).annotate(pupils=Sum("pupil_count")).order_by()
    }


def unit_universe(level: str, peildatum: datetime.date, scope=None) -> set[int] | None:
    """The units the report has a row for, cases or not ("one row per unit"): every unit
    of the level for the whole register (``None``), or the units of the user's place —
    their gemeenten, the SWVs and schools of those gemeenten, their own SWVs and schools,
    and the RMC regions of their gemeenten on P. Units outside it still get a row when a
    counted case of the user's belongs to them (a pupil at a school elsewhere)."""
    if scope is None or scope.is_superuser:
        return None
    regions = scope.full_region_ids | scope.aggregate_region_ids
    partnerships = scope.partnership_ids | scope.aggregate_partnership_ids
    schools = scope.school_ids | scope.aggregate_school_ids
    if level == "gemeente":
        return set(
            Region.objects.municipalities()
            .existing_on(peildatum)
            .filter(pk__in=regions)
            .values_list("pk", flat=True)
        )
    if level == "rmc":
        return set(
            RegionMembership.objects.valid_on(peildatum)
            .filter(child_id__in=regions, parent__kind=RegionKind.RMC_REGION)
            .values_list("parent_id", flat=True)
        )
    if level == "swv":
        return partnerships | set(
            Organisation.objects.partnerships()
            .filter(served_regions__in=regions)
            .values_list("pk", flat=True)
        )
    return schools | set(
        Organisation.objects.schools()
        .filter(Q(municipality_id__in=regions) | Q(partnership_id__in=partnerships))
        .values_list("pk", flat=True)
    )


def _units_of(level: str):
    if level == "school":
        return Organisation.objects.schools()
    if level == "swv":
        return Organisation.objects.partnerships()
    if level == "gemeente":
        return Region.objects.municipalities()
    return Region.objects.filter(kind=RegionKind.RMC_REGION)


def unit_names(level: str, unit_ids=None, *, peildatum: datetime.date | None = None) -> dict:
    """{unit id: (code, name)}; ``unit_ids=None``: every unit of the level (for the
    gemeente level: every gemeente that exists on ``peildatum``, so a report on a day in
    2018 lists Leerdam and not yet Vijfheerenlanden)."""
    units = _units_of(level)
    if unit_ids is not None:
        units = units.filter(pk__in=[pk for pk in unit_ids if pk is not None])
    elif level == "gemeente" and peildatum is not None:
        units = units.existing_on(peildatum)
    return {pk: (code, name) for pk, code, name in units.values_list("pk", "code", "name")}


def per_thousand(count: int, pupils: int | None) -> Decimal | None:
    if not pupils:
        return None
    return (Decimal(count) * 1000 / Decimal(pupils)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass
class UnitRow:
    unit_id: int | None
    code: str
    name: str
    counts: dict[str, int]
    pupils: int | None
    per_1000: Decimal | None
    hidden: set[str] = field(default_factory=set)
    is_total: bool = False

    def marker(self, column: str, threshold: int) -> str:
        """The marker of a hidden cell: "<5" for a small count, "." for one hidden to
        protect a small one (it may be 30); "" when the cell is shown."""
        if column not in self.hidden:
            return ""
        if column == "per_1000_leerlingen":  # hidden with its count of thuiszitters
            column = "thuiszitters"
        return marker_for(self.counts[column], threshold)

    def shown(self, column: str, threshold: int) -> str:
        """The cell as it may be published (its marker when hidden)."""
        if column == "per_1000_leerlingen":
            if self.per_1000 is None:
                return NO_FIGURE
            return self.marker(column, threshold) or format_decimal(self.per_1000, 1)
        if column == "leerlingen":
            return format_decimal(self.pupils) if self.pupils is not None else NO_FIGURE
        return self.marker(column, threshold) or format_decimal(self.counts[column])

    def csv_value(self, column: str, threshold: int):
        if column in self.hidden:
            return self.marker(column, threshold)
        if column == "per_1000_leerlingen":
            return self.per_1000
        if column == "leerlingen":
            return self.pupils
        return self.counts[column]


@dataclass
class QuarterlyReport:
    peildatum: datetime.date
    level: str
    definition: str
    rows: list[UnitRow]
    total: UnitRow
    suppressed: bool
    threshold: int
    scope_note: str = ""

    @property
    def definition_text(self) -> str:
        return str(DEFINITIONS[self.definition])

    @property
    def definition_label(self) -> str:
        """The definition by its name, for captions and titles (not its CSV key)."""
        return str(CountDefinition(self.definition).label)

    @property
    def level_label(self) -> str:
        return str(LEVELS[self.level])

    @property
    def all_rows(self) -> list[UnitRow]:
        return [*self.rows, self.total]

    def csv_rows(self) -> list[dict]:
        rows = []
        for row in self.all_rows:
            values = {
                "peildatum": self.peildatum,
                "niveau": self.level,
                "code": row.code,
                "naam": row.name,
                "definitie": self.definition,
                # The definition in words on every row: a CSV travels without its page.
                "definitie_omschrijving": self.definition_text,
            }
            for column in [*COUNT_COLUMNS, "leerlingen", "per_1000_leerlingen"]:
                values[column] = row.csv_value(column, self.threshold)
            # And the meaning of the markers on every row that has one.
            markers = {row.marker(column, self.threshold) for column in row.hidden} - {""}
            values["verklaring_tekens"] = (
                legend_text(self.threshold, markers=markers) if markers else ""
            )
            rows.append(values)
        return rows

    @property
    def legend(self) -> list[tuple[str, str]]:
        """The markers this report uses, with their meaning (under the table)."""
        used = {
            row.marker(column, self.threshold) for row in self.all_rows for column in row.hidden
        } - {""}
        return [(marker, meaning) for marker, meaning in legend(self.threshold) if marker in used]


def _suppress(rows: list[UnitRow], total: UnitRow, definition: str, threshold: int) -> None:
    """Mark every cell that may not be published; totals protected across units."""
    table = [*rows, total]
    values = {}
    for index, row in enumerate(table):
        for column in COUNT_COLUMNS:
            values[(index, column)] = row.counts[column]
    category_members = (
        CATEGORY_COLUMNS if definition == CountDefinition.OCW_5A else CATEGORY_COLUMNS[:2]
    )
    lines = []
    for index in range(len(table)):
        lines.append(([(index, c) for c in category_members], (index, "thuiszitters")))
        lines.append(([(index, c) for c in BAND_COLUMNS], (index, "thuiszitters")))
    total_index = len(table) - 1
    for column in COUNT_COLUMNS:
        lines.append(([(index, column) for index in range(len(rows))], (total_index, column)))
    hidden = suppress_lines(values, lines, threshold=threshold)
    for index, row in enumerate(table):
        row.hidden = {column for column in COUNT_COLUMNS if (index, column) in hidden}
        if "thuiszitters" in row.hidden:
            row.hidden.add("per_1000_leerlingen")


def cases_for(user, *, public: bool = False) -> tuple:
    """(cases, suppressed, scope note): what a report for ``user`` counts, and whether it
    must be suppressed. Without a user: the whole register, as the command line sees it.
    Users with a dossier role count the episodes they may see, as they are; everyone else
    the episodes of their gemeenten, schools and SWVs, suppressed. ``public`` suppresses
    whatever the caller may see."""
    if user is None:
        return Case.objects.all(), public, ""
    scope = scope_of(user)
    if scope.has_dossier_role:
        note = (
            ""
            if scope.is_superuser
            else str(_("Geteld zijn de casussen die jij mag inzien (jouw werkgebied)."))
        )
        return Case.objects.visible_to(user), public, note
    note = str(
        _(
            "Geteld zijn de casussen van de gemeenten, scholen en samenwerkingsverbanden "
            "waarvoor jouw organisatie werkt. Kleine aantallen zijn afgeschermd."
        )
    )
    return Case.objects.countable_for(user), True, note


# The steps of build_report, for a document's progress (decision 0051).
QUARTERLY_REPORT_STEPS = 3


def build_report(
    *,
    peildatum: datetime.date,
    level: str,
    definition: str = CountDefinition.OCW,
    user=None,
    public: bool = False,
    cases=None,
    progress: Steps | None = None,
) -> QuarterlyReport:
    """The report for ``user`` (or, without a user, for the whole register, as the command
    line sees it). Users with a dossier role count the episodes they may see, as they are;
    everyone else the episodes of their gemeenten, schools and SWVs, suppressed.
    ``public=True`` suppresses whatever the caller may see. ``progress`` hears
    QUARTERLY_REPORT_STEPS steps: counting, the units and their pupils, the rows."""
    progress = steps(progress)
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    if definition not in CountDefinition.values:
        raise ValueError(f"unknown definition {definition!r}")
    threshold = settings.KANSRIJK["SMALL_NUMBER_THRESHOLD"]
    scope_note = ""
    scope = scope_of(user) if user is not None else None
    if cases is None:
        cases, suppressed, scope_note = cases_for(user, public=public)
    else:
        suppressed = public
    progress(_("De thuiszitters worden geteld."))
    # Read once for the counts and the pupils of the RMC level.
    rmc_of = rmc_regions_of_municipalities(peildatum) if level == "rmc" else None
    counts = unit_counts(
        cases, peildatum=peildatum, level=level, definition=definition, rmc_of=rmc_of
    )
    progress(_("De gebieden en hun leerlingen worden opgezocht."))
    universe = unit_universe(level, peildatum, scope)
    if universe is None:  # the whole register: every unit of the level
        names = unit_names(level, peildatum=peildatum)
        pupils = pupils_per_unit(level, peildatum, rmc_of=rmc_of)
        unit_ids = set(names) | set(counts)
        # A unit with cases but outside the units of P: a gemeente that was split (its
        # residents' new gemeente is not known), or one that did not exist yet.
        names |= unit_names(level, set(counts) - set(names) - {None})
    else:
        unit_ids = universe | set(counts)
        names = unit_names(level, unit_ids)
        pupils = pupils_per_unit(level, peildatum, unit_ids, rmc_of=rmc_of)
    progress(_("De rijen en het totaal worden berekend."))
    zero = dict.fromkeys(COUNT_COLUMNS, 0)
    rows = []
    for unit_id in unit_ids:
        row_counts = counts.get(unit_id) or dict(zero)
        code, name = names.get(unit_id, ("", str(NO_UNIT_NAMES[level])))
        unit_pupils = pupils.get(unit_id)
        rows.append(
            UnitRow(
                unit_id=unit_id,
                code=code,
                name=name,
                counts=row_counts,
                pupils=unit_pupils,
                per_1000=per_thousand(row_counts["thuiszitters"], unit_pupils),
            )
        )
    rows.sort(key=lambda r: (r.unit_id is None, r.name, r.code))
    totals = {column: sum(r.counts[column] for r in rows) for column in COUNT_COLUMNS}
    total_pupils = sum(r.pupils for r in rows if r.pupils) or None
    total = UnitRow(
        unit_id=None,
        code=TOTAL_CODE,
        name=str(_("totaal")),
        counts=totals,
        pupils=total_pupils,
        per_1000=per_thousand(totals["thuiszitters"], total_pupils),
        is_total=True,
    )
    if suppressed:
        _suppress(rows, total, definition, threshold)
    return QuarterlyReport(
        peildatum=peildatum,
        level=level,
        definition=definition,
        rows=rows,
        total=total,
        suppressed=suppressed,
        threshold=threshold,
        scope_note=scope_note,
    )


def peildata_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The configured peildata (KANSRIJK_PEILDATA) from ``first`` to ``last``."""
    days_months = []
    for text in settings.KANSRIJK["PEILDATA"]:
        day, _sep, month = text.partition("-")
        days_months.append((int(month), int(day)))
    found = []
    for year in range(first.year, last.year + 1):
        for month, day in days_months:
            candidate = datetime.date(year, month, day)
            if first <= candidate <= last:
                found.append(candidate)
    return sorted(found)


def latest_peildatum(today: datetime.date) -> datetime.date:
    candidates = peildata_between(datetime.date(today.year - 1, 1, 1), today)
    return candidates[-1] if candidates else today


def stock_series(cases, peildata: list[datetime.date], definition: str) -> list[tuple]:
    """(peildatum, thuiszitters) for a trend chart: one aggregate per peildatum."""
    series = []
    for day in peildata:
        cut = Cutoffs.on(day)
        total = cases.aggregate(n=Count("pk", filter=counted_q(cut, definition)))["n"]
        series.append((day, total))
    return series


__all__ = [
    "COUNT_COLUMNS",
    "CSV_COLUMNS",
    "DEFINITIONS",
    "LEVELS",
    "Cutoffs",
    "QuarterlyReport",
    "UnitRow",
    "build_report",
    "counted_q",
    "unit_counts",
]
