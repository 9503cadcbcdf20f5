"""Measurements out: CSV, XLSX and SDMX-CSV, all through one exporter base.

``measurement_rows(queryset, user)`` reads the measurements once into plain rows. A user
entitled to the detail (``indicators.change_indicator`` on the indicator: a
beleidsmedewerker or beheerder of its owner) gets every figure as entered. Everyone
else only gets approved figures (anonymous callers only published ones) and every
figure goes through ``kansrijk.indicators.suppression``: counts below the threshold
read "<5", rates built on them are suppressed, and cells of one breakdown are
suppressed as a table so no hidden cell can be recovered from its siblings.

The columns of the CSV/XLSX are those the importer reads (``importing``), so an export
can be corrected and imported again. SDMX-CSV is documented in
``docs/formats/sdmx-csv.md``.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kansrijk.reports.exporting import CsvExporter, TabularExporter, XlsxExporter

from .models import Indicator, Measurement, Unit

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
    "berekend_op",
]

COLUMN_HELP = {
    "indicator": "code van de indicator",
    "naam": "naam van de indicator (alleen ter informatie; wordt bij importeren niet gelezen)",
    "periode": "periode zoals geschreven (2023-2024, 2024, 2024-K1)",
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
    "berekend_op": (
        "berekend cijfer: wanneer het laatst is berekend (JJJJ-MM-DDTUU:MM:SS met de "
        "afwijking van UTC; alleen ter informatie)"
    ),
}


def is_entitled(user, indicator: Indicator) -> bool:
    """May ``user`` see the detail (unsuppressed, also not yet approved) of ``indicator``?"""
    return bool(
        user and user.is_authenticated and user.has_perm("indicators.change_indicator", indicator)
    )


def visible_measurements(user, indicator: Indicator):
    """The measurements of ``indicator`` that ``user`` may export, and whether they are
    exported in detail (True) or through suppression (False)."""
    queryset = indicator.measurements.select_related("indicator", "region", "organisation")
    if is_entitled(user, indicator):
        return queryset, True
    if user is None or not user.is_authenticated:
        return queryset.published(), False
    return queryset.approved(), False


def _number(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _rounded(value: Decimal | None, decimals: int) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals))


def _raw_row(m: Measurement) -> dict[str, Any]:
    indicator = m.indicator
    value = m.value
    if m.numerator is not None and m.denominator:
        value = _rounded(m.display_value, max(indicator.decimals, 1))
    return {
        "indicator": indicator.code,
        "naam": indicator.name,
        "periode": m.period_label,
        "periode_start": m.period_start,
        "periode_eind": m.period_end,
        "regio": m.region.code if m.region_id else "",
        "organisatie": m.organisation.code if m.organisation_id else "",
        "uitsplitsing": m.breakdown_key,
        "categorie": m.breakdown_value,
        "waarde": _number(value),
        "teller": _number(m.numerator),
        "noemer": _number(m.denominator),
        "eenheid": indicator.unit,
        "definitief": m.is_final,
        "verhaal": m.story,
        "bron": m.source,
        "gegenereerd": m.is_generated,
        "goedkeuring": m.get_approval_display(),
        "berekend_op": (
            timezone.localtime(m.computed_at).isoformat(timespec="seconds") if m.computed_at else ""
        ),
        "_is_count": indicator.unit == Unit.COUNT and m.numerator is None,
        "_count": m.value if indicator.unit == Unit.COUNT and m.numerator is None else m.numerator,
        "_threshold": indicator.suppression_threshold,
        "_cell": (m.indicator_id, m.period_start, m.period_end, m.region_id, m.organisation_id),
    }


def _suppress(rows: list[dict[str, Any]]) -> None:
    """Every figure through the one suppression module, in place.

    Counts of one breakdown (indicator × period × scope × breakdown key) form one line
    of a table with its total published: ``suppress_table`` hides the small cells and,
    where one hidden cell could be recovered from the total, a second one."""
    from . import suppression

    groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["uitsplitsing"] and row["_count"] is not None:
            groups[(*row["_cell"], row["uitsplitsing"])].append(row)
    hidden: set[int] = set()
    for members in groups.values():
        if len(members) < 2:
            continue
        counts = [[int(row["_count"]) for row in members]]
        mask = suppression.suppress_table(
            counts, threshold=members[0]["_threshold"], row_totals=True, column_totals=False
        )
        hidden.update(id(row) for row, hide in zip(members, mask[0], strict=False) if hide)
    for row in rows:
        threshold = row["_threshold"]
        label = suppression.suppressed_label(threshold)
        if row["_is_count"]:
            shown = (
                label
                if id(row) in hidden
                else suppression.publish_count(int(row["waarde"]), threshold=threshold)
            )
            row["waarde"] = shown
            continue
        if row["teller"] is None or row["noemer"] is None:
            continue  # hours, euros, scores: not counts of people
        if id(row) in hidden:
            row["waarde"] = label
            row["teller"] = label
        else:
            row["waarde"] = suppression.publish_rate(
                int(row["teller"]), int(row["noemer"]), threshold=threshold, unit=row["eenheid"]
            )
            row["teller"] = suppression.publish_count(int(row["teller"]), threshold=threshold)
        row["noemer"] = suppression.publish_count(int(row["noemer"]), threshold=threshold)


def measurement_rows(queryset, *, detail: bool) -> list[dict[str, Any]]:
    rows = [
        _raw_row(m)
        for m in queryset.select_related("indicator", "region", "organisation").order_by(
            "indicator__code",
            "period_start",
            "region__code",
            "organisation__code",
            "breakdown_key",
            "breakdown_value",
        )
    ]
    if not detail:
        _suppress(rows)
        for row in rows:
            row["goedkeuring"] = ""
    return rows


class MeasurementXlsxExporter(XlsxExporter):
    """Sheet 'Metingen' with the rows and 'Toelichting' with what each column means."""

    sheet_title = "Metingen"
    column_help = COLUMN_HELP


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
]


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
                    "OBS_VALUE": row["waarde"],
                    "OBS_STATUS": "A" if row["definitief"] else "P",
                    "UNIT_MEASURE": row["eenheid"],
                    "NUMERATOR": row["teller"],
                    "DENOMINATOR": row["noemer"],
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
    queryset, detail = visible_measurements(user, indicator)
    return export_rows(measurement_rows(queryset, detail=detail), fmt)


def export_filename(indicator: Indicator, fmt: str) -> str:
    suffix = "-sdmx" if fmt == "sdmx" else ""
    return f"{indicator.code}{suffix}.{EXTENSIONS[fmt]}"
