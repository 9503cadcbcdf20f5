"""The quarterly report out: CSV and XLSX through the one exporter base, PDF from the
print template. Every format prints the definition the counts were made with."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from kansrijk.indicators.suppression import legend
from kansrijk.operations.metrics import building_document
from kansrijk.reports.exporting import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    CsvExporter,
    XlsxExporter,
)
from kansrijk.reports.pdf import PDF_CONTENT_TYPE, html_to_pdf
from kansrijk.reports.progress import Steps, steps

from .reporting import COLUMN_LABELS, COUNT_COLUMNS, CSV_COLUMNS, QuarterlyReport

FORMATS = ("csv", "xlsx", "pdf")
CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE, "pdf": PDF_CONTENT_TYPE}

COLUMN_HELP = {
    "peildatum": "de peildatum (JJJJ-MM-DD)",
    "niveau": "school, swv, gemeente of rmc",
    "code": "BRIN6, code van het samenwerkingsverband, gemeentecode of RMC-code; 'totaal' voor de som",
    "naam": "naam van de school, het samenwerkingsverband, de gemeente of de regio",
    "definitie": "ocw of ocw_5a (zie docs/formats/thuiszitters-report.md)",
    "thuiszitters": "thuiszitters op de peildatum volgens de definitie",
    "absoluut": "waarvan absoluut verzuim",
    "relatief": "waarvan relatief verzuim langer dan 28 dagen",
    "vrijstelling_5_onder_a": "open vrijstellingen 5 onder a (bij ocw alleen ter informatie)",
    "tot_4_weken": "duur op de peildatum hooguit 28 dagen",
    "4_weken_tot_3_maanden": "duur meer dan 28 dagen, hooguit 3 kalendermaanden",
    "langer_dan_3_maanden": "duur meer dan 3 kalendermaanden",
    "pact_overschreden": "langer dan 3 kalendermaanden en geen passend aanbod gestart op of voor de peildatum",
    "nieuw": "gestart in het kwartaal dat eindigt op de peildatum",
    "beeindigd": "beëindigd in het kwartaal dat eindigt op de peildatum",
    "leerlingen": "leerlingen volgens de referentiedata (DUO, per schoolvestiging)",
    "per_1000_leerlingen": "thuiszitters per 1.000 leerlingen",
    "definitie_omschrijving": "de definitie waarmee geteld is, in woorden",
    "verklaring_tekens": (
        "wat een teken in plaats van een aantal in deze rij betekent: <5 = minder dan 5 (ook "
        "0), afgeschermd; . = geheim, afgeschermd om een klein aantal te beschermen (kan groot "
        "zijn; teken van het CBS)"
    ),
}


class ReportXlsxExporter(XlsxExporter):
    sheet_title = "Thuiszitters"
    column_help = COLUMN_HELP
    freeze_panes = "E2"


def report_filename(report: QuarterlyReport, fmt: str) -> str:
    return f"thuiszitters-{report.peildatum:%Y-%m-%d}-{report.level}-{report.definition}.{fmt}"


def render_report_html(report: QuarterlyReport) -> str:
    columns = [*COUNT_COLUMNS, "per_1000_leerlingen"]
    return render_to_string(
        "cases/report_print.html",
        {
            "report": report,
            "columns": [(column, COLUMN_LABELS[column]) for column in columns],
            "generated_at": timezone.localtime(),
        },
    )


# The steps of export_report per format (decision 0051).
EXPORT_STEPS = {"csv": 1, "xlsx": 1, "pdf": 3}


def export_report(report: QuarterlyReport, fmt: str, progress: Steps | None = None) -> bytes:
    progress = steps(progress)
    if fmt == "pdf":
        with building_document("quarterly_report", "pdf"):
            progress(_("De tekst wordt opgemaakt."))
            return html_to_pdf(render_report_html(report), progress)
    progress(_("Het bestand wordt geschreven."))
    if fmt == "csv":
        return CsvExporter(report.csv_rows(), CSV_COLUMNS).render()
    if fmt == "xlsx":
        exporter = ReportXlsxExporter(report.csv_rows(), CSV_COLUMNS)
        if report.suppressed:
            exporter.legend = legend(report.threshold)
        return exporter.render()
    raise ValueError(f"Onbekend formaat: {fmt}")
