"""Measurements out: CSV, XLSX and SDMX-CSV, all through one exporter base.

``measurement_rows(queryset, disclosure=…)`` reads the measurements once into plain rows,
each figure as the disclosure boundary (``disclosure.Disclosure``) lets it leave: as
entered for those entitled to the detail, otherwise only approved figures with every
count and rate suppressed as on the pages ("<5", or "." for a figure hidden to protect a
small one). Every viewer gets the same machine format: numbers with a decimal point and
no thousands separator in CSV, real numbers in XLSX.

The columns of the CSV/XLSX are those the importer reads (``importing``), so an export
can be corrected and imported again. SDMX-CSV is documented in
``docs/formats/sdmx-csv.md``.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kansrijk.reports.exporting import CsvExporter, TabularExporter, XlsxExporter

from . import suppression
from .disclosure import Disclosure
from .models import Indicator

FORMATS = ("csv", "xlsx", "sdmx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sdmx": "application/vnd.sdmx.data+csv; version=1.0.0; charset=utf-8",
}
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "sdmx": "csv"}

COLUMNS = [
    "indicator",
    "naam",
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
    "eenheid",
    "definitief",
    "verhaal",
    "bron",
    "gegenereerd",
    "goedkeuring",
    "verklaring_tekens",
    "berekend_op",
]

COLUMN_HELP = {
    "indicator": "code van de indicator",
    "naam": "naam van de indicator (alleen ter informatie; wordt bij importeren niet gelezen)",
    "periode": "periode zoals de pagina's hem schrijven (2023/2024, 2024, 2024 K1)",
    "periode_start": "eerste dag van de periode (JJJJ-MM-DD)",
    "periode_eind": "laatste dag van de periode (JJJJ-MM-DD)",
    "regio": "regiocode (GM0556, RMC12, NL); leeg als het cijfer bij een organisatie hoort",
    "organisatie": "organisatiecode; leeg als het cijfer bij een regio hoort",
    "uitsplitsing": "soort uitsplitsing (sector, leeftijd); leeg voor het totaal",
    "categorie": "categorie binnen de uitsplitsing (PO, VO, 4-5 jaar)",
    "waarde": "de waarde; bij een verhoudingsgetal afgeleid van teller en noemer",
    "teller": "verhoudingsgetal: de teller",
    "noemer": "verhoudingsgetal: de noemer (groter dan 0)",
    "eenheid": "percentage, count, hours, euro of score",
    "definitief": "ja = definitief cijfer, nee = voorlopig",
    "verhaal": "het verhaal achter het cijfer",
    "bron": "waar het cijfer vandaan komt",
    "gegenereerd": "ja = gegenereerd voor de demo, geen echt cijfer",
    "goedkeuring": "ingediend, goedgekeurd of afgewezen (alleen ter informatie)",
    "verklaring_tekens": (
        "wat een teken in plaats van een cijfer betekent: <5 = minder dan 5 (ook 0), "
        "afgeschermd; . = geheim, afgeschermd om een klein aantal te beschermen (kan groot "
        "zijn; teken van het CBS). Wordt bij importeren niet gelezen."
    ),
    "berekend_op": (
        "berekend cijfer: wanneer het laatst is berekend (JJJJ-MM-DDTUU:MM:SS met de "
        "afwijking van UTC; alleen ter informatie)"
    ),
}


def visible_measurements(user, indicator: Indicator, disclosure: Disclosure):
    """The measurements of ``indicator`` that ``user`` may export: every one for those
    entitled to the detail, the approved ones for everyone else."""
    queryset = indicator.measurements.all()
    if disclosure.entitled(indicator):
        return queryset
    return queryset.approved()


WITHHELD_STORY = "(niet getoond: het cijfer is afgeschermd en het verhaal noemt getallen)"


def measurement_rows(queryset, *, disclosure: Disclosure) -> list[dict[str, Any]]:
    """The rows of the export, every figure as ``disclosure`` lets it leave: numbers as a
    machine reads them (a point as decimal separator, no thousands separator), a hidden
    figure as its marker ("<5" or "."), explained in the column ``verklaring_tekens``."""
    ordered = queryset.select_related("indicator", "region", "organisation").order_by(
        "indicator__code",
        "period_start",
        "region__code",
        "organisation__code",
        "breakdown_key",
        "breakdown_value",
    )
    rows = []
    for figure in disclosure.figures(ordered):
        m = figure.measurement
        rows.append(
            {
                "indicator": m.indicator.code,
                "naam": m.indicator.name,
                "periode": m.period_label,
                "periode_start": m.period_start,
                "periode_eind": m.period_end,
                "regio": m.region.code if m.region_id else "",
                "organisatie": m.organisation.code if m.organisation_id else "",
                "uitsplitsing": m.breakdown_key,
                "categorie": m.breakdown_value,
                "waarde": figure.value.published,
                "teller": figure.numerator.published,
                "noemer": figure.denominator.published,
                "eenheid": m.indicator.unit,
                "definitief": m.is_final,
                "verhaal": WITHHELD_STORY if figure.story_withheld else figure.story,
                "bron": m.source,
                "gegenereerd": m.is_generated,
                "goedkeuring": m.get_approval_display() if figure.detail else "",
                "verklaring_tekens": (
                    suppression.legend_text(
                        m.indicator.suppression_threshold, markers=figure.markers
                    )
                    if figure.markers
                    else ""
                ),
                "berekend_op": (
                    timezone.localtime(m.computed_at).isoformat(timespec="seconds")
                    if m.computed_at
                    else ""
                ),
                "_figure": figure,
            }
        )
    return rows


class MeasurementXlsxExporter(XlsxExporter):
    """Sheet 'Metingen' with the rows and 'Toelichting' with what each column means."""

    sheet_title = "Metingen"
    column_help = COLUMN_HELP

    @property
    def legend(self):
        return suppression.legend()


SDMX_DATAFLOW = "KANSRIJK:MONITOR(1.0)"
SDMX_COLUMNS = [
    "DATAFLOW",
    "INDICATOR",
    "REF_AREA",
    "TIME_PERIOD",
    "BREAKDOWN",
    "OBS_VALUE",
    "OBS_STATUS",
    "UNIT_MEASURE",
    "NUMERATOR",
    "DENOMINATOR",
    "CONF_STATUS",
]
# SDMX's code list CL_CONF_STATUS: F = free, A = primary confidentiality due to small
# counts, D = secondary confidentiality set by the sender.
CONF_STATUS = {"": "F", suppression.SECONDARY_MARKER: "D"}


def sdmx_time_period(row: dict[str, Any]) -> str:
    """A calendar year as 2024, a school year as 2023-08-01/2024-07-31 (ISO interval)."""
    start, end = row["periode_start"], row["periode_eind"]
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    if start == end:
        return start.isoformat()
    return f"{start.isoformat()}/{end.isoformat()}"


class SdmxCsvExporter(TabularExporter):
    """SDMX-CSV 1.0: one observation per line (docs/formats/sdmx-csv.md). Plain UTF-8
    without byte order mark; values with a decimal point."""

    extension = "csv"
    content_type = CONTENT_TYPES["sdmx"]

    def __init__(self, rows: list[dict[str, Any]]):
        super().__init__(
            [
                {
                    "DATAFLOW": SDMX_DATAFLOW,
                    "INDICATOR": row["indicator"],
                    "REF_AREA": row["regio"] or f"ORG:{row['organisatie']}",
                    "TIME_PERIOD": sdmx_time_period(row),
                    "BREAKDOWN": (
                        f"{row['uitsplitsing']}={row['categorie']}" if row["uitsplitsing"] else "_T"
                    ),
                    "OBS_VALUE": row["_figure"].value.number,
                    "OBS_STATUS": "A" if row["definitief"] else "P",
                    "UNIT_MEASURE": row["eenheid"],
                    "NUMERATOR": row["_figure"].numerator.number,
                    "DENOMINATOR": row["_figure"].denominator.number,
                    "CONF_STATUS": CONF_STATUS.get(row["_figure"].value.marker, "A"),
                }
                for row in rows
            ],
            SDMX_COLUMNS,
        )

    def cell(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return format(value, "f")
        return str(super().cell(value))

    def write(self, stream) -> None:
        text = io.StringIO(newline="")
        csv.writer(text, lineterminator="\r\n").writerows(self.table())
        stream.write(text.getvalue().encode("utf-8"))


def export_rows(rows: list[dict[str, Any]], fmt: str) -> bytes:
    if fmt == "csv":
        return CsvExporter(rows, COLUMNS).render()
    if fmt == "xlsx":
        return MeasurementXlsxExporter(rows, COLUMNS).render()
    if fmt == "sdmx":
        return SdmxCsvExporter(rows).render()
    raise ValueError(f"Onbekend formaat: {fmt}")


def export_indicator(indicator: Indicator, fmt: str, *, user=None) -> bytes:
    """The measurements of ``indicator`` that ``user`` may see, in ``fmt``."""
    disclosure = Disclosure(user)
    queryset = visible_measurements(user, indicator, disclosure)
    return export_rows(measurement_rows(queryset, disclosure=disclosure), fmt)


def export_filename(indicator: Indicator, fmt: str) -> str:
    suffix = "-sdmx" if fmt == "sdmx" else ""
    return f"{indicator.code}{suffix}.{EXTENSIONS[fmt]}"
