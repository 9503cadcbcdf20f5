"""The council progress report (voortgangsrapportage) of an agenda, as PDF and DOCX.

``build_report(agenda, user=None)`` reads, per goal of the agenda, its indicators (each
with the trend chart of ``charts.trend_chart``, its status from
``status.indicator_status``, the story behind the latest figure and the data table)
and the status of the goal's activities, into plain objects. The print HTML (for the
PDF, rendered by WeasyPrint like the agenda document) and the DOCX writer both render
that one structure. The PDF carries the same SVG as the web page; python-docx cannot
embed SVG, so the DOCX carries the chart's data table instead and says so.

Only approved figures are reported, and since the report goes to the council (a public
document) every figure is the published one (``disclosure.Disclosure(public=True)``): a
count below the threshold reads "<5", a figure hidden to protect one ".", neither is
drawn, and the legend says what they mean.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from kansrijk.agenda.exporting import _goal_rows, format_date
from kansrijk.operations.metrics import timed_document
from kansrijk.periods import format_period
from kansrijk.reports.pdf import html_to_pdf
from kansrijk.reports.progress import Steps, steps

from . import suppression
from .disclosure import Disclosure, status_for
from .models import Baseline, Indicator, Measurement, Target
from .status import target_label

FORMATS = ("pdf", "docx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass
class IndicatorSection:
    code: str
    name: str
    unit: str
    scope: str
    chart_svg: str
    headers: list[str]
    table: list[list[str]]
    legend: list[tuple[str, str]]
    status_code: str
    status_label: str
    status_explanation: str
    story: str
    story_withheld: bool
    story_period: str
    source: str
    has_generated: bool


@dataclass
class ActivityStatus:
    title: str
    status_label: str


@dataclass
class GoalSection:
    label: str
    indicator_text: str
    indicators: list[IndicatorSection] = field(default_factory=list)
    activities: list[ActivityStatus] = field(default_factory=list)


@dataclass
class ProgressReport:
    slug: str
    title: str
    goals: list[GoalSection]
    generated_at: datetime.datetime

    @property
    def generated_on(self) -> str:
        return format_date(timezone.localdate(self.generated_at))


def _scope_of(indicator: Indicator, measurements: list[Measurement]):
    """The scope reported: the owner's gemeente when it has figures, else that of the
    latest approved total figure (a region before an organisation), else the owner's
    gemeente."""
    totals = [m for m in measurements if not m.breakdown_key]
    home = indicator.owner.municipality_id if indicator.owner_id else None
    if home is not None and any(m.region_id == home for m in totals):
        return indicator.owner.municipality, None
    if totals:
        latest = max(totals, key=lambda m: (m.period_end, m.region_id is not None))
        return latest.region, latest.organisation
    if indicator.owner_id and indicator.owner.municipality_id:
        return indicator.owner.municipality, None
    return None, None


def _indicator_section(
    indicator: Indicator, disclosure: Disclosure, *, goal_id: int | None = None
) -> IndicatorSection:
    from . import charts
    from .status import indicator_status

    measurements = list(
        indicator.measurements.approved()
        .select_related("region", "organisation", "indicator")
        .order_by("period_start")
    )
    region, organisation = _scope_of(indicator, measurements)
    scope_filter = {"region": region, "organisation": organisation}
    series = disclosure.figures(
        m
        for m in measurements
        if not m.breakdown_key and m.region == region and m.organisation == organisation
    )
    baseline = Baseline.objects.filter(indicator=indicator, **scope_filter).first()
    targets = list(Target.objects.filter(indicator=indicator, **scope_filter).order_by("date"))
    baseline_shown = None
    if baseline is not None:
        baseline_shown = suppression.publish_measurement(baseline)
    chart = charts.trend_chart(
        [(f.measurement, f.chart_value) for f in series],
        baseline=(format_period(baseline), baseline_shown) if baseline else None,
        targets=[(target_label(t), t.value) for t in targets],
        unit=indicator.unit,
        title=indicator.name,
        decimals=indicator.decimals,
        # An indicator can measure two goals: one chart per goal, each with its own id.
        chart_id=f"chart-{goal_id}-{indicator.code}" if goal_id else f"chart-{indicator.code}",
    )
    if region is None and organisation is None:
        # Linked to a goal but without a figure or an owner's gemeente: nothing to judge.
        status_code, status_label = "no_data", _("geen gegevens")
        explanation = _("Geen gegevens: er is nog geen goedgekeurd cijfer voor dit doel.")
    else:
        status = status_for(
            disclosure, indicator_status(indicator, region=region, organisation=organisation)
        )
        status_code, status_label, explanation = status.code, status.label, status.explanation
    latest = series[-1] if series else None
    return IndicatorSection(
        code=indicator.code,
        name=indicator.name,
        unit=indicator.get_unit_display(),
        scope=str(region or organisation or ""),
        chart_svg=chart.svg,
        headers=list(chart.headers),
        table=[list(row) for row in chart.table],
        legend=chart.legend,
        status_code=status_code,
        status_label=str(status_label),
        status_explanation=str(explanation),
        story=latest.story if latest else "",
        story_withheld=latest.story_withheld if latest else False,
        story_period=format_period(latest.measurement) if latest else "",
        source=indicator.source_name or indicator.get_source_kind_display(),
        has_generated=any(f.measurement.is_generated for f in series),
    )


def build_report(agenda, *, user=None, progress: Steps | None = None) -> ProgressReport:
    """The report of ``agenda`` with the indicators ``user`` may see (``None``: the
    command line, every indicator). The report is written for the council, a public
    document, so every figure is the published one, whoever makes it. ``progress``
    hears one step per goal (each reads its indicators' figures and draws their charts)."""
    progress = steps(progress)
    visible = Indicator.objects.all() if user is None else Indicator.objects.visible_to(user)
    disclosure = Disclosure(public=True)
    goals = []
    goal_rows = _goal_rows(agenda)
    progress.expect(len(goal_rows))
    for position, (goal, row) in enumerate(goal_rows, start=1):
        progress(
            _("De cijfers bij doel %(goal)s worden gelezen.") % {"goal": row.number or position}
        )
        section = GoalSection(label=row.label, indicator_text=row.indicator_text)
        for indicator in visible.filter(goals=goal).select_related("owner").order_by("name"):
            section.indicators.append(_indicator_section(indicator, disclosure, goal_id=goal.pk))
        section.activities = [
            ActivityStatus(title=line.title, status_label=line.status_label)
            for line in row.main_activities + row.sub_activities
        ]
        goals.append(section)
    return ProgressReport(
        slug=agenda.slug, title=agenda.title, goals=goals, generated_at=timezone.now()
    )


def render_report_html(report: ProgressReport) -> str:
    return render_to_string("indicators/report.html", {"report": report})


@timed_document("progress_report", "pdf")
def render_report_pdf(report: ProgressReport, progress: Steps | None = None) -> bytes:
    """WeasyPrint as for the agenda document: nothing fetched from outside."""
    progress = steps(progress)
    progress(_("De tekst wordt opgemaakt."))
    return html_to_pdf(render_report_html(report), progress)


@timed_document("progress_report", "docx")
def render_report_docx(report: ProgressReport) -> bytes:
    from docx import Document
    from docx.shared import Pt

    document = Document()
    document.core_properties.title = _("Voortgangsrapportage %(title)s") % {"title": report.title}
    document.add_heading(_("Voortgangsrapportage"), level=0)
    document.add_paragraph(report.title)
    document.add_paragraph(_("Gemaakt op %(date)s.") % {"date": report.generated_on})
    note = document.add_paragraph(
        _(
            "In dit Word-document staat bij elke indicator de tabel met de cijfers; "
            "de grafiek staat in de PDF-versie van deze rapportage."
        )
    )
    note.runs[0].italic = True
    for goal in report.goals:
        document.add_heading(goal.label, level=1)
        if goal.indicator_text:
            document.add_paragraph(goal.indicator_text)
        if not goal.indicators:
            document.add_paragraph(_("Aan dit doel is nog geen indicator gekoppeld."))
        for item in goal.indicators:
            document.add_heading(item.name, level=2)
            status = document.add_paragraph()
            status.add_run(_("Status: ")).bold = True
            status.add_run(item.status_label)
            if item.status_explanation:
                document.add_paragraph(item.status_explanation)
            if item.scope:
                document.add_paragraph(_("Gebied: %(scope)s") % {"scope": item.scope})
            if item.table:
                table = document.add_table(rows=1, cols=len(item.headers))
                table.style = "Table Grid"
                for cell, header in zip(table.rows[0].cells, item.headers, strict=False):
                    cell.text = str(header)
                    for run in cell.paragraphs[0].runs:
                        run.bold = True
                for values in item.table:
                    cells = table.add_row().cells
                    for cell, value in zip(cells, values, strict=False):
                        cell.text = str(value)
                for marker, meaning in item.legend:
                    legend = document.add_paragraph()
                    legend.add_run(f"{marker}  ").bold = True
                    legend.add_run(str(meaning))
                    legend.runs[0].font.size = legend.runs[1].font.size = Pt(8)
            else:
                document.add_paragraph(_("Nog geen goedgekeurde cijfers."))
            if item.story_withheld:
                document.add_paragraph(
                    _(
                        "Het verhaal bij het laatste cijfer staat niet in deze rapportage: het "
                        "cijfer is afgeschermd en het verhaal noemt getallen."
                    )
                )
            elif item.story:
                paragraph = document.add_paragraph()
                paragraph.add_run(
                    _("Het verhaal achter het cijfer (%(period)s): ")
                    % {"period": item.story_period}
                ).bold = True
                paragraph.add_run(item.story)
            if item.has_generated:
                document.add_paragraph(
                    _("Let op: een deel van deze cijfers is gegenereerd voor de demo.")
                )
            source = document.add_paragraph(_("Bron: %(source)s") % {"source": item.source})
            source.runs[0].font.size = Pt(8)
        if goal.activities:
            document.add_heading(_("Activiteiten"), level=2)
            table = document.add_table(rows=1, cols=2)
            table.style = "Table Grid"
            table.rows[0].cells[0].text = _("Activiteit")
            table.rows[0].cells[1].text = _("Status")
            for activity in goal.activities:
                cells = table.add_row().cells
                cells[0].text = activity.title
                cells[1].text = activity.status_label
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


# The steps after the goals: the text, the pages and the PDF; or the Word document.
RENDER_STEPS = {"pdf": 3, "docx": 1}


def export_report(agenda, fmt: str, *, user=None, progress: Steps | None = None) -> bytes:
    if fmt not in RENDER_STEPS:
        raise ValueError(f"Onbekend formaat: {fmt}")
    progress = steps(progress).expect(RENDER_STEPS[fmt])
    report = build_report(agenda, user=user, progress=progress)
    if fmt == "pdf":
        return render_report_pdf(report, progress)
    progress(_("Het Word-document wordt opgemaakt."))
    return render_report_docx(report)


def report_filename(agenda, fmt: str) -> str:
    return f"{agenda.slug}-voortgangsrapportage.{fmt}"
