"""Accounting for the register: the SWV's registration for the Inspectie and the figures
of the leerplicht annual report.

**The Inspectie registration** (domain.md: "SWVs send an anonymised, cumulative
thuiszitters registration (including 5 onder a) to the Inspectie"): for one SWV and a
period from 1 August up to a date (an Inspectie moment, ``KANSRIJK["INSPECTIE_PEILDATA"]``,
or the end of the school year), one row per episode at the SWV's member schools that
was counted as thuiszitter (definition ``ocw_5a``) on at least one day of the period.
No BSN, name, birth date or dossier number: a sequence number per export instead. Each
exported episode is a case read (``services.record_reads``, route ``inspectie-export``).

**The leerplicht annual report** (jaarverslag leerplicht, due to the council before
1 October): per school year, for the gemeenten of a leerplicht office, the verzuim-
meldingen by kind and by status, cases started by category, thuiszitters on the
peildata, episodes longer than three months without an offer, the MAS routes chosen,
Halt, Raad voor de Kinderbescherming, processen-verbaal and doorbraakberaden, the
vrijstellingen granted by ground (5 onder a apart from 5a) and the outcomes of ended
cases. Each figure group is one grouped query; roles that may only see aggregates get
every table through the monitor's one suppression function (``suppress_lines``), with
the lines (rows, columns and shared totals) of all tables at once.

"Counted on a day" is exactly the rule of the quarterly report (``reporting.counted_q``),
stretched over a period; docs/formats/thuiszitters-report.md writes both down.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kansrijk.indicators.suppression import (
    format_decimal,
    legend,
    legend_text,
    marker_for,
    suppress_lines,
)
from kansrijk.organisations.models import Organisation, Region, RegionKind
from kansrijk.reports.exporting import CsvExporter, XlsxExporter
from kansrijk.reports.progress import Steps, steps

from . import dates, services
from .models import (
    AbsenceKind,
    AbsenceReport,
    Case,
    CaseCategory,
    CaseEvent,
    CaseOutcome,
    CountDefinition,
    EventKind,
    Exemption,
    ExemptionGround,
    MasRoute,
    OffenceArticle,
    ReportStatus,
    Residence,
)
from .queries import scope_of
from .reporting import DEFINITIONS, Cutoffs, counted_q, covered_categories, peildata_between

ONE_DAY = datetime.timedelta(days=1)
# Counted on some day D ≤ end of a relatief episode needs D − start > 28 days and D < end:
# the episode lasted more than 29 days.
RELATIVE_DAYS_BEFORE_COUNTED = datetime.timedelta(days=29)


# ------------------------------------------------------------------ counted in a period


def _with_durations(cases):
    """The day differences the period rules compare (date arithmetic the same way on
    SQLite and PostgreSQL: Django's temporal subtraction)."""
    return cases.annotate(
        _episode_length=ExpressionWrapper(
            F("end_date") - F("start_date"), output_field=DurationField()
        ),
        _end_after_deadline=ExpressionWrapper(
            F("end_date") - F("pact_deadline"), output_field=DurationField()
        ),
        _offer_after_deadline=ExpressionWrapper(
            F("offer_date") - F("pact_deadline"), output_field=DurationField()
        ),
    )


def counted_in_period_q(
    period_start: datetime.date, period_end: datetime.date, definition: str
) -> Q:
    """Counted as thuiszitter (``reporting.counted_q``) on at least one day of
    [period_start, period_end]. Needs ``_with_durations``.

    * absoluut (and vrijstelling 5 onder a under ``ocw_5a``): open on a day of the
      period, i.e. start ≤ end of period and (no end date or end date > start of period);
    * relatief: counted from day 29 (P − start > 28 days) while open, so the first
      counted day start + 29 days must fall in the period and before the end date:
      start + 29 ≤ end of period (start < end of period − 28 days), and no end date or
      (end date > start of period and end date − start > 29 days).
    """
    overlaps = Q(start_date__lte=period_end) & (
        Q(end_date__isnull=True) | Q(end_date__gt=period_start)
    )
    whole = [CaseCategory.ABSOLUTE]
    if definition == CountDefinition.OCW_5A:
        whole.append(CaseCategory.EXEMPTION_5_UNDER_A)
    relative = Q(category=CaseCategory.RELATIVE, start_date__lt=period_end - dates.FOUR_WEEKS) & (
        Q(end_date__isnull=True)
        | Q(end_date__gt=period_start, _episode_length__gt=RELATIVE_DAYS_BEFORE_COUNTED)
    )
    return (Q(category__in=whole) & overlaps) | relative


def pact_breach_in_period_q(period_start: datetime.date, period_end: datetime.date) -> Q:
    """On at least one day D of the period the quarterly report's pact rule held: the
    case's start + 3 calendar months < D (``pact_deadline`` < D), open on D and no offer
    started on or before D. The first such day is max(period_start, pact_deadline + 1
    day): it must not lie after the period, and must lie before the end date and before
    the offer. Needs ``_with_durations``; combine with the categories counted."""
    return (
        Q(pact_deadline__lt=period_end)
        & (Q(end_date__isnull=True) | Q(end_date__gt=period_start, _end_after_deadline__gt=ONE_DAY))
        & (
            Q(offer_date__isnull=True)
            | Q(offer_date__gt=period_start, _offer_after_deadline__gt=ONE_DAY)
        )
    )


# ------------------------------------------------------------------ the Inspectie


def inspectie_moments(school_year: str) -> list[datetime.date]:
    """The configured Inspectie moments (``KANSRIJK["INSPECTIE_PEILDATA"]``, day-month)
    that fall in the school year, and its last day."""
    first, last = dates.parse_school_year(school_year)
    moments = set()
    for text in settings.KANSRIJK["INSPECTIE_PEILDATA"]:
        day, _sep, month = text.strip().partition("-")
        year = first.year if int(month) >= dates.SCHOOL_YEAR_START_MONTH else last.year
        moments.add(datetime.date(year, int(month), int(day)))
    moments.add(last)
    return sorted(moment for moment in moments if first <= moment <= last)


def registration_period(
    school_year: str, until: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """1 August of the school year up to ``until`` (default: 31 July)."""
    first, last = dates.parse_school_year(school_year)
    if until is None:
        return first, last
    if not first <= until <= last:
        raise ValueError("the date is not in the school year")
    return first, until


REGISTRATION_COLUMNS = [
    "volgnummer",
    "brin6",
    "school",
    "sector",
    "categorie",
    "startdatum",
    "einddatum",
    "duur_dagen",
    "leeftijd_bij_start",
    "aanbod_datum",
    "uitkomst",
    "langer_dan_3_maanden_zonder_aanbod",
    "samenwerkingsverband",
    "periode_van",
    "periode_tot_en_met",
    "definitie",
]
REGISTRATION_HELP = {
    "volgnummer": "volgnummer in dit bestand (geen dossiernummer; niet te koppelen aan een ander bestand)",
    "brin6": "BRIN6 van de schoolvestiging van de episode",
    "school": "naam van de schoolvestiging",
    "sector": "PO, SBO, SO/VSO, VO of MBO",
    "categorie": "absoluut, relatief of vrijstelling_5_onder_a",
    "startdatum": "begin van de episode",
    "einddatum": "einde van de episode, als die binnen de periode viel; leeg: op de laatste dag nog open",
    "duur_dagen": "dagen van de startdatum tot de einddatum, of tot de laatste dag van de periode",
    "leeftijd_bij_start": "leeftijd in jaren op de startdatum",
    "aanbod_datum": "datum waarop een passend aanbod startte, als dat binnen de periode viel",
    "uitkomst": "uitkomst van de episode, als die binnen de periode eindigde",
    "langer_dan_3_maanden_zonder_aanbod": (
        "ja: op minstens één dag van de periode langer dan 3 kalendermaanden open zonder "
        "gestart passend aanbod"
    ),
    "samenwerkingsverband": "code van het samenwerkingsverband",
    "periode_van": "eerste dag van de periode (1 augustus)",
    "periode_tot_en_met": "laatste dag van de periode",
    "definitie": "ocw_5a: absoluut verzuim, relatief verzuim langer dan 4 weken en vrijstellingen 5 onder a",
}


def registration_cases(
    partnership: Organisation,
    start: datetime.date,
    end: datetime.date,
    definition: str = CountDefinition.OCW_5A,
):
    """The episodes at the SWV's member schools counted on at least one day of the period,
    each annotated with ``in_pact_breach`` (``pact_breach_in_period_q``)."""
    return (
        _with_durations(Case.objects.filter(school__partnership=partnership))
        .filter(counted_in_period_q(start, end, definition))
        .annotate(
            in_pact_breach=ExpressionWrapper(
                pact_breach_in_period_q(start, end), output_field=BooleanField()
            )
        )
    )


@dataclass
class RegistrationSummary:
    partnership: Organisation
    start: datetime.date
    end: datetime.date
    definition: str
    total: int
    by_category: dict[str, int]
    in_pact_breach: int

    @property
    def definition_text(self) -> str:
        return str(DEFINITIONS[self.definition])

    @property
    def category_rows(self) -> list[tuple[str, int]]:
        return [(label, self.by_category.get(value, 0)) for value, label in CaseCategory.choices]


def registration_summary(
    partnership: Organisation,
    start: datetime.date,
    end: datetime.date,
    definition: str = CountDefinition.OCW_5A,
) -> RegistrationSummary:
    """The counts of the registration (for its page), in two aggregate queries."""
    cases = registration_cases(partnership, start, end, definition)
    by_category = dict(
        cases.values("category").annotate(n=Count("pk")).order_by().values_list("category", "n")
    )
    return RegistrationSummary(
        partnership=partnership,
        start=start,
        end=end,
        definition=definition,
        total=sum(by_category.values()),
        by_category=by_category,
        in_pact_breach=cases.filter(in_pact_breach=True).count(),
    )


def registration_rows(cases, partnership, start, end, definition) -> list[dict[str, Any]]:
    """One row per episode as the Inspectie gets it: nothing that names the young person."""
    rows = []
    for number, case in enumerate(cases, start=1):
        ended = case.end_date is not None and case.end_date <= end
        last_day = case.end_date if ended else end
        offer = case.offer_date if case.offer_date and case.offer_date <= end else None
        rows.append(
            {
                "volgnummer": number,
                "brin6": case.school.code,
                "school": case.school.name,
                "sector": case.sector or case.school.sector,
                "categorie": case.category,
                "startdatum": case.start_date,
                "einddatum": case.end_date if ended else None,
                "duur_dagen": (last_day - case.start_date).days,
                "leeftijd_bij_start": dates.age_on(case.birth_date, case.start_date),
                "aanbod_datum": offer,
                "uitkomst": case.outcome if ended else "",
                "langer_dan_3_maanden_zonder_aanbod": bool(case.in_pact_breach),
                "samenwerkingsverband": partnership.code,
                "periode_van": start,
                "periode_tot_en_met": end,
                "definitie": definition,
            }
        )
    return rows


class RegistrationXlsxExporter(XlsxExporter):
    sheet_title = "Registratie"
    freeze_panes = "B2"


REGISTRATION_FORMATS = ("csv", "xlsx")


def export_registration(
    partnership: Organisation,
    start: datetime.date,
    end: datetime.date,
    fmt: str,
    *,
    actor,
    definition: str = CountDefinition.OCW_5A,
) -> bytes:
    """The registration as CSV or XLSX. Every episode in it is recorded as read by
    ``actor`` (route ``inspectie-export``), in the same call: no export without its
    audit rows."""
    if fmt not in REGISTRATION_FORMATS:
        raise ValueError(f"Onbekend formaat: {fmt}")
    cases = list(
        registration_cases(partnership, start, end, definition)
        .select_related("school")
        .annotate(birth_date=F("young_person__birth_date"))
        .order_by("start_date", "pk")
    )
    rows = registration_rows(cases, partnership, start, end, definition)
    services.record_reads(actor, cases, route="inspectie-export")
    if fmt == "csv":
        return CsvExporter(rows, REGISTRATION_COLUMNS).render()
    exporter = RegistrationXlsxExporter(rows, REGISTRATION_COLUMNS)
    exporter.column_help = {
        **REGISTRATION_HELP,
        "definitie": str(DEFINITIONS[definition]),
        "periode_tot_en_met": REGISTRATION_HELP["periode_tot_en_met"]
        + f" ({start.isoformat()} tot en met {end.isoformat()}, cumulatief)",
    }
    return exporter.render()


def registration_filename(
    partnership: Organisation, start: datetime.date, end: datetime.date, fmt: str
) -> str:
    return f"thuiszittersregistratie-{partnership.code}-{start:%Y-%m-%d}-{end:%Y-%m-%d}.{fmt}"


# ------------------------------------------------------------------ the annual report

TOTAL = "totaal"


@dataclass
class FigureTable:
    """One table of the annual report: categories (rows) by gemeente (columns).

    ``additive``: the rows add up, so the table has a totals row. ``total_of`` names the
    cells that are this table's totals row, when another table holds the same numbers
    (the reports by status add up to the reports by kind; the processen-verbaal per
    article to the processen-verbaal in the events table), so that suppression treats
    them as one cell."""

    key: str
    title: str
    row_header: str
    rows: list[tuple[str, str]]
    additive: bool = True
    total_of: tuple[str, str] | None = None
    note: str = ""
    counts: dict[tuple[str, Any], int] = field(default_factory=dict)

    def total_key(self, column) -> tuple:
        table, row = self.total_of or (self.key, TOTAL)
        return (table, row, column)


@dataclass
class DisplayRow:
    code: str
    label: str
    cells: list[str]
    total: str | None
    is_total: bool = False


@dataclass
class AnnualReport:
    school_year: str
    start: datetime.date
    end: datetime.date
    definition: str
    municipalities: list[tuple[int, str, str]]  # (pk, code, name)
    tables: list[FigureTable]
    suppressed: bool
    threshold: int
    values: dict[tuple, int] = field(default_factory=dict)
    hidden: set = field(default_factory=set)
    peildata: list[datetime.date] = field(default_factory=list)

    @property
    def definition_text(self) -> str:
        return str(DEFINITIONS[self.definition])

    @property
    def has_total_column(self) -> bool:
        return len(self.municipalities) > 1

    @property
    def columns(self) -> list:
        ids = [pk for pk, _code, _name in self.municipalities]
        return [*ids, TOTAL] if self.has_total_column else ids

    def value(self, key: tuple) -> int:
        return self.values.get(key, 0)

    def marker(self, key: tuple) -> str:
        """ "<5" for a hidden small count, "." for one hidden to protect it, "" if shown."""
        if self.suppressed and key in self.hidden:
            return marker_for(self.value(key), self.threshold)
        return ""

    def shown(self, key: tuple) -> str:
        return self.marker(key) or format_decimal(self.value(key))

    def published(self, key: tuple):
        """A cell as exported: the number, or its marker when hidden."""
        return self.marker(key) or self.value(key)

    @property
    def legend(self) -> list[tuple[str, str]]:
        used = {self.marker(key) for key in self.hidden} - {""}
        return [(marker, meaning) for marker, meaning in legend(self.threshold) if marker in used]

    def table(self, key: str) -> FigureTable:
        return next(table for table in self.tables if table.key == key)

    @property
    def sections(self) -> list[tuple[FigureTable, list[DisplayRow]]]:
        """Each table with its rows as shown (for the page)."""
        return [(table, self.display_rows(table)) for table in self.tables]

    def display_rows(self, table: FigureTable) -> list[DisplayRow]:
        ids = [pk for pk, _code, _name in self.municipalities]
        rows = []
        for code, label in table.rows:
            rows.append(
                DisplayRow(
                    code,
                    label,
                    [self.shown((table.key, code, pk)) for pk in ids],
                    self.shown((table.key, code, TOTAL)) if self.has_total_column else None,
                )
            )
        if table.additive:
            rows.append(
                DisplayRow(
                    TOTAL,
                    str(_("Totaal")),
                    [self.shown(table.total_key(pk)) for pk in ids],
                    self.shown(table.total_key(TOTAL)) if self.has_total_column else None,
                    is_total=True,
                )
            )
        return rows

    def export_rows(self) -> list[dict[str, Any]]:
        names = {pk: (code, name) for pk, code, name in self.municipalities}
        names[TOTAL] = (TOTAL, str(_("alle gemeenten samen")))
        rows = []
        for table in self.tables:
            lines = [
                (code, label, [(table.key, code, column) for column in self.columns])
                for code, label in table.rows
            ]
            if table.additive:
                lines.append(
                    (TOTAL, str(_("totaal")), [table.total_key(column) for column in self.columns])
                )
            for code, label, keys in lines:
                for column, key in zip(self.columns, keys, strict=True):
                    gm_code, gm_name = names[column]
                    rows.append(
                        {
                            "schooljaar": self.school_year,
                            "onderdeel": table.key,
                            "onderdeel_naam": str(table.title),
                            "categorie": code,
                            "omschrijving": str(label),
                            "gemeente": gm_code,
                            "gemeentenaam": gm_name,
                            "aantal": self.published(key),
                            "definitie": self.definition,
                            "verklaring_tekens": (
                                legend_text(self.threshold, markers={self.marker(key)})
                                if self.marker(key)
                                else ""
                            ),
                        }
                    )
        return rows


ANNUAL_REPORT_COLUMNS = [
    "schooljaar",
    "onderdeel",
    "onderdeel_naam",
    "categorie",
    "omschrijving",
    "gemeente",
    "gemeentenaam",
    "aantal",
    "definitie",
    "verklaring_tekens",
]
ANNUAL_REPORT_HELP = {
    "schooljaar": "het schooljaar (1 augustus tot en met 31 juli)",
    "onderdeel": "welk overzicht van het jaarverslag",
    "onderdeel_naam": "naam van het overzicht",
    "categorie": "code van de rij (soort, status, categorie, route, grond, uitkomst of peildatum)",
    "omschrijving": "omschrijving van de rij",
    "gemeente": "gemeentecode (woongemeente); 'totaal' voor alle gemeenten samen",
    "gemeentenaam": "naam van de gemeente",
    "aantal": (
        "het aantal; '<5' = minder dan 5 (ook 0), afgeschermd; '.' = geheim, afgeschermd om "
        "een klein aantal te beschermen (kan groot zijn; teken van het CBS)"
    ),
    "definitie": "de definitie van thuiszitter bij de peildata en de episodes zonder aanbod",
    "verklaring_tekens": "wat het teken in de kolom aantal betekent",
}
ANNUAL_REPORT_FORMATS = ("csv", "xlsx")


class AnnualReportXlsxExporter(XlsxExporter):
    sheet_title = "Jaarverslag"
    column_help = ANNUAL_REPORT_HELP
    freeze_panes = "A2"


def _municipality_on(date_field: str):
    """The woongemeente of the young person on the date in ``date_field`` (Residence)."""
    return Subquery(
        Residence.objects.filter(
            young_person_id=OuterRef("young_person_id"), valid_from__lte=OuterRef(date_field)
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef(date_field)))
        .order_by("-valid_from")
        .values("municipality_id")[:1]
    )


def _fill(table: FigureTable, rows, row_field: str, municipality_field: str) -> None:
    for row in rows:
        code = row[row_field]
        code = "" if code is None else str(code)
        key = (code, row[municipality_field])
        table.counts[key] = table.counts.get(key, 0) + row["n"]


def _date_label(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


def annual_report_tables(
    start: datetime.date,
    end: datetime.date,
    municipality_ids: list[int],
    definition: str,
    peildata: list[datetime.date],
    progress: Steps | None = None,
) -> list[FigureTable]:
    """Every figure of the annual report, one grouped query per group; ``progress``
    hears each group (ANNUAL_REPORT_STEPS of them)."""
    progress = steps(progress)
    in_year = {"__gte": start, "__lte": end}
    progress(_("De verzuimmeldingen worden geteld."))

    def between(name):
        return {f"{name}{op}": day for op, day in in_year.items()}

    reports_by_kind = FigureTable(
        "verzuimmeldingen_soort",
        _("Verzuimmeldingen naar soort"),
        _("Soort verzuim"),
        list(AbsenceKind.choices),
        total_of=("verzuimmeldingen", TOTAL),
        note=_("Gemeld in het schooljaar; de gemeente is de woongemeente op de meldingsdatum."),
    )
    reports_by_status = FigureTable(
        "verzuimmeldingen_status",
        _("Verzuimmeldingen naar status (DUO)"),
        _("Status"),
        list(ReportStatus.choices),
        total_of=("verzuimmeldingen", TOTAL),
        note=_("De status van de melding op het moment van de telling."),
    )
    reports = (
        AbsenceReport.objects.filter(**between("reported_on"))
        .annotate(gemeente=_municipality_on("reported_on"))
        .filter(gemeente__in=municipality_ids)
        .values("gemeente", "kind", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in reports:
        for table, row_field in ((reports_by_kind, "kind"), (reports_by_status, "status")):
            _fill(table, [row], row_field, "gemeente")

    progress(_("De gestarte casussen worden geteld."))
    cases = Case.objects.filter(municipality_id__in=municipality_ids)
    started = FigureTable(
        "casussen_gestart",
        _("Casussen gestart naar categorie"),
        _("Categorie"),
        list(CaseCategory.choices),
        note=_("Startdatum in het schooljaar; de gemeente is de woongemeente van de casus."),
    )
    _fill(
        started,
        cases.filter(**between("start_date"))
        .values("municipality_id", "category")
        .annotate(n=Count("pk"))
        .order_by(),
        "category",
        "municipality_id",
    )

    progress(_("De thuiszitters op de peildata worden geteld."))
    stock = FigureTable(
        "thuiszitters_peildata",
        _("Thuiszitters op de peildata"),
        _("Peildatum"),
        [(day.isoformat(), _date_label(day)) for day in peildata],
        additive=False,
        note=str(DEFINITIONS[definition]),
    )
    if peildata:
        annotations = {
            f"p{index}": Count("pk", filter=counted_q(Cutoffs.on(day), definition))
            for index, day in enumerate(peildata)
        }
        for row in (
            cases.filter(start_date__lte=peildata[-1])
            .values("municipality_id")
            .annotate(**annotations)
            .order_by()
        ):
            for index, day in enumerate(peildata):
                stock.counts[(day.isoformat(), row["municipality_id"])] = row[f"p{index}"]

    progress(_("De episodes zonder passend aanbod worden geteld."))
    breach = FigureTable(
        "langer_dan_3_maanden_zonder_aanbod",
        _("Langer dan 3 maanden zonder passend aanbod"),
        _("Episodes"),
        [("episodes", _("episodes langer dan 3 kalendermaanden zonder gestart aanbod"))],
        additive=False,
        note=_(
            "Episodes die op minstens één dag van het schooljaar meetelden als thuiszitter "
            "en langer dan 3 kalendermaanden open waren zonder gestart passend aanbod."
        ),
    )
    for row in (
        _with_durations(cases.filter(category__in=covered_categories(definition)))
        .filter(counted_in_period_q(start, end, definition))
        .filter(pact_breach_in_period_q(start, end))
        .values("municipality_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        breach.counts[("episodes", row["municipality_id"])] = row["n"]

    progress(_("De MAS-routes, Halt-verwijzingen en processen-verbaal worden geteld."))
    mas = FigureTable(
        "mas_routes",
        _("MAS-routes gekozen"),
        _("Route"),
        [(str(value), label) for value, label in MasRoute.choices],
        note=_("De datum waarop de route is gekozen ligt in het schooljaar."),
    )
    events = FigureTable(
        "gebeurtenissen",
        _("Halt, Raad voor de Kinderbescherming, processen-verbaal en doorbraakberaden"),
        _("Gebeurtenis"),
        [
            (EventKind.HALT.value, _("Halt-verwijzingen")),
            (
                EventKind.CHILD_PROTECTION.value,
                _("meldingen bij de Raad voor de Kinderbescherming"),
            ),
            (EventKind.OFFICIAL_REPORT.value, _("processen-verbaal")),
            (EventKind.BREAKTHROUGH.value, _("doorbraakberaden")),
        ],
        additive=False,
    )
    articles = FigureTable(
        "processen_verbaal_artikel",
        _("Processen-verbaal naar overtreden artikel"),
        _("Artikel"),
        [*OffenceArticle.choices, ("", _("artikel niet vastgelegd"))],
        total_of=("gebeurtenissen", EventKind.OFFICIAL_REPORT.value),
    )
    event_rows = (
        CaseEvent.objects.filter(
            **between("date"),
            case__municipality_id__in=municipality_ids,
            kind__in=[
                EventKind.MAS_ROUTE,
                EventKind.HALT,
                EventKind.CHILD_PROTECTION,
                EventKind.OFFICIAL_REPORT,
                EventKind.BREAKTHROUGH,
            ],
        )
        .values("case__municipality_id", "kind", "mas_route", "offence_article")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in event_rows:
        if row["kind"] == EventKind.MAS_ROUTE:
            _fill(mas, [row], "mas_route", "case__municipality_id")
        else:
            _fill(events, [row], "kind", "case__municipality_id")
            if row["kind"] == EventKind.OFFICIAL_REPORT:
                _fill(articles, [row], "offence_article", "case__municipality_id")

    progress(_("De vrijstellingen en de uitkomsten worden geteld."))
    exemptions = FigureTable(
        "vrijstellingen_grond",
        _("Vrijstellingen verleend naar grond"),
        _("Grond"),
        list(ExemptionGround.choices),
        note=_(
            "Besloten in het schooljaar; de gemeente is de woongemeente op de datum van het "
            "besluit. Artikel 5 onder a en artikel 5a zijn verschillende gronden."
        ),
    )
    _fill(
        exemptions,
        Exemption.objects.filter(**between("decided_on"))
        .annotate(gemeente=_municipality_on("decided_on"))
        .filter(gemeente__in=municipality_ids)
        .values("gemeente", "ground")
        .annotate(n=Count("pk"))
        .order_by(),
        "ground",
        "gemeente",
    )

    outcomes = FigureTable(
        "uitkomsten",
        _("Uitkomsten van beëindigde casussen"),
        _("Uitkomst"),
        list(CaseOutcome.choices),
        note=_("Einddatum in het schooljaar."),
    )
    _fill(
        outcomes,
        cases.filter(**between("end_date"))
        .values("municipality_id", "outcome")
        .annotate(n=Count("pk"))
        .order_by(),
        "outcome",
        "municipality_id",
    )
    return [
        reports_by_kind,
        reports_by_status,
        started,
        stock,
        breach,
        mas,
        events,
        articles,
        exemptions,
        outcomes,
    ]


def _values_and_lines(tables: list[FigureTable], municipality_ids: list[int]):
    """Every cell and total as one dict, and the additive lines between them: each
    category across the gemeenten (with its total column), and for additive tables each
    gemeente down the categories (with its totals row). A totals row that another table
    also holds is the same cell (``FigureTable.total_of``), so no table can give away
    what another hides."""
    with_total_column = len(municipality_ids) > 1
    columns = [*municipality_ids, TOTAL] if with_total_column else list(municipality_ids)
    values: dict[tuple, int] = {}
    lines: list[tuple[list, tuple]] = []
    across: set[tuple[str, str]] = set()  # rows that already have their line across gemeenten
    for table in tables:
        for code, _label in table.rows:
            for pk in municipality_ids:
                values[(table.key, code, pk)] = table.counts.get((code, pk), 0)
            if with_total_column:
                members = [(table.key, code, pk) for pk in municipality_ids]
                values[(table.key, code, TOTAL)] = sum(values[key] for key in members)
                lines.append((members, (table.key, code, TOTAL)))
            across.add((table.key, code))
    for table in tables:
        if not table.additive:
            continue
        for column in columns:
            members = [(table.key, code, column) for code, _label in table.rows]
            total_key = table.total_key(column)
            values.setdefault(total_key, sum(values[key] for key in members))
            lines.append((members, total_key))
        identity = table.total_of or (table.key, TOTAL)
        if with_total_column and identity not in across:
            members = [(*identity, pk) for pk in municipality_ids]
            lines.append((members, (*identity, TOTAL)))
            across.add(identity)
    return values, lines


# The steps of annual_report_tables, for a document's progress (decision 0051).
ANNUAL_REPORT_STEPS = 6


def build_annual_report(
    *,
    school_year: str,
    municipality_ids: list[int],
    suppressed: bool,
    definition: str = CountDefinition.OCW,
    today: datetime.date | None = None,
    progress: Steps | None = None,
) -> AnnualReport:
    """The annual report of ``school_year`` for the gemeenten, suppressed or as it is."""
    if definition not in CountDefinition.values:
        raise ValueError(f"unknown definition {definition!r}")
    start, end = dates.parse_school_year(school_year)
    today = today or timezone.localdate()
    peildata = [day for day in peildata_between(start, end) if day <= today]
    municipalities = list(
        Region.objects.filter(pk__in=municipality_ids, kind=RegionKind.MUNICIPALITY)
        .order_by("name")
        .values_list("pk", "code", "name")
    )
    ids = [pk for pk, _code, _name in municipalities]
    tables = annual_report_tables(start, end, ids, definition, peildata, progress) if ids else []
    values, lines = _values_and_lines(tables, ids)
    threshold = settings.KANSRIJK["SMALL_NUMBER_THRESHOLD"]
    hidden = suppress_lines(values, lines, threshold=threshold) if suppressed else set()
    return AnnualReport(
        school_year=school_year,
        start=start,
        end=end,
        definition=definition,
        municipalities=municipalities,
        tables=tables,
        suppressed=suppressed,
        threshold=threshold,
        values=values,
        hidden=hidden,
        peildata=peildata,
    )


def export_annual_report(report: AnnualReport, fmt: str, progress: Steps | None = None) -> bytes:
    steps(progress)(_("Het bestand wordt geschreven."))
    if fmt == "csv":
        return CsvExporter(report.export_rows(), ANNUAL_REPORT_COLUMNS).render()
    if fmt == "xlsx":
        exporter = AnnualReportXlsxExporter(report.export_rows(), ANNUAL_REPORT_COLUMNS)
        exporter.column_help = {**ANNUAL_REPORT_HELP, "definitie": report.definition_text}
        if report.suppressed:
            exporter.legend = legend(report.threshold)
        return exporter.render()
    raise ValueError(f"Onbekend formaat: {fmt}")


def annual_report_filename(report: AnnualReport, fmt: str) -> str:
    year = report.school_year.replace("/", "-")
    codes = "-".join(code for _pk, code, _name in report.municipalities[:3])
    if len(report.municipalities) > 3:
        codes += f"-en-{len(report.municipalities) - 3}-meer"
    return f"jaarverslag-leerplicht-{year}-{codes or 'geen-gemeente'}.{fmt}"


@dataclass(frozen=True)
class AnnualReportAreas:
    """The gemeenten whose annual report a user may read: as they are (leerplicht of the
    gemeente, the superuser) or suppressed (every other role that works for it)."""

    full: list[tuple[int, str, str]]
    aggregate: list[tuple[int, str, str]]
    everything: bool = False

    @property
    def all(self) -> list[tuple[int, str, str]]:
        return sorted([*self.full, *self.aggregate], key=lambda item: item[2])

    def by_code(self, code: str):
        return next((item for item in self.all if item[1] == code), None)

    def is_full(self, pk: int) -> bool:
        return self.everything or any(item[0] == pk for item in self.full)


def annual_report_areas(user) -> AnnualReportAreas:
    municipalities = Region.objects.filter(kind=RegionKind.MUNICIPALITY).order_by("name")
    scope = scope_of(user)
    if scope.is_superuser:
        return AnnualReportAreas(
            full=list(municipalities.values_list("pk", "code", "name")),
            aggregate=[],
            everything=True,
        )
    full = list(
        municipalities.filter(pk__in=scope.full_region_ids).values_list("pk", "code", "name")
    )
    aggregate = list(
        municipalities.filter(
            pk__in=scope.aggregate_region_ids - scope.full_region_ids
        ).values_list("pk", "code", "name")
    )
    return AnnualReportAreas(full=full, aggregate=aggregate)


__all__ = [
    "REGISTRATION_COLUMNS",
    "AnnualReport",
    "FigureTable",
    "annual_report_areas",
    "build_annual_report",
    "counted_in_period_q",
    "export_annual_report",
    "export_registration",
    "inspectie_moments",
    "pact_breach_in_period_q",
    "registration_cases",
    "registration_period",
    "registration_summary",
]
