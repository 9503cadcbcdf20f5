"""The agenda as a document and as a spreadsheet, always from live data.

``build_document`` reads the whole tree once (a fixed number of queries, totals by SQL
aggregate) into plain objects laid out as the seed agendas are: per spearhead the
four-column table (Doel | Indicator | Hoofdactiviteit(en) | Subactiviteit(en)), the
planning table (Speerpunt | Doel | Planning activiteiten), the intervention cards of
seed 004 and the financing overview by source and year. The HTML template (for the PDF)
and the DOCX writer both render that one structure, so the two cannot drift apart.

``spreadsheet_rows`` gives the round-trip rows (one per tree item, stable external ids)
that ``CsvExporter`` and ``XlsxExporter`` write; ``importing`` reads them back. The
format is documented in ``docs/formats/agenda-spreadsheet.md``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kansrijk.operations.metrics import timed_document
from kansrijk.periods import MONTH_NAMES, SHORT_MONTH_NAMES
from kansrijk.reports.exporting import CsvExporter, XlsxExporter
from kansrijk.reports.pdf import html_to_pdf
from kansrijk.reports.progress import Steps, steps

from .models import (
    CURRENT_FUNDING,
    Activity,
    ActivityKind,
    Agenda,
    AgendaStatus,
    FundingLine,
    FundingSource,
    Goal,
    Involvement,
    PlannedMonth,
    WorkStatus,
)

FORMATS = ("docx", "pdf", "xlsx", "csv")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


# ------------------------------------------------------------------ formatting helpers


def format_date(value: datetime.date | None) -> str:
    """1 oktober 2021 (documents are written in Dutch, like the agendas themselves)."""
    if value is None:
        return ""
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


def format_months(months: Iterable[datetime.date]) -> str:
    """A set of months as a planning table writes it: 'mrt, jun, nov 2022',
    'jan–dec 2022', 'sep–okt 2022, jan 2023'. Runs of consecutive months become ranges."""
    by_year: dict[int, list[int]] = defaultdict(list)
    for month in sorted(set(months)):
        by_year[month.year].append(month.month)
    parts = []
    for year, numbers in sorted(by_year.items()):
        runs: list[list[int]] = []
        for number in numbers:
            if runs and number == runs[-1][-1] + 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        words = [
            SHORT_MONTH_NAMES[run[0] - 1]
            if len(run) == 1
            else f"{SHORT_MONTH_NAMES[run[0] - 1]}–{SHORT_MONTH_NAMES[run[-1] - 1]}"
            for run in runs
        ]
        parts.append(f"{', '.join(words)} {year}")
    return ", ".join(parts)


def format_money(value: Decimal | None) -> str:
    """€ 120.000 or € 1.234,50 (Dutch thousands and decimal separators)."""
    if value is None:
        return ""
    value = Decimal(value).quantize(Decimal("0.01"))
    whole, cents = divmod(abs(value), 1)
    text = f"{int(whole):,}".replace(",", ".")
    if cents:
        text += "," + f"{cents:.2f}"[2:]
    return f"€ {'-' if value < 0 else ''}{text}"


def format_number(value: Decimal | None) -> str:
    """A decimal without trailing zeros and with a decimal comma: 0,75; 4; 6,5."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")


def format_share(value: Decimal) -> str:
    percentage = (Decimal(value) * 100).normalize()
    return f"{format(percentage, 'f').replace('.', ',')}%"


# ------------------------------------------------------------------ the document structure


@dataclass
class ActivityLine:
    external_id: str
    title: str
    status: str
    status_label: str
    planning: str


@dataclass
class GoalRow:
    external_id: str
    number: str
    text: str
    indicator_text: str
    priority: str
    main_activities: list[ActivityLine] = field(default_factory=list)
    sub_activities: list[ActivityLine] = field(default_factory=list)
    planning: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.number}. {self.text}" if self.number else self.text


@dataclass
class SpearheadSection:
    external_id: str
    number: str
    title: str
    description: str
    intended_result: str
    priority: int | None
    goals: list[GoalRow] = field(default_factory=list)

    @property
    def heading(self) -> str:
        if self.number:
            return _("Speerpunt %(number)s: %(title)s") % {
                "number": self.number,
                "title": self.title,
            }
        return self.title


@dataclass
class PlanningGroup:
    """One row of the planning table: a spearhead (or 'Algemeen') and its goals."""

    label: str
    goals: list[GoalRow]


@dataclass
class FundingLineText:
    year: int
    source: str
    amount: str
    realised: str
    explanation: str
    notes: str
    # Who pays this amount; empty where the source does not say which partner pays.
    payer: str = ""

    @property
    def text(self) -> str:
        """The line as the documents write it: "2023 · GKA: € 150.000 (…), betaald door
        Gemeente Vijfheerenlanden; gerealiseerd € …. Notes"."""
        text = f"{self.year} · {self.source}: {self.amount}"
        if self.explanation:
            text += f" ({self.explanation})"
        if self.payer:
            text += ", " + _("betaald door %(payer)s") % {"payer": self.payer}
        if self.realised:
            text += f"; {_('gerealiseerd')} {self.realised}"
        if self.notes:
            text += f". {self.notes}"
        return text


@dataclass
class InterventionCard:
    external_id: str
    name: str
    rows: list[tuple[str, str]]
    funding_lines: list[FundingLineText]
    planned_total: str
    realised_total: str


@dataclass
class FundingCell:
    amount: Decimal | None
    is_estimate: bool

    @property
    def text(self) -> str:
        if self.amount is None:
            return "–"
        return (_("ca. ") if self.is_estimate else "") + format_money(self.amount)


@dataclass
class FundingRow:
    source: str
    label: str
    cells: list[FundingCell]
    total: FundingCell
    realised: str


@dataclass
class FundingOverview:
    years: list[int]
    rows: list[FundingRow]
    year_totals: list[FundingCell]
    total: FundingCell
    realised: str

    @property
    def is_empty(self) -> bool:
        return not self.rows


@dataclass
class ThemeText:
    number: str
    title: str
    kind: str
    background: str
    sources: str


@dataclass
class CommitmentText:
    text: str
    owner: str
    frequency: str


@dataclass
class EvaluationText:
    when: str
    description: str
    intervention: str
    done_on: str


@dataclass
class AgendaDocument:
    slug: str
    title: str
    subtitle: str
    kind: str
    period: str
    owners: list[str]
    regions: list[str]
    status: str
    adoption: str
    is_public: bool
    vision: str
    introduction: str
    source: str
    themes: list[ThemeText]
    # The spearheads, each with its four-column table; goals without a spearhead follow
    # in a last section 'Algemene doelen'.
    spearheads: list[SpearheadSection]
    planning: list[PlanningGroup]
    interventions: list[InterventionCard]
    funding: FundingOverview
    commitments: list[CommitmentText]
    evaluations: list[EvaluationText]
    generated_at: datetime.datetime

    @property
    def generated_on(self) -> str:
        return format_date(timezone.localdate(self.generated_at))


def _activity_line(activity: Activity) -> ActivityLine:
    months = [planned.month for planned in activity.planned_months.all()]
    planning = activity.planned_text or format_months(months)
    return ActivityLine(
        external_id=activity.external_id,
        title=activity.title,
        status=activity.status,
        status_label=activity.get_status_display(),
        planning=planning,
    )


def _planning_text(line: ActivityLine) -> str:
    # "Binnen 3 maanden PVA" already says when; do not repeat "Binnen 3 maanden".
    if not line.planning or line.planning.lower() in line.title.lower():
        return line.title
    return f"{line.title.rstrip('.:')}: {line.planning}"


def _goal_rows(agenda: Agenda) -> list[tuple[Goal, GoalRow]]:
    """Every goal with its main, sub and planning activities, from two queries."""
    goals = list(
        agenda.goals.filter(archived_on=None).select_related("spearhead").order_by("position", "pk")
    )
    activities = list(
        agenda.activities.filter(archived_on=None)
        .order_by("position", "pk")
        .prefetch_related(
            Prefetch("planned_months", queryset=PlannedMonth.objects.order_by("month"))
        )
    )
    children: dict[int, list[Activity]] = defaultdict(list)
    for activity in activities:
        if activity.parent_id:
            children[activity.parent_id].append(activity)

    def descendants(activity: Activity) -> Iterator[Activity]:
        for child in children.get(activity.pk, []):
            yield child
            yield from descendants(child)

    by_goal: dict[int, list[Activity]] = defaultdict(list)
    for activity in activities:
        by_goal[activity.goal_id].append(activity)

    rows = []
    for goal in goals:
        row = GoalRow(
            external_id=goal.external_id,
            number=goal.number,
            text=goal.text,
            indicator_text=goal.indicator_text,
            priority=goal.priority,
        )
        own = by_goal[goal.pk]
        mains = [a for a in own if a.parent_id is None and a.kind != ActivityKind.PLANNING]
        row.main_activities = [_activity_line(a) for a in mains]
        seen = {a.pk for a in mains}
        subs = [d for main in mains for d in descendants(main)]
        # A sub-activity tied to the goal directly (without a parent) still belongs here.
        subs += [a for a in own if a.kind == ActivityKind.SUB and a.parent_id is not None]
        subs += [a for a in own if a.kind == ActivityKind.SUB and a.parent_id is None]
        unique_subs = []
        for sub in subs:
            if sub.pk not in seen and sub.kind != ActivityKind.PLANNING:
                seen.add(sub.pk)
                unique_subs.append(sub)
        row.sub_activities = [_activity_line(a) for a in unique_subs]
        # The planning column: the lines of the planning table when the agenda has them,
        # otherwise every activity of the goal that has a planning.
        planned = [a for a in own if a.kind == ActivityKind.PLANNING]
        if not planned:
            planned = [a for a in mains + unique_subs if a.planned_text or a.planned_months.all()]
        row.planning = [_planning_text(_activity_line(a)) for a in planned]
        rows.append((goal, row))
    return rows


def _planning_groups(
    goal_rows: list[tuple[Goal, GoalRow]], spearhead_labels: dict[int, str]
) -> list[PlanningGroup]:
    """Consecutive goals of one spearhead form one row, as in seed 002, where 'Algemeen'
    (goals without a spearhead) is both the first and the last row."""
    groups: list[PlanningGroup] = []
    previous: object = object()
    for goal, row in goal_rows:
        if goal.spearhead_id != previous:
            label = spearhead_labels.get(goal.spearhead_id, _("Algemeen"))
            groups.append(PlanningGroup(label=label, goals=[]))
            previous = goal.spearhead_id
        groups[-1].goals.append(row)
    return groups


def _funding_explanation(line: FundingLine) -> str:
    """How the amount came about, as honestly as the source wrote it."""
    parts = []
    if line.unit_amount is not None:
        text = format_money(line.unit_amount)
        if line.unit:
            text += f" {line.unit}"
        if line.quantity != 1:
            text += f" × {format_number(line.quantity)}"
        if line.share != 1:
            text += " × " + format_share(line.share)
        parts.append(text)
    elif line.unit:
        parts.append(line.unit)
    if line.is_estimate:
        parts.insert(0, _("circa"))
    return ", ".join(parts)


def _intervention_cards(agenda: Agenda) -> list[InterventionCard]:
    interventions = list(
        agenda.interventions.filter(archived_on=None)
        .order_by("position", "pk")
        .prefetch_related(
            Prefetch("goals", queryset=Goal.objects.order_by("position", "pk")),
            Prefetch("planned_months", queryset=PlannedMonth.objects.order_by("month")),
            Prefetch(
                "funding_lines",
                queryset=FundingLine.objects.filter(archived_on=None)
                .select_related("payer")
                .order_by("year", "pk"),
            ),
        )
    )
    totals = {
        row["intervention_id"]: row
        for row in FundingLine.objects.filter(CURRENT_FUNDING, intervention__agenda=agenda)
        .values("intervention_id")
        .annotate(
            planned=Sum("planned_amount"),
            realised=Sum("realised_amount"),
            estimates=Count("pk", filter=Q(is_estimate=True)),
        )
        .order_by()
    }
    cards = []
    for intervention in interventions:
        ages = ""
        if intervention.age_min is not None and intervention.age_max is not None:
            ages = _("%(low)s tot en met %(high)s jaar") % {
                "low": format_number(intervention.age_min),
                "high": format_number(intervention.age_max),
            }
        elif intervention.age_min is not None:
            ages = _("vanaf %(low)s jaar") % {"low": format_number(intervention.age_min)}
        elif intervention.age_max is not None:
            ages = _("tot en met %(high)s jaar") % {"high": format_number(intervention.age_max)}
        planning = intervention.planning_text or format_months(
            p.month for p in intervention.planned_months.all()
        )
        goals = "\n".join(
            f"{goal.number}. {goal.text}" if goal.number else goal.text
            for goal in intervention.goals.all()
        )
        rows = [
            (_("Betrokken partijen"), intervention.parties_text),
            (_("Planning"), planning),
            (_("Doel van de interventie"), intervention.goal_text),
            (_("Doelgroep"), intervention.target_group),
            (_("Leeftijd"), ages),
            (_("Locatie (wijk, school)"), intervention.location_text),
            (_("Activiteiten"), intervention.activities_text),
            (_("Monitoring en evaluatie"), intervention.monitoring_text),
            (_("Financiering"), intervention.financing_text),
            (_("Online informatie"), intervention.online_information),
            (_("Contact"), intervention.contact),
            (_("Draagt bij aan doel"), goals),
            (_("Status"), intervention.get_status_display()),
        ]
        total = totals.get(intervention.pk)
        cards.append(
            InterventionCard(
                external_id=intervention.external_id,
                name=intervention.name,
                rows=[(label, value) for label, value in rows if value],
                funding_lines=[
                    FundingLineText(
                        year=line.year,
                        source=line.get_source_display(),
                        amount=format_money(line.planned_amount),
                        realised=format_money(line.realised_amount),
                        explanation=_funding_explanation(line),
                        notes=line.notes,
                        payer=line.payer.name if line.payer else "",
                    )
                    for line in intervention.funding_lines.all()
                ],
                planned_total=FundingCell(total["planned"], bool(total["estimates"])).text
                if total
                else "",
                realised_total=format_money(total["realised"]) if total else "",
            )
        )
    return cards


def funding_totals(agenda: Agenda) -> FundingOverview:
    """Planned amounts per source per year, with row, column and grand totals, all summed
    by the database. 'ca.' marks a total that includes an estimate ('circa')."""
    lines = FundingLine.objects.filter(
        Q(intervention__agenda=agenda) | Q(activity__agenda=agenda), CURRENT_FUNDING
    )
    sums = {
        "planned": Sum("planned_amount"),
        "realised": Sum("realised_amount"),
        "estimates": Count("pk", filter=Q(is_estimate=True)),
    }
    by_source_year = {
        (row["source"], row["year"]): row
        for row in lines.values("source", "year").annotate(**sums).order_by()
    }
    by_source = {row["source"]: row for row in lines.values("source").annotate(**sums).order_by()}
    by_year = {row["year"]: row for row in lines.values("year").annotate(**sums).order_by()}
    overall = lines.aggregate(**sums)

    def cell(row) -> FundingCell:
        if row is None:
            return FundingCell(None, False)
        return FundingCell(row["planned"], bool(row["estimates"]))

    years = sorted(by_year)
    rows = [
        FundingRow(
            source=source,
            label=str(label),
            cells=[cell(by_source_year.get((source, year))) for year in years],
            total=cell(by_source[source]),
            realised=format_money(by_source[source]["realised"]),
        )
        for source, label in FundingSource.choices
        if source in by_source
    ]
    return FundingOverview(
        years=years,
        rows=rows,
        year_totals=[cell(by_year[year]) for year in years],
        total=cell(overall) if rows else FundingCell(None, False),
        realised=format_money(overall["realised"]),
    )


# The steps of build_document, for a document's progress (decision 0051).
READING_STEPS = 3


def section_count(agenda: Agenda) -> int:
    """How many speerpunt sections ``build_document`` makes, counted before it reads the
    tree (so a document's progress knows its total): one per speerpunt, and "Algemene
    doelen" when a goal has no speerpunt, or an archived one."""
    spearheads = agenda.spearheads.filter(archived_on=None).count()
    general = (
        agenda.goals.filter(archived_on=None)
        .filter(Q(spearhead=None) | Q(spearhead__archived_on__isnull=False))
        .exists()
    )
    return spearheads + int(general)


def build_document(agenda: Agenda, progress: Steps | None = None) -> AgendaDocument:
    """Everything a document of ``agenda`` shows, read from the database once."""
    progress = steps(progress)
    progress(_("De doelen en activiteiten worden gelezen."))
    goal_rows = _goal_rows(agenda)
    spearheads = list(agenda.spearheads.filter(archived_on=None).order_by("position", "pk"))
    sections = {
        spearhead.pk: SpearheadSection(
            external_id=spearhead.external_id,
            number=spearhead.number,
            title=spearhead.title,
            description=spearhead.description,
            intended_result=spearhead.intended_result,
            priority=spearhead.priority,
        )
        for spearhead in spearheads
    }
    general = SpearheadSection(
        external_id="",
        number="",
        title=_("Algemene doelen"),
        description="",
        intended_result="",
        priority=None,
    )
    for goal, row in goal_rows:
        sections.get(goal.spearhead_id, general).goals.append(row)
    progress(_("De interventies worden gelezen."))
    interventions = _intervention_cards(agenda)
    progress(_("De financiering wordt opgeteld."))
    adoption = ""
    if agenda.status != AgendaStatus.CONCEPT and agenda.adopted_on:
        adoption = _("Vastgesteld op %(date)s") % {"date": format_date(agenda.adopted_on)}
        if agenda.adopted_by:
            adoption += " " + _("door %(body)s") % {"body": agenda.adopted_by}
    commitments = []
    for commitment in agenda.commitments.select_related("owner").order_by("position", "pk"):
        frequency = ""
        if commitment.times_per_year:
            frequency = (
                _("minimaal %(n)s keer per jaar")
                if commitment.at_least
                else _("%(n)s keer per jaar")
            ) % {"n": commitment.times_per_year}
        commitments.append(
            CommitmentText(
                text=commitment.text,
                owner=commitment.owner.name if commitment.owner else "",
                frequency=frequency,
            )
        )
    evaluations = [
        EvaluationText(
            when=moment.planned_text
            or f"{MONTH_NAMES[moment.month.month - 1]} {moment.month.year}",
            description=moment.description,
            intervention=moment.intervention.name if moment.intervention else "",
            done_on=format_date(moment.done_on),
        )
        for moment in agenda.evaluation_moments.filter(
            archived_on=None, intervention__archived_on=None
        )
        .select_related("intervention")
        .order_by("month", "pk")
    ]
    return AgendaDocument(
        slug=agenda.slug,
        title=agenda.title,
        subtitle=agenda.subtitle,
        kind=agenda.get_kind_display(),
        period=f"{agenda.period_start.year}–{agenda.period_end.year}"
        if agenda.period_start.year != agenda.period_end.year
        else str(agenda.period_start.year),
        owners=list(agenda.owners.order_by("name").values_list("name", flat=True)),
        regions=list(agenda.regions.order_by("name").values_list("name", flat=True)),
        status=agenda.get_status_display(),
        adoption=adoption,
        is_public=agenda.is_public,
        vision=agenda.vision,
        introduction=agenda.introduction,
        source=agenda.source,
        themes=[
            ThemeText(
                number=theme.number,
                title=theme.title,
                kind=theme.get_kind_display(),
                background=theme.background,
                sources=theme.sources,
            )
            for theme in agenda.themes.filter(archived_on=None).order_by("position", "pk")
        ],
        spearheads=[*sections.values(), *([general] if general.goals else [])],
        planning=_planning_groups(goal_rows, {pk: s.title for pk, s in sections.items()}),
        interventions=interventions,
        funding=funding_totals(agenda),
        commitments=commitments,
        evaluations=evaluations,
        generated_at=timezone.now(),
    )


# ------------------------------------------------------------------ PDF


def render_document_html(document: AgendaDocument) -> str:
    return render_to_string("agenda/document.html", {"document": document})


@timed_document("agenda", "pdf")
def render_pdf(document: AgendaDocument, progress: Steps | None = None) -> bytes:
    progress = steps(progress)
    progress(_("De tekst wordt opgemaakt."))
    return html_to_pdf(render_document_html(document), progress)


# The steps of render_pdf: the text, laying out the pages, writing the PDF.
PDF_STEPS = 3


# ------------------------------------------------------------------ the round-trip rows

# One table, one row per tree item. Columns that do not apply to a row's type stay empty.
COLUMNS = [
    "type",
    "external_id",
    "position",
    "parent_external_id",
    "spearhead_external_id",
    "goal_external_id",
    "intervention_external_id",
    "activity_external_id",
    "number",
    "kind",
    "title",
    "text",
    "description",
    "indicator_text",
    "intended_result",
    "priority",
    "status",
    "progress",
    "voortrekker",
    "partners",
    "financiers",
    "planned_text",
    "months",
    "themes",
    "goals",
    "locations",
    "background",
    "sources",
    "parties_text",
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
    "year",
    "source",
    "payer",
    "unit_amount",
    "unit",
    "quantity",
    "share",
    "planned_amount",
    "realised_amount",
    "is_estimate",
    "notes",
    "owner",
    "times_per_year",
    "at_least",
    "done_on",
]

LIST_SEPARATOR = "|"


def _months_cell(months: Iterable[datetime.date]) -> str:
    return LIST_SEPARATOR.join(f"{m:%Y-%m}" for m in sorted(months))


# A party in a role cell: an organisation by its code (or exact name when it has none), a
# person of one as "username @ organisation" (a username has no spaces), and a party the
# agenda only names as "tekst: ..." (so that a mistyped code is an error, not a new party).
PERSON_SEPARATOR = " @ "
TEXT_PARTY_PREFIX = "tekst:"
ROLE_COLUMNS = {"voortrekker": "lead", "partners": "partner", "financiers": "funder"}


def organisation_reference(organisation) -> str:
    """What ``demo.organisation_by_reference`` reads back: the code, except for a school
    institution (its BRIN4 is not looked up as a code; the exact name is)."""
    if organisation.code and organisation.kind != "school_institution":
        return organisation.code
    return organisation.name


def party_reference(involvement) -> str:
    if involvement.organisation is None:
        return f"{TEXT_PARTY_PREFIX} {involvement.party_name}"
    organisation = organisation_reference(involvement.organisation)
    if involvement.person is not None:
        return f"{involvement.person.username}{PERSON_SEPARATOR}{organisation}"
    return organisation


def _role_cells(item) -> dict[str, str]:
    """The voortrekker, partners and financiers of a prefetched activity or intervention."""
    cells = {column: [] for column in ROLE_COLUMNS}
    for involvement in sorted(item.involvements.all(), key=lambda i: i.pk):
        for column, role in ROLE_COLUMNS.items():
            if involvement.role == role:
                cells[column].append(party_reference(involvement))
    return {column: LIST_SEPARATOR.join(values) for column, values in cells.items()}


ROLE_PREFETCH = Prefetch(
    "involvements",
    queryset=Involvement.objects.filter(role__in=ROLE_COLUMNS.values()).select_related(
        "organisation", "person"
    ),
)


def status_label(value: str) -> str:
    """The Dutch word the spreadsheet uses for a work status (gepland, lopend, ...)."""
    with translation.override("nl"):
        return str(WorkStatus(value).label)


def spreadsheet_rows(agenda: Agenda) -> list[dict[str, Any]]:
    """The round-trip rows of ``agenda``: every theme, spearhead, goal, activity (parents
    before children), intervention, funding line, evaluation moment and commitment."""
    rows: list[dict[str, Any]] = []
    for theme in agenda.themes.filter(archived_on=None).order_by("position", "pk"):
        rows.append(
            {
                "type": "theme",
                "external_id": theme.external_id,
                "position": theme.position,
                "kind": theme.kind,
                "number": theme.number,
                "title": theme.title,
                "background": theme.background,
                "sources": theme.sources,
            }
        )
    for spearhead in agenda.spearheads.filter(archived_on=None).order_by("position", "pk"):
        rows.append(
            {
                "type": "spearhead",
                "external_id": spearhead.external_id,
                "position": spearhead.position,
                "number": spearhead.number,
                "title": spearhead.title,
                "description": spearhead.description,
                "intended_result": spearhead.intended_result,
                "priority": spearhead.priority,
            }
        )
    for goal in (
        agenda.goals.filter(archived_on=None)
        .select_related("spearhead")
        .prefetch_related(
            Prefetch(
                "themes", queryset=agenda.themes.filter(archived_on=None).order_by("position", "pk")
            )
        )
        .order_by("position", "pk")
    ):
        rows.append(
            {
                "type": "goal",
                "external_id": goal.external_id,
                "position": goal.position,
                "spearhead_external_id": goal.spearhead.external_id if goal.spearhead else "",
                "number": goal.number,
                "text": goal.text,
                "indicator_text": goal.indicator_text,
                "priority": goal.priority,
                "themes": LIST_SEPARATOR.join(t.external_id for t in goal.themes.all()),
            }
        )
    activities = list(
        agenda.activities.filter(archived_on=None)
        .select_related("goal", "parent")
        .prefetch_related("planned_months", ROLE_PREFETCH)
        .order_by("position", "pk")
    )
    for activity in _parents_first(activities):
        rows.append(
            {
                "type": "activity",
                "external_id": activity.external_id,
                "position": activity.position,
                "goal_external_id": activity.goal.external_id if activity.goal else "",
                "parent_external_id": activity.parent.external_id if activity.parent else "",
                "kind": activity.kind,
                "title": activity.title,
                "description": activity.description,
                "planned_text": activity.planned_text,
                "months": _months_cell(p.month for p in activity.planned_months.all()),
                "status": status_label(activity.status),
                "progress": activity.progress,
                **_role_cells(activity),
            }
        )
    for intervention in (
        agenda.interventions.filter(archived_on=None)
        .prefetch_related(
            Prefetch(
                "goals", queryset=agenda.goals.filter(archived_on=None).order_by("position", "pk")
            ),
            "locations",
            "planned_months",
            ROLE_PREFETCH,
        )
        .order_by("position", "pk")
    ):
        rows.append(
            {
                "type": "intervention",
                "external_id": intervention.external_id,
                "position": intervention.position,
                "title": intervention.name,
                "parties_text": intervention.parties_text,
                "planned_text": intervention.planning_text,
                "goal_text": intervention.goal_text,
                "target_group": intervention.target_group,
                "age_min": intervention.age_min,
                "age_max": intervention.age_max,
                "location_text": intervention.location_text,
                "locations": LIST_SEPARATOR.join(
                    sorted(region.code for region in intervention.locations.all())
                ),
                "activities_text": intervention.activities_text,
                "monitoring_text": intervention.monitoring_text,
                "financing_text": intervention.financing_text,
                "online_information": intervention.online_information,
                "contact": intervention.contact,
                "goals": LIST_SEPARATOR.join(g.external_id for g in intervention.goals.all()),
                "months": _months_cell(p.month for p in intervention.planned_months.all()),
                "status": status_label(intervention.status),
                "progress": intervention.progress,
                **_role_cells(intervention),
            }
        )
    funding = FundingLine.objects.filter(
        Q(intervention__agenda=agenda) | Q(activity__agenda=agenda), CURRENT_FUNDING
    ).select_related("intervention", "activity", "payer")
    for line in funding.order_by("year", "source", "pk"):
        rows.append(
            {
                "type": "funding",
                "external_id": line.external_id,
                "intervention_external_id": line.intervention.external_id
                if line.intervention
                else "",
                "activity_external_id": line.activity.external_id if line.activity else "",
                "year": line.year,
                "source": line.source,
                "payer": organisation_reference(line.payer) if line.payer else "",
                "unit_amount": line.unit_amount,
                "unit": line.unit,
                "quantity": line.quantity,
                "share": line.share,
                "planned_amount": line.planned_amount,
                "realised_amount": line.realised_amount,
                "is_estimate": line.is_estimate,
                "notes": line.notes,
            }
        )
    for moment in (
        agenda.evaluation_moments.filter(archived_on=None, intervention__archived_on=None)
        .select_related("intervention")
        .order_by("month", "pk")
    ):
        rows.append(
            {
                "type": "evaluation",
                "external_id": moment.external_id,
                "intervention_external_id": moment.intervention.external_id
                if moment.intervention
                else "",
                "months": f"{moment.month:%Y-%m}",
                "planned_text": moment.planned_text,
                "text": moment.description,
                "done_on": moment.done_on,
            }
        )
    for commitment in agenda.commitments.select_related("owner").order_by("position", "pk"):
        owner = commitment.owner
        rows.append(
            {
                "type": "commitment",
                "external_id": commitment.external_id,
                "position": commitment.position,
                "text": commitment.text,
                "owner": (owner.code or owner.name) if owner else "",
                "times_per_year": commitment.times_per_year,
                "at_least": commitment.at_least,
            }
        )
    return rows


def _parents_first(activities: list[Activity]) -> list[Activity]:
    """Activities in their order, but never a child before its parent (so a file can be
    read top to bottom)."""
    by_pk = {a.pk: a for a in activities}
    placed: set[int] = set()
    ordered: list[Activity] = []

    def place(activity: Activity, trail: frozenset = frozenset()) -> None:
        if activity.pk in placed or activity.pk in trail:
            return
        parent = by_pk.get(activity.parent_id)
        if parent is not None:
            place(parent, trail | {activity.pk})
        placed.add(activity.pk)
        ordered.append(activity)

    for activity in activities:
        place(activity)
    return ordered


# ------------------------------------------------------------------ CSV and XLSX

LONG_TEXT_COLUMNS = {
    "title",
    "text",
    "description",
    "indicator_text",
    "intended_result",
    "background",
    "sources",
    "parties_text",
    "goal_text",
    "target_group",
    "location_text",
    "activities_text",
    "monitoring_text",
    "financing_text",
    "contact",
    "notes",
}

COLUMN_HELP = {
    "type": "theme, spearhead, goal, activity, intervention, funding, evaluation of commitment",
    "external_id": "vaste sleutel van het onderdeel; bij importeren wordt hierop bijgewerkt",
    "position": "volgorde binnen het soort (0, 1, 2, ...)",
    "parent_external_id": "activity: de hoofdactiviteit waar deze subactiviteit onder valt",
    "spearhead_external_id": "goal: het speerpunt van het doel",
    "goal_external_id": "activity: het doel van de activiteit",
    "intervention_external_id": "funding en evaluation: de interventie",
    "activity_external_id": "funding: de activiteit (als de regel niet bij een interventie hoort)",
    "number": "nummer zoals in het document (1, 2.1, ...)",
    "kind": "theme: factor, cross_cutting, advice, instrument; activity: main, sub, planning",
    "title": "titel; bij een interventie de naam",
    "text": "goal: het doel; evaluation: de omschrijving; commitment: de afspraak",
    "description": "toelichting",
    "indicator_text": "goal: hoe meten we dat?",
    "intended_result": "spearhead: beoogd resultaat",
    "priority": "prioriteit (bij een speerpunt een getal)",
    "status": "gepland, lopend, afgerond, uitgesteld of vervallen",
    "progress": "voortgang in procenten, 0 tot en met 100",
    "planned_text": "planning zoals geschreven ('jan–dec', 'begin 2023')",
    "months": "geplande maanden als JJJJ-MM, gescheiden door | (2022-03|2022-06)",
    "themes": "goal: thema's (external_id's, gescheiden door |)",
    "goals": "intervention: doelen (external_id's, gescheiden door |)",
    "locations": "intervention: regiocodes, gescheiden door |",
    "voortrekker": "activity, intervention: wie het trekt (één): organisatiecode of exacte "
    "naam, 'gebruikersnaam @ organisatie' voor een persoon, 'tekst: ...' voor een partij "
    "die niet in het register staat",
    "partners": "activity, intervention: partners, zoals bij voortrekker, gescheiden door |",
    "financiers": "activity, intervention: financiers, zoals bij voortrekker, gescheiden door |",
    "year": "funding: jaar",
    "source": "funding: gka, oab, npo, youth_care, swv, partner_contribution, corona, "
    "municipal_education of other",
    "payer": "funding: de organisatie die betaalt (code of exacte naam); leeg als de bron "
    "niet zegt wie betaalt",
    "unit_amount": "funding: bedrag per eenheid (bijv. 120000 per locatie per jaar)",
    "unit": "funding: de eenheid zoals geschreven ('per locatie per jaar')",
    "quantity": "funding: aantal eenheden (bijv. 0,33 voor vier maanden)",
    "share": "funding: aandeel van deze bron (0,5 = de helft)",
    "planned_amount": "funding: begroot bedrag; berekend als unit_amount is ingevuld",
    "realised_amount": "funding: gerealiseerd bedrag",
    "is_estimate": "funding: ja als de bron 'circa' schrijft",
    "owner": "commitment: organisatie (code of exacte naam)",
    "times_per_year": "commitment: keer per jaar",
    "at_least": "commitment: ja als het 'minimaal' zo vaak is",
    "done_on": "evaluation: uitgevoerd op (JJJJ-MM-DD)",
}


class AgendaXlsxExporter(XlsxExporter):
    """Sheet 'Agenda' with the rows and 'Toelichting' with what each column means."""

    sheet_title = "Agenda"
    column_help = COLUMN_HELP
    long_text_columns = frozenset(LONG_TEXT_COLUMNS)
    freeze_panes = "C2"
    wrap_text = True


EXPORTERS = {"csv": CsvExporter, "xlsx": AgendaXlsxExporter}


def export_agenda(agenda: Agenda, fmt: str, progress: Steps | None = None) -> bytes:
    """The bytes of ``agenda`` in ``fmt`` (docx, pdf, xlsx or csv), from live data.
    ``progress`` hears each step: reading the parts, then one per part of the document."""
    progress = steps(progress)
    if fmt in EXPORTERS:
        progress.expect(2)
        progress(_("De rijen van de agenda worden verzameld."))
        rows = spreadsheet_rows(agenda)
        progress(_("Het bestand wordt geschreven."))
        return EXPORTERS[fmt](rows, COLUMNS).render()
    if fmt == "pdf":
        progress.expect(READING_STEPS + PDF_STEPS)
        return render_pdf(build_document(agenda, progress), progress)
    if fmt == "docx":
        from .docx_export import render_docx, step_count

        progress.expect(READING_STEPS + step_count(section_count(agenda)))
        return render_docx(build_document(agenda, progress), progress)
    raise ValueError(f"Onbekend formaat: {fmt}")


def export_filename(agenda: Agenda, fmt: str) -> str:
    return f"{agenda.slug}.{fmt}"
