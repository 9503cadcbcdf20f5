"""The agenda as a Word document (python-docx), from the structure ``exporting`` builds.

Real Word tables with a repeating header row and real heading styles, so that a
municipality can keep editing the document in Word and a screen reader finds its way:
the title page, vision, themes, per spearhead the intended result and the four-column
table, the planning table, the intervention cards (two-column tables as in seed 004),
the financing overview, the commitments and the evaluation moments.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from kansrijk.operations.metrics import timed_document
from kansrijk.reports.progress import Steps, steps

from .exporting import AgendaDocument

BRAND = RGBColor(0x0A, 0x45, 0x50)
HEADER_FILL = "0B5F6D"
LABEL_FILL = "E4F2F4"
TOTAL_FILL = "E4F2F4"
CONTENT_WIDTH_CM = 17.0


def _shade(cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def _repeat_as_header(row) -> None:
    """Word repeats this row at the top of every page the table runs onto."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _keep_row_together(row) -> None:
    properties = row._tr.get_or_add_trPr()
    cant_split = OxmlElement("w:cantSplit")
    cant_split.set(qn("w:val"), "true")
    properties.append(cant_split)


def _set_text(cell, text: str, *, bold: bool = False, color: RGBColor | None = None) -> None:
    """The text of a cell, one paragraph per line."""
    lines = (text or "").split("\n") or [""]
    paragraph = cell.paragraphs[0]
    for index, line in enumerate(lines):
        if index:
            paragraph = cell.add_paragraph()
        run = paragraph.add_run(line)
        run.bold = bold
        if color is not None:
            run.font.color.rgb = color


def _set_bullets(cell, items: list[str]) -> None:
    if not items:
        return
    first = cell.paragraphs[0]
    first.style = "List Bullet"
    first.add_run(items[0])
    for item in items[1:]:
        cell.add_paragraph(item, style="List Bullet")


def _header_row(table, labels: list[str]) -> None:
    row = table.rows[0]
    for cell, label in zip(row.cells, labels, strict=True):
        _set_text(cell, label, bold=True, color=RGBColor(0xFF, 0xFF, 0xFF))
        _shade(cell, HEADER_FILL)
    _repeat_as_header(row)


def _widths(table, widths_cm: list[float]) -> None:
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(width)


def _caption(doc, text: str) -> None:
    doc.add_paragraph(text, style="Caption")


def _new_table(doc, columns: int):
    table = doc.add_table(rows=1, cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    return table


def _paragraphs(doc, text: str) -> None:
    """Text with blank lines between paragraphs, as the agendas are written."""
    for block in (text or "").split("\n\n"):
        if block.strip():
            doc.add_paragraph(block.strip())


def _page_number_footer(doc, title: str) -> None:
    footer = doc.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run(f"{title} · {_('pagina')} ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    for run in paragraph.runs:
        run.font.size = Pt(8)


def _setup(doc, document: AgendaDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
        doc.styles[name].font.color.rgb = BRAND
        doc.styles[name].font.name = "Arial"
    properties = doc.core_properties
    properties.title = document.title
    properties.subject = document.subtitle or document.kind
    properties.author = ", ".join(document.owners) or "Kansrijk"
    properties.comments = _("Gemaakt uit Kansrijk op %(date)s") % {"date": document.generated_on}
    properties.language = "nl-NL"


def _title_page(doc, document: AgendaDocument) -> None:
    kind = doc.add_paragraph()
    run = kind.add_run(document.kind.upper())
    run.bold = True
    run.font.color.rgb = BRAND
    doc.add_heading(document.title, level=0)
    if document.subtitle:
        doc.add_paragraph(document.subtitle, style="Subtitle")
    facts = [(_("Looptijd"), document.period)]
    if document.owners:
        facts.append((_("Een samenwerking van"), ", ".join(document.owners)))
    if document.regions:
        facts.append((_("Gemeenten en gebieden"), ", ".join(document.regions)))
    status = document.status[:1].upper() + document.status[1:]
    facts.append((_("Status"), document.adoption or status))
    facts.append(
        (
            _("Stand van zaken"),
            _("gemaakt uit Kansrijk op %(date)s") % {"date": document.generated_on},
        )
    )
    table = doc.add_table(rows=0, cols=2)
    for label, value in facts:
        cells = table.add_row().cells
        _set_text(cells[0], label, bold=True, color=BRAND)
        _set_text(cells[1], value)
    _widths(table, [5, 12])
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _goals_table(doc, section) -> None:
    _caption(doc, _("%(heading)s: doelen en activiteiten") % {"heading": section.heading})
    table = _new_table(doc, 4)
    _header_row(
        table,
        [
            _("Wat willen we bereiken?") + "\n" + _("Doel"),
            _("Hoe meten we dat?") + "\n" + _("Indicator"),
            _("Wat doen we daarvoor?") + "\n" + _("Hoofdactiviteit(en)"),
            _("Wat doen we daarvoor?") + "\n" + _("Subactiviteit(en)"),
        ],
    )
    for goal in section.goals:
        cells = table.add_row().cells
        _set_text(cells[0], goal.label)
        _set_text(cells[1], goal.indicator_text)
        _set_bullets(cells[2], [a.title for a in goal.main_activities])
        _set_bullets(cells[3], [a.title for a in goal.sub_activities])
    if not section.goals:
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[3])
        _set_text(merged, _("Nog geen doelen."))
    _widths(table, [4.1, 3.7, 4.1, 5.1])


def _planning_table(doc, document: AgendaDocument) -> None:
    _caption(doc, _("Planning per speerpunt en doel"))
    table = _new_table(doc, 3)
    _header_row(table, [_("Speerpunt"), _("Doel"), _("Planning activiteiten")])
    for group in document.planning:
        first_index = len(table.rows)
        for goal in group.goals:
            cells = table.add_row().cells
            _set_text(cells[1], goal.label)
            if goal.planning:
                _set_bullets(cells[2], goal.planning)
            else:
                _set_text(cells[2], _("geen planning"))
        first = table.rows[first_index].cells[0]
        last = table.rows[len(table.rows) - 1].cells[0]
        merged = first.merge(last) if first._tc is not last._tc else first
        _set_text(merged, group.label, bold=True, color=BRAND)
        _shade(merged, LABEL_FILL)
    _widths(table, [3.2, 6.3, 7.5])


def _intervention_card(doc, card) -> None:
    doc.add_heading(f"{_('Interventie')} | {card.name}", level=2)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    rows = list(card.rows)
    if card.funding_lines:
        lines = [line.text for line in card.funding_lines]
        rows.append((_("Financieringsregels"), "\n".join(lines)))
        total = card.planned_total
        if card.realised_total:
            total += f"; {_('gerealiseerd')} {card.realised_total}"
        rows.append((_("Totaal begroot"), total))
    for label, value in rows:
        row = table.add_row()
        _keep_row_together(row)
        _set_text(row.cells[0], label, bold=True, color=BRAND)
        _shade(row.cells[0], LABEL_FILL)
        _set_text(row.cells[1], value)
    _widths(table, [4.5, 12.5])
    doc.add_paragraph()


def _funding_table(doc, document: AgendaDocument) -> None:
    funding = document.funding
    _caption(doc, _("Begrote bedragen per bron en jaar"))
    columns = [_("Bron"), *[str(year) for year in funding.years], _("Totaal"), _("Gerealiseerd")]
    table = _new_table(doc, len(columns))
    _header_row(table, columns)
    for row in funding.rows:
        cells = table.add_row().cells
        _set_text(cells[0], row.label, bold=True, color=BRAND)
        for cell, value in zip(
            cells[1:], [c.text for c in row.cells] + [row.total.text], strict=False
        ):
            _set_text(cell, value)
        _set_text(cells[-1], row.realised or "–")
    cells = table.add_row().cells
    values = [c.text for c in funding.year_totals] + [funding.total.text, funding.realised or "–"]
    _set_text(cells[0], _("Totaal"), bold=True)
    for cell, value in zip(cells[1:], values, strict=True):
        _set_text(cell, value, bold=True)
    for cell in cells:
        _shade(cell, TOTAL_FILL)
    for row in table.rows:
        for cell in row.cells[1:]:
            for paragraph in cell.paragraphs:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    note = doc.add_paragraph(
        _(
            "ca. = het bedrag is (deels) een schatting: het brondocument schrijft 'circa'. "
            "Bedragen per eenheid (bijvoorbeeld per locatie per jaar) zijn omgerekend naar het "
            "aantal eenheden en het aandeel van de bron."
        )
    )
    for run in note.runs:
        run.font.size = Pt(8)


def step_count(sections: int) -> int:
    """The steps of ``render_docx`` for a document with ``sections`` speerpunt sections:
    the title page, each section, the planning, the interventions, the financing, the
    rest, and saving."""
    return 1 + sections + 5


@timed_document("agenda", "docx")
def render_docx(document: AgendaDocument, progress: Steps | None = None) -> bytes:
    """The Word document; ``progress`` hears one step per speerpunt and per part after
    them (the planning, the interventions, the financing, the rest, saving):
    ``step_count`` of them, which the caller expects before it reads the agenda."""
    progress = steps(progress)
    progress(_("De titelpagina en de inleiding worden opgemaakt."))
    doc = Document()
    _setup(doc, document)
    _page_number_footer(doc, document.title)
    _title_page(doc, document)

    if document.introduction:
        doc.add_heading(_("Inleiding"), level=1)
        _paragraphs(doc, document.introduction)
    if document.vision:
        doc.add_heading(_("Visie"), level=1)
        _paragraphs(doc, document.vision)
    if document.themes:
        doc.add_heading(_("Thema's"), level=1)
        for theme in document.themes:
            number = f"{theme.number}. " if theme.number else ""
            doc.add_heading(f"{number}{theme.title} ({theme.kind})", level=2)
            _paragraphs(doc, theme.background)
            if theme.sources:
                sources = doc.add_paragraph(f"{_('Bronnen')}: {theme.sources}")
                for run in sources.runs:
                    run.font.size = Pt(8)

    for section in document.spearheads:
        progress(_("%(section)s wordt opgemaakt.") % {"section": section.heading})
        doc.add_heading(section.heading, level=1)
        _paragraphs(doc, section.description)
        if section.intended_result:
            result = doc.add_paragraph()
            label = result.add_run(_("Beoogd resultaat") + ": ")
            label.bold = True
            label.font.color.rgb = BRAND
            result.add_run(section.intended_result)
        _goals_table(doc, section)

    progress(_("De planning wordt opgemaakt."))
    if document.planning:
        doc.add_heading(_("Planning"), level=1)
        _planning_table(doc, document)

    progress(_("De interventies worden opgemaakt."))
    if document.interventions:
        doc.add_heading(_("Interventies"), level=1)
        for card in document.interventions:
            _intervention_card(doc, card)

    progress(_("De financiering wordt opgemaakt."))
    if not document.funding.is_empty:
        doc.add_heading(_("Financiering"), level=1)
        _funding_table(doc, document)

    progress(_("De samenwerking en de evaluatie worden opgemaakt."))
    if document.commitments:
        doc.add_heading(_("Samenwerking"), level=1)
        _caption(doc, _("Afspraken die terugkeren"))
        table = _new_table(doc, 3)
        _header_row(table, [_("Afspraak"), _("Wie"), _("Hoe vaak")])
        for commitment in document.commitments:
            cells = table.add_row().cells
            _set_text(cells[0], commitment.text)
            _set_text(cells[1], commitment.owner or "–")
            _set_text(cells[2], commitment.frequency or "–")
        _widths(table, [9, 4.5, 3.5])

    if document.evaluations:
        doc.add_heading(_("Evaluatie"), level=1)
        _caption(doc, _("Evaluatiemomenten"))
        table = _new_table(doc, 4)
        _header_row(table, [_("Wanneer"), _("Wat"), _("Interventie"), _("Uitgevoerd")])
        for moment in document.evaluations:
            cells = table.add_row().cells
            _set_text(cells[0], moment.when[:1].upper() + moment.when[1:])
            _set_text(cells[1], moment.description)
            _set_text(cells[2], moment.intervention or "–")
            _set_text(cells[3], moment.done_on or "–")
        _widths(table, [3, 7.5, 4, 2.5])

    if document.source:
        source = doc.add_paragraph(f"{_('Bron')}: {document.source}")
        for run in source.runs:
            run.font.size = Pt(8)

    progress(_("Het Word-document wordt geschreven."))
    stream = io.BytesIO()
    doc.save(stream)
    return stream.getvalue()
