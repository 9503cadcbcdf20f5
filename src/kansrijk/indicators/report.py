"""The council progress report (voortgangsrapportage) of an agenda, as PDF and DOCX.

``build_report(agenda, user=None)`` reads, per goal of the agenda, its indicators (each
with the trend chart of ``charts.trend_chart``, its status from
``status.indicator_status``, the story behind the latest figure and the data table)
and the status of the goal's activities, into plain objects. The print HTML (for the
PDF, rendered by WeasyPrint like the agenda document) and the DOCX writer both render
that one structure. The PDF carries the same SVG as the web page; python-docx cannot
embed SVG, so the DOCX carries the chart's data table instead and says so.

Only approved figures are reported. A reader who is not entitled to the detail of an
indicator (``indicators.change_indicator``) gets every count and rate through
``suppression``: a number below the threshold is not drawn and reads "<5".
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from kansrijk.agenda.exporting import _goal_rows, format_date
from kansrijk.reports.pdf import html_to_pdf

from .models import Baseline, Indicator, Measurement, Target

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
    status_code: str
    status_label: str
    status_explanation: str
    story: str
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
    """The scope reported: that of the latest approved total figure, else the owner's
    gemeente."""
    totals = [m for m in measurements if not m.breakdown_key]
    if totals:
        latest = max(totals, key=lambda m: m.period_end)
        return latest.region, latest.organisation
    if indicator.owner_id and indicator.owner.municipality_id:
        return indicator.owner.municipality, None
    return None, None


def _shown_value(m: Measurement, detail: bool):
    """The value as the reader may see it: a Decimal, or a suppressed label."""
    if detail:
        return m.display_value
    from . import suppression

    threshold = m.indicator.suppression_threshold
    if m.numerator is not None and m.denominator:
        text = suppression.publish_rate(
            int(m.numerator), int(m.denominator), threshold=threshold, unit=m.indicator.unit
        )
        return m.display_value if text and text[0].isdigit() else text
    if m.indicator.unit == "count" and m.value is not None:
        text = suppression.publish_count(int(m.value), threshold=threshold)
        return m.value if text and text[0].isdigit() else text
    return m.value


def _indicator_section(indicator: Indicator, user) -> IndicatorSection:
    from . import charts
    from .status import indicator_status, status_from

    detail = bool(
        user is None
        or (user.is_authenticated and user.has_perm("indicators.change_indicator", indicator))
    )
    measurements = list(
        indicator.measurements.approved()
        .select_related("region", "organisation", "indicator")
        .order_by("period_start")
    )
    region, organisation = _scope_of(indicator, measurements)
    scope_filter = {"region": region, "organisation": organisation}
    series = [
        m
        for m in measurements
        if not m.breakdown_key and m.region == region and m.organisation == organisation
    ]
    baseline = Baseline.objects.filter(indicator=indicator, **scope_filter).first()
    targets = list(Target.objects.filter(indicator=indicator, **scope_filter).order_by("date"))
    chart = charts.trend_chart(
        [(m.period_label, _shown_value(m, detail)) for m in series],
        baseline=(baseline.period_label, baseline.value) if baseline else None,
        targets=[(t.period_label or str(t.date.year), t.value) for t in targets],
        unit=indicator.unit,
        title=indicator.name,
        decimals=indicator.decimals,
        chart_id=f"chart-{indicator.code}",
    )
    if region is None and organisation is None:
        # No approved figure and no owner's gemeente (an external source, say): nothing to
        # measure the status in, so "geen data" rather than a scope-less status query.
        status = status_from(indicator, latest=None, targets=[], baseline=None)
    else:
        status = indicator_status(indicator, region=region, organisation=organisation)
    latest = series[-1] if series else None
    return IndicatorSection(
        code=indicator.code,
        name=indicator.name,
        unit=indicator.get_unit_display(),
        scope=str(region or organisation or ""),
        chart_svg=chart.svg,
        headers=list(chart.headers),
        table=[list(row) for row in chart.table],
        status_code=status.code,
        status_label=str(status.label),
        status_explanation=str(status.explanation),
        story=latest.story if latest else "",
        story_period=latest.period_label if latest else "",
        source=indicator.source_name or indicator.get_source_kind_display(),
        has_generated=any(m.is_generated for m in series),
    )


def build_report(agenda, *, user=None) -> ProgressReport:
    """The report of ``agenda``; ``user`` None means the command line (full detail)."""
    visible = Indicator.objects.all() if user is None else Indicator.objects.visible_to(user)
    goals = []
    for goal, row in _goal_rows(agenda):
        section = GoalSection(label=row.label, indicator_text=row.indicator_text)
        for indicator in visible.filter(goals=goal).select_related("owner").order_by("name"):
            section.indicators.append(_indicator_section(indicator, user))
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


def render_report_pdf(report: ProgressReport) -> bytes:
    """WeasyPrint as for the agenda document: nothing fetched from outside."""
    return html_to_pdf(render_report_html(report))


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
            else:
                document.add_paragraph(_("Nog geen goedgekeurde cijfers."))
            if item.story:
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


def export_report(agenda, fmt: str, *, user=None) -> bytes:
    report = build_report(agenda, user=user)
    if fmt == "pdf":
        return render_report_pdf(report)
    if fmt == "docx":
        return render_report_docx(report)
    raise ValueError(f"Onbekend formaat: {fmt}")


def report_filename(agenda, fmt: str) -> str:
    return f"{agenda.slug}-voortgangsrapportage.{fmt}"
